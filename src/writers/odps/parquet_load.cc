#include "writers/odps/parquet_load.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

#include "writers/odps/duckdb_support.h"
#include "writers/odps/staged_file_writer.h"
#include "writers/odps/staged_rows.h"
#include "writers/odps/staging_chunk.h"

namespace otsync::odps {
namespace {

namespace fs = std::filesystem;

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
    chunk_ = std::make_unique<StagingChunk>(schema_);
    std::vector<std::string> names;
    for (const Column& column : schema_.columns) names.push_back(column.name);
    staged_ = std::make_unique<StagedRows>(std::move(names), chunk_->types(), kQueuedChunks,
                                           kQueuedBytes);
    std::vector<std::string> partition_values;
    for (const PartitionLevel& level : partition_) partition_values.push_back(level.value);
    select_sql_ = "SELECT " + ColumnsOfStagedRows(schema_, partition_values) + " FROM " +
                  kStagedRowsFunction + "()";
    // The load's DuckDB is opened on the file writer's thread while the rows' side stages its
    // first chunks: the first Write does not wait for it (docs/benchmarks.md, Start run 1).
    auto open_session = [this, memory_limit]() -> Result<duckdb_connection> {
      OTSYNC_ASSIGN_OR_RETURN(
          session_, DuckDbSession::OpenInMemory(memory_limit, folder_ + "/spill", kLoadThreads));
      OTSYNC_RETURN_IF_ERROR(staged_->Register(session_->connection()));
      return session_->connection();
    };
    file_writer_ = std::make_unique<StagedFileWriter>(std::move(open_session), staged_.get(),
                                                      select_sql_, kLoadParquetOptions, folder_,
                                                      "the staged rows of " + Destination());
    started_ = true;
    return Status::OK();
  }

  Status AppendRow(std::span<const CellValue> values) override {
    if (broken_ || !started_) {
      return Status::Internal("the load of " + Destination() + " can no longer take rows");
    }
    int64_t bytes = 0;
    if (Status added = chunk_->AddRow(values, &bytes); !added.ok()) {
      broken_ = true;
      return Status::Internal("a row for " + Destination() + " " + added.message());
    }
    file_bytes_ += bytes;
    if (chunk_->full() && !staged_->Add(chunk_->TakeRows(staged_->TakeSpent()))) {
      return StopForFileWriterError();
    }
    ++rows_;
    if (FileIsFull(++file_rows_, file_bytes_)) return FinishFile();
    return Status::OK();
  }

  int64_t rows() const override { return rows_; }
  CommitStats commit_stats() const override { return commit_stats_; }

  Status Commit(const sync::CommittedWindow& window) override {
    if (broken_ || !started_) {
      return Status::Internal("the load of " + Destination() + " cannot be committed");
    }
    Status status = FinishFile();
    if (status.ok()) {
      staged_->Finish();
      status = file_writer_->Join();
    }
    if (status.ok() && file_writer_->files().size() != file_rows_written_.size()) {
      status = Status::Internal("the load of " + Destination() + " wrote " +
                                std::to_string(file_writer_->files().size()) + " files of " +
                                std::to_string(file_rows_written_.size()));
    }
    if (status.ok()) {
      std::vector<StagedFile> files;
      for (size_t i = 0; i < file_writer_->files().size(); ++i) {
        const StagedFileWriter::File& file = file_writer_->files()[i];
        files.push_back(StagedFile{file.path, file_rows_written_[i], file.bytes});
      }
      LoadCommit commit{load_id_, schema_, partition_spec_, truncate_, std::move(files), window};
      commit.window.rows = rows_;
      status = committer_->CommitLoad(commit, &commit_stats_);
    }
    Abort();
    return status;
  }

  void Abort() override {
    if (staged_ != nullptr) staged_->Close();
    file_writer_.reset();
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

  // Ends the file being staged, if it has rows: the file writer writes it once its rows are
  // read.
  Status FinishFile() {
    if (!chunk_->empty() && !staged_->Add(chunk_->TakeRows(staged_->TakeSpent()))) {
      return StopForFileWriterError();
    }
    if (file_rows_ > 0) {
      staged_->EndFile();
      file_rows_written_.push_back(file_rows_);
    }
    file_rows_ = 0;
    file_bytes_ = 0;
    return Status::OK();
  }

  // For an Add refused because the file writer stopped: its error.
  Status StopForFileWriterError() {
    broken_ = true;
    Status status = file_writer_->Join();
    return status.ok() ? Status::Internal("the file writer of " + Destination() + " stopped")
                       : status;
  }

  WarehouseCommitter* committer_;
  TableSchema schema_;
  PartitionValues partition_;
  std::string partition_spec_;
  bool truncate_;
  std::string load_id_;
  std::string folder_;
  int lock_fd_ = -1;
  // Rows on their way to the file writer: full chunks in staged_, the rest in chunk_. staged_
  // outlives session_, whose queries read it.
  std::unique_ptr<StagedRows> staged_;
  std::unique_ptr<StagingChunk> chunk_;
  // Set on the file writer's thread before its first COPY; used by that thread alone, and here
  // only once it is joined (Abort).
  std::unique_ptr<DuckDbSession> session_;
  std::string select_sql_;  // The rows of staged_ as the table's (ColumnsOfStagedRows).
  // The rows of each file ended, in order (the rows' side).
  std::vector<int64_t> file_rows_written_;
  // Writes the files of staged_ on session_'s connection; destroyed before both.
  std::unique_ptr<StagedFileWriter> file_writer_;
  int64_t rows_ = 0;
  int64_t file_rows_ = 0;
  int64_t file_bytes_ = 0;
  bool started_ = false;
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
