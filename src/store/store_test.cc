#include "store/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "store/testing/store_fixture.h"
#include "wire/plain_buffer.h"

namespace otsync::store {
namespace {

using wire::Cell;
using wire::CellOperation;
using wire::Comparator;
using wire::Filter;
using wire::PrimaryKey;
using wire::PrimaryKeyType;
using wire::ReturnType;
using wire::RowExistence;
using wire::Value;
using wire::WriteType;

constexpr int64_t kStartMicros = kStoreFixtureStartMicros;
constexpr int64_t kStartMillis = kStartMicros / 1000;
constexpr int64_t kDayMicros = 86'400'000'000;
const std::string kInstance = "inst";

PrimaryKey Key(int64_t id) { return {{"id", Value::Integer(id)}}; }

Cell Put(std::string name, Value value, std::optional<int64_t> timestamp = std::nullopt) {
  return Cell{std::move(name), std::move(value), timestamp, CellOperation::kPut};
}

Cell Op(std::string name, CellOperation operation, std::optional<Value> value = std::nullopt,
        std::optional<int64_t> timestamp = std::nullopt) {
  return Cell{std::move(name), std::move(value), timestamp, operation};
}

RowWrite MakeWrite(WriteType type, PrimaryKey key, std::vector<Cell> cells = {},
                   RowExistence existence = RowExistence::kIgnore) {
  RowWrite write;
  write.type = type;
  write.row.primary_key = std::move(key);
  write.row.cells = std::move(cells);
  write.row.delete_marker = type == WriteType::kDelete;
  write.condition.row_existence = existence;
  return write;
}

ReadOptions Latest() {
  ReadOptions options;
  options.max_versions = 1;
  return options;
}

ReadOptions AllVersions() {
  ReadOptions options;
  options.max_versions = 100;
  return options;
}

Filter Single(std::string column, Comparator comparator, Value value,
              bool filter_if_missing = false) {
  Filter filter;
  filter.kind = Filter::Kind::kSingleColumn;
  filter.column_name = std::move(column);
  filter.comparator = comparator;
  filter.value = std::move(value);
  filter.filter_if_missing = filter_if_missing;
  return filter;
}

class StoreTest : public StoreFixture {
 protected:
  TableDescription IntTable(const std::string& name, int32_t max_versions = 1, int32_t ttl = -1) {
    TableDescription table;
    table.name = name;
    table.primary_key = {{"id", PrimaryKeyType::kInteger, false}};
    table.options.max_versions = max_versions;
    table.options.time_to_live_seconds = ttl;
    return table;
  }

  void CreateIntTable(const std::string& name, int32_t max_versions = 1, int32_t ttl = -1) {
    ASSERT_TRUE(store_->CreateTable(kInstance, IntTable(name, max_versions, ttl)).ok());
  }

  Status Write(const RowWrite& write, const std::string& table = "t") {
    return store_->WriteRow(kInstance, table, write).status();
  }

  std::optional<wire::Row> Get(const PrimaryKey& key, const ReadOptions& options = Latest(),
                               const std::string& table = "t") {
    Result<RowReadOutcome> outcome = store_->GetRow(kInstance, table, key, options);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    if (!outcome.ok()) return std::nullopt;
    return outcome->row;
  }
};

// --- tables ---------------------------------------------------------------------------------

TEST_F(StoreTest, CreateTableRejectsInvalidDefinitions) {
  auto expect_invalid = [&](TableDescription table) {
    Status status = store_->CreateTable(kInstance, table);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << table.name;
  };
  TableDescription bad_name = IntTable("1abc");
  expect_invalid(bad_name);
  expect_invalid(IntTable(std::string(256, 'a')));
  TableDescription no_pk = IntTable("t");
  no_pk.primary_key.clear();
  expect_invalid(no_pk);
  TableDescription five_pk = IntTable("t");
  for (int i = 0; i < 4; ++i) five_pk.primary_key.push_back({"k" + std::to_string(i)});
  expect_invalid(five_pk);
  TableDescription bad_column = IntTable("t");
  bad_column.primary_key[0].name = "a-b";
  expect_invalid(bad_column);
  TableDescription first_auto = IntTable("t");
  first_auto.primary_key[0].auto_increment = true;
  expect_invalid(first_auto);
  TableDescription two_auto = IntTable("t");
  two_auto.primary_key.push_back({"a", PrimaryKeyType::kInteger, true});
  two_auto.primary_key.push_back({"b", PrimaryKeyType::kInteger, true});
  expect_invalid(two_auto);
  expect_invalid(IntTable("t", 1, 3600));
  expect_invalid(IntTable("t", 1, 0));
  expect_invalid(IntTable("t", 0));
  TableDescription bad_stream = IntTable("t");
  bad_stream.stream.enabled = true;
  bad_stream.stream.expiration_hours = 169;
  expect_invalid(bad_stream);
  bad_stream.stream.expiration_hours = 0;
  expect_invalid(bad_stream);
  EXPECT_TRUE(store_->ListTables(kInstance)->empty());
}

TEST_F(StoreTest, TableLifecycle) {
  CreateIntTable("t");
  Status duplicate = store_->CreateTable(kInstance, IntTable("t"));
  EXPECT_EQ(duplicate, Status::AlreadyExists("Requested table already exists."));
  ASSERT_TRUE(store_->CreateTable("other", IntTable("t")).ok());
  CreateIntTable("a_table");
  EXPECT_EQ(*store_->ListTables(kInstance), (std::vector<std::string>{"a_table", "t"}));

  Result<TableDescription> described = store_->DescribeTable(kInstance, "t");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->primary_key, IntTable("t").primary_key);
  EXPECT_EQ(described->creation_time_micros, kStartMicros);
  EXPECT_FALSE(described->stream.enabled);

