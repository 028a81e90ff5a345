// The stored form of a row (the value under a row key): every column with all its retained
// versions. Compact and private to the store; PlainBuffer is only spoken on the wire.
//
// Format: [format byte 0x02][varint column count] then per column
//   [varint name length][name][varint version count] then per version
//   [zig-zag varint timestamp ms][checksum byte][value type byte][payload]
// checksum: wire::NameValueChecksum of the column's name and the value, the part of the cell's
// PlainBuffer checksum a read need not compute again. Format 0x01 (rows written before it) is
// the same without the checksum byte; it is read, never written.
// payload: INTEGER zig-zag varint, DOUBLE 8 bytes big-endian, BOOLEAN 1 byte,
//          STRING / BINARY varint length + bytes.
// Invariants kept by every writer: columns sorted by name with unique names; versions of a column
// newest first with unique timestamps; a column has at least one version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "wire/coding.h"
#include "wire/row.h"

namespace otsync::store {

struct StoredVersion {
  int64_t timestamp = 0;  // Milliseconds.
  wire::Value value;
  bool operator==(const StoredVersion&) const = default;
};

struct StoredColumn {
  std::string name;
  std::vector<StoredVersion> versions;
  bool operator==(const StoredColumn&) const = default;
};

struct StoredRow {
  std::vector<StoredColumn> columns;
  bool operator==(const StoredRow&) const = default;

  // The column named `name`, or nullptr.
  const StoredColumn* Find(std::string_view name) const;
  // The column named `name`, inserted (empty) in sorted position when missing.
  StoredColumn* FindOrInsert(std::string_view name);
  // Drops columns left without versions.
  void RemoveEmptyColumns();
};

// Adds a version, replacing one with the same timestamp, keeping newest-first order.
void PutVersion(int64_t timestamp, wire::Value value, StoredColumn* column);

void EncodeStoredRow(const StoredRow& row, std::string* out);

// The stored form of the row that PutVersion builds from `cells` in order, starting from an empty
// row (a later cell of the same name and timestamp replaces an earlier one; a cell without a
// timestamp has `default_timestamp`), with at most `max_versions` (>= 1) newest versions per
// column: the bytes EncodeStoredRow writes for that row, without building it. A PutRow's row.
// REQUIRED: every cell has a value (a put cell).
void EncodePutCells(const std::vector<wire::Cell>& cells, int64_t default_timestamp,
                    size_t max_versions, std::string* out);
Result<StoredRow> DecodeStoredRow(std::string_view bytes);

// Reads stored bytes column by column without building a StoredRow, for a reader that only
// passes versions on (a range encoded for the wire): names and values are views into the bytes,
// nothing is copied. Usage: Start, then for each column
// NextColumn and exactly `version_count` NextVersion calls, then Finish. Every call returns
// Corruption("Malformed stored row.") when the bytes are not a stored row.
class StoredRowReader {
 public:
  explicit StoredRowReader(std::string_view bytes);
  Status Start(uint64_t* column_count);
  Status NextColumn(std::string_view* name, uint64_t* version_count);
  // The column's versions come newest first, as stored. The value is read in place: a string's
  // or binary's bytes are a view into the stored bytes. `name_value_checksum`, when given,
  // receives the version's stored wire::NameValueChecksum (nullopt for a row of format 0x01).
  Status NextVersion(int64_t* timestamp_millis, wire::ValueView* value,
                     std::optional<uint8_t>* name_value_checksum = nullptr);
  // OK when every column and version was read and no byte is left over.
  Status Finish() const;

 private:
  static Status Corrupt();

  std::string_view bytes_;
  wire::ByteReader reader_;
  uint64_t columns_left_ = 0;
  uint64_t versions_left_ = 0;
  bool has_checksums_ = false;
};

}  // namespace otsync::store
