// Evaluation of logic and numeric / temporal predicates, checked against
// references computed here with plain loops. Strings and lists are in
// filter_eval_strings_test.cc.
#include "query/filter_eval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <tuple>

#include "query/comparison_bounds.h"
#include "query/filter_test_util.h"
#include "query/half_float.h"
#include "testing/sample_data.h"

namespace ixray::query {
namespace {

using test::Column;
using test::EvalFilter;
using test::kUnknown;
using test::MakeBatch;
using test::Tri;
using test::TriString;
using test::TypedArray;

#define EXPECT_FILTER(batch, filter, ...)                                                 \
  do {                                                                                    \
    auto _result = EvalFilter(filter, *(batch));                                          \
    ASSERT_TRUE(_result.ok()) << (filter) << ": " << _result.status().ToString();         \
    EXPECT_EQ(TriString(*_result), TriString(std::vector<Tri>(__VA_ARGS__))) << (filter); \
  } while (false)

constexpr Tri T = true;
constexpr Tri F = false;
constexpr Tri U = kUnknown;

TEST(FilterEvalTest, ThreeValuedLogicTruthTables) {
  Column<bool> p, q;
  for (Tri a : {T, F, U}) {
    for (Tri b : {T, F, U}) {
      p.push_back(a);
      q.push_back(b);
    }
  }
  auto batch =
      MakeBatch({{"p", TypedArray<bool>(boolean(), p)}, {"q", TypedArray<bool>(boolean(), q)}});
  const auto check = [&](std::string_view filter, auto reference) {
    std::vector<Tri> expected;
    for (size_t i = 0; i < p.size(); ++i) expected.push_back(reference(p[i], q[i]));
    auto got = EvalFilter(filter, *batch);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(TriString(*got), TriString(expected)) << filter;
  };
  using test::TriAnd, test::TriNot, test::TriOr;
  const auto eq = [](Tri a, Tri b) { return a && b ? Tri(*a == *b) : U; };
  check("p AND q", TriAnd);
  check("p OR q", TriOr);
  check("NOT p", [](Tri a, Tri) { return TriNot(a); });
  check("NOT (p AND q)", [](Tri a, Tri b) { return TriNot(TriAnd(a, b)); });
  check("NOT p OR NOT q", [](Tri a, Tri b) { return TriOr(TriNot(a), TriNot(b)); });
  check("p AND NOT q OR q", [](Tri a, Tri b) { return TriOr(TriAnd(a, TriNot(b)), b); });
  check("p IS NULL", [](Tri a, Tri) { return Tri(!a.has_value()); });
  check("p IS NOT NULL", [](Tri a, Tri) { return Tri(a.has_value()); });
  check("(p AND q) IS NULL", [](Tri a, Tri b) { return Tri(!TriAnd(a, b).has_value()); });
  check("(p OR q) IS NOT NULL", [](Tri a, Tri b) { return Tri(TriOr(a, b).has_value()); });
  check("p = q", eq);
  check("p != q", [&](Tri a, Tri b) { return TriNot(eq(a, b)); });
  check("p < q", [](Tri a, Tri b) { return a && b ? Tri(*a < *b) : U; });
  check("p = TRUE", [&](Tri a, Tri) { return eq(a, T); });
  check("p >= FALSE", [](Tri a, Tri) { return a ? T : U; });
  check("p = NULL", [](Tri, Tri) { return U; });
  check("p AND TRUE", [](Tri a, Tri) { return a; });
  check("p AND NULL", [](Tri a, Tri) { return TriAnd(a, U); });
  check("p OR NULL", [](Tri a, Tri) { return TriOr(a, U); });
  check("NULL", [](Tri, Tri) { return U; });
  check("NOT NULL", [](Tri, Tri) { return U; });
  check("NULL IS NULL", [](Tri, Tri) { return T; });
  check("FALSE", [](Tri, Tri) { return F; });
  check("p IN (TRUE)", [&](Tri a, Tri) { return eq(a, T); });
  check("p IN (TRUE, NULL)", [](Tri a, Tri) { return a == T ? T : U; });
  check("p NOT IN (TRUE, NULL)", [](Tri a, Tri) { return a == T ? F : U; });
  check("p IN (TRUE, FALSE)", [](Tri a, Tri) { return a ? T : U; });
  check("p AND q AND p OR NOT q",
        [](Tri a, Tri b) { return TriOr(TriAnd(TriAnd(a, b), a), TriNot(b)); });
}

// Comparison of a literal L with a value v, as exact reals (long double
// holds every int64, uint64 and double exactly). NaN compares false.
template <typename V>
bool ReferenceCompare(V v, CompareOp op, long double lit) {
  const long double x = static_cast<long double>(v);
  switch (op) {
    case CompareOp::kEq:
      return x == lit;
    case CompareOp::kNe:
      return x != lit;
    case CompareOp::kLt:
      return x < lit;
    case CompareOp::kLe:
      return x <= lit;
    case CompareOp::kGt:
      return x > lit;
    case CompareOp::kGe:
      return x >= lit;
  }
  return false;
}

long double LiteralValue(const Literal& lit) {
  switch (lit.kind()) {
    case LiteralKind::kInt64:
      return lit.int_value();
    case LiteralKind::kUInt64:
      return lit.uint_value();
    default:
      return lit.float_value();
  }
}

std::vector<Literal> EdgeLiterals() {
  return {Literal::Int64(0),
          Literal::Int64(1),
          Literal::Int64(-1),
          Literal::Int64(2),
          Literal::Float64(2.5),
          Literal::Float64(-2.5),
          Literal::Float64(2.0),
          Literal::Float64(0.5),
          Literal::Float64(-0.5),
          Literal::Int64(127),
          Literal::Int64(128),
          Literal::Int64(-128),
          Literal::Int64(-129),
          Literal::Int64(1000),
          Literal::Int64(255),
          Literal::Int64(256),
          Literal::Int64(65535),
          Literal::Int64(65536),
          Literal::Int64(std::numeric_limits<int32_t>::max()),
          Literal::Int64(std::numeric_limits<int32_t>::min()),
          Literal::Int64(std::numeric_limits<uint32_t>::max()),
          Literal::Int64(std::numeric_limits<int64_t>::min()),
          Literal::Int64(std::numeric_limits<int64_t>::max()),
          Literal::UInt64(uint64_t{1} << 63),
          Literal::UInt64(std::numeric_limits<uint64_t>::max()),
          Literal::Float64(9223372036854775808.0),
          Literal::Float64(-9223372036854775808.0),
          Literal::Float64(18446744073709551616.0),
          Literal::Float64(1e30),
          Literal::Float64(-1e30),
          Literal::Float64(2147483647.5),
          Literal::Float64(std::nan(""))};
}

template <typename Int>
Column<Int> EdgeValues() {
  using L = std::numeric_limits<Int>;
  Column<Int> values = {
      L::min(),          L::max(),          Int(0),   Int(1),  Int(2), Int(3), std::nullopt,
      Int(L::max() - 1), Int(L::min() + 1), Int(127), Int(100)};
  if constexpr (std::is_signed_v<Int>) {
    values.insert(values.end(), {Int(-1), Int(-2), Int(-3), Int(-128)});
  }
  values.push_back(std::nullopt);
  return values;
}

template <typename Int>
void CheckIntegerColumn(const TypePtr& type) {
  SCOPED_TRACE(type->ToString());
  const Column<Int> values = EdgeValues<Int>();
  auto batch = MakeBatch({{"x", TypedArray<Int>(type, values)}});
  auto column = *MakeColumn(*batch->schema(), "x");
  const auto literals = EdgeLiterals();
  for (const Literal& lit : literals) {
    for (CompareOp op : {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt, CompareOp::kLe,
                         CompareOp::kGt, CompareOp::kGe}) {
      auto expr = *MakeCompare(op, column, MakeLiteral(lit));
      auto mask = *Evaluate(*expr, *batch);
      std::vector<Tri> expected;
      for (const auto& v : values) {
        if (!v) {
          expected.push_back(U);
        } else if (std::isnan(LiteralValue(lit))) {
          expected.push_back(op == CompareOp::kNe);
        } else {
          expected.push_back(ReferenceCompare(*v, op, LiteralValue(lit)));
        }
      }
      EXPECT_EQ(TriString(test::ToTri(*mask)), TriString(expected)) << expr->ToString();
    }
  }
  // IN over every pair of literals, plus one with a NULL.
  for (size_t a = 0; a < literals.size(); ++a) {
    const size_t b = (a * 7 + 3) % literals.size();
    for (bool with_null : {false, true}) {
      std::vector<Literal> list = {literals[a], literals[b]};
      if (with_null) list.push_back(Literal::Null());
      auto expr = *MakeIn(column, list, false);
      std::vector<Tri> expected;
      for (const auto& v : values) {
        if (!v) {
          expected.push_back(U);
          continue;
        }
        bool hit = false;
        for (const auto& l : list) {
          hit |= !l.is_null() && ReferenceCompare(*v, CompareOp::kEq, LiteralValue(l));
        }
        expected.push_back(hit ? T : (with_null ? U : F));
      }
      EXPECT_EQ(TriString(test::ToTri(**Evaluate(*expr, *batch))), TriString(expected))
          << expr->ToString();
    }
  }
  // BETWEEN over pairs of bounds.
  for (size_t a = 0; a < literals.size(); ++a) {
    const Literal& lo = literals[a];
    const Literal& hi = literals[(a * 5 + 1) % literals.size()];
    auto expr = *MakeBetween(column, lo, hi, false);
    std::vector<Tri> expected;
    for (const auto& v : values) {
      if (!v) {
        expected.push_back(U);
        continue;
      }
      expected.push_back(ReferenceCompare(*v, CompareOp::kGe, LiteralValue(lo)) &&
                         ReferenceCompare(*v, CompareOp::kLe, LiteralValue(hi)));
    }
    EXPECT_EQ(TriString(test::ToTri(**Evaluate(*expr, *batch))), TriString(expected))
        << expr->ToString();
  }
}

TEST(FilterEvalTest, IntegerColumnsAgainstEdgeLiterals) {
  CheckIntegerColumn<int8_t>(int8());
  CheckIntegerColumn<int16_t>(int16());
  CheckIntegerColumn<int32_t>(int32());
  CheckIntegerColumn<int64_t>(int64());
  CheckIntegerColumn<uint8_t>(uint8());
  CheckIntegerColumn<uint16_t>(uint16());
  CheckIntegerColumn<uint32_t>(uint32());
  CheckIntegerColumn<uint64_t>(uint64());
}

TEST(FilterEvalTest, LiteralCoercionFromText) {
  auto batch = MakeBatch({{"i8", TypedArray<int8_t>(int8(), {-128, 1, 2, 3, std::nullopt, 127})}});
  EXPECT_FILTER(batch, "i8 < 1000", {T, T, T, T, U, T});
  EXPECT_FILTER(batch, "i8 > -1000", {T, T, T, T, U, T});
  EXPECT_FILTER(batch, "i8 = 1000", {F, F, F, F, U, F});
  EXPECT_FILTER(batch, "i8 != 1000", {T, T, T, T, U, T});
  EXPECT_FILTER(batch, "i8 < 2.5", {T, T, T, F, U, F});
  EXPECT_FILTER(batch, "i8 <= 2.5", {T, T, T, F, U, F});
  EXPECT_FILTER(batch, "i8 > 2.5", {F, F, F, T, U, T});
  EXPECT_FILTER(batch, "i8 >= -2.5", {F, T, T, T, U, T});
  EXPECT_FILTER(batch, "i8 = 2.0", {F, F, T, F, U, F});
  EXPECT_FILTER(batch, "i8 = 2.5", {F, F, F, F, U, F});
  EXPECT_FILTER(batch, "i8 != 2.5", {T, T, T, T, U, T});
  EXPECT_FILTER(batch, "2.5 > i8", {T, T, T, F, U, F});
  EXPECT_FILTER(batch, "i8 IN (1000, 1, 2.5, -128.0)", {T, T, F, F, U, F});
  EXPECT_FILTER(batch, "i8 BETWEEN -1000 AND 1000", {T, T, T, T, U, T});
  EXPECT_FILTER(batch, "i8 NOT BETWEEN 1.5 AND 1000", {T, T, F, F, U, F});
  EXPECT_FILTER(batch, "i8 <= -128", {T, F, F, F, U, F});
  EXPECT_FILTER(batch, "i8 < -128", {F, F, F, F, U, F});
  EXPECT_FILTER(batch, "i8 >= 127", {F, F, F, F, U, T});
}

TEST(FilterEvalTest, UInt64AboveInt64Max) {
  constexpr uint64_t kTop = uint64_t{1} << 63;
  auto batch = MakeBatch({{"u", TypedArray<uint64_t>(uint64(), {0, 1, kTop - 1, kTop, kTop + 1,
                                                                UINT64_MAX, std::nullopt})}});
  EXPECT_FILTER(batch, "u > 9223372036854775807", {F, F, F, T, T, T, U});
  EXPECT_FILTER(batch, "u >= 9223372036854775808", {F, F, F, T, T, T, U});
  EXPECT_FILTER(batch, "u = 18446744073709551615", {F, F, F, F, F, T, U});
  EXPECT_FILTER(batch, "u < 18446744073709551615", {T, T, T, T, T, F, U});
  EXPECT_FILTER(batch, "u <= 18446744073709551616", {T, T, T, T, T, T, U});
  EXPECT_FILTER(batch, "u < -1", {F, F, F, F, F, F, U});
  EXPECT_FILTER(batch, "u >= -5", {T, T, T, T, T, T, U});
  EXPECT_FILTER(batch, "u IN (18446744073709551615, 0, -1)", {T, F, F, F, F, T, U});
  EXPECT_FILTER(batch, "u BETWEEN 9223372036854775808 AND 18446744073709551615",
                {F, F, F, T, T, T, U});
  EXPECT_FILTER(batch, "u > 1e19", {F, F, F, F, F, T, U});
}

TEST(FilterEvalTest, HalfFloatConversions) {
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0x4100), 2.5f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfToFloat(0x0400), std::ldexp(1.0f, -14));
  EXPECT_EQ(HalfToFloat(0x8000), 0.0f);
  EXPECT_TRUE(std::signbit(HalfToFloat(0x8000)));
  EXPECT_EQ(HalfToFloat(0x7C00), INFINITY);
  EXPECT_EQ(HalfToFloat(0xFC00), -INFINITY);
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
  EXPECT_EQ(DoubleToHalf(0.1), 0x2E66);
  EXPECT_EQ(DoubleToHalf(65504), 0x7BFF);
  EXPECT_EQ(DoubleToHalf(65519.99), 0x7BFF);
  EXPECT_EQ(DoubleToHalf(65520), 0x7C00);
  EXPECT_EQ(DoubleToHalf(1.0 + std::ldexp(1.0, -11)), 0x3C00);  // tie: to even
  EXPECT_EQ(DoubleToHalf(1.0 + 3 * std::ldexp(1.0, -11)), 0x3C02);
  EXPECT_EQ(DoubleToHalf(std::ldexp(1.0, -25)), 0x0000);  // tie: to even (0)
  EXPECT_EQ(DoubleToHalf(std::ldexp(1.5, -25)), 0x0001);
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const auto h = static_cast<uint16_t>(bits);
    const float f = HalfToFloat(h);
    if (std::isnan(f)) continue;
    ASSERT_EQ(DoubleToHalf(f), h) << bits;
    ASSERT_EQ(RoundToHalfPrecision(f), static_cast<double>(f)) << bits;
  }
}

