#include "writers/odps/staged_file_writer.h"

#include <sys/stat.h>

#include <cstdio>
#include <utility>

#include "base/durable_file.h"
#include "base/kill_point.h"
#include "writers/odps/duckdb_support.h"

namespace otsync::odps {

StagedFileWriter::StagedFileWriter(duckdb_connection connection, StagedRows* staged,
                                   std::string select_sql, std::string copy_options,
                                   std::string folder, std::string what)
    : connection_(connection),
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
  while (staged_->WaitForFile()) {
    char name[32];
    std::snprintf(name, sizeof(name), "/part-%05zu.parquet", files_.size());
    File file{folder_ + name, 0};
    Status written =
        Execute(connection_,
                "COPY (" + select_sql_ + ") TO " + QuoteLiteral(file.path) + " " + copy_options_,
                "write " + what_);
    if (written.ok()) written = SyncPath(file.path);
    if (!written.ok()) {
      status_ = std::move(written);
      staged_->Close();
      return;
    }
    struct stat info {};
    if (::stat(file.path.c_str(), &info) == 0) file.bytes = info.st_size;
    files_.push_back(std::move(file));
    OTSYNC_KILL_POINT("warehouse.load.after_file_staged");
  }
}

}  // namespace otsync::odps