  Status missing = store_->DescribeTable(kInstance, "nope").status();
  EXPECT_EQ(missing, Status::NotFound("Requested table does not exist."));
  EXPECT_EQ(store_->DeleteTable(kInstance, "nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(Write(MakeWrite(WriteType::kPut, Key(1), {}), "nope").code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, RecreatedTableDoesNotSeeOldRows) {
  CreateIntTable("t");
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(1))})).ok());
  ASSERT_TRUE(store_->DeleteTable(kInstance, "t").ok());
  EXPECT_EQ(store_->GetRow(kInstance, "t", Key(1), Latest()).status().code(),
            StatusCode::kNotFound);
  CreateIntTable("t");
  EXPECT_FALSE(Get(Key(1)).has_value());
  Reopen();
  EXPECT_FALSE(Get(Key(1)).has_value());
}

TEST_F(StoreTest, UpdateTableChangesOptionsAndStream) {
  CreateIntTable("t", 3);
  TableUpdate update;
  update.options = wire::TableOptions{};
  update.options->max_versions = 0;
  EXPECT_EQ(store_->UpdateTable(kInstance, "t", update).status().code(),
            StatusCode::kInvalidArgument);
  update.options->max_versions = 5;
  update.stream = wire::StreamSettings{true, 24, "", 0};
  Result<TableDescription> updated = store_->UpdateTable(kInstance, "t", update);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->options.max_versions, 5);
  EXPECT_TRUE(updated->stream.enabled);
  EXPECT_FALSE(updated->stream.stream_id.empty());
  EXPECT_EQ(updated->stream.last_enable_time_micros, kStartMicros);
  Reopen();
  EXPECT_EQ(*store_->DescribeTable(kInstance, "t"), *updated);

  TableUpdate disable;
  disable.stream = wire::StreamSettings{};
  Result<TableDescription> disabled = store_->UpdateTable(kInstance, "t", disable);
  ASSERT_TRUE(disabled.ok());
  EXPECT_EQ(disabled->stream, wire::StreamSettings{});
}

// --- primary keys and validation ------------------------------------------------------------

TEST_F(StoreTest, PrimaryKeyMustMatchTheSchema) {
  TableDescription table = IntTable("t");
  table.primary_key.push_back({"name", PrimaryKeyType::kString, false});
  ASSERT_TRUE(store_->CreateTable(kInstance, table).ok());
  auto code_and_message = [&](PrimaryKey key) {
    Status status = store_->GetRow(kInstance, "t", key, Latest()).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidPrimaryKey);
    return status.message();
  };
  EXPECT_EQ(code_and_message(Key(1)), "Validate PK size fail. Input: 1, Meta: 2.");
  EXPECT_EQ(code_and_message({{"id", Value::Integer(1)}, {"nam", Value::String("x")}}),
            "Validate PK name fail. Input: nam, Meta: name.");
  EXPECT_EQ(code_and_message({{"id", Value::String("1")}, {"name", Value::String("x")}}),
            "Validate PK type fail. Input: STRING, Meta: INTEGER, Column: id.");
  EXPECT_EQ(code_and_message({{"name", Value::String("x")}, {"id", Value::Integer(1)}}),
            "Validate PK name fail. Input: name, Meta: id.");
  Status too_long =
      Write(MakeWrite(WriteType::kPut, {{"id", Value::Integer(1)},
                                        {"name", Value::String(std::string(1025, 'x'))}}));
  EXPECT_EQ(too_long.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.message().find("'name'"), std::string::npos);
  EXPECT_TRUE(Write(MakeWrite(WriteType::kPut, {{"id", Value::Integer(1)},
                                                {"name", Value::String(std::string(1024, 'x'))}}))
                  .ok());
}

TEST_F(StoreTest, RowChangeLimitsAndRules) {
  CreateIntTable("t");
  Status big_cell = Write(MakeWrite(
      WriteType::kPut, Key(1), {Put("big", Value::Binary(std::string(2 * 1024 * 1024 + 1, 'x')))}));
  EXPECT_EQ(big_cell.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(big_cell.message().find("'big'"), std::string::npos);
  EXPECT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1),
                              {Put("big", Value::Binary(std::string(2 * 1024 * 1024, 'x')))}))
                  .ok());

  std::vector<Cell> many;
  for (int i = 0; i < 1025; ++i) many.push_back(Put("c" + std::to_string(i), Value::Integer(i)));
  EXPECT_EQ(Write(MakeWrite(WriteType::kPut, Key(2), many)).code(), StatusCode::kColumnCountLimit);
  std::vector<Cell> huge;
  for (int i = 0; i < 3; ++i) {
    huge.push_back(Put("c" + std::to_string(i), Value::Binary(std::string(2'000'000, 'y'))));
  }
  EXPECT_EQ(Write(MakeWrite(WriteType::kPut, Key(2), huge)).code(), StatusCode::kRowSizeLimit);

  EXPECT_EQ(Write(MakeWrite(WriteType::kPut, Key(2), {Put("bad-name", Value::Integer(1))})).code(),
            StatusCode::kInvalidArgument);
  Status op_in_put = Write(
      MakeWrite(WriteType::kPut, Key(2), {Op("x", CellOperation::kIncrement, Value::Integer(1))}));
  EXPECT_EQ(op_in_put,
            Status::InvalidArgument("OpType cannot be given for column name:x in PutRow."));
  RowWrite no_marker = MakeWrite(WriteType::kDelete, Key(2));
  no_marker.row.delete_marker = false;
  EXPECT_EQ(Write(no_marker).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Write(MakeWrite(WriteType::kUpdate, Key(2), {Op("x", CellOperation::kDeleteOneVersion)}))
          .message(),
      "Timestamp must be given when type is DELETE_ONE_VERSION.");
}

TEST_F(StoreTest, TimestampsFarFromNowAreRejected) {
  CreateIntTable("t");
  const int64_t day_millis = 86'400'000;
  Status future = Write(MakeWrite(WriteType::kPut, Key(1),
                                  {Put("ok", Value::Integer(1), kStartMillis),
                                   Put("late", Value::Integer(1), kStartMillis + day_millis + 1)}));
  EXPECT_EQ(future.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(future.message().find("'late'"), std::string::npos);
  EXPECT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1),
                              {Put("edge", Value::Integer(1), kStartMillis - day_millis)}))
                  .ok());
}

// --- writes ---------------------------------------------------------------------------------