TEST(FilterEvalTest, Float16Column) {
  const double kNaN = std::nan("");
  Column<uint16_t> values;
  for (double v :
       std::vector<double>{0.1, 2.5, -2.0, 65504.0, 1e-7, 0.0, INFINITY, -INFINITY, kNaN}) {
    values.push_back(DoubleToHalf(v));
  }
  values.push_back(std::nullopt);
  auto batch = MakeBatch({{"h", TypedArray<uint16_t>(float16(), values)}});
  //                                   0.1 2.5 -2  max  tiny 0  inf -inf nan null
  EXPECT_FILTER(batch, "h = 0.1", {T, F, F, F, F, F, F, F, F, U});
  EXPECT_FILTER(batch, "h < 2.5", {T, F, T, F, T, T, F, T, F, U});
  EXPECT_FILTER(batch, "h <= 2.5", {T, T, T, F, T, T, F, T, F, U});
  EXPECT_FILTER(batch, "h != 2.5", {T, F, T, T, T, T, T, T, T, U});
  EXPECT_FILTER(batch, "h > 65504", {F, F, F, F, F, F, T, F, F, U});
  EXPECT_FILTER(batch, "h < 70000", {T, T, T, T, T, T, F, T, F, U});
  EXPECT_FILTER(batch, "h = 70000", {F, F, F, F, F, F, F, F, F, U});
  EXPECT_FILTER(batch, "h > 0", {T, T, F, T, T, F, T, F, F, U});
  EXPECT_FILTER(batch, "h = -2", {F, F, T, F, F, F, F, F, F, U});
  EXPECT_FILTER(batch, "h IN (0.1, 2.5, 7)", {T, T, F, F, F, F, F, F, F, U});
  EXPECT_FILTER(batch, "h BETWEEN -2 AND 0.1", {T, F, T, F, T, T, F, F, F, U});
  EXPECT_FILTER(batch, "h NOT BETWEEN -2 AND 0.1", {F, T, F, T, F, F, T, T, T, U});
}

