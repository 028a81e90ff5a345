#include "writers/odps/text_arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace otsync::odps {
namespace {

// A slot full of 0xAA bytes, as a vector's slot may be before it is set.
duckdb_string_t DirtySlot() {
  duckdb_string_t slot;
  std::memset(&slot, 0xAA, sizeof(slot));
  return slot;
}

TEST(TextArenaTest, ATextOfAtMostTwelveBytesIsHeldInItsSlotTheRestZeroed) {
  TextArena arena;
  // Every length up to 12: the short copies take differently sized pieces for each.
  const std::string source = "abcdefghijkl";
  for (size_t length = 0; length <= 12; ++length) {
    const std::string text = source.substr(0, length);
    duckdb_string_t slot = DirtySlot();
    SetStringSlot(&slot, text, &arena);
    ASSERT_TRUE(duckdb_string_is_inlined(slot)) << text;
    EXPECT_EQ(slot.value.inlined.length, text.size());
    EXPECT_EQ(std::string(slot.value.inlined.inlined, text.size()), text);
    for (size_t i = text.size(); i < sizeof(slot.value.inlined.inlined); ++i) {
      EXPECT_EQ(slot.value.inlined.inlined[i], 0) << text << " byte " << i;
    }
  }
  EXPECT_EQ(arena.capacity(), 0u);  // Nothing was copied out of line.
}

TEST(TextArenaTest, ALongerTextPointsAtACopyInTheArena) {
  TextArena arena;
  std::string text = "thirteen byte";
  duckdb_string_t slot = DirtySlot();
  SetStringSlot(&slot, text, &arena);
  ASSERT_FALSE(duckdb_string_is_inlined(slot));
  EXPECT_EQ(slot.value.pointer.length, 13u);
  EXPECT_EQ(std::string(slot.value.pointer.prefix, 4), "thir");
  EXPECT_NE(slot.value.pointer.ptr, text.data());
  text.assign(13, 'x');  // The source changes; the copy does not.
  EXPECT_EQ(std::string(slot.value.pointer.ptr, 13), "thirteen byte");
  EXPECT_EQ(arena.capacity(), TextArena::kBlockBytes);
}

// Copies fill a block, then the next; after Reset the same memory takes the next copies, so a
// refilled chunk writes into pages already mapped. Earlier copies stay intact until then.
TEST(TextArenaTest, ResetReusesItsBlocks) {
  TextArena arena;
  const std::string text(1000, 'v');
  std::vector<char*> copies;
  const size_t count = 2 * TextArena::kBlockBytes / text.size() + 3;  // Into a third block.
  for (size_t i = 0; i < count; ++i) copies.push_back(arena.Copy(text));
  EXPECT_EQ(arena.capacity(), 3 * TextArena::kBlockBytes);
  for (char* copy : copies) ASSERT_EQ(std::string(copy, text.size()), text);
  arena.Reset();
  for (size_t i = 0; i < count; ++i) EXPECT_EQ(arena.Copy(text), copies[i]) << i;
  EXPECT_EQ(arena.capacity(), 3 * TextArena::kBlockBytes);
}

// Reset keeps kKeptBlocks blocks of a chunk that needed more, and frees the rest.
TEST(TextArenaTest, ResetFreesTheBlocksBeyondTheOnesItKeeps) {
  TextArena arena;
  const std::string text(TextArena::kBlockBytes, 'b');  // A block each.
  for (size_t i = 0; i < TextArena::kKeptBlocks + 4; ++i) arena.Copy(text);
  EXPECT_EQ(arena.capacity(), (TextArena::kKeptBlocks + 4) * TextArena::kBlockBytes);
  arena.Reset();
  EXPECT_EQ(arena.capacity(), TextArena::kKeptBlocks * TextArena::kBlockBytes);
}

// A text larger than a block gets memory of its own, which Reset frees.
TEST(TextArenaTest, ATextLargerThanABlockHasItsOwnMemory) {
  TextArena arena;
  const std::string small = "small but not inlined";
  const std::string large(TextArena::kBlockBytes + 1, 'L');
  char* first = arena.Copy(small);
  char* copy = arena.Copy(large);
  char* after = arena.Copy(small);
  EXPECT_EQ(std::string(copy, large.size()), large);
  EXPECT_EQ(after, first + small.size());  // The block goes on where it was.
  EXPECT_EQ(arena.capacity(), TextArena::kBlockBytes + large.size());
  arena.Reset();
  EXPECT_EQ(arena.capacity(), TextArena::kBlockBytes);
}

}  // namespace
}  // namespace otsync::odps
