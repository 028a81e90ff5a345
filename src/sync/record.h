// Record: one output row flowing from a reader to a writer, as typed values in column order.
// The reader decides the columns (multi-version mode: pk..., colname, version, colvalue, optype
// [, sequenceinfo]); the writer maps them positionally onto its destination columns.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "wire/row.h"

namespace otsync::sync {

// A field is a wire::Value restricted to the data types: Null, Integer, Double, Boolean, String,
// Binary. INF_MIN/INF_MAX/AUTO_INCREMENT never appear in a record.
using Field = wire::Value;

struct Record {
  std::vector<Field> fields;

  // Bytes the record counts for in rate limits and statistics (the sum of the fields' data sizes,
  // as DataX's Record.getByteSize does).
  size_t ByteSize() const;
};

// A record a writer could not convert, with the reason ("column 'age': cannot convert STRING
// \"abc\" to BIGINT"). Dirty records count against the job's errorLimit.
struct DirtyRecord {
  Record record;
  std::string reason;
};

}  // namespace otsync::sync
