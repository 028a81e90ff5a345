// Thread policy: how the scheduler treats one thread of the process, not the process: Linux's
// SCHED_BATCH policy, and a lower priority (a higher nice value). Both need no privileges, and a
// thread starts with the policy and nice value of the thread that created it.
//
// SCHED_BATCH.
// A thread woken by another (a condition variable, a mutex hand-off, a socket) normally preempts
// the thread running on that core when it has had less CPU: two threads handing work back and
// forth take turns on a core at every hand-off. A SCHED_BATCH thread is assumed to be
// CPU-bound: woken, it waits for the running thread's time slice to end instead of preempting
// it, and otherwise shares the CPU as any thread of its nice value does (its share is not
// lowered, so a busy machine does not starve it).
//
// A lower priority: a thread of nice value n + 10 gets about a tenth of the CPU of one of n when
// both want it, and all of it when the other waits. For work that is only ahead of need (a
// reply prepared before it is asked for), so that it never delays work that is needed now.
//
// Contracts:
//  - SetCurrentThreadBatchPolicy() puts the calling thread, and only it, under SCHED_BATCH at
//    its current nice value; threads it starts afterwards inherit the policy. False when the
//    system refuses (the thread's policy is then unchanged).
//  - CurrentThreadHasBatchPolicy() tells whether the calling thread runs under SCHED_BATCH.
//  - LowerCurrentThreadPriority(steps) sets the calling thread's nice value to the process's (its
//    main thread's) plus `steps`, at most 19, the lowest; `steps` <= 0 changes nothing. False
//    when the system refuses (the thread's priority is then unchanged).
//  - CurrentThreadNice() and ProcessNice(): the calling thread's and the main thread's nice
//    values (-20 to 19).
#pragma once

namespace otsync {

bool SetCurrentThreadBatchPolicy();
bool CurrentThreadHasBatchPolicy();

bool LowerCurrentThreadPriority(int steps);
int CurrentThreadNice();
int ProcessNice();

}  // namespace otsync
