// Thread policy: putting one thread of the process, not the process, under Linux's SCHED_BATCH
// scheduling policy.
//
// A thread woken by another (a condition variable, a mutex hand-off, a socket) normally preempts
// the thread running on that core when it has had less CPU: two threads handing work back and
// forth take turns on a core at every hand-off. A SCHED_BATCH thread is assumed to be
// CPU-bound: woken, it waits for the running thread's time slice to end instead of preempting
// it, and otherwise shares the CPU as any thread of its nice value does (its share is not
// lowered, so a busy machine does not starve it).
//
// Contracts:
//  - SetCurrentThreadBatchPolicy() puts the calling thread, and only it, under SCHED_BATCH at
//    its current nice value; threads it starts afterwards inherit the policy. False when the
//    system refuses (the thread's policy is then unchanged).
//  - CurrentThreadHasBatchPolicy() tells whether the calling thread runs under SCHED_BATCH.
#pragma once

namespace otsync {

bool SetCurrentThreadBatchPolicy();
bool CurrentThreadHasBatchPolicy();

}  // namespace otsync
