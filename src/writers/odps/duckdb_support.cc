#include "writers/odps/duckdb_support.h"

#include <filesystem>

namespace otsync::odps {

Result<std::unique_ptr<DuckDbSession>> DuckDbSession::OpenInMemory(
    const std::string& memory_limit, const std::string& temp_directory, int threads) {
  // DuckDB makes only the last level of its temporary folder, and only once it spills: a
  // missing parent would fail that query at its largest. The parents are made now; when they
  // cannot be, the query that spills reports DuckDB's error naming the folder.
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(temp_directory).parent_path(), ignored);
  std::unique_ptr<DuckDbSession> session(new DuckDbSession());
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) {
    return Status::IOError("could not configure DuckDB");
  }
  if (duckdb_set_config(config, "memory_limit", memory_limit.c_str()) == DuckDBError) {
    duckdb_destroy_config(&config);
    return Status::InvalidArgument("expected a memory limit such as 96MB or 1GB, got \"" +
                                   memory_limit + "\"");
  }
  if (duckdb_set_config(config, "temp_directory", temp_directory.c_str()) == DuckDBError) {
    duckdb_destroy_config(&config);
    return Status::InvalidArgument("DuckDB refused the temporary folder " + temp_directory);
  }
  if (threads > 0 &&
      duckdb_set_config(config, "threads", std::to_string(threads).c_str()) == DuckDBError) {
    duckdb_destroy_config(&config);
    return Status::InvalidArgument("DuckDB refused " + std::to_string(threads) + " threads");
  }
  char* error = nullptr;
  const duckdb_state opened = duckdb_open_ext(nullptr, &session->database_, config, &error);
  duckdb_destroy_config(&config);
  if (opened == DuckDBError) {
    std::string message =
        std::string("could not start DuckDB: ") + (error != nullptr ? error : "DuckDB error");
    duckdb_free(error);
    return Status::IOError(std::move(message));
  }
  if (duckdb_connect(session->database_, &session->connection_) == DuckDBError) {
    return Status::IOError("could not connect to DuckDB");
  }
  return session;
}

DuckDbSession::~DuckDbSession() {
  if (connection_ != nullptr) duckdb_disconnect(&connection_);
  if (database_ != nullptr) duckdb_close(&database_);
}

}  // namespace otsync::odps
