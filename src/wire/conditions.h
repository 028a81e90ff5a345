// Row conditions and column filters (docs/protocol.md §2.9) as the storage engine evaluates them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wire/row.h"

namespace otsync::wire {

enum class RowExistence : uint8_t { kIgnore = 0, kExpectExist = 1, kExpectNotExist = 2 };

enum class Comparator : uint8_t {
  kEqual = 1,
  kNotEqual = 2,
  kGreaterThan = 3,
  kGreaterEqual = 4,
  kLessThan = 5,
  kLessEqual = 6,
};

enum class LogicalOperator : uint8_t { kNot = 1, kAnd = 2, kOr = 3 };

// A column filter tree. kind selects which fields are meaningful.
struct Filter {
  enum class Kind : uint8_t { kSingleColumn = 1, kComposite = 2, kColumnPagination = 3 };
  Kind kind = Kind::kSingleColumn;

  // kSingleColumn.
  Comparator comparator = Comparator::kEqual;
  std::string column_name;
  Value value;
  bool filter_if_missing = false;  // true: a row without the column does not pass.
  bool latest_version_only = true;

  // kComposite: NOT takes one child, AND/OR two or more.
  LogicalOperator combinator = LogicalOperator::kAnd;
  std::vector<Filter> children;

  // kColumnPagination.
  int32_t offset = 0;
  int32_t limit = 0;
};

struct Condition {
  RowExistence row_existence = RowExistence::kIgnore;
  std::optional<Filter> column_condition;
};

}  // namespace otsync::wire