TEST(FilterEvalTest, FloatColumnsFollowIeee) {
  const double kNaN = std::nan("");
  const Column<double> doubles = {0.0,      -0.0,      0.1,  2.5,          -2.5, 1e300,
                                  INFINITY, -INFINITY, kNaN, std::nullopt, 3.0,  5e-324};
  Column<float> floats;
  for (const auto& d : doubles) {
    floats.push_back(d ? std::optional<float>(static_cast<float>(*d)) : std::nullopt);
  }
  auto batch = MakeBatch({{"f64", TypedArray<double>(float64(), doubles)},
                          {"f32", TypedArray<float>(float32(), floats)}});
  auto f64 = *MakeColumn(*batch->schema(), "f64");
  auto f32 = *MakeColumn(*batch->schema(), "f32");
  const std::vector<Literal> literals = {
      Literal::Float64(0.1),     Literal::Float64(2.5),      Literal::Int64(3),
      Literal::Float64(-0.0),    Literal::Float64(1e300),    Literal::Float64(-1e300),
      Literal::Float64(kNaN),    Literal::Float64(INFINITY), Literal::Float64(5e-324),
      Literal::Int64(INT64_MAX), Literal::UInt64(UINT64_MAX)};
  for (const Literal& lit : literals) {
    for (CompareOp op : {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt, CompareOp::kLe,
                         CompareOp::kGt, CompareOp::kGe}) {
      const double l = static_cast<double>(LiteralValue(lit));
      // float32 columns see the literal rounded to float, unless that
      // overflows a finite literal.
      const float lf = static_cast<float>(l);
      const double l32 = std::isinf(lf) && !std::isinf(l) ? l : static_cast<double>(lf);
      for (const auto& [column, literal_seen] : {std::pair{f64, l}, std::pair{f32, l32}}) {
        auto expr = *MakeCompare(op, column, MakeLiteral(lit));
        std::vector<Tri> expected;
        for (const auto& v : doubles) {
          if (!v) {
            expected.push_back(U);
            continue;
          }
          const double x = column == f64 ? *v : static_cast<double>(static_cast<float>(*v));
          // Built-in double comparisons are IEEE 754.
          expected.push_back(ReferenceCompare(x, op, literal_seen));
        }
        EXPECT_EQ(TriString(test::ToTri(**Evaluate(*expr, *batch))), TriString(expected))
            << expr->ToString();
      }
    }
  }
  EXPECT_FILTER(batch, "f32 = 0.1", {F, F, T, F, F, F, F, F, F, U, F, F});
  EXPECT_FILTER(batch, "f64 = 0.1", {F, F, T, F, F, F, F, F, F, U, F, F});
  EXPECT_FILTER(batch, "f64 = 0", {T, T, F, F, F, F, F, F, F, U, F, F});
  EXPECT_FILTER(batch, "f32 < 1e300", {T, T, T, T, T, F, F, T, F, U, T, T});
  // (float)1e300 is inf, so row 5 of f32 holds inf.
  EXPECT_FILTER(batch, "f32 > 1e300", {F, F, F, F, F, T, T, F, F, U, F, F});
  EXPECT_FILTER(batch, "f64 IN (0.1, 3, 1e300)", {F, F, T, F, F, T, F, F, F, U, T, F});
  EXPECT_FILTER(batch, "f64 NOT IN (0.1, 3, 1e300)", {T, T, F, T, T, F, T, T, T, U, F, T});
  EXPECT_FILTER(batch, "f64 BETWEEN -2.5 AND 2.5", {T, T, T, T, T, F, F, F, F, U, F, T});
  EXPECT_FILTER(batch, "NOT (f64 < 1)", {F, F, F, T, F, T, T, F, T, U, T, F});
  EXPECT_FILTER(batch, "f64 != f64", {F, F, F, F, F, F, F, F, T, U, F, F});
  // A NaN literal (only programmatic): = false, != true.
  auto nan_eq = *MakeCompare(CompareOp::kEq, f64, MakeLiteral(Literal::Float64(kNaN)));
  EXPECT_EQ(SelectedRows(**Evaluate(*nan_eq, *batch)).size(), 0u);
  auto nan_in = *MakeIn(f64, {Literal::Float64(kNaN), Literal::Float64(2.5)}, false);
  EXPECT_EQ(SelectedRows(**Evaluate(*nan_in, *batch)), std::vector<uint32_t>{3});
}

