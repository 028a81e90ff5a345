#include "store/row_codec.h"

#include <algorithm>
#include <bit>

#include "wire/coding.h"
#include "wire/plain_buffer.h"

namespace otsync::store {
namespace {

// Format 1 has no checksums; format 2 keeps, before each version's value, the value's
// wire::NameValueChecksum with its column's name, so that a read encoding the row for the wire
// does not hash every name and value again. Both are read; format 2 is written.
constexpr uint8_t kFormatWithoutChecksums = 0x01;
constexpr uint8_t kFormatWithChecksums = 0x02;

bool IsKnownFormat(uint8_t format) {
  return format == kFormatWithChecksums || format == kFormatWithoutChecksums;
}

void AppendValue(const wire::Value& value, std::string* out) {
  out->push_back(static_cast<char>(value.type()));
  switch (value.type()) {
    case wire::ValueType::kInteger:
      wire::PutVarint64(wire::ZigZagEncode(value.integer()), out);
      break;
    case wire::ValueType::kDouble:
      wire::PutBigEndian64(std::bit_cast<uint64_t>(value.double_value()), out);
      break;
    case wire::ValueType::kBoolean:
      out->push_back(value.boolean() ? 1 : 0);
      break;
    case wire::ValueType::kString:
    case wire::ValueType::kBinary:
      wire::PutVarintLengthPrefixed(value.bytes(), out);
      break;
    default:
      break;
  }
}

// The value is read in place: a string's or binary's bytes are a view into the reader's.
bool ReadValue(wire::ByteReader* reader, wire::ValueView* value) {
  uint8_t type = 0;
  if (!reader->GetByte(&type)) return false;
  value->type = static_cast<wire::ValueType>(type);
  switch (value->type) {
    case wire::ValueType::kInteger: {
      uint64_t bits = 0;
      if (!reader->GetVarint64(&bits)) return false;
      value->integer = wire::ZigZagDecode(bits);
      return true;
    }
    case wire::ValueType::kDouble: {
      uint64_t bits = 0;
      if (!reader->GetBigEndian64(&bits)) return false;
      value->double_value = std::bit_cast<double>(bits);
      return true;
    }
    case wire::ValueType::kBoolean: {
      uint8_t byte = 0;
      if (!reader->GetByte(&byte)) return false;
      value->integer = byte != 0 ? 1 : 0;
      return true;
    }
    case wire::ValueType::kString:
    case wire::ValueType::kBinary:
      return reader->GetVarintLengthPrefixed(&value->bytes);
    default:
      return false;
  }
}

bool ReadValue(wire::ByteReader* reader, wire::Value* value) {
  wire::ValueView view;
  if (!ReadValue(reader, &view)) return false;
  value->Set(view);
  return true;
}

void AppendVersion(std::string_view name, int64_t timestamp, const wire::Value& value,
                   std::string* out) {
  wire::PutVarint64(wire::ZigZagEncode(timestamp), out);
  out->push_back(static_cast<char>(wire::NameValueChecksum(name, wire::ValueView::Of(value))));
  AppendValue(value, out);
}

}  // namespace

const StoredColumn* StoredRow::Find(std::string_view name) const {
  auto it = std::lower_bound(
      columns.begin(), columns.end(), name,
      [](const StoredColumn& column, std::string_view wanted) { return column.name < wanted; });
  return it != columns.end() && it->name == name ? &*it : nullptr;
}

StoredColumn* StoredRow::FindOrInsert(std::string_view name) {
  auto it = std::lower_bound(
      columns.begin(), columns.end(), name,
      [](const StoredColumn& column, std::string_view wanted) { return column.name < wanted; });
  if (it != columns.end() && it->name == name) return &*it;
  return &*columns.insert(it, StoredColumn{std::string(name), {}});
}

void StoredRow::RemoveEmptyColumns() {
  std::erase_if(columns, [](const StoredColumn& column) { return column.versions.empty(); });
}

void PutVersion(int64_t timestamp, wire::Value value, StoredColumn* column) {
  auto it = std::lower_bound(
      column->versions.begin(), column->versions.end(), timestamp,
      [](const StoredVersion& version, int64_t wanted) { return version.timestamp > wanted; });
  if (it != column->versions.end() && it->timestamp == timestamp) {
    it->value = std::move(value);
    return;
  }
  column->versions.insert(it, StoredVersion{timestamp, std::move(value)});
}

void EncodeStoredRow(const StoredRow& row, std::string* out) {
  out->push_back(static_cast<char>(kFormatWithChecksums));
  wire::PutVarint64(row.columns.size(), out);
  for (const StoredColumn& column : row.columns) {
    wire::PutVarintLengthPrefixed(column.name, out);
    wire::PutVarint64(column.versions.size(), out);
    for (const StoredVersion& version : column.versions) {
      AppendVersion(column.name, version.timestamp, version.value, out);
    }
  }
}

void EncodePutCells(const std::vector<wire::Cell>& cells, int64_t default_timestamp,
                    size_t max_versions, std::string* out) {
  struct Version {
    std::string_view name;
    int64_t timestamp;
    size_t index;  // In `cells`.
  };
  std::vector<Version> versions;
  versions.reserve(cells.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    versions.push_back({cells[i].name, cells[i].timestamp.value_or(default_timestamp), i});
  }
  // By name, then newest first, then the later cell of one name and timestamp first: the one that
  // replaced the others.
  std::sort(versions.begin(), versions.end(), [](const Version& left, const Version& right) {
    if (left.name != right.name) return left.name < right.name;
    if (left.timestamp != right.timestamp) return left.timestamp > right.timestamp;
    return left.index > right.index;
  });
  size_t kept = 0;
  size_t column_count = 0;
  size_t column_versions = 0;
  for (const Version& version : versions) {
    if (kept > 0 && versions[kept - 1].name == version.name) {
      if (versions[kept - 1].timestamp == version.timestamp || column_versions == max_versions) {
        continue;
      }
      ++column_versions;
    } else {
      ++column_count;
      column_versions = 1;
    }
    versions[kept++] = version;
  }
  out->push_back(static_cast<char>(kFormatWithChecksums));
  wire::PutVarint64(column_count, out);
  for (size_t begin = 0; begin < kept;) {
    size_t end = begin + 1;
    while (end < kept && versions[end].name == versions[begin].name) ++end;
    wire::PutVarintLengthPrefixed(versions[begin].name, out);
    wire::PutVarint64(end - begin, out);
    for (size_t v = begin; v < end; ++v) {
      AppendVersion(versions[v].name, versions[v].timestamp, *cells[versions[v].index].value, out);
    }
    begin = end;
  }
}

Result<StoredRow> DecodeStoredRow(std::string_view bytes) {
  const Status corrupt = Status::Corruption("Malformed stored row.");
  wire::ByteReader reader(bytes);
  uint8_t format = 0;
  uint64_t column_count = 0;
  if (!reader.GetByte(&format) || !IsKnownFormat(format) || !reader.GetVarint64(&column_count) ||
      column_count > bytes.size()) {
    return corrupt;
  }
  const bool has_checksums = format == kFormatWithChecksums;
  StoredRow row;
  row.columns.resize(column_count);
  for (StoredColumn& column : row.columns) {
    std::string_view name;
    uint64_t version_count = 0;
    if (!reader.GetVarintLengthPrefixed(&name) || !reader.GetVarint64(&version_count) ||
        version_count > bytes.size()) {
      return corrupt;
    }
    column.name = std::string(name);
    column.versions.resize(version_count);
    for (StoredVersion& version : column.versions) {
      uint64_t timestamp = 0;
      uint8_t checksum = 0;
      if (!reader.GetVarint64(&timestamp) || (has_checksums && !reader.GetByte(&checksum)) ||
          !ReadValue(&reader, &version.value)) {
        return corrupt;
      }
      version.timestamp = wire::ZigZagDecode(timestamp);
    }
  }
  if (!reader.empty()) return corrupt;
  return row;
}

StoredRowReader::StoredRowReader(std::string_view bytes) : bytes_(bytes), reader_(bytes) {}

Status StoredRowReader::Start(uint64_t* column_count) {
  uint8_t format = 0;
  if (!reader_.GetByte(&format) || !IsKnownFormat(format) || !reader_.GetVarint64(&columns_left_) ||
      columns_left_ > bytes_.size()) {
    return Corrupt();
  }
  has_checksums_ = format == kFormatWithChecksums;
  *column_count = columns_left_;
  return Status::OK();
}

Status StoredRowReader::NextColumn(std::string_view* name, uint64_t* version_count) {
  if (columns_left_ == 0 || versions_left_ != 0) return Corrupt();
  --columns_left_;
  if (!reader_.GetVarintLengthPrefixed(name) || !reader_.GetVarint64(&versions_left_) ||
      versions_left_ > bytes_.size()) {
    return Corrupt();
  }
  *version_count = versions_left_;
  return Status::OK();
}

Status StoredRowReader::NextVersion(int64_t* timestamp, wire::ValueView* value,
                                    std::optional<uint8_t>* name_value_checksum) {
  uint64_t zigzag = 0;
  uint8_t checksum = 0;
  if (versions_left_ == 0 || !reader_.GetVarint64(&zigzag) ||
      (has_checksums_ && !reader_.GetByte(&checksum)) || !ReadValue(&reader_, value)) {
    return Corrupt();
  }
  --versions_left_;
  *timestamp = wire::ZigZagDecode(zigzag);
  if (name_value_checksum != nullptr) {
    *name_value_checksum = has_checksums_ ? std::optional<uint8_t>(checksum) : std::nullopt;
  }
  return Status::OK();
}

Status StoredRowReader::Finish() const {
  if (columns_left_ != 0 || versions_left_ != 0 || !reader_.empty()) return Corrupt();
  return Status::OK();
}

Status StoredRowReader::Corrupt() { return Status::Corruption("Malformed stored row."); }

}  // namespace otsync::store
