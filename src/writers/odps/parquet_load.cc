#include "writers/odps/parquet_load.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

#include "base/durable_file.h"
#include "base/kill_point.h"
#include "writers/odps/duckdb_support.h"
#include "writers/odps/staging_chunk.h"

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;

constexpr char kStagedTable[] = "staged";

// "<yyyymmddhhmmss>-<pid>-<8 hex>": unique across processes and time, sortable by start.
std::string NewLoadId() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &utc);
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%08x", random());
  return std::string(stamp) + "-" + std::to_string(::getpid()) + "-" + suffix;
}

class ParquetPartitionLoad final : public PartitionLoad {
 public:
  ParquetPartitionLoad(WarehouseCommitter* committer, TableSchema schema, PartitionValues partition,
                       bool truncate)
      : committer_(committer),
        schema_(std::move(schema)),
        partition_(std::move(partition)),
        partition_spec_(FormatPartition(partition_)),
        truncate_(truncate),
        load_id_(NewLoadId()),
        folder_(committer_->log().StagingFolder() + "/" + load_id_) {}

  ~ParquetPartitionLoad() override { Abort(); }

  Status Begin(const std::string& memory_limit) {
    // The folder appears under its name only with its lock held, so that DeleteAbandonedStaging
    // never takes a starting load for a dead one.
    const std::string hidden = committer_->log().StagingFolder() + "/." + load_id_;
    std::error_code error;
    fs::create_directories(hidden, error);
    if (error) return Status::IOError("could not create " + hidden + ": " + error.message());
    const std::string lock_path = hidden + "/lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0 ||
        ::rename(hidden.c_str(), folder_.c_str()) != 0) {
      Status status = Status::IOError("could not set up the staging folder " + folder_ + ": " +
                                      std::strerror(errno));
      fs::remove_all(hidden, error);
      return status;
    }
    OTSYNC_ASSIGN_OR_RETURN(
        session_, DuckDbSession::OpenInMemory(memory_limit, folder_ + "/spill", kLoadThreads));
    std::string ddl = std::string("CREATE TABLE ") + kStagedTable + " (";
    bool first = true;
    for (const auto* list : {&schema_.columns, &schema_.partition_columns}) {
      for (const Column& column : *list) {
        ddl +=
            (first ? "" : ", ") + QuoteIdentifier(column.name) + " " + DuckDbTypeName(column.type);
        first = false;
      }
    }
    create_table_sql_ = ddl + ")";
    std::vector<std::string> partition_values;
    for (const PartitionLevel& level : partition_) partition_values.push_back(level.value);
    chunk_ = std::make_unique<StagingChunk>(schema_, std::move(partition_values));
    return StartFile();
  }

  Status AppendRow(std::span<const CellValue> values) override {
    if (broken_ || appender_ == nullptr) {
      return Status::Internal("the load of " + Destination() + " can no longer take rows");
    }
    int64_t bytes = 0;
    if (Status added = chunk_->AddRow(values, &bytes); !added.ok()) {
      broken_ = true;
      return Status::Internal("a row for " + Destination() + " " + added.message());
    }
    file_bytes_ += bytes;
    if (chunk_->full() && chunk_->AppendTo(appender_) == DuckDBError) {
      return AppenderError("append rows to " + Destination());
    }
    ++rows_;
    if (++file_rows_ >= kRowsPerFile || file_bytes_ >= kBytesPerFile) {
      OTSYNC_RETURN_IF_ERROR(FinishFile());
      OTSYNC_RETURN_IF_ERROR(StartFile());
    }
    return Status::OK();
  }

  int64_t rows() const override { return rows_; }
  CommitStats commit_stats() const override { return commit_stats_; }

  Status Commit(const sync::CommittedWindow& window) override {
    if (broken_ || appender_ == nullptr) {
      return Status::Internal("the load of " + Destination() + " cannot be committed");
    }
    Status status = FinishFile();
    if (status.ok()) {
      LoadCommit commit{load_id_, schema_, partition_spec_, truncate_, files_, window};
      commit.window.rows = rows_;
      status = committer_->CommitLoad(commit, &commit_stats_);
    }
    Abort();
    return status;
  }

  void Abort() override {
    if (appender_ != nullptr) {
      duckdb_appender_destroy(&appender_);
      appender_ = nullptr;
    }
    session_.reset();
    if (lock_fd_ >= 0) {
      std::error_code ignored;
      fs::remove_all(folder_, ignored);
      ::close(lock_fd_);
      lock_fd_ = -1;
    }
    broken_ = true;
  }

 private:
  std::string Destination() const {
    return partition_spec_.empty() ? "table " + schema_.name
                                   : "partition " + partition_spec_ + " of table " + schema_.name;
  }

  Status AppenderError(const std::string& context) {
    broken_ = true;
    const char* error = appender_ != nullptr ? duckdb_appender_error(appender_) : nullptr;
    return Status::IOError("could not " + context + ": " + (error ? error : "DuckDB error"));
  }

  // An empty staging table and an appender on it.
  Status StartFile() {
    OTSYNC_RETURN_IF_ERROR(
        Execute(session_->connection(), create_table_sql_, "stage rows for " + Destination()));
    if (duckdb_appender_create(session_->connection(), nullptr, kStagedTable, &appender_) ==
        DuckDBError) {
      return AppenderError("open an appender for " + Destination());
    }
    file_rows_ = 0;
    file_bytes_ = 0;
    return Status::OK();
  }

  // Writes the staged rows (if any) as the next Parquet file, synced, and drops the table.
  Status FinishFile() {
    if (!chunk_->empty() && chunk_->AppendTo(appender_) == DuckDBError) {
      return AppenderError("append rows to " + Destination());
    }
    if (duckdb_appender_close(appender_) == DuckDBError) {
      return AppenderError("stage the rows of " + Destination());
    }
    duckdb_appender_destroy(&appender_);
    appender_ = nullptr;
    if (file_rows_ > 0) {
      char name[32];
      std::snprintf(name, sizeof(name), "/part-%05zu.parquet", files_.size());
      StagedFile file{folder_ + name, file_rows_, 0};
      OTSYNC_RETURN_IF_ERROR(Execute(session_->connection(),
                                     std::string("COPY ") + kStagedTable + " TO " +
                                         QuoteLiteral(file.path) + " " + kLoadParquetOptions,
                                     "write the staged rows of " + Destination()));
      OTSYNC_RETURN_IF_ERROR(SyncPath(file.path));
      struct stat info {};
      if (::stat(file.path.c_str(), &info) == 0) file.bytes = info.st_size;
      files_.push_back(std::move(file));
      OTSYNC_KILL_POINT("warehouse.load.after_file_staged");
    }
    return Execute(session_->connection(), std::string("DROP TABLE ") + kStagedTable,
                   "stage rows for " + Destination());
  }

  WarehouseCommitter* committer_;
  TableSchema schema_;
  PartitionValues partition_;
  std::string partition_spec_;
  bool truncate_;
  std::string load_id_;
  std::string folder_;
  int lock_fd_ = -1;
  std::unique_ptr<DuckDbSession> session_;
  std::string create_table_sql_;
  duckdb_appender appender_ = nullptr;
  std::unique_ptr<StagingChunk> chunk_;  // Rows not yet handed to appender_.
  std::vector<StagedFile> files_;
  int64_t rows_ = 0;
  int64_t file_rows_ = 0;
  int64_t file_bytes_ = 0;
  bool broken_ = false;
  CommitStats commit_stats_;
};

}  // namespace