TEST_F(StoreTest, PutRowReplacesTheWholeRowAndReadsAreSorted) {
  CreateIntTable("t");
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1),
                              {Put("b", Value::String("x")), Put("a", Value::Integer(1)),
                               Put("c", Value::Double(1.5))}))
                  .ok());
  std::optional<wire::Row> row = Get(Key(1));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->primary_key, Key(1));
  ASSERT_EQ(row->cells.size(), 3u);
  EXPECT_EQ(row->cells[0], Put("a", Value::Integer(1), kStartMillis));
  EXPECT_EQ(row->cells[1], Put("b", Value::String("x"), kStartMillis));
  EXPECT_EQ(row->cells[2], Put("c", Value::Double(1.5), kStartMillis));

  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1), {Put("d", Value::Boolean(true))})).ok());
  row = Get(Key(1));
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->cells.size(), 1u);
  EXPECT_EQ(row->cells[0].name, "d");

  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(2), {})).ok());
  row = Get(Key(2));
  ASSERT_TRUE(row.has_value()) << "a PK-only row exists";
  EXPECT_TRUE(row->cells.empty());
  EXPECT_FALSE(Get(Key(3)).has_value());
}

TEST_F(StoreTest, UpdateRowCellOperations) {
  CreateIntTable("t", 3);
  ASSERT_TRUE(Write(MakeWrite(WriteType::kUpdate, Key(1),
                              {Put("a", Value::Integer(1), kStartMillis - 2),
                               Put("a", Value::Integer(2), kStartMillis - 1),
                               Put("b", Value::String("keep")), Put("c", Value::String("gone"))}))
                  .ok());
  ASSERT_TRUE(
      Write(MakeWrite(WriteType::kUpdate, Key(1),
                      {Op("a", CellOperation::kDeleteOneVersion, std::nullopt, kStartMillis - 2),
                       Op("c", CellOperation::kDeleteAllVersions),
                       Op("n", CellOperation::kIncrement, Value::Integer(5)),
                       Put("d", Value::Integer(7))}))
          .ok());
  std::optional<wire::Row> row = Get(Key(1), AllVersions());
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->cells.size(), 4u);
  EXPECT_EQ(row->cells[0], Put("a", Value::Integer(2), kStartMillis - 1));
  EXPECT_EQ(row->cells[1].name, "b");
  EXPECT_EQ(row->cells[2], Put("d", Value::Integer(7), kStartMillis));
  EXPECT_EQ(row->cells[3], Put("n", Value::Integer(5), kStartMillis));

  clock_->AdvanceMicros(1000);
  RowWrite increment = MakeWrite(WriteType::kUpdate, Key(1),
                                 {Op("n", CellOperation::kIncrement, Value::Integer(-8))});
  increment.return_type = ReturnType::kAfterModify;
  increment.return_columns = {"n"};
  Result<RowWriteOutcome> outcome = store_->WriteRow(kInstance, "t", increment);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  ASSERT_TRUE(outcome->returned_row.has_value());
  ASSERT_EQ(outcome->returned_row->cells.size(), 1u);
  EXPECT_EQ(outcome->returned_row->cells[0], Put("n", Value::Integer(-3), kStartMillis + 1));

  Status not_integer = Write(MakeWrite(WriteType::kUpdate, Key(1),
                                       {Op("b", CellOperation::kIncrement, Value::Integer(1))}));
  EXPECT_EQ(not_integer.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(not_integer.message().find("'b'"), std::string::npos);
  Status overflow = Write(MakeWrite(
      WriteType::kUpdate, Key(1), {Op("n", CellOperation::kIncrement, Value::Integer(INT64_MIN))}));
  EXPECT_EQ(overflow.code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, UpdateThatOnlyDeletesDoesNotCreateARow) {
  CreateIntTable("t");
  ASSERT_TRUE(
      Write(MakeWrite(WriteType::kUpdate, Key(1), {Op("a", CellOperation::kDeleteAllVersions)}))
          .ok());
  EXPECT_FALSE(Get(Key(1)).has_value());
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(1))})).ok());
  ASSERT_TRUE(
      Write(MakeWrite(WriteType::kUpdate, Key(1), {Op("a", CellOperation::kDeleteAllVersions)}))
          .ok());
  EXPECT_FALSE(Get(Key(1)).has_value());
}

TEST_F(StoreTest, DeleteRowRemovesTheRow) {
  CreateIntTable("t");
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(1))})).ok());
  ASSERT_TRUE(Write(MakeWrite(WriteType::kDelete, Key(1))).ok());
  EXPECT_FALSE(Get(Key(1)).has_value());
  EXPECT_TRUE(Write(MakeWrite(WriteType::kDelete, Key(1))).ok()) << "IGNORE on a missing row";
  EXPECT_EQ(Write(MakeWrite(WriteType::kDelete, Key(1), {}, RowExistence::kExpectExist)).code(),
            StatusCode::kConditionCheckFailed);
}

// --- conditions -----------------------------------------------------------------------------

TEST_F(StoreTest, RowExistenceConditions) {
  CreateIntTable("t");
  const Status failed(StatusCode::kConditionCheckFailed, "Condition check failed.");
  EXPECT_EQ(Write(MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(1))},
                            RowExistence::kExpectExist)),
            failed);
  EXPECT_FALSE(Get(Key(1)).has_value()) << "a failed condition writes nothing";
  EXPECT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(1))},
                              RowExistence::kExpectNotExist))
                  .ok());
  EXPECT_EQ(Write(MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(2))},
                            RowExistence::kExpectNotExist)),
            failed);
  EXPECT_TRUE(Write(MakeWrite(WriteType::kUpdate, Key(1), {Put("a", Value::Integer(3))},
                              RowExistence::kExpectExist))
                  .ok());
  EXPECT_EQ(Get(Key(1))->cells[0].value, Value::Integer(3));
}

