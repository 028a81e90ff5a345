// ParallelFor: a loop over indices whose iterations run on a few threads at once, for work that
// mostly waits (a round trip per index) and is too small for a pool of its own.
//
// Contract: ParallelFor(count, max_threads, work) calls work(i) exactly once for each i in
// [0, count) and returns after the last call has returned. At most max_threads calls run at
// once (0 counts as 1); the calling thread is one of them, so it starts at most
// min(count, max_threads) - 1 threads and joins them before returning. Indices are taken in
// ascending order by whichever thread is free, so the order in which calls run and finish is
// unspecified. Should a thread fail to start, the others (at least the caller) do its share.
//
// Thread safety: `work` is called from several threads at once, each call with its own index;
// what it writes for index i (e.g. results[i]) is visible to the caller once ParallelFor returns.
#pragma once

#include <cstddef>
#include <functional>

namespace otsync {

void ParallelFor(size_t count, size_t max_threads, const std::function<void(size_t)>& work);

}  // namespace otsync