TEST(FilterEvalTest, FloatInListsLongerThanEight) {
  Column<double> values = {std::nan(""), 1, 2, 3, 4.5, 100, -1, std::nullopt};
  auto batch = MakeBatch({{"x", TypedArray<double>(float64(), values)}});
  EXPECT_FILTER(batch, "x IN (1, 3, 5, 7, 9, 11, 13, 15, 17, 4.5)", {F, T, F, T, T, F, F, U});
  auto col = MakeBatch({{"x", TypedArray<int32_t>(int32(), {1, 2, 3, 40, std::nullopt})}});
  EXPECT_FILTER(col, "x IN (1, 3, 5, 7, 9, 11, 13, 15, 17, 2.5, 40)", {T, F, T, T, U});
  EXPECT_FILTER(col, "x NOT IN (1, 3, 5, 7, 9, 11, 13, 15, 17, 2.5, NULL)", {F, U, F, U, U});
}

TEST(FilterEvalTest, BetweenWithNullBounds) {
  auto batch = MakeBatch({{"x", TypedArray<int32_t>(int32(), {1, 5, 9, std::nullopt})}});
  EXPECT_FILTER(batch, "x BETWEEN 2 AND 8", {F, T, F, U});
  EXPECT_FILTER(batch, "x BETWEEN 8 AND 2", {F, F, F, U});
  EXPECT_FILTER(batch, "x BETWEEN NULL AND 5", {U, U, F, U});
  EXPECT_FILTER(batch, "x BETWEEN 5 AND NULL", {F, U, U, U});
  EXPECT_FILTER(batch, "x NOT BETWEEN NULL AND 5", {U, U, T, U});
  EXPECT_FILTER(batch, "x IN (NULL)", {U, U, U, U});
  EXPECT_FILTER(batch, "x NOT IN (1, NULL)", {F, U, U, U});
  EXPECT_FILTER(batch, "x IS NOT NULL AND x NOT IN (1)", {F, T, T, F});
}