TEST_F(StoreTest, ColumnConditions) {
  CreateIntTable("t", 2);
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1),
                              {Put("a", Value::Integer(10), kStartMillis - 1),
                               Put("a", Value::Integer(20), kStartMillis)}))
                  .ok());
  auto update_if = [&](Filter filter) {
    RowWrite write = MakeWrite(WriteType::kUpdate, Key(1), {Put("hit", Value::Boolean(true))});
    write.condition.column_condition = std::move(filter);
    return Write(write).code();
  };
  const StatusCode ok = StatusCode::kOk;
  const StatusCode failed = StatusCode::kConditionCheckFailed;
  EXPECT_EQ(update_if(Single("a", Comparator::kEqual, Value::Integer(20))), ok);
  EXPECT_EQ(update_if(Single("a", Comparator::kEqual, Value::Integer(10))), failed);
  Filter any_version = Single("a", Comparator::kEqual, Value::Integer(10));
  any_version.latest_version_only = false;
  EXPECT_EQ(update_if(any_version), ok);
  EXPECT_EQ(update_if(Single("a", Comparator::kGreaterThan, Value::Integer(19))), ok);
  EXPECT_EQ(update_if(Single("a", Comparator::kLessEqual, Value::Integer(19))), failed);
  EXPECT_EQ(update_if(Single("a", Comparator::kEqual, Value::String("20"))), failed);
  EXPECT_EQ(update_if(Single("a", Comparator::kNotEqual, Value::String("20"))), ok);
  EXPECT_EQ(update_if(Single("missing", Comparator::kEqual, Value::Integer(1))), ok);
  EXPECT_EQ(update_if(Single("missing", Comparator::kEqual, Value::Integer(1), true)), failed);

  Filter both;
  both.kind = Filter::Kind::kComposite;
  both.combinator = wire::LogicalOperator::kAnd;
  both.children = {Single("a", Comparator::kEqual, Value::Integer(20)),
                   Single("missing", Comparator::kEqual, Value::Integer(1), true)};
  EXPECT_EQ(update_if(both), failed);
  both.combinator = wire::LogicalOperator::kOr;
  EXPECT_EQ(update_if(both), ok);
  Filter negation;
  negation.kind = Filter::Kind::kComposite;
  negation.combinator = wire::LogicalOperator::kNot;
  negation.children = {Single("a", Comparator::kEqual, Value::Integer(20))};
  EXPECT_EQ(update_if(negation), failed);
  negation.children.push_back(Single("a", Comparator::kEqual, Value::Integer(20)));
  EXPECT_EQ(update_if(negation), StatusCode::kInvalidArgument);
}

// --- reads: versions, time ranges, TTL, projections ------------------------------------------

TEST_F(StoreTest, MaxVersionsKeepsTheNewestVersions) {
  CreateIntTable("t", 2);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(Write(MakeWrite(WriteType::kUpdate, Key(1),
                                {Put("a", Value::Integer(i), kStartMillis - 10 + i)}))
                    .ok());
  }
  std::optional<wire::Row> row = Get(Key(1), AllVersions());
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->cells.size(), 2u);
  EXPECT_EQ(row->cells[0], Put("a", Value::Integer(3), kStartMillis - 7));
  EXPECT_EQ(row->cells[1], Put("a", Value::Integer(2), kStartMillis - 8));
  EXPECT_EQ(Get(Key(1))->cells.size(), 1u);

  TableUpdate lower;
  lower.options = IntTable("t", 1).options;
  ASSERT_TRUE(store_->UpdateTable(kInstance, "t", lower).ok());
  EXPECT_EQ(Get(Key(1), AllVersions())->cells.size(), 1u) << "lowered max_versions applies at once";
}

TEST_F(StoreTest, TimeRangeSelectsVersions) {
  CreateIntTable("t", 10);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Write(MakeWrite(WriteType::kUpdate, Key(1),
                                {Put("a", Value::Integer(i), kStartMillis - 100 + i)}))
                    .ok());
  }
  ReadOptions range;
  range.time_range = wire::TimeRange{kStartMillis - 99, kStartMillis - 97, std::nullopt};
  std::optional<wire::Row> row = Get(Key(1), range);
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->cells.size(), 2u);
  EXPECT_EQ(row->cells[0].timestamp, kStartMillis - 98);
  EXPECT_EQ(row->cells[1].timestamp, kStartMillis - 99);
  range.max_versions = 1;
  EXPECT_EQ(Get(Key(1), range)->cells.size(), 1u);

  ReadOptions specific;
  specific.time_range = wire::TimeRange{std::nullopt, std::nullopt, kStartMillis - 96};
  row = Get(Key(1), specific);
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->cells.size(), 1u);
  EXPECT_EQ(row->cells[0].value, Value::Integer(4));

  ReadOptions empty_window;
  empty_window.time_range = wire::TimeRange{kStartMillis, kStartMillis + 5, std::nullopt};
  EXPECT_FALSE(Get(Key(1), empty_window).has_value());

  ReadOptions neither;
  EXPECT_EQ(store_->GetRow(kInstance, "t", Key(1), neither).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, TimeToLiveHidesExpiredVersions) {
  CreateIntTable("t", 5, 86400);
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1), {Put("old", Value::Integer(1))})).ok());
  clock_->AdvanceMicros(kDayMicros / 2);
  ASSERT_TRUE(Write(MakeWrite(WriteType::kUpdate, Key(1), {Put("new", Value::Integer(2))})).ok());
  EXPECT_EQ(Get(Key(1))->cells.size(), 2u);
  clock_->AdvanceMicros(kDayMicros / 2 + 1000);
  std::optional<wire::Row> row = Get(Key(1));
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->cells.size(), 1u);
  EXPECT_EQ(row->cells[0].name, "new");
  RowWrite expect_exist = MakeWrite(WriteType::kUpdate, Key(1), {Put("x", Value::Integer(3))},
                                    RowExistence::kExpectExist);
  EXPECT_TRUE(Write(expect_exist).ok());
  clock_->AdvanceMicros(kDayMicros);
  EXPECT_FALSE(Get(Key(1)).has_value()) << "every cell expired: the row is gone";
  EXPECT_EQ(Write(expect_exist).code(), StatusCode::kConditionCheckFailed);
  RowWrite increment = MakeWrite(WriteType::kUpdate, Key(1),
                                 {Op("new", CellOperation::kIncrement, Value::Integer(1))});
  ASSERT_TRUE(Write(increment).ok());
  EXPECT_EQ(Get(Key(1))->cells[0].value, Value::Integer(1)) << "expired value counts as missing";
}

