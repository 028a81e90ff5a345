#include "store/row_mutation.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "store/row_codec.h"

namespace otsync::store {
namespace {

using wire::Cell;
using wire::CellOperation;
using wire::Value;

wire::RowWrite PutOf(std::vector<Cell> cells) {
  wire::RowWrite write;
  write.type = wire::WriteType::kPut;
  write.row.primary_key = {{"id", Value::Integer(1)}};
  write.row.cells = std::move(cells);
  return write;
}

wire::TableOptions WithMaxVersions(int32_t max_versions) {
  wire::TableOptions options;
  options.max_versions = max_versions;
  return options;
}

// ApplyPut's bytes and change against ApplyRowWrite's then EncodeStoredRow's.
void ExpectSameAsApplyRowWrite(const wire::RowWrite& put, const wire::TableOptions& options,
                               int64_t now_millis) {
  Result<RowMutation> general = ApplyRowWrite(put, put.row.primary_key, {}, options, now_millis);
  ASSERT_TRUE(general.ok()) << general.status().ToString();
  ASSERT_TRUE(general->new_row.has_value());
  std::string expected;
  EncodeStoredRow(*general->new_row, &expected);
  std::string encoded;
  const AppliedRowChange change = ApplyPut(put, put.row.primary_key, options, now_millis, &encoded);
  EXPECT_EQ(encoded, expected);
  EXPECT_EQ(change.action, general->change.action);
  EXPECT_EQ(change.row, general->change.row);
  Result<StoredRow> decoded = DecodeStoredRow(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, *general->new_row);
}

TEST(ApplyPutTest, CellsOutOfOrderRepeatedAndBeyondMaxVersions) {
  const std::vector<Cell> cells = {
      {"b", Value::String("b at 5"), 5, CellOperation::kPut},
      {"a", Value::Integer(1), std::nullopt, CellOperation::kPut},
      {"b", Value::String("b at 9"), 9, CellOperation::kPut},
      {"b", Value::String("b at 5, later"), 5, CellOperation::kPut},
      {"c", Value::Double(2.5), 1, CellOperation::kPut},
      {"b", Value::String("b at 7"), 7, CellOperation::kPut},
      {"a", Value::Boolean(true), 100, CellOperation::kPut},
  };
  std::string encoded;
  ApplyPut(PutOf(cells), {{"id", Value::Integer(1)}}, WithMaxVersions(2), 100, &encoded);
  Result<StoredRow> row = DecodeStoredRow(encoded);
  ASSERT_TRUE(row.ok());
  ASSERT_EQ(row->columns.size(), 3u);
  // "a" at 100 twice: the later cell (the boolean) replaced the earlier.
  ASSERT_EQ(row->columns[0].versions.size(), 1u);
  EXPECT_EQ(row->columns[0].versions[0].value, Value::Boolean(true));
  // "b": the two newest of 9, 7, 5.
  ASSERT_EQ(row->columns[1].versions.size(), 2u);
  EXPECT_EQ(row->columns[1].versions[0].value, Value::String("b at 9"));
  EXPECT_EQ(row->columns[1].versions[1].value, Value::String("b at 7"));
  EXPECT_EQ(row->columns[2].name, "c");

  ExpectSameAsApplyRowWrite(PutOf(cells), WithMaxVersions(2), 100);
  ExpectSameAsApplyRowWrite(PutOf(cells), WithMaxVersions(3), 100);
  ExpectSameAsApplyRowWrite(PutOf(cells), WithMaxVersions(1), 100);
  ExpectSameAsApplyRowWrite(PutOf({}), WithMaxVersions(1), 100);
}

// Seeded random puts: names from a small set (so that names and timestamps repeat), timestamps
// given or not, every value type, max_versions 1 to 4.
TEST(ApplyPutTest, RandomPutsMatchApplyRowWrite) {
  std::mt19937_64 random(20261207);
  const std::vector<std::string> names = {"a", "b", "col", "col2", "a_much_longer_column_name"};
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<Cell> cells(random() % 9);
    for (Cell& cell : cells) {
      cell.name = names[random() % names.size()];
      cell.operation = CellOperation::kPut;
      if (random() % 3 != 0) cell.timestamp = static_cast<int64_t>(random() % 6);
      switch (random() % 5) {
        case 0:
          cell.value = Value::Integer(static_cast<int64_t>(random()));
          break;
        case 1:
          cell.value = Value::Double(static_cast<double>(random() % 1000) / 7.0);
          break;
        case 2:
          cell.value = Value::Boolean(random() % 2 == 0);
          break;
        case 3:
          cell.value = Value::String(std::string(random() % 40, 'x'));
          break;
        default:
          cell.value = Value::Binary(std::string(random() % 3, '\0'));
          break;
      }
    }
    const int32_t max_versions = static_cast<int32_t>(1 + random() % 4);
    SCOPED_TRACE("trial " + std::to_string(trial));
    ExpectSameAsApplyRowWrite(PutOf(cells), WithMaxVersions(max_versions), 3);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace otsync::store
