#include "readers/otsstream/otsstream_reader.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "readers/otsstream/shard_lineage.h"
#include "readers/otsstream/status_keys.h"
#include "sync/local_time.h"
#include "sync/ots_hints.h"
#include "wire/endpoint.h"

namespace otsync::readers::otsstream {
namespace {

constexpr int64_t kMillisPerHour = 3'600'000;

// A random (version 4) UUID in its canonical text form, as java.util.UUID.randomUUID() prints.
std::string RandomUuid() {
  std::random_device device;
  std::mt19937_64 generator((static_cast<uint64_t>(device()) << 32) ^ device());
  uint64_t high = generator();
  uint64_t low = generator();
  high = (high & ~uint64_t{0xF000}) | uint64_t{0x4000};
  low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);
  char text[40];
  std::snprintf(text, sizeof(text), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(high >> 32),
                static_cast<unsigned long long>((high >> 16) & 0xFFFF),
                static_cast<unsigned long long>(high & 0xFFFF),
                static_cast<unsigned long long>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text;
}

// `hint` (a clause in lowercase) as the sentence that follows one of DataX's.
std::string SentenceOf(std::string hint) {
  if (!hint.empty() && hint.front() >= 'a' && hint.front() <= 'z') hint.front() -= 'a' - 'A';
  return hint;
}

RecordFormat FormatOf(const OtsStreamReaderSpec& spec) {
  RecordFormat format;
  format.mode = spec.mode;
  format.export_sequence_info = spec.is_export_sequence_info;
  for (const OtsStreamColumnSpec& column : spec.columns) format.columns.push_back(column.name);
  return format;
}

}  // namespace

Result<std::unique_ptr<OtsStreamReader>> OtsStreamReader::Create(
    OtsStreamReaderSpec spec, const OtsConnectionSpec& connection,
    std::shared_ptr<const Clock> clock, OtsStreamReaderOptions options) {
  if (spec.is_timeseries_table) {
    return Status::Unsupported(
        "otsstream: isTimeseriesTable is not supported by otsync; remove it from the reader "
        "parameters");
  }
  sync::TimeZone zone = sync::TimeZone::Shanghai();
  if (!spec.time_zone.empty()) {
    OTSYNC_ASSIGN_OR_RETURN(zone, sync::ParseTimeZone(spec.time_zone));
  }
  client::ClientOptions client_options;
  client_options.endpoint = connection.endpoint;
  client_options.instance = connection.instance_name;
  client_options.credentials.access_key_id = connection.access_id;
  client_options.credentials.access_key_secret = connection.access_key;
  client_options.request_timeout = options.request_timeout;
  // The reader's own retry rule (docs/datax-semantics.md §4.6) decides; the client tries each
  // request once.
  client_options.max_retries = 0;
  // As DataX's reader runs on the Java SDK, whose content-MD5 check is off by default: a row is
  // still refused unless its PlainBuffer CRC-8 checksums hold (the decoder checks every cell and
  // row), and hashing every response was an eighth of the reader's CPU.
  client_options.verify_response_md5 = false;
  Result<std::unique_ptr<client::Client>> client = client::Client::Create(client_options);
  if (!client.ok()) return client.status().WithContext("otsstream: connection");
  if (clock == nullptr) clock = DefaultClock();
  return std::unique_ptr<OtsStreamReader>(
      new OtsStreamReader(std::move(spec), std::move(zone), connection.endpoint, std::move(*client),
                          std::move(clock), std::move(options)));
}

OtsStreamReader::OtsStreamReader(OtsStreamReaderSpec spec, sync::TimeZone zone,
                                 std::string endpoint, std::unique_ptr<client::Client> client,
                                 std::shared_ptr<const Clock> clock, OtsStreamReaderOptions options)
    : spec_(std::move(spec)),
      zone_(std::move(zone)),
      endpoint_(std::move(endpoint)),
      client_(std::move(client)),
      clock_(std::move(clock)),
      options_(std::move(options)),
      retry_{spec_.max_retries, options_.retry_sleep},
      status_table_(client_.get(), spec_.status_table, retry_) {}

std::string OtsStreamReader::WindowText() const {
  return "[" + sync::FormatCompactDateTime(spec_.start_timestamp_millis, zone_) + ", " +
         sync::FormatCompactDateTime(spec_.end_timestamp_millis, zone_) + ") " + zone_.name;
}

Result<sync::WindowKey> OtsStreamReader::Prepare() {
  // The first request of the job: when nothing answers on this machine, otsd is not running, and
  // `maxRetries` (30 by the seed, about four minutes of pauses) would only delay saying so.
  Result<wire::TableDescription> table = client_->DescribeTable(spec_.data_table);
  if (!table.ok() && IsRetriableForStreamReader(table.status()) && retry_.max_retries > 0 &&
      !(sync::IsNetworkFailure(table.status()) && wire::IsLoopbackEndpoint(endpoint_))) {
    RetryPolicy rest = retry_;  // The attempt above was the first of 1 + maxRetries.
    rest.max_retries -= 1;
    table = CallWithRetries(rest, {}, [&] { return client_->DescribeTable(spec_.data_table); });
  }
  if (!table.ok()) {
    if (table.status().code() == StatusCode::kNotFound) {
      // DataX's sentence as it is, then where to look.
      return Status::InvalidArgument(
          "The data table is not exist. " +
          SentenceOf(sync::MissingTableHint(spec_.data_table, spec_.datasource)));
    }
    return sync::ExplainNetworkFailure(table.status(), spec_.datasource, endpoint_);
  }
  if (!table->stream.enabled) {
    // DataX's sentence as it is, then how to fix it.
    return Status::InvalidArgument(
        "The stream of data table is not enabled. " +
        SentenceOf(sync::EnableStreamHint(spec_.data_table, spec_.datasource)));
  }
  expiration_hours_ = table->stream.expiration_hours;
  OTSYNC_RETURN_IF_ERROR(CheckWindow(spec_.start_timestamp_millis, spec_.end_timestamp_millis,
                                     clock_->NowMillis(), expiration_hours_, options_.margins));
  OTSYNC_ASSIGN_OR_RETURN(std::vector<client::StreamInfo> streams, CallWithRetries(retry_, {}, [&] {
                            return client_->ListStream(spec_.data_table);
                          }));
  stream_id_.clear();
  for (const client::StreamInfo& stream : streams) {
    if (stream.table_name == spec_.data_table) stream_id_ = stream.stream_id;
  }
  if (stream_id_.empty()) {
    return Status::InvalidArgument("Did not get any stream from table : (\"" + spec_.data_table +
                                   "\") .");
  }
  return sync::WindowKey{spec_.data_table, stream_id_, spec_.start_timestamp_millis,
                         spec_.end_timestamp_millis};
}

Result<std::optional<std::map<std::string, StoredCheckpoint>>>
OtsStreamReader::LoadPreviousCheckpoints() {
  using Found = std::optional<std::map<std::string, StoredCheckpoint>>;
  const int64_t start = spec_.start_timestamp_millis;
  OTSYNC_ASSIGN_OR_RETURN(std::optional<JobDesc> job, status_table_.ReadJobDesc(stream_id_, start));
  OTSYNC_ASSIGN_OR_RETURN(auto checkpoints, status_table_.ReadCheckpoints(stream_id_, start));
  if (!job) {
    OTSYNC_ASSIGN_OR_RETURN(std::optional<int64_t> legacy_count,
                            status_table_.ReadLegacyShardCount(stream_id_, start));
    if (!legacy_count || *legacy_count != static_cast<int64_t>(checkpoints.size())) {
      return Found();
    }
    return Found(std::move(checkpoints));
  }
  if (job->stream_id != stream_id_ || checkpoints.size() != job->shard_ids.size()) return Found();
  for (const std::string& shard_id : job->shard_ids) {
    auto checkpoint = checkpoints.find(shard_id);
    if (checkpoint == checkpoints.end() || checkpoint->second.version != job->version) {
      return Found();
    }
  }
  return Found(std::move(checkpoints));
}

Result<OtsStreamReader::ShardStart> OtsStreamReader::FallbackStart(const std::string& shard_id) {
  ShardStart start{std::string(kTrimHorizon), /*skip_before_start=*/true};
  if (spec_.enable_seek_iterator) return start;
  const int64_t begin = clock_->NowMillis() - (expiration_hours_ - 1) * kMillisPerHour;
  const int64_t end = spec_.start_timestamp_millis - 1;
  if (begin >= end) return start;
  OTSYNC_ASSIGN_OR_RETURN(
      std::optional<std::string> nearest,
      status_table_.FindNearestShardTimeCheckpoint(stream_id_, shard_id, begin, end));
  if (nearest && !nearest->empty()) start.checkpoint = std::move(*nearest);
  return start;
}

Result<std::vector<sync::ReaderTask>> OtsStreamReader::Split(int /*advice*/) {
  if (stream_id_.empty()) return Status::Internal("otsstream: Split before Prepare");
  OTSYNC_RETURN_IF_ERROR(status_table_.EnsureExists({}, options_.status_table_poll_millis));
  OTSYNC_ASSIGN_OR_RETURN(client::StreamDescription stream, CallWithRetries(retry_, {}, [&] {
                            return client_->DescribeStreamAllShards(stream_id_);
                          }));
  const int64_t end = spec_.end_timestamp_millis;
  OTSYNC_RETURN_IF_ERROR(status_table_.DeleteCheckpoints(stream_id_, end));
  version_ = std::to_string(clock_->NowMillis()) + "-" + RandomUuid();

  shards_.clear();
  for (client::StreamShard& shard : stream.shards) {
    std::string id = shard.shard_id;
    shards_.emplace(std::move(id), std::move(shard));
  }
  OTSYNC_ASSIGN_OR_RETURN(auto previous, LoadPreviousCheckpoints());
  found_previous_checkpoints_ = previous.has_value();
  starts_.clear();
  if (previous) {
    for (const auto& [shard_id, checkpoint] : *previous) {
      if (!shards_.contains(shard_id) && checkpoint.checkpoint != kShardEnd) {
        return Status::InvalidArgument(
            "Shard does not exist now, ShardId:" + shard_id + ", Checkpoint:<ShardId: " + shard_id +
            ", Version: " + checkpoint.version + ", Checkpoint: " + checkpoint.checkpoint +
            ", SkipCount: " + std::to_string(checkpoint.skip_count) + ">");
      }
    }
    for (const auto& [shard_id, shard] : shards_) {
      auto checkpoint = previous->find(shard_id);
      starts_[shard_id] = ShardStart{
          checkpoint == previous->end() ? std::string(kTrimHorizon) : checkpoint->second.checkpoint,
          /*skip_before_start=*/false};
    }
  } else {
    for (const auto& [shard_id, shard] : shards_) {
      OTSYNC_ASSIGN_OR_RETURN(starts_[shard_id], FallbackStart(shard_id));
    }
  }

  std::lock_guard lock(mutex_);
  end_checkpoints_.clear();
  std::map<std::string, client::StreamShard> to_read;
  for (const auto& [shard_id, shard] : shards_) {
    if (starts_[shard_id].checkpoint == kShardEnd) {
      end_checkpoints_[shard_id] = ShardEndCheckpoint{std::string(kShardEnd), 0};
    } else {
      to_read.emplace(shard_id, shard);
    }
  }
  std::vector<sync::ReaderTask> tasks;
  for (const auto& [shard_id, shard] : to_read) {
    tasks.push_back(sync::ReaderTask{shard_id, ParentsAmong(shard, to_read)});
  }
  return tasks;
}

Status OtsStreamReader::RunTask(const sync::ReaderTask& task, sync::RecordSink& sink,
                                std::stop_token stop) {
  auto start = starts_.find(task.id);
  if (start == starts_.end() || !shards_.contains(task.id)) {
    return Status::Internal("otsstream: task " + task.id + " is not a shard of this window");
  }
  ShardState state;
  {
    std::lock_guard lock(mutex_);
    std::map<std::string, std::string> finished;
    for (const auto& [shard_id, end] : end_checkpoints_) {
      if (shard_id != task.id) finished[shard_id] = end.checkpoint;
    }
    state = ClassifyShard(task.id, shards_, finished);
    if (state == ShardState::kSkip) {
      // A parent stopped inside this window: the child's records all lie in later windows.
      end_checkpoints_[task.id] = ShardEndCheckpoint{std::string(kTrimHorizon), 0};
      return Status::OK();
    }
  }
  if (state != ShardState::kReady) {
    return Status::Internal("otsstream: shard " + task.id +
                            " was started before its parent shards finished");
  }
  ShardReadPlan plan;
  plan.stream_id = stream_id_;
  plan.shard_id = task.id;
  plan.start_checkpoint = start->second.checkpoint;
  plan.skip_before_start = start->second.skip_before_start;
  plan.seek = spec_.enable_seek_iterator;
  plan.start_millis = spec_.start_timestamp_millis;
  plan.end_millis = spec_.end_timestamp_millis;
  ShardReader reader(client_.get(), &status_table_, FormatOf(spec_), retry_,
                     TrimmedDataContext{WindowText(), expiration_hours_});
  OTSYNC_ASSIGN_OR_RETURN(ShardEndCheckpoint end, reader.Read(plan, sink, stop));
  std::lock_guard lock(mutex_);
  end_checkpoints_[task.id] = std::move(end);
  return Status::OK();
}

Result<std::string> OtsStreamReader::EndCheckpoints() {
  std::lock_guard lock(mutex_);
  WindowCheckpoints checkpoints;
  checkpoints.table_name = spec_.data_table;
  checkpoints.stream_id = stream_id_;
  checkpoints.version = version_;
  checkpoints.start_millis = spec_.start_timestamp_millis;
  checkpoints.end_millis = spec_.end_timestamp_millis;
  for (const auto& [shard_id, shard] : shards_) {
    auto end = end_checkpoints_.find(shard_id);
    if (end == end_checkpoints_.end()) {
      return Status::Internal("otsstream: shard " + shard_id + " has not finished the window");
    }
    checkpoints.shards.emplace(shard_id, end->second);
  }
  return EncodeWindowCheckpoints(checkpoints);
}

Status OtsStreamReader::PublishCheckpoints(const std::string& end_checkpoints) {
  OTSYNC_ASSIGN_OR_RETURN(WindowCheckpoints checkpoints, DecodeWindowCheckpoints(end_checkpoints));
  if (checkpoints.table_name != spec_.data_table) {
    return Status::InvalidArgument("otsstream: the end checkpoints are of table " +
                                   checkpoints.table_name + ", not " + spec_.data_table);
  }
  OTSYNC_RETURN_IF_ERROR(status_table_.EnsureExists({}, options_.status_table_poll_millis));
  const std::string& stream_id = checkpoints.stream_id;
  const int64_t end = checkpoints.end_millis;
  // Checkpoint rows first, the job row last: a reader of the next window accepts the set only
  // once the job row names its version, so a publish cut short reads as "not found".
  JobDesc job;
  for (const auto& [shard_id, shard] : checkpoints.shards) {
    OTSYNC_RETURN_IF_ERROR(status_table_.WriteCheckpoint(
        stream_id, end, shard_id,
        StoredCheckpoint{checkpoints.version, shard.checkpoint, 0, shard.send_record_count}));
    job.shard_ids.push_back(shard_id);
  }
  OTSYNC_ASSIGN_OR_RETURN(auto stored, status_table_.ReadCheckpoints(stream_id, end));
  for (const auto& [shard_id, checkpoint] : stored) {
    if (!checkpoints.shards.contains(shard_id)) {
      OTSYNC_RETURN_IF_ERROR(status_table_.DeleteCheckpoint(stream_id, end, shard_id));
    }
  }
  job.version = checkpoints.version;
  job.table_name = checkpoints.table_name;
  job.stream_id = stream_id;
  job.start_millis = checkpoints.start_millis;
  job.end_millis = end;
  return status_table_.WriteJobDesc(job);
}

std::string OtsStreamReader::DescribeEmptyWindow() {
  if (stream_id_.empty() || shards_.empty() || shards_.size() > kEmptyWindowShards) return {};
  // The commit time (µs) of the first record from the shard's position at `at_micros` (the
  // oldest retained record when absent); nullopt when there is none or a request fails.
  auto first_record_micros = [&](const std::string& shard_id,
                                 std::optional<int64_t> at_micros) -> std::optional<int64_t> {
    Result<std::string> iterator = client_->GetShardIterator(stream_id_, shard_id, at_micros);
    if (!iterator.ok() || iterator->empty()) return std::nullopt;
    client::StreamRecordBatch batch;
    if (!client_->GetStreamRecord(*iterator, 1, &batch).ok() || batch.empty()) return std::nullopt;
    return batch[0].sequence.timestamp;
  };
  std::optional<int64_t> oldest;
  std::optional<int64_t> after;
  for (const auto& [shard_id, shard] : shards_) {
    if (std::optional<int64_t> micros = first_record_micros(shard_id, std::nullopt)) {
      oldest = std::min(oldest.value_or(*micros), *micros);
    }
    if (std::optional<int64_t> micros =
            first_record_micros(shard_id, spec_.end_timestamp_millis * 1000)) {
      if (*micros >= spec_.end_timestamp_millis * 1000) {
        after = std::min(after.value_or(*micros), *micros);
      }
    }
  }
  if (!oldest) {
    return "the stream of '" + spec_.data_table +
           "' holds no records at all (rows written before its Stream was on are not in it)";
  }
  auto format = [&](int64_t micros) { return sync::FormatCompactDateTime(micros / 1000, zone_); };
  std::string text = "the stream's oldest record was written at " + format(*oldest);
  text += after ? ", the first one after the window at " + format(*after)
                : ", and none at or after the window's end";
  return text + " (" + zone_.name + ")";
}

Result<std::unique_ptr<sync::Reader>> MakeOtsStreamReader(const sync::PluginContext& context) {
  const auto* spec = context.job.reader.parameters.As<OtsStreamReaderSpec>();
  if (spec == nullptr) {
    return Status::InvalidArgument("the otsstream reader needs otsstream reader parameters");
  }
  const auto* connection = context.connections.reader.As<OtsConnectionSpec>();
  if (connection == nullptr) {
    return Status::InvalidArgument("the otsstream reader needs a resolved ots connection");
  }
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<OtsStreamReader> reader,
                          OtsStreamReader::Create(*spec, *connection, context.clock));
  return std::unique_ptr<sync::Reader>(std::move(reader));
}

sync::ReaderPlugin OtsStreamReaderPlugin() {
  sync::ReaderPlugin plugin;
  plugin.name = "otsstream";
  plugin.parse_spec = [](const sync::ConfigObject& parameter,
                         sync::SpecParseContext& context) -> Result<sync::PluginSpec> {
    OTSYNC_ASSIGN_OR_RETURN(
        OtsStreamReaderSpec spec,
        ParseOtsStreamReaderSpec(parameter, context.time_zone, context.warnings));
    return sync::PluginSpec::Of(std::move(spec));
  };
  plugin.resolve_connection =
      [](const sync::PluginSpec& spec,
         const sync::DataSourceLookup& sources) -> Result<sync::PluginSpec> {
    const auto* reader = spec.As<OtsStreamReaderSpec>();
    if (reader == nullptr) {
      return Status::InvalidArgument("the otsstream reader needs otsstream reader parameters");
    }
    OTSYNC_ASSIGN_OR_RETURN(OtsConnectionSpec connection, ResolveOtsConnection(*reader, sources));
    return sync::PluginSpec::Of(std::move(connection));
  };
  plugin.make = MakeOtsStreamReader;
  return plugin;
}

}  // namespace otsync::readers::otsstream
