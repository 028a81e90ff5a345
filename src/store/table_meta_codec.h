// The persisted form of a table's metadata (column family "default", key "t" + instance + '\0' +
// table name). Versioned by a leading format byte so that later fields can be appended.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "wire/table_schema.h"

namespace otsync::store {

struct TableRecord {
  uint64_t table_id = 0;  // Prefix of the table's row keys; never reused.
  std::string instance;
  wire::TableDescription description;
  bool operator==(const TableRecord&) const = default;
};

void EncodeTableRecord(const TableRecord& record, std::string* out);
Result<TableRecord> DecodeTableRecord(std::string_view bytes);

}  // namespace otsync::store