Result<std::unique_ptr<PartitionLoad>> BeginParquetLoad(WarehouseCommitter* committer,
                                                        const TableSchema& schema,
                                                        const PartitionValues& partition,
                                                        bool truncate,
                                                        const std::string& memory_limit) {
  DeleteAbandonedStaging(committer->log());
  auto load = std::make_unique<ParquetPartitionLoad>(committer, schema, partition, truncate);
  OTSYNC_RETURN_IF_ERROR(load->Begin(memory_limit));
  return std::unique_ptr<PartitionLoad>(std::move(load));
}

void DeleteAbandonedStaging(const ManifestLog& log) {
  std::error_code error;
  for (fs::directory_iterator it(log.StagingFolder(), error), end; !error && it != end;
       it.increment(error)) {
    const std::string lock_path = it->path().string() + "/lock";
    int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || it->path().filename().string().starts_with(".")) {
      // A load that is setting up its folder, or one that died doing so long ago.
      if (fd >= 0) ::close(fd);
      std::error_code ignored;
      auto age = fs::file_time_type::clock::now() - fs::last_write_time(it->path(), ignored);
      if (!ignored && age > std::chrono::minutes(10)) fs::remove_all(it->path(), ignored);
      continue;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
    ::close(fd);
  }
}

}  // namespace otsync::odps
