#include "wire/plain_buffer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

#include "wire/coding.h"
#include "wire/crc8.h"

namespace otsync::wire {
namespace {

static_assert(std::endian::native == std::endian::little,
              "PlainBuffer integers are little-endian; loads and stores copy bytes as they are");

constexpr uint32_t kHeader = 0x75;

constexpr uint8_t kTagRowPrimaryKey = 0x01;
constexpr uint8_t kTagRowData = 0x02;
constexpr uint8_t kTagCell = 0x03;
constexpr uint8_t kTagCellName = 0x04;
constexpr uint8_t kTagCellValue = 0x05;
constexpr uint8_t kTagCellType = 0x06;
constexpr uint8_t kTagCellTimestamp = 0x07;
constexpr uint8_t kTagDeleteRowMarker = 0x08;
constexpr uint8_t kTagRowChecksum = 0x09;
constexpr uint8_t kTagCellChecksum = 0x0A;
constexpr uint8_t kTagExtension = 0x0B;
constexpr uint8_t kTagSequenceInfo = 0x0C;
constexpr uint8_t kTagSequenceInfoEpoch = 0x0D;
constexpr uint8_t kTagSequenceInfoTimestamp = 0x0E;
constexpr uint8_t kTagSequenceInfoRowIndex = 0x0F;

// Byte counts of what follows each extension length field (docs/protocol.md §3.3).
constexpr uint32_t kSequenceInfoLength = 5 + 9 + 5;
constexpr uint32_t kExtensionLength = 1 + 4 + kSequenceInfoLength;

const char* TagName(uint8_t tag) {
  switch (tag) {
    case kTagRowPrimaryKey:
      return "TAG_ROW_PK";
    case kTagRowData:
      return "TAG_ROW_DATA";
    case kTagCell:
      return "TAG_CELL";
    case kTagCellName:
      return "TAG_CELL_NAME";
    case kTagCellValue:
      return "TAG_CELL_VALUE";
    case kTagCellType:
      return "TAG_CELL_TYPE";
    case kTagCellTimestamp:
      return "TAG_CELL_TIMESTAMP";
    case kTagDeleteRowMarker:
      return "TAG_DELETE_ROW_MARKER";
    case kTagRowChecksum:
      return "TAG_ROW_CHECKSUM";
    case kTagCellChecksum:
      return "TAG_CELL_CHECKSUM";
    case kTagExtension:
      return "TAG_EXTENSION";
    case kTagSequenceInfo:
      return "TAG_SEQ_INFO";
    case kTagSequenceInfoEpoch:
      return "TAG_SEQ_INFO_EPOCH";
    case kTagSequenceInfoTimestamp:
      return "TAG_SEQ_INFO_TS";
    case kTagSequenceInfoRowIndex:
      return "TAG_SEQ_INFO_ROW_INDEX";
    default:
      return "an unknown tag";
  }
}

std::string HexByte(uint8_t byte) {
  static const char kHex[] = "0123456789abcdef";
  return std::string("0x") + kHex[byte >> 4] + kHex[byte & 15];
}

// A column name as it appears in an error message: quoted, non-printable bytes escaped, long
// names cut, so that a corrupt buffer cannot flood a log line.
std::string QuoteName(std::string_view name) {
  constexpr size_t kMaxShown = 64;
  static const char kHex[] = "0123456789abcdef";
  std::string quoted = "\"";
  for (size_t i = 0; i < name.size() && i < kMaxShown; ++i) {
    unsigned char byte = static_cast<unsigned char>(name[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\') {
      quoted += static_cast<char>(byte);
    } else {
      quoted += "\\x";
      quoted += kHex[byte >> 4];
      quoted += kHex[byte & 15];
    }
  }
  if (name.size() > kMaxShown) quoted += "...";
  quoted += '"';
  return quoted;
}

uint32_t LoadU32(const char* bytes) { return DecodeLittleEndian32(bytes); }
int64_t LoadI64(const char* bytes) { return static_cast<int64_t>(DecodeLittleEndian64(bytes)); }
double LoadDouble(const char* bytes) { return std::bit_cast<double>(DecodeLittleEndian64(bytes)); }

void AppendU32(uint32_t value, std::string* out) { PutLittleEndian32(value, out); }
void AppendI64(int64_t value, std::string* out) {
  PutLittleEndian64(static_cast<uint64_t>(value), out);
}

void AppendByte(uint8_t byte, std::string* out) { out->push_back(static_cast<char>(byte)); }

bool IsKnownValueType(uint8_t type) {
  switch (static_cast<ValueType>(type)) {
    case ValueType::kInteger:
    case ValueType::kDouble:
    case ValueType::kBoolean:
    case ValueType::kString:
    case ValueType::kNull:
    case ValueType::kBinary:
    case ValueType::kInfMin:
    case ValueType::kInfMax:
    case ValueType::kAutoIncrement:
      return true;
  }
  return false;
}

// Checks that `payload` is a well-formed payload of `type` (docs/protocol.md §3.4) and stores the
// value it holds in `*value` in place (a reused value keeps its byte buffer). Returns false on a
// malformed payload.
bool ParsePayload(ValueType type, std::string_view payload, Value* value) {
  switch (type) {
    case ValueType::kInteger:
      if (payload.size() != 8) return false;
      value->SetInteger(LoadI64(payload.data()));
      return true;
    case ValueType::kDouble:
      if (payload.size() != 8) return false;
      value->SetDouble(LoadDouble(payload.data()));
      return true;
    case ValueType::kBoolean:
      if (payload.size() != 1) return false;
      value->SetBoolean(payload[0] != 0);
      return true;
    case ValueType::kString:
    case ValueType::kBinary: {
      if (payload.size() < 4) return false;
      uint32_t length = LoadU32(payload.data());
      if (length != payload.size() - 4) return false;
      value->SetBytes(type, payload.substr(4));
      return true;
    }
    case ValueType::kNull:
    case ValueType::kInfMin:
    case ValueType::kInfMax:
    case ValueType::kAutoIncrement:
      if (!payload.empty()) return false;
      value->SetValueless(type);
      return true;
  }
  return false;
}

// Whether a payload of `size` bytes has the size docs/protocol.md §3.4 gives a value of `type`, for
// every type but STRING and BINARY (whose inner length is checked against the payload).
bool FixedPayloadSizeOk(ValueType type, size_t size) {
  switch (type) {
    case ValueType::kInteger:
    case ValueType::kDouble:
      return size == 8;
    case ValueType::kBoolean:
      return size == 1;
    case ValueType::kString:
    case ValueType::kBinary:
      return true;
    case ValueType::kNull:
    case ValueType::kInfMin:
    case ValueType::kInfMax:
    case ValueType::kAutoIncrement:
      return size == 0;
  }
  return false;
}

bool AllowedInPrimaryKey(ValueType type) {
  switch (type) {
    case ValueType::kInteger:
    case ValueType::kString:
    case ValueType::kBinary:
    case ValueType::kInfMin:
    case ValueType::kInfMax:
    case ValueType::kAutoIncrement:
      return true;
    default:
      return false;
  }
}

// One cell as it sits in the buffer; the views point into the buffer being decoded.
struct RawCell {
  size_t offset = 0;
  std::string_view name;
  bool has_value = false;
  ValueType value_type = ValueType::kNull;
  std::string_view payload;
  bool has_operation = false;
  uint8_t operation = 0;
  bool has_timestamp = false;
  int64_t timestamp = 0;
  uint8_t checksum = 0;
};

// Walks a buffer front to back. Every read is bounds-checked; the first problem becomes an
// InvalidArgument naming the offset (and the column, when there is one).
class Decoder {
 public:
  explicit Decoder(std::string_view buffer) : data_(buffer.data()), size_(buffer.size()) {}

  Status ReadHeader() {
    if (size_ < 4) {
      return Invalid("buffer of " + std::to_string(size_) + " bytes is too short for the header");
    }
    uint32_t header = LoadU32(data_);
    if (header != kHeader) {
      return Invalid("header is " + std::to_string(header) + ", expected " +
                     std::to_string(kHeader));
    }
    position_ = 4;
    return Status::OK();
  }

  // True when nothing but zero bytes remains (the padding Node sends, docs/protocol.md §3.11).
  bool OnlyZerosRemain() const {
    for (size_t i = position_; i < size_; ++i) {
      if (data_[i] != 0) return false;
    }
    return true;
  }

  bool AtEnd() const { return position_ >= size_; }
  uint8_t Peek() const { return static_cast<uint8_t>(data_[position_]); }
  size_t position() const { return position_; }
  // Goes on from `position`, a position an earlier decoder of the same buffer stopped at.
  void ResumeAt(size_t position) { position_ = position; }

  Status ReadRow(Row* row) {
    const size_t row_offset = position_;
    OTSYNC_RETURN_IF_ERROR(ExpectTag(kTagRowPrimaryKey, nullptr));
    uint8_t row_checksum = 0;
    RawCell raw;

    // A row in a slot of its own is made as large as the row before it at once: rows of one
    // answer are mostly alike, and growing the vectors cell by cell allocated each three times.
    if (row->primary_key.capacity() < primary_key_hint_) {
      row->primary_key.reserve(primary_key_hint_);
    }
    if (row->cells.capacity() < cells_hint_) row->cells.reserve(cells_hint_);

    size_t primary_key_count = 0;
    while (!AtEnd() && Peek() == kTagCell) {
      OTSYNC_RETURN_IF_ERROR(ReadCell(&raw));
      if (!raw.has_value) return InvalidCell(raw, "primary key column has no value");
      if (raw.has_operation || raw.has_timestamp) {
        return InvalidCell(raw, "primary key column carries a timestamp or an operation");
      }
      if (!AllowedInPrimaryKey(raw.value_type)) {
        return InvalidCell(raw, std::string("type ") + std::string(ValueTypeName(raw.value_type)) +
                                    " is not allowed in a primary key");
      }
      PrimaryKeyColumn* column = NextSlot(&row->primary_key, primary_key_count++);
      column->name.assign(raw.name);
      ParsePayload(raw.value_type, raw.payload, &column->value);
      row_checksum = Crc8Byte(row_checksum, raw.checksum);
    }
    row->primary_key.resize(primary_key_count);

    size_t cell_count = 0;
    if (!AtEnd() && Peek() == kTagRowData) {
      ++position_;
      while (!AtEnd() && Peek() == kTagCell) {
        OTSYNC_RETURN_IF_ERROR(ReadCell(&raw));
        Cell* cell = NextSlot(&row->cells, cell_count++);
        OTSYNC_RETURN_IF_ERROR(FillCell(raw, cell));
        row_checksum = Crc8Byte(row_checksum, raw.checksum);
      }
    }
    row->cells.resize(cell_count);
    primary_key_hint_ = primary_key_count;
    cells_hint_ = cell_count;

    row->delete_marker = false;
    if (!AtEnd() && Peek() == kTagDeleteRowMarker) {
      ++position_;
      row->delete_marker = true;
    }
    row_checksum = Crc8Byte(row_checksum, row->delete_marker ? 1 : 0);

    row->sequence_info.reset();
    if (!AtEnd() && Peek() == kTagExtension) {
      OTSYNC_RETURN_IF_ERROR(ReadExtension(&row->sequence_info.emplace()));
    }

    const size_t checksum_offset = position_;
    OTSYNC_RETURN_IF_ERROR(ExpectTag(kTagRowChecksum, nullptr));
    uint8_t stored = 0;
    OTSYNC_RETURN_IF_ERROR(ReadByte(&stored, "the row checksum", nullptr));
    if (stored != row_checksum) {
      return Status::InvalidArgument(
          "Cell data broken, checksum is mismatch: row checksum at offset " +
          std::to_string(checksum_offset) + " of the row at offset " + std::to_string(row_offset) +
          " is " + HexByte(stored) + ", computed " + HexByte(row_checksum));
    }
    return Status::OK();
  }

  Status Invalid(const std::string& what) const {
    return Status::InvalidArgument("Invalid PlainBuffer: " + what);
  }

  // Returns the element at `index`, reusing one left from a previous decode into the same vector
  // so that its strings and vectors keep their capacity.
  template <typename T>
  static T* NextSlot(std::vector<T>* slots, size_t index) {
    if (index < slots->size()) return &(*slots)[index];
    return &slots->emplace_back();
  }

 private:
  Status InvalidCell(const RawCell& raw, const std::string& what) const {
    return Invalid("column " + QuoteName(raw.name) + " at offset " + std::to_string(raw.offset) +
                   ": " + what);
  }

  [[gnu::noinline, gnu::cold]] Status Truncated(std::string_view what, const RawCell* cell) const {
    std::string message =
        "truncated at offset " + std::to_string(position_) + " while reading " + std::string(what);
    if (cell != nullptr) message += " of column " + QuoteName(cell->name);
    return Invalid(message);
  }

  // The hot path is one compare; the message is built out of line.
  Status ExpectTag(uint8_t tag, const RawCell* cell) {
    if (position_ < size_ && static_cast<uint8_t>(data_[position_]) == tag) [[likely]] {
      ++position_;
      return Status::OK();
    }
    return UnexpectedTag(tag, cell);
  }

  [[gnu::noinline, gnu::cold]] Status UnexpectedTag(uint8_t tag, const RawCell* cell) const {
    if (AtEnd()) return Truncated(std::string("the expected ") + TagName(tag), cell);
    std::string message = "expected " + std::string(TagName(tag)) + " at offset " +
                          std::to_string(position_) + ", found " + HexByte(Peek());
    if (cell != nullptr) message += " in column " + QuoteName(cell->name);
    return Invalid(message);
  }

  Status ReadByte(uint8_t* byte, std::string_view what, const RawCell* cell) {
    if (AtEnd()) [[unlikely]] {
      return Truncated(what, cell);
    }
    *byte = Peek();
    ++position_;
    return Status::OK();
  }

  Status ReadBytes(size_t count, std::string_view* bytes, std::string_view what,
                   const RawCell* cell) {
    if (count > size_ - position_) [[unlikely]] {
      return Truncated(what, cell);
    }
    *bytes = std::string_view(data_ + position_, count);
    position_ += count;
    return Status::OK();
  }

  Status ReadU32(uint32_t* value, std::string_view what, const RawCell* cell) {
    std::string_view bytes;
    OTSYNC_RETURN_IF_ERROR(ReadBytes(4, &bytes, what, cell));
    *value = LoadU32(bytes.data());
    return Status::OK();
  }

  Status ReadI64(int64_t* value, std::string_view what, const RawCell* cell) {
    std::string_view bytes;
    OTSYNC_RETURN_IF_ERROR(ReadBytes(8, &bytes, what, cell));
    *value = LoadI64(bytes.data());
    return Status::OK();
  }

  // Reads one cell and verifies its checksum (docs/protocol.md §3.7). The optional value, type and
  // timestamp sections are accepted in any order, each at most once.
  Status ReadCell(RawCell* raw) {
    *raw = RawCell();
    raw->offset = position_;
    OTSYNC_RETURN_IF_ERROR(ExpectTag(kTagCell, nullptr));
    OTSYNC_RETURN_IF_ERROR(ExpectTag(kTagCellName, nullptr));
    uint32_t name_length;
    OTSYNC_RETURN_IF_ERROR(ReadU32(&name_length, "a cell name length", nullptr));
    OTSYNC_RETURN_IF_ERROR(ReadBytes(name_length, &raw->name, "a cell name", nullptr));
    uint8_t checksum = Crc8(0, raw->name);

    std::string_view value_bytes;
    std::string_view timestamp_bytes;
    while (!AtEnd()) {
      uint8_t tag = Peek();
      if (tag == kTagCellValue && !raw->has_value) {
        ++position_;
        uint32_t length;
        OTSYNC_RETURN_IF_ERROR(ReadU32(&length, "the value length", raw));
        const size_t value_offset = position_;
        OTSYNC_RETURN_IF_ERROR(ReadBytes(length, &value_bytes, "the value", raw));
        if (length == 0) return InvalidCell(*raw, "value of length 0");
        uint8_t type = static_cast<uint8_t>(value_bytes[0]);
        if (!IsKnownValueType(type)) {
          return InvalidCell(*raw, "unknown value type " + HexByte(type) + " at offset " +
                                       std::to_string(value_offset));
        }
        raw->has_value = true;
        raw->value_type = static_cast<ValueType>(type);
        raw->payload = value_bytes.substr(1);
        if (raw->value_type == ValueType::kString || raw->value_type == ValueType::kBinary) {
          if (raw->payload.size() < 4 || LoadU32(raw->payload.data()) != raw->payload.size() - 4) {
            return InvalidCell(
                *raw, "the length inside the " + std::string(ValueTypeName(raw->value_type)) +
                          " value disagrees with the value length " + std::to_string(length));
          }
        } else if (!FixedPayloadSizeOk(raw->value_type, raw->payload.size())) {
          return InvalidCell(*raw, "value length " + std::to_string(length) +
                                       " is wrong for type " +
                                       std::string(ValueTypeName(raw->value_type)));
        }
      } else if (tag == kTagCellType && !raw->has_operation) {
        ++position_;
        OTSYNC_RETURN_IF_ERROR(ReadByte(&raw->operation, "the cell type", raw));
        raw->has_operation = true;
      } else if (tag == kTagCellTimestamp && !raw->has_timestamp) {
        ++position_;
        OTSYNC_RETURN_IF_ERROR(ReadBytes(8, &timestamp_bytes, "the timestamp", raw));
        raw->timestamp = LoadI64(timestamp_bytes.data());
        raw->has_timestamp = true;
      } else {
        break;
      }
    }

    // docs/protocol.md §3.7: value, then timestamp, then type, whatever their order on the wire.
    if (raw->has_value) checksum = Crc8(checksum, value_bytes);
    if (raw->has_timestamp) checksum = Crc8(checksum, timestamp_bytes);
    if (raw->has_operation) checksum = Crc8Byte(checksum, raw->operation);

    const size_t checksum_offset = position_;
    OTSYNC_RETURN_IF_ERROR(ExpectTag(kTagCellChecksum, raw));
    OTSYNC_RETURN_IF_ERROR(ReadByte(&raw->checksum, "the cell checksum", raw));
    if (raw->checksum != checksum) {
      return Status::InvalidArgument("Cell data broken, checksum is mismatch: column " +
                                     QuoteName(raw->name) + ", cell checksum at offset " +
                                     std::to_string(checksum_offset) + " is " +
                                     HexByte(raw->checksum) + ", computed " + HexByte(checksum));
    }
    return Status::OK();
  }

  Status FillCell(const RawCell& raw, Cell* cell) const {
    CellOperation operation = CellOperation::kPut;
    if (raw.has_operation) {
      switch (raw.operation) {
        case static_cast<uint8_t>(CellOperation::kDeleteAllVersions):
        case static_cast<uint8_t>(CellOperation::kDeleteOneVersion):
        case static_cast<uint8_t>(CellOperation::kIncrement):
          operation = static_cast<CellOperation>(raw.operation);
          break;
        default:
          return InvalidCell(raw, "unknown cell type " + HexByte(raw.operation));
      }
    }
    if (raw.has_value && !IsAttributeValueType(raw.value_type)) {
      return InvalidCell(raw, std::string("type ") + std::string(ValueTypeName(raw.value_type)) +
                                  " is not allowed in an attribute column");
    }
    if (operation == CellOperation::kPut && !raw.has_value) {
      return InvalidCell(raw, "attribute column has neither a value nor a cell type");
    }
    cell->name.assign(raw.name);
    if (raw.has_value) {
      if (!cell->value.has_value()) cell->value.emplace();
      ParsePayload(raw.value_type, raw.payload, &*cell->value);
    } else {
      cell->value.reset();
    }
    if (raw.has_timestamp) {
      cell->timestamp = raw.timestamp;
    } else {
      cell->timestamp.reset();
    }
    cell->operation = operation;
    return Status::OK();
  }

  // docs/protocol.md §3.3: TAG_EXTENSION u32 TAG_SEQ_INFO u32 (EPOCH u32) (TS i64) (ROW_INDEX u32).
  // The lengths bound what is read; bytes of the extension past the sequence info are skipped.
  Status ReadExtension(SequenceInfo* info) {
    ++position_;
    uint32_t extension_length;
    OTSYNC_RETURN_IF_ERROR(ReadU32(&extension_length, "the extension length", nullptr));
    if (extension_length > size_ - position_) {
      return Truncated("the extension of " + std::to_string(extension_length) + " bytes", nullptr);
    }
    const size_t extension_end = position_ + extension_length;
    const size_t saved_size = size_;
    size_ = extension_end;
    Status status = ReadSequenceInfo(info);
    size_ = saved_size;
    OTSYNC_RETURN_IF_ERROR(status);
    position_ = extension_end;
    return Status::OK();
  }

  Status ReadSequenceInfo(SequenceInfo* info) {
    OTSYNC_RETURN_IF_ERROR(ExpectTag(kTagSequenceInfo, nullptr));
    uint32_t ignored_length;
    OTSYNC_RETURN_IF_ERROR(ReadU32(&ignored_length, "the sequence info length", nullptr));
    OTSYNC_RETURN_IF_ERROR(ExpectTag(kTagSequenceInfoEpoch, nullptr));
    OTSYNC_RETURN_IF_ERROR(ReadU32(&info->epoch, "the sequence epoch", nullptr));
    OTSYNC_RETURN_IF_ERROR(ExpectTag(kTagSequenceInfoTimestamp, nullptr));
    OTSYNC_RETURN_IF_ERROR(ReadI64(&info->timestamp, "the sequence timestamp", nullptr));
    OTSYNC_RETURN_IF_ERROR(ExpectTag(kTagSequenceInfoRowIndex, nullptr));
    OTSYNC_RETURN_IF_ERROR(ReadU32(&info->row_index, "the sequence row index", nullptr));
    return Status::OK();
  }

  const char* data_;
  size_t size_;
  size_t position_ = 0;
  // The primary key columns and cells of the row read last.
  size_t primary_key_hint_ = 0;
  size_t cells_hint_ = 0;
};

// Writers into bytes already made room for; each returns the position after what it wrote.
char* PutByte(uint8_t byte, char* at) {
  *at = static_cast<char>(byte);
  return at + 1;
}
char* PutU32(uint32_t value, char* at) {
  std::memcpy(at, &value, sizeof(value));
  return at + sizeof(value);
}
char* PutU64(uint64_t value, char* at) {
  std::memcpy(at, &value, sizeof(value));
  return at + sizeof(value);
}
char* PutBytes(std::string_view bytes, char* at) {
  std::memcpy(at, bytes.data(), bytes.size());
  return at + bytes.size();
}

// The SQLVariant payload's size after its type byte: a string or binary has its length first.
size_t SqlVariantPayloadSize(const ValueView& value) {
  const bool length_first = value.type == ValueType::kString || value.type == ValueType::kBinary;
  return (length_first ? 4 : 0) + value.DataSize();
}

char* PutSqlVariantPayload(const ValueView& value, char* at) {
  switch (value.type) {
    case ValueType::kInteger:
      return PutU64(static_cast<uint64_t>(value.integer), at);
    case ValueType::kDouble:
      return PutU64(std::bit_cast<uint64_t>(value.double_value), at);
    case ValueType::kBoolean:
      return PutByte(value.integer != 0 ? 1 : 0, at);
    case ValueType::kString:
    case ValueType::kBinary:
      return PutBytes(value.bytes, PutU32(static_cast<uint32_t>(value.bytes.size()), at));
    default:
      return at;
  }
}

// A cell of a name, a value and, for an attribute, a timestamp (a put: no TAG_CELL_TYPE), written
// in one stretch made room for at once; returns its checksum. A page of a range is many thousands
// of cells, and byte-by-byte appends with their capacity checks were most of encoding one.
// `name_value_checksum`: NameValueChecksum(name, value) when known, else computed here.
uint8_t AppendNamedCell(std::string_view name, const ValueView& value,
                        const int64_t* timestamp_millis, std::string* out,
                        std::optional<uint8_t> name_value_checksum = std::nullopt) {
  const size_t variant_size = 1 + SqlVariantPayloadSize(value);
  // TAG_CELL, TAG_CELL_NAME and its length, the name, TAG_CELL_VALUE and its length, the value,
  // TAG_CELL_TIMESTAMP and the timestamp if any, TAG_CELL_CHECKSUM and the checksum.
  const size_t cell_size =
      2 + 4 + name.size() + 1 + 4 + variant_size + (timestamp_millis != nullptr ? 9 : 0) + 2;
  const size_t start = out->size();
  out->resize(start + cell_size);
  char* at = out->data() + start;
  at = PutByte(kTagCell, at);
  at = PutByte(kTagCellName, at);
  at = PutU32(static_cast<uint32_t>(name.size()), at);
  at = PutBytes(name, at);
  at = PutByte(kTagCellValue, at);
  at = PutU32(static_cast<uint32_t>(variant_size), at);
  at = PutByte(static_cast<uint8_t>(value.type), at);
  at = PutSqlVariantPayload(value, at);
  uint8_t checksum =
      name_value_checksum.has_value() ? *name_value_checksum : NameValueChecksum(name, value);
  if (timestamp_millis != nullptr) {
    at = PutByte(kTagCellTimestamp, at);
    at = PutU64(static_cast<uint64_t>(*timestamp_millis), at);
    checksum = Crc8U64(checksum, static_cast<uint64_t>(*timestamp_millis));
  }
  at = PutByte(kTagCellChecksum, at);
  PutByte(checksum, at);
  return checksum;
}

// Writes TAG_CELL_VALUE + L + type + payload and folds type + payload into `*checksum`.
void AppendCellValue(const Value& value, std::string* out, uint8_t* checksum) {
  AppendByte(kTagCellValue, out);
  const size_t length_offset = out->size();
  AppendU32(0, out);
  const size_t value_offset = out->size();
  EncodeSqlVariant(value, out);
  uint32_t length = static_cast<uint32_t>(out->size() - value_offset);
  std::memcpy(out->data() + length_offset, &length, sizeof(length));
  *checksum = Crc8(*checksum, std::string_view(out->data() + value_offset, length));
}

uint8_t AppendPrimaryKeyCell(const PrimaryKeyColumn& column, std::string* out) {
  return AppendNamedCell(column.name, ValueView::Of(column.value), nullptr, out);
}

// An attribute cell with the given parts; returns its checksum.
uint8_t AppendAttributeCellParts(std::string_view name, const Value* value, CellOperation operation,
                                 const std::optional<int64_t>& timestamp, std::string* out) {
  if (operation == CellOperation::kPut && value != nullptr) {
    return AppendNamedCell(name, ValueView::Of(*value),
                           timestamp.has_value() ? &*timestamp : nullptr, out);
  }
  AppendByte(kTagCell, out);
  AppendByte(kTagCellName, out);
  AppendU32(static_cast<uint32_t>(name.size()), out);
  out->append(name);
  uint8_t checksum = Crc8(0, name);
  if (value != nullptr) AppendCellValue(*value, out, &checksum);
  if (operation != CellOperation::kPut) {
    AppendByte(kTagCellType, out);
    AppendByte(static_cast<uint8_t>(operation), out);
  }
  if (timestamp.has_value()) {
    AppendByte(kTagCellTimestamp, out);
    AppendI64(*timestamp, out);
    checksum = Crc8U64(checksum, static_cast<uint64_t>(*timestamp));
  }
  if (operation != CellOperation::kPut) {
    checksum = Crc8Byte(checksum, static_cast<uint8_t>(operation));
  }
  AppendByte(kTagCellChecksum, out);
  AppendByte(checksum, out);
  return checksum;
}

uint8_t AppendAttributeCell(const Cell& cell, std::string* out) {
  return AppendAttributeCellParts(cell.name, cell.value.has_value() ? &*cell.value : nullptr,
                                  cell.operation, cell.timestamp, out);
}

size_t ValueWireSize(const Value& value) {
  return 1 + 4 + 1 + 4 + value.bytes().size() + 8;  // An upper bound for every type.
}

size_t RowWireSizeBound(const Row& row) {
  size_t size = 1 + 2 + 1 + 1 + 4 + kExtensionLength;
  for (const PrimaryKeyColumn& column : row.primary_key) {
    size += 6 + column.name.size() + ValueWireSize(column.value) + 2;
  }
  for (const Cell& cell : row.cells) {
    size += 6 + cell.name.size() + 2 + 9 + 2;
    if (cell.value.has_value()) size += ValueWireSize(*cell.value);
  }
  return size;
}

// TAG_ROW_PK and the key's cells; returns the row checksum so far.
uint8_t AppendPrimaryKeyPart(const PrimaryKey& primary_key, std::string* out) {
  AppendByte(kTagRowPrimaryKey, out);
  uint8_t row_checksum = 0;
  for (const PrimaryKeyColumn& column : primary_key) {
    row_checksum = Crc8Byte(row_checksum, AppendPrimaryKeyCell(column, out));
  }
  return row_checksum;
}

// The row's own extension, if it has one: what AppendRowBody writes for a row taken whole.
const SequenceInfo* OwnSequenceInfo(const Row& row) {
  return row.sequence_info.has_value() ? &*row.sequence_info : nullptr;
}

// `sequence_info`: the extension written, if any (row.sequence_info or a caller's own).
void AppendRowBody(const Row& row, const SequenceInfo* sequence_info, std::string* out) {
  uint8_t row_checksum = AppendPrimaryKeyPart(row.primary_key, out);
  if (!row.cells.empty()) {
    AppendByte(kTagRowData, out);
    for (const Cell& cell : row.cells) {
      row_checksum = Crc8Byte(row_checksum, AppendAttributeCell(cell, out));
    }
  }
  if (row.delete_marker) AppendByte(kTagDeleteRowMarker, out);
  row_checksum = Crc8Byte(row_checksum, row.delete_marker ? 1 : 0);
  if (sequence_info != nullptr) {
    AppendByte(kTagExtension, out);
    AppendU32(kExtensionLength, out);
    AppendByte(kTagSequenceInfo, out);
    AppendU32(kSequenceInfoLength, out);
    AppendByte(kTagSequenceInfoEpoch, out);
    AppendU32(sequence_info->epoch, out);
    AppendByte(kTagSequenceInfoTimestamp, out);
    AppendI64(sequence_info->timestamp, out);
    AppendByte(kTagSequenceInfoRowIndex, out);
    AppendU32(sequence_info->row_index, out);
  }
  AppendByte(kTagRowChecksum, out);
  AppendByte(row_checksum, out);
}

}  // namespace

Status DecodeRowInto(std::string_view buffer, Row* row) {
  // A lone row has no row before it to size its cells by, so its buffer does: a cell with a name
  // and a value takes 15 bytes or more and most take 30 or more, so one allocation of buffer / 32
  // cells replaces growing the vector cell by cell for most rows without reserving many times
  // what they need (a row of smaller cells still grows it).
  constexpr size_t kTypicalCellBytes = 32;
  constexpr size_t kMostCellsReserved = 64;
  if (row->cells.capacity() == 0) {
    row->cells.reserve(std::min(buffer.size() / kTypicalCellBytes, kMostCellsReserved));
  }
  Decoder decoder(buffer);
  OTSYNC_RETURN_IF_ERROR(decoder.ReadHeader());
  OTSYNC_RETURN_IF_ERROR(decoder.ReadRow(row));
  if (!decoder.OnlyZerosRemain()) {
    return decoder.Invalid("unexpected data after the row at offset " +
                           std::to_string(decoder.position()) + " (expected exactly one row)");
  }
  return Status::OK();
}

Result<Row> DecodeRow(std::string_view buffer) {
  Row row;
  OTSYNC_RETURN_IF_ERROR(DecodeRowInto(buffer, &row));
  return row;
}

RowBatchDecoder::RowBatchDecoder(std::string_view buffer)
    : buffer_(buffer), done_(buffer.empty()) {}

Status RowBatchDecoder::Next(size_t max_rows, std::vector<Row>* rows) {
  size_t count = 0;
  if (!done_ && max_rows > 0) {
    // Any error ends the decoding.
    done_ = true;
    Decoder decoder(buffer_);
    if (position_ == 0) {
      OTSYNC_RETURN_IF_ERROR(decoder.ReadHeader());
    } else {
      decoder.ResumeAt(position_);
    }
    while (count < max_rows && !decoder.AtEnd()) {
      if (decoder.Peek() == 0) {
        if (decoder.OnlyZerosRemain()) break;
        return decoder.Invalid("unexpected byte 0x00 at offset " +
                               std::to_string(decoder.position()) + " between rows");
      }
      const size_t row_begin = decoder.position();
      OTSYNC_RETURN_IF_ERROR(decoder.ReadRow(Decoder::NextSlot(rows, count++)));
      if (count == 1) {
        // Room for as many rows as are left if they are as long as the first (at most the
        // batch), made at once rather than by doubling (which moves every row decoded so far
        // each time). Bounded, so that a short first row cannot make a huge buffer reserve
        // without end.
        constexpr size_t kMostRowsReserved = 16384;
        const size_t row_bytes = std::max<size_t>(decoder.position() - row_begin, 1);
        const size_t expected = 1 + (buffer_.size() - decoder.position()) / row_bytes;
        const size_t reserved = std::min({expected, max_rows, kMostRowsReserved});
        if (rows->capacity() < reserved) rows->reserve(reserved);
      }
    }
    position_ = decoder.position();
    done_ = decoder.AtEnd() || decoder.OnlyZerosRemain();
  }
  rows->resize(count);
  return Status::OK();
}

Status DecodeRowsInto(std::string_view buffer, std::vector<Row>* rows) {
  RowBatchDecoder decoder(buffer);
  return decoder.Next(std::numeric_limits<size_t>::max(), rows);
}

Result<std::vector<Row>> DecodeRows(std::string_view buffer) {
  std::vector<Row> rows;
  OTSYNC_RETURN_IF_ERROR(DecodeRowsInto(buffer, &rows));
  return rows;
}

void EncodeRow(const Row& row, std::string* out) {
  out->reserve(out->size() + 4 + RowWireSizeBound(row));
  AppendU32(kHeader, out);
  AppendRowBody(row, OwnSequenceInfo(row), out);
}

void EncodeRow(const Row& row, const SequenceInfo& sequence_info, std::string* out) {
  out->reserve(out->size() + 4 + RowWireSizeBound(row));
  AppendU32(kHeader, out);
  AppendRowBody(row, &sequence_info, out);
}

void SetSequenceTimestamp(int64_t timestamp, std::string* encoded) {
  // The row ends TAG_SEQUENCE_INFO_TIMESTAMP, the timestamp, TAG_SEQUENCE_INFO_ROW_INDEX and the
  // index, TAG_ROW_CHECKSUM and the checksum (AppendRowBody).
  constexpr size_t kFromEnd = 8 + 1 + 4 + 1 + 1;
  PutU64(static_cast<uint64_t>(timestamp), encoded->data() + encoded->size() - kFromEnd);
}

std::string EncodeRow(const Row& row) {
  std::string out;
  EncodeRow(row, &out);
  return out;
}

void EncodePrimaryKey(const PrimaryKey& primary_key, std::string* out) {
  AppendU32(kHeader, out);
  AppendByte(kTagRowPrimaryKey, out);
  uint8_t row_checksum = 0;
  for (const PrimaryKeyColumn& column : primary_key) {
    row_checksum = Crc8Byte(row_checksum, AppendPrimaryKeyCell(column, out));
  }
  row_checksum = Crc8Byte(row_checksum, 0);
  AppendByte(kTagRowChecksum, out);
  AppendByte(row_checksum, out);
}

std::string EncodePrimaryKey(const PrimaryKey& primary_key) {
  std::string out;
  EncodePrimaryKey(primary_key, &out);
  return out;
}

uint8_t NameValueChecksum(std::string_view name, const ValueView& value) {
  // The bytes PutSqlVariantPayload writes after the type byte, hashed as they would be.
  uint8_t checksum = Crc8Byte(Crc8(0, name), static_cast<uint8_t>(value.type));
  switch (value.type) {
    case ValueType::kInteger:
      return Crc8U64(checksum, static_cast<uint64_t>(value.integer));
    case ValueType::kDouble:
      return Crc8U64(checksum, std::bit_cast<uint64_t>(value.double_value));
    case ValueType::kBoolean:
      return Crc8Byte(checksum, value.integer != 0 ? 1 : 0);
    case ValueType::kString:
    case ValueType::kBinary:
      return Crc8(Crc8U32(checksum, static_cast<uint32_t>(value.bytes.size())), value.bytes);
    default:
      return checksum;
  }
}

void PlainBufferWriter::AppendRow(const Row& row) {
  if (rows_ == 0) AppendU32(kHeader, out_);
  out_->reserve(out_->size() + RowWireSizeBound(row));
  AppendRowBody(row, OwnSequenceInfo(row), out_);
  ++rows_;
}

void PlainBufferWriter::BeginRow(const PrimaryKey& primary_key) {
  if (rows_ == 0) AppendU32(kHeader, out_);
  row_checksum_ = AppendPrimaryKeyPart(primary_key, out_);
  row_has_cells_ = false;
}

void PlainBufferWriter::AppendCell(std::string_view name, const ValueView& value,
                                   int64_t timestamp_millis,
                                   std::optional<uint8_t> name_value_checksum) {
  if (!row_has_cells_) {
    AppendByte(kTagRowData, out_);
    row_has_cells_ = true;
  }
  row_checksum_ = Crc8Byte(
      row_checksum_, AppendNamedCell(name, value, &timestamp_millis, out_, name_value_checksum));
}

void PlainBufferWriter::EndRow() {
  // No delete marker (it would be TAG_DELETE_ROW_MARKER and a 1 in the checksum).
  AppendByte(kTagRowChecksum, out_);
  AppendByte(Crc8Byte(row_checksum_, 0), out_);
  ++rows_;
}

void EncodeSqlVariant(const Value& value, std::string* out) {
  const ValueView view = ValueView::Of(value);
  const size_t start = out->size();
  out->resize(start + 1 + SqlVariantPayloadSize(view));
  PutSqlVariantPayload(view, PutByte(static_cast<uint8_t>(view.type), out->data() + start));
}

Result<Value> DecodeSqlVariant(std::string_view bytes) {
  if (bytes.empty()) return Status::InvalidArgument("Invalid SQLVariant: empty value");
  uint8_t type = static_cast<uint8_t>(bytes[0]);
  if (!IsKnownValueType(type)) {
    return Status::InvalidArgument("Invalid SQLVariant: unknown value type " + HexByte(type));
  }
  Value value;
  if (!ParsePayload(static_cast<ValueType>(type), bytes.substr(1), &value)) {
    return Status::InvalidArgument(
        "Invalid SQLVariant: " + std::to_string(bytes.size()) + " bytes do not hold one " +
        std::string(ValueTypeName(static_cast<ValueType>(type))) + " value");
  }
  return value;
}

}  // namespace otsync::wire
