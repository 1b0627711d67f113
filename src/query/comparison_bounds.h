// Exact comparison of a column with a literal of another numeric type.
//
// A literal keeps the value the user wrote (literal.h). Before comparing, it
// is brought into the column's domain here, once per batch, so the per-row
// loops compare values of the column's own storage type:
//
//   Integer-stored columns (int8..uint64; date32 as days; timestamp as
//   microseconds) compare exactly with any integer, float, date or timestamp
//   literal: `int8_col < 1000` is true for every non-null row, `int_col < 2.5`
//   is `int_col <= 2`, `int_col = 2.5` is false, `uint64_col > 2^63` works,
//   `date_col < timestamp '2024-01-02 12:00:00'` is `date_col <= 2024-01-02`.
//   The outcome is a comparison with a value that fits the storage type, or
//   a constant for every non-null row.
//
//   Float columns (float16, float32, float64) compare in double precision
//   with the literal rounded to the column's precision first (as a cast of
//   the literal to the column's type would), so `float32_col = 0.1` matches
//   the float32 value nearest 0.1. A finite literal beyond the column's range
//   is kept unrounded so it still orders correctly against +-inf. NaN
//   follows IEEE 754: NaN compares false with everything, and `!=` is true.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "ixray/type.h"
#include "query/expression.h"
#include "query/literal.h"

namespace ixray::query {

// What a comparison means for the non-null rows of a column.
enum class ComparisonOutcome : uint8_t {
  kCompare,      // compare each value with IntegerComparison::value using op
  kAlwaysTrue,   // every non-null row matches
  kAlwaysFalse,  // no row matches
};

struct IntegerComparison {
  ComparisonOutcome outcome = ComparisonOutcome::kAlwaysFalse;
  CompareOp op = CompareOp::kEq;
  // Within the range of the column's storage type when outcome is kCompare,
  // so a static_cast to that type is exact.
  __int128 value = 0;
};

// True for the types compared through NormalizeIntegerComparison: integers,
// date32 and timestamp.
bool IsIntegerStored(TypeId id);

// `column op literal` over an integer-stored column, made exact (see above).
// REQUIRES: IsIntegerStored(column_type.id()); `literal` non-null and, for
// integer columns, a number; for date32 and timestamp columns, a date or a
// timestamp (the binder converts strings; see expression.h).
IntegerComparison NormalizeIntegerComparison(CompareOp op, const Literal& literal,
                                             const DataType& column_type);

// The literal as a double in the precision of the float column (see above).
// REQUIRES: column_type is float16, float32 or float64; `literal` a number.
double CoerceToFloatColumn(const Literal& literal, TypeId column_type);

}  // namespace ixray::query
