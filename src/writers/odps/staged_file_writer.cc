#include "writers/odps/staged_file_writer.h"

#include <sys/stat.h>

#include <cstdio>
#include <thread>
#include <utility>

#include "base/durable_file.h"
#include "base/kill_point.h"
#include "writers/odps/duckdb_support.h"

namespace otsync::odps {

StagedFileWriter::StagedFileWriter(duckdb_connection connection, StagedRows* staged,
                                   std::string select_sql, std::string copy_options,
                                   std::string folder, std::string what)
    : StagedFileWriter([connection]() -> Result<duckdb_connection> { return connection; }, staged,
                       std::move(select_sql), std::move(copy_options), std::move(folder),
                       std::move(what)) {}

StagedFileWriter::StagedFileWriter(OpenConnection open_connection, StagedRows* staged,
                                   std::string select_sql, std::string copy_options,
                                   std::string folder, std::string what)
    : open_connection_(std::move(open_connection)),
      staged_(staged),
      select_sql_(std::move(select_sql)),
      copy_options_(std::move(copy_options)),
      folder_(std::move(folder)),
      what_(std::move(what)),
      thread_([this] { WriteFiles(); }) {}

StagedFileWriter::~StagedFileWriter() {
  if (thread_.joinable()) {
    staged_->Close();
    thread_.join();
  }
}

Status StagedFileWriter::Join() {
  if (thread_.joinable()) thread_.join();
  return status_;
}

void StagedFileWriter::WriteFiles() {
  Result<duckdb_connection> connection = open_connection_();
  if (!connection.ok()) {
    status_ = connection.status();
    staged_->Close();
    return;
  }
  // A file is synced on a thread of its own while the next one is written: the fsync waits for
  // the disk (3-5 ms a file here), and the COPY, the load's slowest stage, would wait with it.
  // One sync at a time: a file's ends before the next file's begins, and the last one's before
  // this thread does, so every file in files_ is durable once Join returns OK.
  std::thread syncing;
  Status synced;  // Of the file `syncing` synced; read once it is joined.
  auto finish_sync = [&] {
    if (syncing.joinable()) syncing.join();
    return synced;
  };
  Status status;
  while (status.ok() && staged_->WaitForFile()) {
    char name[32];
    std::snprintf(name, sizeof(name), "/part-%05zu.parquet", files_.size());
    File file{folder_ + name, 0};
    status =
        Execute(*connection,
                "COPY (" + select_sql_ + ") TO " + QuoteLiteral(file.path) + " " + copy_options_,
                "write " + what_);
    if (Status previous = finish_sync(); status.ok()) status = std::move(previous);
    if (!status.ok()) break;
    struct stat info {};
    if (::stat(file.path.c_str(), &info) == 0) file.bytes = info.st_size;
    syncing = std::thread([&synced, path = file.path] { synced = SyncPath(path); });
    files_.push_back(std::move(file));
    OTSYNC_KILL_POINT("warehouse.load.after_file_staged");
  }
  if (Status last = finish_sync(); status.ok()) status = std::move(last);
  if (!status.ok()) {
    status_ = std::move(status);
    staged_->Close();
  }
}

}  // namespace otsync::odps