TEST_F(StoreTest, ColumnsToGetStartEndColumnAndFilters) {
  CreateIntTable("t");
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1),
                              {Put("a", Value::Integer(1)), Put("b", Value::Integer(2)),
                               Put("c", Value::Integer(3)), Put("d", Value::Integer(4))}))
                  .ok());
  ReadOptions some = Latest();
  some.columns_to_get = {"d", "b", "zz"};
  std::optional<wire::Row> row = Get(Key(1), some);
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->cells.size(), 2u);
  EXPECT_EQ(row->cells[0].name, "b");
  EXPECT_EQ(row->cells[1].name, "d");

  ReadOptions absent = Latest();
  absent.columns_to_get = {"zz"};
  EXPECT_FALSE(Get(Key(1), absent).has_value());
  absent.columns_to_get = {"zz", "id"};
  row = Get(Key(1), absent);
  ASSERT_TRUE(row.has_value());
  EXPECT_TRUE(row->cells.empty());

  ReadOptions window = Latest();
  window.start_column = "b";
  window.end_column = "d";
  row = Get(Key(1), window);
  ASSERT_EQ(row->cells.size(), 2u);
  EXPECT_EQ(row->cells[0].name, "b");
  EXPECT_EQ(row->cells[1].name, "c");

  ReadOptions filtered = Latest();
  filtered.columns_to_get = {"a"};
  filtered.filter = Single("d", Comparator::kEqual, Value::Integer(4));
  row = Get(Key(1), filtered);
  ASSERT_TRUE(row.has_value()) << "a filter may test a column outside columns_to_get";
  EXPECT_EQ(row->cells.size(), 1u);
  filtered.filter = Single("d", Comparator::kEqual, Value::Integer(5));
  EXPECT_FALSE(Get(Key(1), filtered).has_value());

  ReadOptions page = Latest();
  page.filter = Filter{};
  page.filter->kind = Filter::Kind::kColumnPagination;
  page.filter->offset = 1;
  page.filter->limit = 2;
  row = Get(Key(1), page);
  ASSERT_EQ(row->cells.size(), 2u);
  EXPECT_EQ(row->cells[0].name, "b");
  EXPECT_EQ(row->cells[1].name, "c");
}

// EncodeRangePage writes, byte for byte, the PlainBuffer of the rows GetRange returns and the same
// next start key: for reads of whole rows (encoded straight from the stored bytes) and for the
// others (projected rows), over rows of every shape a stored row can have.
TEST_F(StoreTest, EncodeRangePageWritesTheRowsGetRangeReturns) {
  CreateIntTable("t", /*max_versions=*/3, /*ttl=*/86400);
  auto put = [&](int64_t id, std::vector<Cell> cells, WriteType type = WriteType::kPut) {
    ASSERT_TRUE(Write(MakeWrite(type, Key(id), std::move(cells))).ok()) << id;
  };
  // Written first, expired by the end: rows 0, 10, 20, ...; and one column of rows 5, 15, ...
  for (int64_t id = 0; id < 60; id += 10) put(id, {Put("gone", Value::Integer(id))});
  for (int64_t id = 5; id < 60; id += 10) put(id, {Put("early", Value::String("e"))});
  clock_->AdvanceMicros(kDayMicros * 6 / 10);
  for (int64_t id = 1; id < 60; ++id) {
    switch (id % 10) {
      case 0:
        break;
      case 1:
      case 6:  // Every attribute type.
        put(id, {Put("b", Value::Boolean(id % 2 == 0)), Put("bin", Value::Binary("\x01\x00z")),
                 Put("d", Value::Double(-1.5 * static_cast<double>(id))),
                 Put("i", Value::Integer(-id)), Put("s", Value::String(std::string(id, 's')))});
        break;
      case 2:  // No columns at all: the key alone is returned.
        put(id, {});
        break;
      case 3:
      case 8:  // Five versions of one column (the table keeps three).
        for (int version = 0; version < 5; ++version) {
          put(id, {Put("v", Value::Integer(version))}, WriteType::kUpdate);
          clock_->AdvanceMicros(1000);
        }
        break;
      case 5:  // One column expires, one stays.
        put(id, {Put("late", Value::Integer(id))}, WriteType::kUpdate);
        break;
      default:
        put(id,
            {Put("a", Value::String("row " + std::to_string(id))), Put("z", Value::Integer(id))});
    }
  }
  clock_->AdvanceMicros(kDayMicros * 6 / 10);

  std::vector<ReadOptions> reads;
  for (int32_t versions : {1, 2, 5}) {
    ReadOptions read;
    read.max_versions = versions;
    reads.push_back(read);
  }
  ReadOptions some_columns = AllVersions();
  some_columns.columns_to_get = {"v", "late"};
  reads.push_back(some_columns);
  ReadOptions window = AllVersions();
  window.start_column = "b";
  window.end_column = "s";
  reads.push_back(window);

  RangeRequest whole;
  whole.inclusive_start = {{"id", Value::InfMin()}};
  whole.exclusive_end = {{"id", Value::InfMax()}};
  whole.read = Latest();
  Result<RangeResult> all = store_->GetRange(kInstance, "t", whole);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->rows.size(), 54u) << "the rows written first, every cell expired, are gone";

  int pages = 0;
  for (const ReadOptions& read : reads) {
    for (wire::Direction direction : {wire::Direction::kForward, wire::Direction::kBackward}) {
      for (int32_t limit : {0, 1, 7}) {
        RangeRequest request;
        request.direction = direction;
        const bool forward = direction == wire::Direction::kForward;
        request.inclusive_start = {{"id", forward ? Value::InfMin() : Value::InfMax()}};
        request.exclusive_end = {{"id", forward ? Value::InfMax() : Value::InfMin()}};
        request.limit = limit;
        request.read = read;
        for (int page = 0; page < 100; ++page, ++pages) {
          Result<RangeResult> rows = store_->GetRange(kInstance, "t", request);
          ASSERT_TRUE(rows.ok()) << rows.status().ToString();
          std::string expected;
          wire::PlainBufferWriter expected_writer(&expected);
          for (const wire::Row& row : rows->rows) expected_writer.AppendRow(row);
          std::string encoded;
          wire::PlainBufferWriter writer(&encoded);
          Result<std::optional<PrimaryKey>> next =
              store_->EncodeRangePage(kInstance, "t", request, &writer);
          ASSERT_TRUE(next.ok()) << next.status().ToString();
          ASSERT_EQ(encoded, expected)
              << "max_versions " << read.max_versions << ", limit " << limit << ", page " << page;
          EXPECT_EQ(writer.rows(), rows->rows.size());
          ASSERT_EQ(*next, rows->next_start_primary_key);
          if (!next->has_value()) break;
          request.inclusive_start = **next;
        }
      }
    }
  }
  EXPECT_GT(pages, 100);
}

