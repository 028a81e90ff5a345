#include "store/filter_evaluator.h"

namespace otsync::store {
namespace {

bool Compare(wire::Comparator comparator, const wire::Value& cell, const wire::Value& operand) {
  if (cell.type() != operand.type()) return comparator == wire::Comparator::kNotEqual;
  const int order = cell.Compare(operand);
  switch (comparator) {
    case wire::Comparator::kEqual:
      return order == 0;
    case wire::Comparator::kNotEqual:
      return order != 0;
    case wire::Comparator::kGreaterThan:
      return order > 0;
    case wire::Comparator::kGreaterEqual:
      return order >= 0;
    case wire::Comparator::kLessThan:
      return order < 0;
    case wire::Comparator::kLessEqual:
      return order <= 0;
  }
  return false;
}

bool EvaluateSingleColumn(const wire::Filter& filter, const StoredRow& row) {
  const StoredColumn* column = row.Find(filter.column_name);
  if (column == nullptr || column->versions.empty()) return !filter.filter_if_missing;
  if (filter.latest_version_only) {
    return Compare(filter.comparator, column->versions.front().value, filter.value);
  }
  for (const StoredVersion& version : column->versions) {
    if (Compare(filter.comparator, version.value, filter.value)) return true;
  }
  return false;
}

}  // namespace

Status ValidateFilter(const wire::Filter& filter, bool pagination_allowed) {
  switch (filter.kind) {
    case wire::Filter::Kind::kSingleColumn:
      if (filter.column_name.empty()) {
        return Status::InvalidArgument("A column filter must name its column.");
      }
      return Status::OK();
    case wire::Filter::Kind::kColumnPagination:
      if (!pagination_allowed) {
        return Status::InvalidArgument("A column pagination filter is not allowed here.");
      }
      if (filter.offset < 0 || filter.limit <= 0) {
        return Status::InvalidArgument(
            "A column pagination filter needs offset >= 0 and limit > 0.");
      }
      return Status::OK();
    case wire::Filter::Kind::kComposite: {
      const size_t children = filter.children.size();
      if (filter.combinator == wire::LogicalOperator::kNot && children != 1) {
        return Status::InvalidArgument("The NOT operator takes exactly one sub filter.");
      }
      if (filter.combinator != wire::LogicalOperator::kNot && children < 2) {
        return Status::InvalidArgument("The AND and OR operators take at least two sub filters.");
      }
      for (const wire::Filter& child : filter.children) {
        OTSYNC_RETURN_IF_ERROR(ValidateFilter(child, /*pagination_allowed=*/false));
      }
      return Status::OK();
    }
  }
  return Status::InvalidArgument("Unknown filter type.");
}

bool EvaluateFilter(const wire::Filter& filter, const StoredRow& row) {
  switch (filter.kind) {
    case wire::Filter::Kind::kSingleColumn:
      return EvaluateSingleColumn(filter, row);
    case wire::Filter::Kind::kColumnPagination:
      return true;
    case wire::Filter::Kind::kComposite:
      switch (filter.combinator) {
        case wire::LogicalOperator::kNot:
          return !filter.children.empty() && !EvaluateFilter(filter.children.front(), row);
        case wire::LogicalOperator::kAnd:
          for (const wire::Filter& child : filter.children) {
            if (!EvaluateFilter(child, row)) return false;
          }
          return true;
        case wire::LogicalOperator::kOr:
          for (const wire::Filter& child : filter.children) {
            if (EvaluateFilter(child, row)) return true;
          }
          return false;
      }
  }
  return false;
}

}  // namespace otsync::store
