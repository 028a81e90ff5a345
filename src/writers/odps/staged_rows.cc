#include "writers/odps/staged_rows.h"

#include <utility>

#include "writers/odps/duckdb_support.h"

namespace otsync::odps {

// A scan's state: the chunk its last output shares vectors with, kept until the next call (or
// the query's end) so that the output never outlives what it points at, then released.
struct StagedRows::ScanState {
  StagedRows* rows = nullptr;
  StagedChunk current;
  bool ended = false;

  ~ScanState() { ReleaseCurrent(); }
  void ReleaseCurrent() {
    if (current) rows->Release(std::move(current));
  }
};

StagedChunk EmptyStagedChunk(StagedChunk spent, std::span<const duckdb_type> types) {
  if (spent && spent.texts() != nullptr &&
      duckdb_data_chunk_get_column_count(spent.rows()) == types.size()) {
    duckdb_data_chunk_reset(spent.rows());
    spent.texts()->Reset();
    spent.set_bytes(0);
    return spent;
  }
  return StagedChunk(NewDataChunk(types), std::make_unique<TextArena>());
}

StagedRows::StagedRows(std::vector<std::string> names, std::vector<duckdb_type> types,
                       size_t capacity, int64_t byte_capacity)
    : names_(std::move(names)),
      types_(std::move(types)),
      capacity_(capacity),
      byte_capacity_(byte_capacity) {}

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

bool StagedRows::Add(StagedChunk chunk) {
  // An empty entry ends a file, so a chunk of no rows never enters the queue.
  if (duckdb_data_chunk_get_size(chunk.rows()) == 0) {
    chunk = StagedChunk();
    std::lock_guard<std::mutex> lock(mutex_);
    return !closed_;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] {
    return closed_ || capacity_ == 0 ||
           (queued_chunks_ < capacity_ && (byte_capacity_ == 0 || queued_bytes_ < byte_capacity_));
  });
  if (closed_) {
    lock.unlock();
    return false;  // `chunk` is destroyed on return.
  }
  ++queued_chunks_;
  queued_bytes_ += chunk.bytes();
  queue_.push_back(std::move(chunk));
  changed_.notify_all();
  return true;
}

StagedChunk StagedRows::TakeSpent() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (spent_.empty()) return StagedChunk();
  StagedChunk chunk = std::move(spent_.front());
  spent_.pop_front();
  return chunk;
}

void StagedRows::Release(StagedChunk chunk) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!closed_ && spent_.size() < capacity_) spent_.push_back(std::move(chunk));
  // Else `chunk` is destroyed on return, after the lock is released.
}

void StagedRows::EndFile() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  queue_.emplace_back();
  changed_.notify_all();
}

void StagedRows::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  finished_ = true;
  changed_.notify_all();
}

bool StagedRows::WaitForFile() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return closed_ || finished_ || !queue_.empty(); });
  return !closed_ && !queue_.empty();
}

void StagedRows::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  Clear();
}

void StagedRows::Clear() {
  // Destroyed on return, outside the lock.
  std::deque<StagedChunk> dropped;
  std::deque<StagedChunk> spent;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dropped.swap(queue_);
    spent.swap(spent_);
    queued_chunks_ = 0;
    queued_bytes_ = 0;
    changed_.notify_all();
  }
}

void StagedRows::Bind(duckdb_bind_info info) {
  const auto* rows = static_cast<const StagedRows*>(duckdb_bind_get_extra_info(info));
  for (size_t c = 0; c < rows->names_.size(); ++c) {
    duckdb_logical_type type = duckdb_create_logical_type(rows->types_[c]);
    duckdb_bind_add_result_column(info, rows->names_[c].c_str(), type);
    duckdb_destroy_logical_type(&type);
  }
}

// One thread per scan, so that the chunks leave the queue in order.
void StagedRows::Init(duckdb_init_info info) {
  auto* state = new ScanState();
  state->rows = static_cast<StagedRows*>(duckdb_init_get_extra_info(info));
  duckdb_init_set_init_data(info, state,
                            [](void* state) { delete static_cast<ScanState*>(state); });
  duckdb_init_set_max_threads(info, 1);
}

void StagedRows::Scan(duckdb_function_info info, duckdb_data_chunk output) {
  auto* rows = static_cast<StagedRows*>(duckdb_function_get_extra_info(info));
  auto* state = static_cast<ScanState*>(duckdb_function_get_init_data(info));
  state->ReleaseCurrent();
  if (state->ended) {
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  StagedChunk chunk;
  {
    std::unique_lock<std::mutex> lock(rows->mutex_);
    rows->changed_.wait(lock, [rows] { return rows->closed_ || !rows->queue_.empty(); });
    if (rows->closed_) {
      lock.unlock();
      state->ended = true;
      duckdb_function_set_error(info, "the rows were withdrawn");
      duckdb_data_chunk_set_size(output, 0);
      return;
    }
    chunk = std::move(rows->queue_.front());
    rows->queue_.pop_front();
    if (chunk) {
      --rows->queued_chunks_;
      rows->queued_bytes_ -= chunk.bytes();
    }
    rows->changed_.notify_all();
  }
  if (!chunk) {
    state->ended = true;
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  for (idx_t c = 0; c < rows->names_.size(); ++c) {
    duckdb_vector_reference_vector(duckdb_data_chunk_get_vector(output, c),
                                   duckdb_data_chunk_get_vector(chunk.rows(), c));
  }
  duckdb_data_chunk_set_size(output, duckdb_data_chunk_get_size(chunk.rows()));
  state->current = std::move(chunk);
}

}  // namespace otsync::odps
