// DataX's status table (docs/datax-semantics.md §3): created when missing with DataX's schema and
// options, rows in DataX's layout (status_keys.h). Every call goes through the reader's retry rule.
//
// Thread safety: every method may be called from several threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/client.h"
#include "readers/otsstream/checkpoint_codec.h"
#include "readers/otsstream/retry.h"

namespace otsync::readers::otsstream {

// The DataxJobDesc row of a window.
struct JobDesc {
  std::vector<std::string> shard_ids;
  std::string version;
  std::string table_name;
  std::string stream_id;
  int64_t start_millis = 0;
  int64_t end_millis = 0;
};

// One CheckpointForDataxReader row.
struct StoredCheckpoint {
  std::string version;
  std::string checkpoint;
  int64_t skip_count = 0;
  int64_t send_record_count = 0;
};

class StatusTable {
 public:
  StatusTable(client::Client* client, std::string table_name, RetryPolicy retry)
      : client_(client), table_name_(std::move(table_name)), retry_(std::move(retry)) {}

  const std::string& name() const { return table_name_; }

  // Creates the table when missing (TTL 30 days, 1 version, CU 0/0) and waits until it reads,
  // polling every `poll_millis` for up to 120 s; an existing table must have exactly the
  // StreamId/StatusType/StatusValue key ("Unexpected table meta in status table, please check
  // your config.").
  Status EnsureExists(std::stop_token stop, int64_t poll_millis = 100);

  Result<std::optional<JobDesc>> ReadJobDesc(const std::string& stream_id, int64_t end_millis);
  Status WriteJobDesc(const JobDesc& job);

  // The legacy ShardCount row at `time`, when present.
  Result<std::optional<int64_t>> ReadLegacyShardCount(const std::string& stream_id,
                                                      int64_t time_millis);

  // Every checkpoint row at `time`, by shard id.
  Result<std::map<std::string, StoredCheckpoint>> ReadCheckpoints(const std::string& stream_id,
                                                                  int64_t time_millis);
  Status WriteCheckpoint(const std::string& stream_id, int64_t time_millis,
                         const std::string& shard_id, const StoredCheckpoint& checkpoint);
  Status DeleteCheckpoint(const std::string& stream_id, int64_t time_millis,
                          const std::string& shard_id);
  // DataX's rerun rule: every checkpoint row at `time` goes.
  Status DeleteCheckpoints(const std::string& stream_id, int64_t time_millis);

  Status WriteShardTimeCheckpoint(const std::string& stream_id, const std::string& shard_id,
                                  int64_t time_millis, const std::string& iterator);
  // The iterator of the newest ShardTimeCheckpoint of the shard with a time in
  // (begin, end], or nullopt.
  Result<std::optional<std::string>> FindNearestShardTimeCheckpoint(const std::string& stream_id,
                                                                    const std::string& shard_id,
                                                                    int64_t begin_millis,
                                                                    int64_t end_millis);

 private:
  Status PutRow(wire::Row row);

  client::Client* client_;
  std::string table_name_;
  RetryPolicy retry_;
};

}  // namespace otsync::readers::otsstream