TEST(FilterEvalTest, DatesAndTimestamps) {
  const int32_t jan31 = *ParseDate("2024-01-31");
  auto batch = MakeBatch(
      {{"d", TypedArray<int32_t>(date32(), {jan31 - 1, jan31, jan31 + 1, std::nullopt, -1})},
       {"ts", TypedArray<int64_t>(timestamp(), {*ParseTimestamp("2024-01-31 11:59:59.999999"),
                                                *ParseTimestamp("2024-01-31 12:00:00"),
                                                *ParseTimestamp("2024-01-31 12:00:00.5"),
                                                *ParseTimestamp("2024-02-01"), std::nullopt})},
       {"tz", TypedArray<int64_t>(timestamp("UTC"), {0, 1, -1, std::nullopt, 0})}});
  EXPECT_FILTER(batch, "d = date '2024-01-31'", {F, T, F, U, F});
  EXPECT_FILTER(batch, "d < '2024-01-31'", {T, F, F, U, T});
  EXPECT_FILTER(batch, "d >= '2024-01-31'", {F, T, T, U, F});
  EXPECT_FILTER(batch, "d = date '1969-12-31'", {F, F, F, U, T});
  EXPECT_FILTER(batch, "d BETWEEN date '2024-01-01' AND date '2024-01-31'", {T, T, F, U, F});
  // Dates against timestamps: a date stands for its midnight.
  EXPECT_FILTER(batch, "d < timestamp '2024-01-31 12:00:00'", {T, T, F, U, T});
  EXPECT_FILTER(batch, "d > timestamp '2024-01-31 12:00:00'", {F, F, T, U, F});
  EXPECT_FILTER(batch, "d = timestamp '2024-01-31 12:00:00'", {F, F, F, U, F});
  EXPECT_FILTER(batch, "d = timestamp '2024-01-31 00:00:00'", {F, T, F, U, F});
  EXPECT_FILTER(batch, "d <= '2024-01-30 23:59:59'", {T, F, F, U, T});
  EXPECT_FILTER(batch, "d IN (date '2024-01-30', timestamp '2024-02-01 00:00:00')",
                {T, F, T, U, F});
  EXPECT_FILTER(batch, "ts >= timestamp '2024-01-31T12:00:00'", {F, T, T, T, U});
  EXPECT_FILTER(batch, "ts > timestamp '2024-01-31 12:00:00.499999'", {F, F, T, T, U});
  EXPECT_FILTER(batch, "ts = '2024-01-31 12:00:00.5'", {F, F, T, F, U});
  EXPECT_FILTER(batch, "ts < date '2024-02-01'", {T, T, T, F, U});
  EXPECT_FILTER(batch, "ts = date '2024-02-01'", {F, F, F, T, U});
  EXPECT_FILTER(batch, "ts BETWEEN '2024-01-31 12:00:00' AND '2024-01-31 13:00:00'",
                {F, T, T, F, U});
  EXPECT_FILTER(batch, "tz > timestamp '1970-01-01 00:00:00'", {F, T, F, U, F});
  EXPECT_FILTER(batch, "tz < '1970-01-01'", {F, F, T, U, F});
  EXPECT_FILTER(batch, "ts > d", {T, T, F, U, U});
}

