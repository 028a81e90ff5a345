// RetainFreedHeap: keeps glibc malloc from handing memory back to the kernel after every large
// request, for servers whose requests allocate and free megabytes each.
//
// Why: glibc serves a block above its mmap threshold (128 KiB at first) with a fresh mmap, and
// trims a thread arena's free top once it exceeds the trim threshold. A GetRange page of otsd
// allocates a few MiB (rows, the PlainBuffer answer, its protobuf copy) and frees it all before
// the next request, so every request faulted its pages in again: a fifth of otsd's CPU time in a
// scan went to page faults and heap growth (docs/benchmarks.md, Scan run 1). With the thresholds
// raised, freed memory stays in the arena for the next request, up to `trim_threshold_bytes` of
// free space per arena before it is trimmed; blocks of `mmap_threshold_bytes` or more still get
// their own mapping, returned on free.
//
// Contract: call once, at the start of main, before threads are started. glibc caps the mmap
// threshold at 32 MiB on 64-bit systems; a larger value is refused. Returns false when malloc
// refused a setting (the process then runs with glibc's defaults for it). Under AddressSanitizer,
// whose allocator ignores mallopt, it changes nothing.
#pragma once

#include <cstddef>

namespace otsync {

bool RetainFreedHeap(size_t trim_threshold_bytes, size_t mmap_threshold_bytes);

}  // namespace otsync
