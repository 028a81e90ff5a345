// The `otsstream` reader: exports the change log of a Tablestore table for a window
// [start, end), per DataX's otsstreamreader (docs/datax-semantics.md §1-§4), behind the
// engine's Reader contract (sync/reader.h).
//
//   Prepare   DataX's runtime checks (docs/datax-semantics.md §1.3): the table exists, its
//             stream is enabled, the window rules; finds the stream id. Reads only.
//   Split     creates the status table when missing, lists every shard, clears this window's
//             stale end checkpoints (the rerun rule), loads the previous window's end
//             checkpoints at `start` (or falls back, docs/datax-semantics.md §3.3), one task
//             per shard left to read, a child depending on the parents that are read in this
//             window.
//   RunTask   gates the shard by lineage (docs/datax-semantics.md §3.4: a child of a parent
//             that stopped inside the window is skipped with TRIM_HORIZON), then reads it
//             (shard_reader.h).
//   EndCheckpoints / PublishCheckpoints
//             the job row and every shard's end checkpoint at `end`, written to the status
//             table only by PublishCheckpoints, i.e. after the writer committed (unlike DataX,
//             which writes them while reading).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "client/client.h"
#include "readers/otsstream/checkpoint_codec.h"
#include "readers/otsstream/otsstream_reader_spec.h"
#include "readers/otsstream/retry.h"
#include "readers/otsstream/shard_reader.h"
#include "readers/otsstream/status_table.h"
#include "readers/otsstream/window_rules.h"
#include "sync/plugin_registry.h"
#include "sync/reader.h"

namespace otsync::readers::otsstream {

// Settings a job script cannot reach: for tests and embedding.
struct OtsStreamReaderOptions {
  WindowMargins margins;
  RetrySleep retry_sleep;  // Null: real sleeps.
  int64_t status_table_poll_millis = 100;
  std::chrono::milliseconds request_timeout{50'000};  // DataX's socket timeout.
};

class OtsStreamReader final : public sync::Reader {
 public:
  // kInvalidArgument for a connection the client refuses or a time zone that does not parse;
  // kUnsupported for isTimeseriesTable.
  static Result<std::unique_ptr<OtsStreamReader>> Create(OtsStreamReaderSpec spec,
                                                         const OtsConnectionSpec& connection,
                                                         std::shared_ptr<const Clock> clock,
                                                         OtsStreamReaderOptions options = {});

  Result<sync::WindowKey> Prepare() override;
  Result<std::vector<sync::ReaderTask>> Split(int advice) override;
  Status RunTask(const sync::ReaderTask& task, sync::RecordSink& sink,
                 std::stop_token stop) override;
  Result<std::string> EndCheckpoints() override;
  Status PublishCheckpoints(const std::string& end_checkpoints) override;
  // When the stream's oldest retained record and its first record at or after the window's end
  // were written (two GetShardIterator and two GetStreamRecord calls per shard, for at most
  // kEmptyWindowShards shards; no retries), in the window's zone.
  std::string DescribeEmptyWindow() override;

 private:
  static constexpr size_t kEmptyWindowShards = 32;

  struct ShardStart {
    std::string checkpoint;  // Iterator, kTrimHorizon.
    bool skip_before_start = false;
  };

  OtsStreamReader(OtsStreamReaderSpec spec, sync::TimeZone zone, std::string endpoint,
                  std::unique_ptr<client::Client> client, std::shared_ptr<const Clock> clock,
                  OtsStreamReaderOptions options);

  std::string WindowText() const;
  // The previous window's end checkpoints at `start`, when complete (docs/datax-semantics.md §3.3,
  // task start step 2).
  Result<std::optional<std::map<std::string, StoredCheckpoint>>> LoadPreviousCheckpoints();
  Result<ShardStart> FallbackStart(const std::string& shard_id);

  OtsStreamReaderSpec spec_;
  sync::TimeZone zone_;
  std::string endpoint_;  // For messages: where the data source is.
  std::unique_ptr<client::Client> client_;
  std::shared_ptr<const Clock> clock_;
  OtsStreamReaderOptions options_;
  RetryPolicy retry_;
  StatusTable status_table_;

  // Set by Prepare.
  std::string stream_id_;
  int64_t expiration_hours_ = 0;

  // Set by Split; `end_checkpoints_` grows as tasks finish.
  std::string version_;
  std::map<std::string, client::StreamShard> shards_;
  std::map<std::string, ShardStart> starts_;
  bool found_previous_checkpoints_ = false;
  std::mutex mutex_;
  std::map<std::string, ShardEndCheckpoint> end_checkpoints_;
};

// The engine's factory for plugin name "otsstream": the job's reader parameters and the
// resolved reader connection, the engine's clock.
Result<std::unique_ptr<sync::Reader>> MakeOtsStreamReader(const sync::PluginContext& context);

// The `otsstream` plugin: ParseOtsStreamReaderSpec, ResolveOtsConnection
// (otsstream_reader_spec.h) and MakeOtsStreamReader.
sync::ReaderPlugin OtsStreamReaderPlugin();

}  // namespace otsync::readers::otsstream