TEST(FilterEvalTest, ColumnAgainstColumn) {
  auto batch =
      MakeBatch({{"a", TypedArray<int32_t>(int32(), {1, 2, 3, std::nullopt, 5})},
                 {"b", TypedArray<uint64_t>(uint64(), {1, 1, UINT64_MAX, 4, std::nullopt})},
                 {"f", TypedArray<float>(float32(), {1.5f, 2.0f, std::nanf(""), 0, 0})},
                 {"s", TypedArray<std::string>(utf8(), {"a", "b", "c", "d", "e"})},
                 {"t", TypedArray<std::string>(large_utf8(), {"a", "a", "d", "d", std::nullopt})}});
  EXPECT_FILTER(batch, "a = b", {T, F, F, U, U});
  EXPECT_FILTER(batch, "a < b", {F, F, T, U, U});
  EXPECT_FILTER(batch, "b >= a", {T, F, T, U, U});
  EXPECT_FILTER(batch, "a < f", {T, F, F, U, F});
  EXPECT_FILTER(batch, "a != f", {T, F, T, U, T});
  EXPECT_FILTER(batch, "s = t", {T, F, F, T, U});
  EXPECT_FILTER(batch, "s > t", {F, T, F, F, U});
}

TEST(FilterEvalTest, IsNullOnEveryType) {
  auto batch = ixray::testing::MakeSampleBatch(50, 3, 42);
  for (int c = 0; c < batch->num_columns(); ++c) {
    const std::string name = batch->schema()->field(c)->name;
    auto got = EvalFilter(name + " IS NULL", *batch);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    auto negated = EvalFilter(name + " IS NOT NULL", *batch);
    ASSERT_TRUE(negated.ok());
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      EXPECT_EQ((*got)[i], Tri(batch->column(c)->IsNull(i))) << name << " row " << i;
      EXPECT_EQ((*negated)[i], Tri(batch->column(c)->IsValid(i))) << name << " row " << i;
    }
  }
}

