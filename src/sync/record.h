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
  // as DataX's Record.getByteSize does). Inline: the engine counts every record it hands on.
  size_t ByteSize() const {
    size_t total = 0;
    for (const Field& field : fields) total += field.DataSize();
    return total;
  }
};

// Prefetch hints for records filled on one core and read on another: a reader thread fills a
// record, the writer thread reads it, and its batch comes back to the readers to be filled again
// (RecordChannel::Recycle). Whoever walks a batch record by record asks for the next records'
// cache lines while it works on this one, instead of waiting for each line in turn. Hints only:
// they change nothing a program can observe but its speed.
//
// PrefetchFieldArray: the record's array of fields. PrefetchFieldBytes: the heap buffers of its
// STRING and BINARY fields (short ones live inside the array); it reads the array, so it is best
// given a record whose array was asked for a step earlier.
template <bool kForWriting>
void PrefetchFieldArray(const Record& record) {
  constexpr size_t kCacheLine = 64;
  const char* begin = reinterpret_cast<const char*>(record.fields.data());
  const char* end = begin + record.fields.size() * sizeof(Field);
  for (const char* line = begin; line < end; line += kCacheLine) {
    __builtin_prefetch(line, kForWriting ? 1 : 0, /*locality=*/3);
  }
}

template <bool kForWriting>
void PrefetchFieldBytes(const Record& record) {
  for (const Field& field : record.fields) {
    __builtin_prefetch(field.bytes().data(), kForWriting ? 1 : 0, /*locality=*/3);
  }
}

// For a writer reading `records` in order, at record `index`: asks for the next record's string
// buffers and the one after's field array.
inline void PrefetchRecordsAfter(const std::vector<Record>& records, size_t index) {
  if (index + 1 < records.size()) PrefetchFieldBytes</*kForWriting=*/false>(records[index + 1]);
  if (index + 2 < records.size()) PrefetchFieldArray</*kForWriting=*/false>(records[index + 2]);
}

// A record a writer could not convert, with the reason ("column 'age': cannot convert STRING
// \"abc\" to BIGINT"). Dirty records count against the job's errorLimit.
struct DirtyRecord {
  Record record;
  std::string reason;
};

}  // namespace otsync::sync
