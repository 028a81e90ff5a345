// TextArena: memory for the texts of a DuckDB data chunk being staged, and SetStringSlot, which
// puts a text into a VARCHAR or BLOB vector's slot by writing the duckdb_string_t itself.
//
// A duckdb_string_t holds a text of up to 12 bytes in place and points at a longer one. The C
// API's duckdb_vector_assign_string_element_len copies a longer text into the vector's own string
// heap, an arena DuckDB allocates afresh for every chunk and frees with it: on the rows' side of
// a load that call was half of the time, much of it page faults on the new memory
// (docs/benchmarks.md "Writer run 7"). A TextArena keeps its blocks across Reset, so that a chunk
// refilled after its rows were written (StagedRows::TakeSpent) copies its texts into memory that
// is already mapped.
//
// Contract: a slot set by SetStringSlot points into `arena` until the arena's next Reset or its
// end; the arena must outlive every use DuckDB makes of the chunk (StagedChunk, staged_rows.h,
// keeps the two together). Not thread-safe. Internal to writers/odps (duckdb.h).
#pragma once

#include <duckdb.h>

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace otsync::odps {

class TextArena {
 public:
  TextArena() = default;
  TextArena(const TextArena&) = delete;
  TextArena& operator=(const TextArena&) = delete;

  // A copy of `text` (not NUL-terminated), valid until Reset or the arena's end.
  char* Copy(std::string_view text);

  // Forgets every copy; up to kKeptBlocks blocks stay for the next ones, the rest are freed (as
  // is the memory of each text longer than a block), so that a chunk of unusually long texts does
  // not leave its memory held for the rest of a load.
  void Reset();

  // Bytes held, used or not (tests).
  size_t capacity() const;

  static constexpr size_t kBlockBytes = 64 << 10;
  static constexpr size_t kKeptBlocks = 16;  // 1 MiB: ~500 bytes of text a row of a full chunk.

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;  // Each kBlockBytes, kept across Reset.
  size_t block_ = 0;                             // The block being filled.
  size_t used_ = 0;                              // Bytes used in blocks_[block_].
  std::vector<std::unique_ptr<char[]>> large_;   // Texts longer than a block; freed by Reset.
  size_t large_bytes_ = 0;
};

// Sets `*slot` to `text`: in place if it has at most 12 bytes (the rest of the slot zeroed, as
// DuckDB compares inlined strings whole), else its length, its first 4 bytes and a pointer to a
// copy in `arena`.
void SetStringSlot(duckdb_string_t* slot, std::string_view text, TextArena* arena);

}  // namespace otsync::odps
