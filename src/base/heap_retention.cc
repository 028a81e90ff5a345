#include "base/heap_retention.h"

#include <malloc.h>

namespace otsync {

bool RetainFreedHeap(size_t trim_threshold_bytes, size_t mmap_threshold_bytes) {
  // Setting either threshold also turns off glibc's sliding of the mmap threshold, so both are
  // set: the trim threshold alone would leave every block above 128 KiB to mmap.
  const bool trim = mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim_threshold_bytes)) == 1;
  const bool mmap = mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold_bytes)) == 1;
  return trim && mmap;
}

}  // namespace otsync
