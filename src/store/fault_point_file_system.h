// RocksDB's files under otsync's fault points (base/kill_point.h), as RocksDB's own
// fault-injection file system does for its tests: Linux cannot be made to fail an fsync without a
// device mapper, so a test build opens otsd's database on this file system, and every fsync of a
// file RocksDB writes (its log, table files, MANIFEST) passes the fault point "rocksdb.sync". An
// armed hit fails that one call with an IOError naming the file and "(an injected fault)"; the
// file is left as the real call would leave it (its data written, not known to be durable).
//
// In a build without kill points the fault point is never reached and the wrapper only forwards.
#pragma once

#include <rocksdb/file_system.h>

#include <memory>

namespace otsync::store {

std::shared_ptr<rocksdb::FileSystem> WithFaultPoints(std::shared_ptr<rocksdb::FileSystem> base);

}  // namespace otsync::store