// --- ranges ---------------------------------------------------------------------------------

class RangeTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    CreateIntTable("t");
    for (int64_t id = -5; id < 15; ++id) {
      ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(id), {Put("v", Value::Integer(id))})).ok());
    }
  }

  RangeResult Range(wire::Direction direction, PrimaryKey start, PrimaryKey end, int32_t limit) {
    RangeRequest request;
    request.direction = direction;
    request.inclusive_start = std::move(start);
    request.exclusive_end = std::move(end);
    request.limit = limit;
    request.read = Latest();
    Result<RangeResult> result = store_->GetRange(kInstance, "t", request);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : RangeResult{};
  }

  std::vector<int64_t> Ids(const RangeResult& result) {
    std::vector<int64_t> ids;
    for (const wire::Row& row : result.rows) ids.push_back(row.primary_key[0].value.integer());
    return ids;
  }

  // Pages through [start, end) with `limit` rows per call, checking the continuation keys.
  std::vector<int64_t> ReadAll(wire::Direction direction, PrimaryKey start, PrimaryKey end,
                               int32_t limit) {
    std::vector<int64_t> ids;
    for (int page = 0; page < 100; ++page) {
      RangeResult result = Range(direction, start, end, limit);
      EXPECT_LE(static_cast<int32_t>(result.rows.size()), limit);
      for (int64_t id : Ids(result)) ids.push_back(id);
      if (!result.next_start_primary_key.has_value()) return ids;
      EXPECT_EQ(result.next_start_primary_key->at(0).value.type(), wire::ValueType::kInteger);
      start = *result.next_start_primary_key;
    }
    ADD_FAILURE() << "paging did not end";
    return ids;
  }
};

TEST_F(RangeTest, ForwardWithInfiniteBoundsAndPaging) {
  std::vector<int64_t> expected;
  for (int64_t id = -5; id < 15; ++id) expected.push_back(id);
  PrimaryKey min = {{"id", Value::InfMin()}};
  PrimaryKey max = {{"id", Value::InfMax()}};
  EXPECT_EQ(ReadAll(wire::Direction::kForward, min, max, 3), expected);
  RangeResult page = Range(wire::Direction::kForward, min, max, 3);
  EXPECT_EQ(Ids(page), (std::vector<int64_t>{-5, -4, -3}));
  ASSERT_TRUE(page.next_start_primary_key.has_value());
  EXPECT_EQ(*page.next_start_primary_key, Key(-2));
  RangeResult exact = Range(wire::Direction::kForward, Key(-2), Key(2), 4);
  EXPECT_EQ(Ids(exact), (std::vector<int64_t>{-2, -1, 0, 1}));
  EXPECT_EQ(exact.next_start_primary_key, std::nullopt) << "end is exclusive";
}

TEST_F(RangeTest, BackwardWithInfiniteBoundsAndPaging) {
  std::vector<int64_t> expected;
  for (int64_t id = 14; id >= -5; --id) expected.push_back(id);
  PrimaryKey min = {{"id", Value::InfMin()}};
  PrimaryKey max = {{"id", Value::InfMax()}};
  EXPECT_EQ(ReadAll(wire::Direction::kBackward, max, min, 4), expected);
  RangeResult exact = Range(wire::Direction::kBackward, Key(3), Key(-1), 100);
  EXPECT_EQ(Ids(exact), (std::vector<int64_t>{3, 2, 1, 0}));
  EXPECT_EQ(ReadAll(wire::Direction::kBackward, Key(20), Key(10), 2),
            (std::vector<int64_t>{14, 13, 12, 11}));
}

TEST_F(RangeTest, RejectsMisorderedBoundsAndBadKeys) {
  RangeRequest request;
  request.read = Latest();
  request.inclusive_start = Key(5);
  request.exclusive_end = Key(1);
  Status forward = store_->GetRange(kInstance, "t", request).status();
  EXPECT_EQ(forward, Status::InvalidArgument("Begin key must less than end key in FORWARD."));
  request.direction = wire::Direction::kBackward;
  request.inclusive_start = Key(1);
  request.exclusive_end = Key(5);
  EXPECT_EQ(store_->GetRange(kInstance, "t", request).status().code(),
            StatusCode::kInvalidArgument);
  request.inclusive_start = {{"id", Value::String("x")}};
  EXPECT_EQ(store_->GetRange(kInstance, "t", request).status().code(),
            StatusCode::kInvalidPrimaryKey);
}

TEST_F(RangeTest, FilteredRowsAreSkippedAndColumnsProjected) {
  RangeRequest request;
  request.inclusive_start = {{"id", Value::InfMin()}};
  request.exclusive_end = {{"id", Value::InfMax()}};
  request.read = Latest();
  request.read.filter = Single("v", Comparator::kGreaterEqual, Value::Integer(12));
  Result<RangeResult> result = store_->GetRange(kInstance, "t", request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(Ids(*result), (std::vector<int64_t>{12, 13, 14}));
  request.read.filter.reset();
  request.read.columns_to_get = {"other"};
  result = store_->GetRange(kInstance, "t", request);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->rows.empty());
}

