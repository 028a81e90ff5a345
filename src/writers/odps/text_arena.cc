#include "writers/odps/text_arena.h"

#include <cstring>

namespace otsync::odps {
namespace {

// DuckDB's string_t::INLINE_LENGTH.
constexpr size_t kInlineBytes = 12;
static_assert(sizeof(duckdb_string_t{}.value.inlined.inlined) == kInlineBytes);

}  // namespace

char* TextArena::Copy(std::string_view text) {
  if (text.size() > kBlockBytes) {
    large_.push_back(std::make_unique_for_overwrite<char[]>(text.size()));
    large_bytes_ += text.size();
    std::memcpy(large_.back().get(), text.data(), text.size());
    return large_.back().get();
  }
  if (blocks_.empty() || used_ + text.size() > kBlockBytes) {
    if (!blocks_.empty()) ++block_;
    if (block_ == blocks_.size()) {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockBytes));
    }
    used_ = 0;
  }
  char* copy = blocks_[block_].get() + used_;
  std::memcpy(copy, text.data(), text.size());
  used_ += text.size();
  return copy;
}

void TextArena::Reset() {
  if (blocks_.size() > kKeptBlocks) blocks_.resize(kKeptBlocks);
  block_ = 0;
  used_ = 0;
  large_.clear();
  large_bytes_ = 0;
}

size_t TextArena::capacity() const { return blocks_.size() * kBlockBytes + large_bytes_; }

void SetStringSlot(duckdb_string_t* slot, std::string_view text, TextArena* arena) {
  const auto length = static_cast<uint32_t>(text.size());
  if (text.size() <= kInlineBytes) {
    std::memset(slot, 0, sizeof(*slot));
    slot->value.inlined.length = length;
    if (!text.empty()) std::memcpy(slot->value.inlined.inlined, text.data(), text.size());
    return;
  }
  char* copy = arena->Copy(text);
  slot->value.pointer.length = length;
  std::memcpy(slot->value.pointer.prefix, copy, sizeof(slot->value.pointer.prefix));
  slot->value.pointer.ptr = copy;
}

}  // namespace otsync::odps