// Evaluating a slice (arrays with an offset) must equal slicing the result.
TEST(FilterEvalTest, SlicedBatchesMatchFullEvaluation) {
  auto full = ixray::testing::MakeSampleBatch(300, 5, 7);
  // c0 bool, c1 int8, c3 int32, c8 uint64, c9 float16, c10 float32, c12 string,
  // c13 large_string, c14 binary, c15 date32, c16 timestamp, c18 list<string>.
  const char* filters[] = {
      "c0",
      "NOT c0 OR c1 > 10",
      "c1 < 2.5 AND c3 >= 20000",
      "c3 IN (1, 2, 3, 100, 200, 300, 400, 500, 600, 700, NULL)",
      "c8 > 9223372036854775807",
      "c9 < 0.5 AND c10 > -0.25",
      "c12 LIKE '%a%' OR c13 LIKE 'b_%'",
      "c14 >= 'm' AND contains(c12, 'e')",
      "c15 BETWEEN date '1970-06-01' AND date '2050-01-01'",
      "c16 IS NULL OR c12 IN ('abc', 'q')",
      "array_has_any(c18, ['a', 'b', 'c']) OR array_has_all(c18, [])",
      "c12 < c13",
  };
  for (const char* filter : filters) {
    auto expr = ParseFilter(filter, *full->schema());
    ASSERT_TRUE(expr.ok()) << filter << ": " << expr.status().ToString();
    auto whole = test::ToTri(**Evaluate(**expr, *full));
    for (int64_t offset : {1, 7, 64, 123}) {
      auto slice = full->Slice(offset, full->num_rows() - offset - 3);
      auto part = test::ToTri(**Evaluate(**expr, *slice));
      ASSERT_EQ(static_cast<int64_t>(part.size()), slice->num_rows());
      for (size_t i = 0; i < part.size(); ++i) {
        ASSERT_EQ(part[i], whole[offset + i]) << filter << " offset " << offset << " row " << i;
      }
    }
  }
}

