#include "writers/odps/staged_rows.h"

#include <utility>

namespace otsync::odps {

StagedRows::StagedRows(std::vector<std::string> names, std::vector<duckdb_type> types)
    : names_(std::move(names)), types_(std::move(types)) {}

StagedRows::~StagedRows() { Clear(); }

Status StagedRows::Register(duckdb_connection connection) {
  duckdb_table_function function = duckdb_create_table_function();
  duckdb_table_function_set_name(function, kStagedRowsFunction);
  duckdb_table_function_set_extra_info(function, this, nullptr);
  duckdb_table_function_set_bind(function, Bind);
  duckdb_table_function_set_init(function, Init);
  duckdb_table_function_set_function(function, Scan);
  const duckdb_state registered = duckdb_register_table_function(connection, function);
  duckdb_destroy_table_function(&function);
  if (registered == DuckDBError) {
    return Status::Internal(std::string("could not register the table function ") +
                            kStagedRowsFunction);
  }
  return Status::OK();
}

void StagedRows::Add(duckdb_data_chunk chunk) {
  // A scan ends at the first chunk of no rows.
  if (duckdb_data_chunk_get_size(chunk) == 0) {
    duckdb_destroy_data_chunk(&chunk);
    return;
  }
  chunks_.push_back(chunk);
}

void StagedRows::Clear() {
  for (duckdb_data_chunk& chunk : chunks_) duckdb_destroy_data_chunk(&chunk);
  chunks_.clear();
}

void StagedRows::Bind(duckdb_bind_info info) {
  const auto* rows = static_cast<const StagedRows*>(duckdb_bind_get_extra_info(info));
  for (size_t c = 0; c < rows->names_.size(); ++c) {
    duckdb_logical_type type = duckdb_create_logical_type(rows->types_[c]);
    duckdb_bind_add_result_column(info, rows->names_[c].c_str(), type);
    duckdb_destroy_logical_type(&type);
  }
}

// A scan's state is the index of the next chunk; one thread, so that no two take the same one.
void StagedRows::Init(duckdb_init_info info) {
  duckdb_init_set_init_data(info, new size_t(0),
                            [](void* next) { delete static_cast<size_t*>(next); });
  duckdb_init_set_max_threads(info, 1);
}

void StagedRows::Scan(duckdb_function_info info, duckdb_data_chunk output) {
  const auto* rows = static_cast<const StagedRows*>(duckdb_function_get_extra_info(info));
  auto* next = static_cast<size_t*>(duckdb_function_get_init_data(info));
  if (*next == rows->chunks_.size()) {
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  duckdb_data_chunk chunk = rows->chunks_[(*next)++];
  for (idx_t c = 0; c < rows->names_.size(); ++c) {
    duckdb_vector_reference_vector(duckdb_data_chunk_get_vector(output, c),
                                   duckdb_data_chunk_get_vector(chunk, c));
  }
  duckdb_data_chunk_set_size(output, duckdb_data_chunk_get_size(chunk));
}

}  // namespace otsync::odps
