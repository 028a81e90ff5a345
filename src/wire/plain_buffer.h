// PlainBuffer: the row encoding inside Tablestore protobuf messages (docs/protocol.md §3).
//
// Decoding verifies the header, every cell checksum and every row checksum, and tolerates the
// trailing zero bytes the Node SDK appends after the last row (docs/protocol.md §3.11). Encoding
// emits exactly what docs/protocol.md §3.9 and §3.10 allow: one header per buffer, a value and a
// timestamp on every attribute cell of a read response, TAG_CELL_TYPE only where a row carries cell
// operations, the sequence-info extension only for stream records.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "wire/row.h"

namespace otsync::wire {

// Decodes a buffer that holds exactly one row (a request's row, a PK-only key).
// Errors are kInvalidArgument with the messages the service uses, e.g.
// "Cell data broken, checksum is mismatch" or "Invalid PlainBuffer: ... at offset N".
Result<Row> DecodeRow(std::string_view buffer);

// DecodeRow into a caller-owned row, reusing its vectors and strings: the fast path for
// decoding many records in a loop. On error `*row` holds unspecified partial contents.
Status DecodeRowInto(std::string_view buffer, Row* row);

// Decodes a buffer of zero or more rows after one header (GetRange responses). An empty buffer
// decodes to no rows.
Result<std::vector<Row>> DecodeRows(std::string_view buffer);

// DecodeRows into caller-owned rows: the rows `*rows` already holds are overwritten in place,
// keeping their vectors' and strings' capacity, and `*rows` is resized to the rows decoded. The
// fast path for a scan that decodes page after page into one vector. On error `*rows` holds
// unspecified partial contents.
Status DecodeRowsInto(std::string_view buffer, std::vector<Row>* rows);

// Decodes a buffer of rows after one header (GetRange responses) a batch at a time, each batch
// into caller-owned rows as DecodeRowsInto does. A scan hands its rows over in batches that
// reuse one batch's memory, where a whole page decoded at once is megabytes of memory, fresh
// (faulted in page by page) for the scan's first page. Errors as DecodeRows; the rows before an
// error were handed out in earlier batches.
class RowBatchDecoder {
 public:
  explicit RowBatchDecoder(std::string_view buffer);
  // Overwrites `*rows` with the next at most `max_rows` rows, resizing it to the rows decoded
  // (none once done). On error `*rows` holds unspecified partial contents and done() is true.
  Status Next(size_t max_rows, std::vector<Row>* rows);
  // True once every row was decoded, or an error ended the decoding.
  bool done() const { return done_; }

 private:
  std::string_view buffer_;
  size_t position_ = 0;  // Where the next row begins; 0 = the header is still to be read.
  bool done_;
};

// Appends header + `row` to `*out`: TAG_CELL_TYPE only for cells whose operation is not kPut,
// the delete marker when `row.delete_marker`, the extension when `row.sequence_info` is set.
// REQUIRED: values are of the types docs/protocol.md §3.4 allows where they stand.
void EncodeRow(const Row& row, std::string* out);
std::string EncodeRow(const Row& row);
// As EncodeRow, with `sequence_info` as the row's extension whatever `row.sequence_info` holds:
// a stream record encoded from the change it records, without a copy of the row.
void EncodeRow(const Row& row, const SequenceInfo& sequence_info, std::string* out);
// Overwrites the sequence info's timestamp of `*encoded`, a row EncodeRow(row, sequence_info, out)
// wrote alone: the extension lies outside the row's checksum, so a record can be encoded before
// its timestamp is known. REQUIRED: `*encoded` is exactly such a row.
void SetSequenceTimestamp(int64_t timestamp, std::string* encoded);

// Appends a PK-only row (header + TAG_ROW_PK + cells + checksum) to `*out`.
void EncodePrimaryKey(const PrimaryKey& primary_key, std::string* out);
std::string EncodePrimaryKey(const PrimaryKey& primary_key);

// A cell's checksum over its name and its value (as SQLVariant) alone: the part of its cell
// checksum that its timestamp does not change, which a stored row can keep with the value.
uint8_t NameValueChecksum(std::string_view name, const ValueView& value);

// Builds a multi-row buffer incrementally: one header, then rows back to back.
// Usage: PlainBufferWriter writer(&out); writer.AppendRow(a); writer.AppendRow(b);
// An instance that appended no row leaves `*out` untouched (an empty buffer means "no rows").
//
// A row can also be written piece by piece, for an encoder that has no Row at hand (otsd encodes
// a range straight from its stored rows): BeginRow(pk), AppendCell(...) for each cell, EndRow().
// The bytes equal AppendRow's for the Row of those cells, each a put with a value and a
// timestamp, no delete marker and no sequence info.

class PlainBufferWriter {
 public:
  explicit PlainBufferWriter(std::string* out) : out_(out) {}
  void AppendRow(const Row& row);
  size_t rows() const { return rows_; }

  // REQUIRED: no row begun and not ended.
  void BeginRow(const PrimaryKey& primary_key);
  // REQUIRED: inside BeginRow/EndRow; `value` an attribute value (IsAttributeValueType).
  // `name_value_checksum`, when known (a stored row keeps it), must equal
  // NameValueChecksum(name, value); else it is computed.
  void AppendCell(std::string_view name, const ValueView& value, int64_t timestamp_millis,
                  std::optional<uint8_t> name_value_checksum = std::nullopt);
  void EndRow();

 private:
  std::string* out_;
  size_t rows_ = 0;
  // Of the row begun by BeginRow.
  uint8_t row_checksum_ = 0;
  bool row_has_cells_ = false;
};

// The "SQLVariant" form of one value (docs/protocol.md §3.5): type byte + payload, no length
// prefix, no tag.
void EncodeSqlVariant(const Value& value, std::string* out);
// Accepts every ValueType, including kNull; the bytes must hold exactly one value.
Result<Value> DecodeSqlVariant(std::string_view bytes);

}  // namespace otsync::wire
