// Space held back for RocksDB's writes under way, so that a disk filled behind otsd's back does
// not stop it.
//
// Debian's RocksDB 7.8 is built with its assertions on: after an append to its write-ahead log
// fails (ENOSPC), the next use of that log aborts the process. otsd's free-space check
// (StoreOptions::min_free_bytes) refuses writes before the disk is full, but it measures at most
// every 100 ms, and another process can fill the disk to its last byte in between. So:
//
//  - ReservedSpace holds a file of `bytes` in the data directory (allocated, not sparse);
//  - WithReservedSpace() wraps RocksDB's file system so that every append to a file RocksDB
//    writes first allocates the blocks it will write (fallocate, keeping the file's size). When
//    that allocation finds the disk full, the reserve is given up and the allocation tried again;
//    the append then writes into space that is known to be there. Nothing is written before the
//    space is allocated, so an append that still finds no space fails with nothing of it written
//    (RocksDB's log is never left with a partial record);
//  - the store, seeing the reserve given up, refuses writes (kUnavailable) until the disk again
//    has room for the reserve and what it keeps free, and holds the reserve again before it
//    accepts the next write.
//
// The reserve has to cover only what RocksDB has begun when the disk fills: the write in flight,
// and the memtable flush or compaction running at that moment.
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"

namespace otsync::store {

class ReservedSpace {
 public:
  // `path`: the reserve's file (its directory must exist). Holds nothing until Hold().
  ReservedSpace(std::string path, int64_t bytes);

  // Allocates the reserve's file to its full size; OK when it already was. kUnavailable when the
  // disk has no room for it (the file is then removed, holding nothing).
  Status Hold();

  // Gives the reserve's space back to the file system: the file is removed and, so that a file
  // system which frees blocks only at its next journal commit (ext4) has them free now, the file
  // system is synced. Returns whether the reserve was held.
  bool Release();

  bool held() const { return held_.load(std::memory_order_acquire); }
  int64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  const int64_t bytes_;
  std::mutex mutex_;  // Serialises Hold and Release.
  std::atomic<bool> held_{false};
};

// `base` with every append of a writable file preceded by an allocation of its blocks, drawing on
// `reserve` when the disk is full (above). A file system that cannot allocate ahead
// (EOPNOTSUPP and the like) is written as `base` would write it.
std::shared_ptr<rocksdb::FileSystem> WithReservedSpace(std::shared_ptr<rocksdb::FileSystem> base,
                                                       std::shared_ptr<ReservedSpace> reserve);

}  // namespace otsync::store
