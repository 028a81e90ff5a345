// A RocksDB compaction filter for the "rows" column family: gives back the space of versions
// that no reader can see any more (older than the table's TTL, or beyond its max_versions) and
// drops rows left with no version. Rows of unknown tables are kept (DeleteTable removes them
// with a range deletion). Consequence, as on the service: raising a TTL later does not bring
// back versions that were already compacted away.
#pragma once

#include <memory>

#include "base/clock.h"
#include "store/table_options_registry.h"

namespace rocksdb {
class CompactionFilterFactory;
}  // namespace rocksdb

namespace otsync::store {

std::shared_ptr<rocksdb::CompactionFilterFactory> MakeRowCompactionFilterFactory(
    std::shared_ptr<const TableOptionsRegistry> registry, std::shared_ptr<Clock> clock);

}  // namespace otsync::store
