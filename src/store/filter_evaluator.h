// Column filters (docs/protocol.md §2.9) evaluated on a stored row: row conditions of writes and
// the `filter` of GetRow / GetRange / BatchGetRow share this evaluator.
#pragma once

#include "base/status.h"
#include "store/row_codec.h"
#include "wire/conditions.h"

namespace otsync::store {

// Structural rules: NOT takes exactly one child, AND/OR at least two; a column pagination filter
// only at the top of a read filter (never in a write condition or inside a composite).
Status ValidateFilter(const wire::Filter& filter, bool pagination_allowed);

// Whether `row` passes. `row` holds exactly the versions the caller may see (TTL, time range and
// max_versions already applied), newest first. A single-column comparison between values of
// different types is false, except NOT_EQUAL which is true. A missing column passes unless
// filter_if_missing. A top-level column pagination filter passes (it shapes the result instead).
bool EvaluateFilter(const wire::Filter& filter, const StoredRow& row);

}  // namespace otsync::store
