#include "store/stream_record_block.h"

#include "store/stream_keys.h"
#include "wire/coding.h"

namespace otsync::store {

void StreamRecordBlockBuilder::AddEncoded(StreamPosition position, wire::StreamAction action,
                                          std::string_view record) {
  const StreamPosition previous = count_ == 0 ? position : last_;
  if (count_ == 0) first_ = position;
  wire::PutVarint64(static_cast<uint64_t>(position.timestamp - previous.timestamp), &records_);
  wire::PutVarint64(position.row_index, &records_);
  records_.push_back(static_cast<char>(action));
  wire::PutVarint64(record.size(), &records_);
  if (count_ == 0) {
    first_action_ = action;
    first_record_offset_ = records_.size();
    first_record_size_ = record.size();
  }
  records_.append(record);
  last_ = position;
  ++count_;
}

StreamPosition StreamRecordBlockBuilder::TakeEntry(std::string* value) {
  value->clear();
  if (count_ == 1) {
    value->reserve(1 + first_record_size_);
    value->push_back(static_cast<char>(first_action_));
    value->append(records_, first_record_offset_, first_record_size_);
  } else {
    value->reserve(1 + wire::VarintLength(count_) + records_.size());
    value->push_back(static_cast<char>(kRecordBlockMarker));
    wire::PutVarint64(count_, value);
    value->append(records_);
  }
  records_.clear();
  count_ = 0;
  return first_;
}

namespace {

Status Damaged(const char* what) {
  return Status::Corruption(std::string("stream log: damaged record entry: ") + what);
}

}  // namespace

Status StoredRecordCursor::Reset(StreamPosition key_position, std::string_view value) {
  remaining_ = {};
  count_ = 0;
  previous_ = key_position;
  last_ = key_position;
  if (value.empty()) return Damaged("empty value");
  const auto marker = static_cast<uint8_t>(value[0]);
  if (marker != kRecordBlockMarker) {
    if (!wire::StreamActionFromNumber(marker, &single_action_)) return Damaged("unknown action");
    single_ = true;
    single_done_ = false;
    remaining_ = value.substr(1);
    count_ = 1;
    return Status::OK();
  }
  single_ = false;
  std::string_view rest = value.substr(1);
  uint64_t count = 0;
  if (!wire::GetVarint64(&rest, &count) || count < 2) return Damaged("bad block count");
  // The whole block is checked once here, so that Next never meets a damaged record.
  StreamPosition previous = key_position;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t step = 0;
    uint64_t row_index = 0;
    uint64_t size = 0;
    wire::StreamAction action;
    if (!wire::GetVarint64(&rest, &step) || !wire::GetVarint64(&rest, &row_index) ||
        row_index > UINT32_MAX || rest.empty() ||
        !wire::StreamActionFromNumber(static_cast<uint8_t>(rest[0]), &action)) {
      return Damaged("bad record header in a block");
    }
    rest.remove_prefix(1);
    if (!wire::GetVarint64(&rest, &size) || size > rest.size()) {
      return Damaged("record runs past its block");
    }
    rest.remove_prefix(size);
    if (step > static_cast<uint64_t>(INT64_MAX - previous.timestamp)) {
      return Damaged("timestamp out of range");
    }
    const StreamPosition position{previous.timestamp + static_cast<int64_t>(step),
                                  static_cast<uint32_t>(row_index)};
    if (i == 0 ? position != key_position : !(previous < position)) {
      return Damaged("positions out of order");
    }
    previous = position;
  }
  if (!rest.empty()) return Damaged("bytes after the block's last record");
  count_ = count;
  last_ = previous;
  remaining_ = value.substr(1);
  uint64_t skipped_count = 0;
  wire::GetVarint64(&remaining_, &skipped_count);
  return Status::OK();
}

bool StoredRecordCursor::Next(StoredStreamRecord* record) {
  if (single_) {
    if (single_done_) return false;
    single_done_ = true;
    record->position = last_;
    record->action = single_action_;
    record->bytes = remaining_;
    return true;
  }
  if (remaining_.empty()) return false;
  // Reset checked every header: these reads cannot fail.
  uint64_t step = 0;
  uint64_t row_index = 0;
  uint64_t size = 0;
  wire::GetVarint64(&remaining_, &step);
  wire::GetVarint64(&remaining_, &row_index);
  wire::StreamActionFromNumber(static_cast<uint8_t>(remaining_[0]), &record->action);
  remaining_.remove_prefix(1);
  wire::GetVarint64(&remaining_, &size);
  record->position = StreamPosition{previous_.timestamp + static_cast<int64_t>(step),
                                    static_cast<uint32_t>(row_index)};
  record->bytes = remaining_.substr(0, size);
  remaining_.remove_prefix(size);
  previous_ = record->position;
  return true;
}

Status OpenRecordEntry(uint64_t shard_number, std::string_view key, std::string_view value,
                       StoredRecordCursor* cursor) {
  uint64_t number = 0;
  StreamPosition position;
  if (!stream_keys::ParseRecordKey(key, &number, &position) || number != shard_number) {
    return Status::Corruption("stream log: damaged record key");
  }
  return cursor->Reset(position, value);
}

}  // namespace otsync::store
