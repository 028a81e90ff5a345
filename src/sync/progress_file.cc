#include "sync/progress_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace otsync::sync {

Result<std::unique_ptr<ProgressFile>> ProgressFile::Open(const std::string& path,
                                                         const ErrorLimitSpec& error_limit) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) {
    return Status::IOError("--progress-file " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<ProgressFile>(new ProgressFile(file, error_limit));
}

ProgressFile::~ProgressFile() { std::fclose(file_); }

std::string ProgressFile::Counters(const JobProgress& progress) const {
  // Rates over the time since the previous object (at least a millisecond).
  const int64_t elapsed = std::max<int64_t>(1000, progress.micros - previous_.micros);
  nlohmann::json object = {
      {"micros", progress.micros},
      {"records", progress.records_read},
      {"bytes", progress.bytes_read},
      {"records_written", progress.records_written},
      {"records_per_second",
       (progress.records_read - previous_.records_read) * 1'000'000 / elapsed},
      {"bytes_per_second", (progress.bytes_read - previous_.bytes_read) * 1'000'000 / elapsed},
      {"dirty_records", progress.dirty_records},
      {"dirty_limit_records", nullptr},
      {"dirty_limit_percentage", nullptr},
      {"shards_done", progress.tasks_done},
      {"shards_total", progress.tasks_total},
  };
  if (error_limit_.record) {
    object["dirty_limit_records"] = *error_limit_.record;
  } else if (error_limit_.percentage) {
    object["dirty_limit_percentage"] = *error_limit_.percentage;
  }
  nlohmann::json shards = nlohmann::json::array();
  for (const ShardProgress& shard : progress.shards) {
    shards.push_back({{"id", shard.id},
                      {"state", shard.state},
                      {"records", shard.records},
                      {"lag_millis", shard.lag_millis},
                      {"checkpoint_millis", shard.checkpoint_millis}});
  }
  object["shards"] = std::move(shards);
  return object.dump();
}

void ProgressFile::Write(const JobProgress& progress) {
  std::string counters = Counters(progress);
  previous_ = progress;
  WriteLine(R"({"type":"progress",)" + counters.substr(1));
}

void ProgressFile::WriteFinal(const JobResult& result) {
  nlohmann::json head = {{"type", "final"},
                         {"status", result.status.ok() ? "succeeded" : "failed"},
                         {"message", result.status.ok() ? "" : result.status.message()},
                         {"window_already_committed", result.window_already_committed}};
  std::string head_text = head.dump();
  head_text.pop_back();  // The closing brace: the counters follow.
  WriteLine(head_text + "," + Counters(result.progress).substr(1));
}

void ProgressFile::WriteLine(const std::string& line) {
  std::fputs((line + "\n").c_str(), file_);
  std::fflush(file_);
}

}  // namespace otsync::sync