TEST(FilterEvalTest, MaskArrayAndSelectedRows) {
  auto batch = MakeBatch({{"x", TypedArray<int64_t>(int64(), {5, std::nullopt, 7, 1, 9})}});
  auto expr = *ParseFilter("x > 4", *batch->schema());
  auto mask = *Evaluate(*expr, *batch);
  EXPECT_TRUE(mask->type()->Equals(*boolean()));
  EXPECT_EQ(mask->length(), 5);
  EXPECT_EQ(mask->null_count(), 1);
  EXPECT_TRUE(mask->Validate().ok());
  EXPECT_EQ(SelectedRows(*mask), (std::vector<uint32_t>{0, 2, 4}));
  EXPECT_EQ(*FilterIndices(*expr, *batch), (std::vector<uint32_t>{0, 2, 4}));
  EXPECT_EQ(SelectedRows(*mask->Slice(1, 3)), (std::vector<uint32_t>{1}));
  auto all_valid = *Evaluate(**ParseFilter("x IS NULL", *batch->schema()), *batch);
  EXPECT_EQ(all_valid->null_count(), 0);
  EXPECT_EQ(all_valid->buffer(0), nullptr);
  auto empty = batch->Slice(0, 0);
  EXPECT_EQ((*Evaluate(*expr, *empty))->length(), 0);
}

TEST(FilterEvalTest, BatchMustMatchTheBoundColumns) {
  auto batch = MakeBatch(
      {{"a", TypedArray<int32_t>(int32(), {1, 2})}, {"b", TypedArray<int32_t>(int32(), {3, 4})}});
  auto expr = *ParseFilter("b > 3", *batch->schema());
  // Found by name when the position differs.
  auto reordered = MakeBatch({{"b", TypedArray<int32_t>(int32(), {3, 4})}});
  EXPECT_EQ(*FilterIndices(*expr, *reordered), std::vector<uint32_t>{1});
  auto missing = MakeBatch({{"a", TypedArray<int32_t>(int32(), {1, 2})}});
  EXPECT_EQ(Evaluate(*expr, *missing).status().code(), StatusCode::kInvalidArgument);
  auto retyped = MakeBatch(
      {{"a", TypedArray<int32_t>(int32(), {1, 2})}, {"b", TypedArray<int64_t>(int64(), {3, 4})}});
  EXPECT_EQ(Evaluate(*expr, *retyped).status().code(), StatusCode::kTypeError);
  auto not_predicate = MakeLiteral(Literal::Int64(1));
  EXPECT_EQ(Evaluate(*not_predicate, *batch).status().code(), StatusCode::kTypeError);
}

TEST(FilterEvalTest, NormalizeIntegerComparisonForPlanners) {
  auto c = NormalizeIntegerComparison(CompareOp::kLt, Literal::Float64(2.5), *int32());
  EXPECT_EQ(c.outcome, ComparisonOutcome::kCompare);
  EXPECT_EQ(c.op, CompareOp::kLt);
  EXPECT_EQ(static_cast<int64_t>(c.value), 3);
  c = NormalizeIntegerComparison(CompareOp::kLt, Literal::Int64(1000), *int8());
  EXPECT_EQ(c.outcome, ComparisonOutcome::kAlwaysTrue);
  c = NormalizeIntegerComparison(CompareOp::kEq, Literal::Float64(0.5), *int64());
  EXPECT_EQ(c.outcome, ComparisonOutcome::kAlwaysFalse);
  c = NormalizeIntegerComparison(CompareOp::kGe, Literal::Timestamp(kMicrosPerDay + 1), *date32());
  EXPECT_EQ(c.outcome, ComparisonOutcome::kCompare);
  EXPECT_EQ(static_cast<int64_t>(c.value), 2);
}

}  // namespace
}  // namespace ixray::query