TEST_F(StoreTest, RangeOverCompositeStringKeys) {
  TableDescription table;
  table.name = "t";
  table.primary_key = {{"s", PrimaryKeyType::kString, false},
                       {"n", PrimaryKeyType::kInteger, false}};
  ASSERT_TRUE(store_->CreateTable(kInstance, table).ok());
  for (const char* s : {"a", "ab", "b"}) {
    for (int64_t n : {-1, 0, 1}) {
      ASSERT_TRUE(
          Write(MakeWrite(WriteType::kPut, {{"s", Value::String(s)}, {"n", Value::Integer(n)}},
                          {Put("x", Value::Integer(n))}))
              .ok());
    }
  }
  RangeRequest request;
  request.inclusive_start = {{"s", Value::String("ab")}, {"n", Value::InfMin()}};
  request.exclusive_end = {{"s", Value::String("ab")}, {"n", Value::InfMax()}};
  request.read = Latest();
  Result<RangeResult> result = store_->GetRange(kInstance, "t", request);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[0].primary_key[1].value, Value::Integer(-1));
  EXPECT_EQ(result->rows[2].primary_key[1].value, Value::Integer(1));
}

// --- batches --------------------------------------------------------------------------------

TEST_F(StoreTest, BatchWriteReportsPerRowOutcomes) {
  CreateIntTable("t");
  CreateIntTable("u");
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(2), {Put("a", Value::Integer(0))})).ok());
  std::vector<TableWrites> tables(2);
  tables[0].table_name = "t";
  tables[0].rows = {MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(1))}),
                    MakeWrite(WriteType::kPut, Key(2), {Put("a", Value::Integer(2))},
                              RowExistence::kExpectNotExist),
                    MakeWrite(WriteType::kUpdate, Key(1),
                              {Op("a", CellOperation::kIncrement, Value::Integer(10))})};
  tables[1].table_name = "u";
  tables[1].rows = {MakeWrite(WriteType::kDelete, Key(9))};
  Result<std::vector<std::vector<RowWriteOutcome>>> outcomes =
      store_->BatchWriteRows(kInstance, tables);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  ASSERT_EQ(outcomes->size(), 2u);
  ASSERT_EQ((*outcomes)[0].size(), 3u);
  EXPECT_TRUE((*outcomes)[0][0].status.ok());
  EXPECT_EQ((*outcomes)[0][1].status.code(), StatusCode::kConditionCheckFailed);
  EXPECT_TRUE((*outcomes)[0][2].status.ok()) << "a later row sees an earlier row of the batch";
  EXPECT_TRUE((*outcomes)[1][0].status.ok());
  EXPECT_EQ(Get(Key(1))->cells[0].value, Value::Integer(11));
  EXPECT_EQ(Get(Key(2))->cells[0].value, Value::Integer(0));
}

// The service fails the whole BatchWriteRow for a missing table or a malformed row, and writes
// none of the request's rows.
TEST_F(StoreTest, BatchWriteFailsWholeRequestOnMissingTableOrBadKey) {
  CreateIntTable("t");
  std::vector<TableWrites> bad_key(1);
  bad_key[0].table_name = "t";
  bad_key[0].rows = {MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(1))}),
                     MakeWrite(WriteType::kPut, {{"id", Value::String("x")}})};
  Status status = store_->BatchWriteRows(kInstance, bad_key).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidPrimaryKey) << status.ToString();
  EXPECT_NE(status.message().find("row 1"), std::string::npos) << status.message();
  EXPECT_FALSE(Get(Key(1)).has_value());

  std::vector<TableWrites> missing(2);
  missing[0].table_name = "t";
  missing[0].rows = {MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(1))})};
  missing[1].table_name = "missing";
  missing[1].rows = {MakeWrite(WriteType::kPut, Key(1))};
  EXPECT_EQ(store_->BatchWriteRows(kInstance, missing).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Get(Key(1)).has_value());

  std::vector<TableWrites> key_named_column(1);
  key_named_column[0].table_name = "t";
  key_named_column[0].rows = {MakeWrite(WriteType::kPut, Key(1), {Put("id", Value::Integer(1))})};
  EXPECT_EQ(store_->BatchWriteRows(kInstance, key_named_column).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, BatchRequestLimits) {
  CreateIntTable("t");
  std::vector<TableWrites> writes(1);
  writes[0].table_name = "t";
  for (int i = 0; i < 201; ++i) writes[0].rows.push_back(MakeWrite(WriteType::kPut, Key(i)));
  EXPECT_EQ(store_->BatchWriteRows(kInstance, writes).status(),
            Status::InvalidArgument("Rows count exceeds the upper limit:200."));
  writes[0].rows.pop_back();
  EXPECT_TRUE(store_->BatchWriteRows(kInstance, writes).ok());
  std::vector<TableWrites> duplicated = {writes[0], writes[0]};
  duplicated[0].rows.resize(1);
  duplicated[1].rows.resize(1);
  EXPECT_EQ(store_->BatchWriteRows(kInstance, duplicated).status().code(),
            StatusCode::kInvalidArgument);

  std::vector<TableReads> reads(1);
  reads[0].table_name = "t";
  reads[0].options = Latest();
  for (int i = 0; i < 101; ++i) reads[0].primary_keys.push_back(Key(i));
  EXPECT_EQ(store_->BatchGetRows(kInstance, reads).status(),
            Status::InvalidArgument("Rows count exceeds the upper limit:100."));
}

TEST_F(StoreTest, BatchGetReturnsRowsInRequestOrder) {
  CreateIntTable("t");
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1), {Put("a", Value::Integer(1))})).ok());
  std::vector<TableReads> reads(1);
  reads[0].table_name = "t";
  reads[0].options = Latest();
  reads[0].primary_keys = {Key(2), Key(1)};
  Result<std::vector<std::vector<RowReadOutcome>>> outcomes =
      store_->BatchGetRows(kInstance, reads);
  ASSERT_TRUE(outcomes.ok());
  ASSERT_EQ((*outcomes)[0].size(), 2u);
  EXPECT_TRUE((*outcomes)[0][0].status.ok());
  EXPECT_FALSE((*outcomes)[0][0].row.has_value());
  ASSERT_TRUE((*outcomes)[0][1].row.has_value());
  EXPECT_EQ((*outcomes)[0][1].row->primary_key, Key(1));

  reads[0].primary_keys.push_back({{"id", Value::Binary("x")}});
  EXPECT_EQ(store_->BatchGetRows(kInstance, reads).status().code(), StatusCode::kInvalidPrimaryKey);
  reads[0].primary_keys.pop_back();
  reads.push_back(reads[0]);
  reads[1].table_name = "missing";
  EXPECT_EQ(store_->BatchGetRows(kInstance, reads).status().code(), StatusCode::kNotFound);
}

