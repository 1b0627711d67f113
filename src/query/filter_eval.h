// Evaluating a filter predicate (expression.h) on a record batch.
//
// The result is a bool Array with one slot per row, where a null slot means
// UNKNOWN under SQL three-valued logic:
//   - a comparison, IN, BETWEEN, LIKE or function with a NULL operand is
//     UNKNOWN (NULL = NULL too);
//   - FALSE AND UNKNOWN is FALSE, TRUE OR UNKNOWN is TRUE, NOT UNKNOWN is
//     UNKNOWN;
//   - x IN (1, NULL) is TRUE when x = 1 and UNKNOWN otherwise (never FALSE);
//     NOT IN is its negation;
//   - IS [NOT] NULL is never UNKNOWN;
//   - array_has_any / array_has_all of a null list is UNKNOWN; null items in
//     a list are ignored (see list_kernels.cc).
// A scan keeps the rows that are TRUE (valid and set); SelectedRows() lists
// them.
//
// Floats follow IEEE 754: NaN compares false with everything (NaN = NaN is
// FALSE, NaN != x is TRUE), is in no IN list, and is not BETWEEN anything.
// Literals are compared exactly with integer, date and timestamp columns and
// rounded to the column's precision for float columns (comparison_bounds.h).
//
// Columns are found in the batch by the bound field index when the name
// there matches, else by name, so a batch may hold a subset or a reordering
// of the bound schema's columns; a missing column is InvalidArgument and a
// column of another type TypeError.
//
// Thread safety: pure functions; a predicate may be evaluated on many
// batches from many threads at once.
#pragma once

#include <cstdint>
#include <vector>

#include "ixray/array.h"
#include "ixray/record_batch.h"
#include "ixray/status.h"
#include "query/expression.h"

namespace ixray::query {

// The three-valued outcome of `predicate` for every row of `batch`, as a
// bool array of batch.num_rows() slots (null = UNKNOWN).
// REQUIRES: predicate.IsPredicate() (TypeError otherwise).
Result<ArrayPtr> Evaluate(const Expr& predicate, const RecordBatch& batch);

// The indices of the slots of `mask` that are valid and true, ascending.
// REQUIRES: mask is a bool array of fewer than 2^32 slots.
std::vector<uint32_t> SelectedRows(const Array& mask);

// The rows of `batch` where `predicate` is TRUE: SelectedRows(Evaluate(...))
// without building the intermediate array.
Result<std::vector<uint32_t>> FilterIndices(const Expr& predicate, const RecordBatch& batch);

}  // namespace ixray::query
