// Stream records as the records column family stores them (keys: stream_keys.h).
//
// An entry holds either one record or a block of consecutive records of one shard:
//  - one record: value = action byte (1..3, wire::StreamAction) + the PlainBuffer record; the key
//    is the record's position. Every otsd before blocks wrote only this form.
//  - a block: value = kRecordBlockMarker, varint count (>= 2), then per record: varint timestamp
//    step (from the key's timestamp for the first record, from the previous record's for the
//    others), varint row index, action byte, varint size, the PlainBuffer record. The key is the
//    first record's position.
//
// Invariants: within an entry, positions strictly increase; every position of an entry lies
// before the key of the shard's next entry, so key order is commit order record by record, and
// a DeleteRange up to an entry's key removes only whole entries before it.
//
// Why blocks: the records one write batch appends to a shard become one RocksDB entry (one
// memtable insert, one index entry, one iterator step) instead of one each; "Records run 2" in
// docs/benchmarks.md measured the per-entry cost as all that the stream added to a write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/stream_types.h"
#include "wire/stream.h"

namespace otsync::store {

inline constexpr uint8_t kRecordBlockMarker = 0xB0;
// A builder starts a new entry once its records reach this many bytes, so that a reader that
// begins inside a block decodes little before its position.
inline constexpr size_t kMaxRecordBlockBytes = 32 << 10;

// One stored record; `bytes` points into the entry's value.
struct StoredStreamRecord {
  StreamPosition position;
  wire::StreamAction action = wire::StreamAction::kPutRow;
  std::string_view bytes;
};

// Gathers the records one write batch appends to one shard into one entry.
//
// Thread safety: none; one writer owns it.
class StreamRecordBlockBuilder {
 public:
  // Adds the record whose PlainBuffer is `record`.
  // REQUIRES: `position` is after every position added since the last TakeEntry.
  void AddEncoded(StreamPosition position, wire::StreamAction action, std::string_view record);

  bool empty() const { return count_ == 0; }
  // Whether the records added so far should be put before the next one is added.
  bool full() const { return records_.size() >= kMaxRecordBlockBytes; }

  // The entry of the records added since the last TakeEntry (a single record's form when there is
  // one, a block otherwise) with the position its key must carry, and starts anew.
  // REQUIRES: !empty().
  StreamPosition TakeEntry(std::string* value);

 private:
  std::string records_;  // The block's per-record part.
  size_t count_ = 0;
  StreamPosition first_;
  StreamPosition last_;
  // The first record as a single entry would hold it, for an entry of one record.
  wire::StreamAction first_action_ = wire::StreamAction::kPutRow;
  size_t first_record_offset_ = 0;
  size_t first_record_size_ = 0;
};

// Reads the records of one entry, in order.
class StoredRecordCursor {
 public:
  // Checks the whole entry; kCorruption when `value` is neither form or breaks the invariants.
  // `key_position` is the position parsed from the entry's key. `value` must outlive the cursor's
  // use.
  Status Reset(StreamPosition key_position, std::string_view value);

  // The next record, or false after the last.
  bool Next(StoredStreamRecord* record);

  size_t count() const { return count_; }
  // The entry's last record's position. REQUIRES: Reset returned OK.
  StreamPosition last_position() const { return last_; }

 private:
  std::string_view remaining_;
  bool single_ = false;
  bool single_done_ = false;
  wire::StreamAction single_action_ = wire::StreamAction::kPutRow;
  size_t count_ = 0;
  StreamPosition previous_;
  StreamPosition last_;
};

// Opens `cursor` on the entry at `key`/`value` of shard `shard_number`; kCorruption for a key
// that is not a record key of that shard or a damaged entry.
Status OpenRecordEntry(uint64_t shard_number, std::string_view key, std::string_view value,
                       StoredRecordCursor* cursor);

}  // namespace otsync::store