// --- AUTO_INCREMENT, durability, concurrency ------------------------------------------------

TEST_F(StoreTest, AutoIncrementGeneratesIncreasingKeys) {
  TableDescription table;
  table.name = "t";
  table.primary_key = {{"part", PrimaryKeyType::kString, false},
                       {"seq", PrimaryKeyType::kInteger, true}};
  ASSERT_TRUE(store_->CreateTable(kInstance, table).ok());
  auto put = [&](RowExistence existence) {
    RowWrite write =
        MakeWrite(WriteType::kPut, {{"part", Value::String("p")}, {"seq", Value::AutoIncrement()}},
                  {Put("a", Value::Integer(1))}, existence);
    write.return_type = ReturnType::kPrimaryKey;
    return store_->WriteRow(kInstance, "t", write);
  };
  EXPECT_EQ(put(RowExistence::kExpectNotExist).status().code(), StatusCode::kInvalidArgument);
  int64_t last = INT64_MIN;
  for (int i = 0; i < 3; ++i) {
    Result<RowWriteOutcome> outcome = put(RowExistence::kIgnore);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    ASSERT_TRUE(outcome->returned_row.has_value());
    const wire::Value& seq = outcome->returned_row->primary_key[1].value;
    ASSERT_EQ(seq.type(), wire::ValueType::kInteger);
    EXPECT_GT(seq.integer(), last);
    last = seq.integer();
    EXPECT_TRUE(Get({{"part", Value::String("p")}, {"seq", seq}}).has_value());
  }
  Reopen();
  Result<RowWriteOutcome> after = put(RowExistence::kIgnore);
  ASSERT_TRUE(after.ok());
  EXPECT_GT(after->returned_row->primary_key[1].value.integer(), last);
  // An update with Value::AutoIncrement() names a new row too; a delete cannot.
  EXPECT_TRUE(Write(MakeWrite(WriteType::kUpdate,
                              {{"part", Value::String("p")}, {"seq", Value::AutoIncrement()}},
                              {Put("a", Value::Integer(1))}))
                  .ok());
  EXPECT_EQ(Write(MakeWrite(WriteType::kDelete,
                            {{"part", Value::String("p")}, {"seq", Value::AutoIncrement()}}, {}))
                .code(),
            StatusCode::kInvalidPrimaryKey);
}

TEST_F(StoreTest, ReopenKeepsTablesAndRows) {
  CreateIntTable("t", 3, 86400 * 2);
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1),
                              {Put("a", Value::String("x")), Put("b", Value::Double(-0.5))}))
                  .ok());
  std::optional<wire::Row> before = Get(Key(1), AllVersions());
  TableDescription description = *store_->DescribeTable(kInstance, "t");
  Reopen();
  EXPECT_EQ(*store_->DescribeTable(kInstance, "t"), description);
  EXPECT_EQ(Get(Key(1), AllVersions()), before);
  CreateIntTable("t2");
  ASSERT_TRUE(Write(MakeWrite(WriteType::kPut, Key(1), {Put("c", Value::Integer(1))}), "t2").ok());
  EXPECT_EQ(Get(Key(1), AllVersions()), before) << "a new table gets a fresh id after reopen";
}

TEST_F(StoreTest, SyncedWritesSurviveReopen) {
  options_.sync_writes = true;
  Reopen();
  CreateIntTable("t");
  std::vector<TableWrites> batch(1);
  batch[0].table_name = "t";
  for (int64_t id = 0; id < 10; ++id) {
    batch[0].rows.push_back(MakeWrite(WriteType::kPut, Key(id), {Put("a", Value::Integer(id))}));
  }
  ASSERT_TRUE(store_->BatchWriteRows(kInstance, batch).ok());
  Reopen();
  for (int64_t id = 0; id < 10; ++id) {
    std::optional<wire::Row> row = Get(Key(id));
    ASSERT_TRUE(row.has_value()) << id;
    EXPECT_EQ(row->cells[0].value, Value::Integer(id));
  }
}

TEST_F(StoreTest, ConcurrentIncrementsAddUp) {
  CreateIntTable("t");
  constexpr int kThreads = 4;
  constexpr int kRounds = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        if (t % 2 == 0) {
          RowWrite write = MakeWrite(WriteType::kUpdate, Key(i % 2),
                                     {Op("n", CellOperation::kIncrement, Value::Integer(1))});
          if (!Write(write).ok()) ++failures;
        } else {
          std::vector<TableWrites> batch(1);
          batch[0].table_name = "t";
          for (int64_t id : {0, 1, 0}) {
            batch[0].rows.push_back(
                MakeWrite(WriteType::kUpdate, Key(id),
                          {Op("n", CellOperation::kIncrement, Value::Integer(1))}));
          }
          auto outcomes = store_->BatchWriteRows(kInstance, batch);
          if (!outcomes.ok())
            ++failures;
          else
            for (const RowWriteOutcome& outcome : (*outcomes)[0]) {
              if (!outcome.status.ok()) ++failures;
            }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  // Updaters: 2 threads x 100 increments split over the rows; batchers: 2 threads x 100 x (2, 1).
  EXPECT_EQ(Get(Key(0))->cells[0].value, Value::Integer(100 + 400));
  EXPECT_EQ(Get(Key(1))->cells[0].value, Value::Integer(100 + 200));
}

TEST_F(StoreTest, ComputeSplitPointsBySizeOnSmallTable) {
  CreateIntTable("t");
  Result<std::vector<PrimaryKey>> points = store_->ComputeSplitPointsBySize(kInstance, "t", 1);
  ASSERT_TRUE(points.ok());
  EXPECT_TRUE(points->empty());
  EXPECT_EQ(store_->ComputeSplitPointsBySize(kInstance, "nope", 1).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace otsync::store
