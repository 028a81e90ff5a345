// Reads one shard for one window (docs/datax-semantics.md §4.3, DataX's RecordProcessor): from the
// start checkpoint to the first record written at or after the window's end, or to the end of a
// closed shard, emitting the output rows of every record inside the window.
#pragma once

#include <cstdint>
#include <stop_token>
#include <string>

#include "base/result.h"
#include "client/client.h"
#include "readers/otsstream/checkpoint_codec.h"
#include "readers/otsstream/record_formatter.h"
#include "readers/otsstream/retry.h"
#include "readers/otsstream/status_table.h"
#include "sync/reader.h"

namespace otsync::readers::otsstream {

struct ShardReadPlan {
  std::string stream_id;
  std::string shard_id;
  // An iterator, or kTrimHorizon (the oldest retained record, or a time seek with `seek`).
  std::string start_checkpoint;
  // Drop records written before the window's start, until the first one inside it (the
  // fallback when the previous window's checkpoints were not found).
  bool skip_before_start = false;
  bool seek = false;  // enableSeekIterator.
  int64_t start_millis = 0;
  int64_t end_millis = 0;
};

// What the error for trimmed data names: the window (in the job's zone) and the retention.
struct TrimmedDataContext {
  std::string window_text;  // "[20171019000000, 20171019010000) Asia/Shanghai"
  int64_t expiration_hours = 0;
};

class ShardReader {
 public:
  ShardReader(client::Client* client, StatusTable* status_table, RecordFormat format,
              RetryPolicy retry, TrimmedDataContext trimmed)
      : client_(client),
        status_table_(status_table),
        format_(std::move(format)),
        retry_(std::move(retry)),
        trimmed_(std::move(trimmed)) {}

  // The shard's end checkpoint for this window: the iterator at the first record at or after
  // the end (or where reading caught up), or kShardEnd. ShardTimeCheckpoint rows are written
  // on the way, as DataX does; they only ever serve as a fallback start.
  Result<ShardEndCheckpoint> Read(const ShardReadPlan& plan, sync::RecordSink& sink,
                                  std::stop_token stop);

 private:
  Status StreamCall(const ShardReadPlan& plan, const std::string& iterator, int32_t limit,
                    client::StreamRecordBatch* batch, std::stop_token stop);
  Result<std::string> StartIterator(const ShardReadPlan& plan, std::stop_token stop);

  client::Client* client_;
  StatusTable* status_table_;
  RecordFormat format_;
  RetryPolicy retry_;
  TrimmedDataContext trimmed_;
};

}  // namespace otsync::readers::otsstream
