// Per-batch kernels of the filter evaluator (internal to src/query).
//
// Every kernel fills a TriMask, the three-valued result of a predicate for
// each row of a batch: a row is TRUE, FALSE or UNKNOWN (SQL NULL). The
// kernels compare a column with literals in tight loops over the column's
// own storage type, with the operator a template parameter, so there is no
// per-row dispatch. They work in two steps: the loop writes the raw outcome
// of each slot into is_true (null slots included; their contents are
// ignored), then FinishComparison() applies the column's validity.
//
// Thread safety: pure functions over immutable arrays.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ixray/array.h"
#include "ixray/status.h"
#include "query/expression.h"
#include "query/literal.h"

namespace ixray::query {

// One byte per row, 0 or 1: both zero means UNKNOWN. Bytes instead of bits
// keep the combining loops simple and let the compiler vectorize them.
struct TriMask {
  TriMask() = default;
  explicit TriMask(int64_t length) : is_true(length, 0), is_false(length, 0) {}
  int64_t length() const { return static_cast<int64_t>(is_true.size()); }

  std::vector<uint8_t> is_true;
  std::vector<uint8_t> is_false;
};

// Turns the raw outcomes in out->is_true into a comparison result: a null
// slot of `column` becomes UNKNOWN, a valid one TRUE or FALSE.
void FinishComparison(const Array& column, TriMask* out);
// Makes every row where `column` is null UNKNOWN.
void MaskByValidity(const Array& column, TriMask* out);

// column op literal. REQUIRES: the literal was bound to the column's type
// by the factories of expression.h.
void CompareWithLiteral(const Array& column, CompareOp op, const Literal& literal, TriMask* out);
// lhs op rhs for two columns of one family (see MakeCompare).
Status CompareColumns(const Array& lhs, CompareOp op, const Array& rhs, TriMask* out);
// column IN (values): TRUE on a match; else UNKNOWN if a value is NULL.
void EvaluateIn(const Array& column, const std::vector<Literal>& values, TriMask* out);

// REQUIRES: a string-like column and a string or NULL literal.
void EvaluateLike(const Array& column, const Literal& pattern, TriMask* out);
void EvaluateContains(const Array& column, const Literal& substring, TriMask* out);

// REQUIRES: a list column of a string-like type and string literals.
void EvaluateArrayHas(const Array& column, const std::vector<Literal>& values, bool require_all,
                      TriMask* out);

// Calls fn(i, std::string_view) for each slot of a string-like array, in a
// loop specialized for the width of its offsets.
template <typename Fn>
void ForEachString(const Array& array, Fn&& fn) {
  if (array.length() == 0) return;
  const auto loop = [&](const auto* offsets) {
    const char* data = reinterpret_cast<const char*>(array.buffer(2)->data());
    const int64_t n = array.length();
    for (int64_t i = 0; i < n; ++i) {
      fn(i, std::string_view(data + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])));
    }
  };
  if (array.type()->has_large_offsets()) {
    loop(array.buffer(1)->data_as<int64_t>() + array.offset());
  } else {
    loop(array.buffer(1)->data_as<int32_t>() + array.offset());
  }
}

}  // namespace ixray::query
