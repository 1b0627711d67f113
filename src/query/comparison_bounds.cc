#include "query/comparison_bounds.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "query/half_float.h"

namespace ixray::query {

double RoundToHalfPrecision(double value) {
  if (!std::isfinite(value) || value == 0) return value;
  const double magnitude = std::fabs(value);
  // 65520 is halfway between the largest half (65504) and 65536; the tie
  // rounds to the even side, which is out of range.
  if (magnitude >= 65520.0) return std::copysign(std::numeric_limits<double>::infinity(), value);
  int exponent = 0;
  std::frexp(magnitude, &exponent);  // magnitude in [2^(exponent-1), 2^exponent)
  // Halves have 10 fraction bits; below 2^-14 the spacing stays 2^-24.
  const double quantum = std::ldexp(1.0, std::max(exponent - 11, -24));
  return std::copysign(std::nearbyint(magnitude / quantum) * quantum, value);
}

uint16_t DoubleToHalf(double value) {
  const uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  if (std::isnan(value)) return sign | 0x7e00;
  const double magnitude = std::fabs(RoundToHalfPrecision(value));
  if (std::isinf(magnitude)) return sign | 0x7c00;
  if (magnitude < std::ldexp(1.0, -14)) {
    return sign | static_cast<uint16_t>(magnitude / std::ldexp(1.0, -24));
  }
  int exponent = 0;
  std::frexp(magnitude, &exponent);
  const int unbiased = exponent - 1;
  const double fraction = magnitude / std::ldexp(1.0, unbiased) - 1.0;  // exact
  return sign | static_cast<uint16_t>((unbiased + 15) << 10) |
         static_cast<uint16_t>(fraction * 1024);
}

bool IsIntegerStored(TypeId id) {
  return (id >= TypeId::kInt8 && id <= TypeId::kUInt64) || id == TypeId::kDate32 ||
         id == TypeId::kTimestamp;
}

namespace {

// A literal as a real number L: floor(L) and ceil(L), equal when L is an
// integer. Magnitudes beyond 2^100 are clamped there: past every storage
// range, so all comparisons come out the same.
struct RealBound {
  bool nan = false;
  __int128 floor = 0;
  __int128 ceil = 0;
};

constexpr __int128 kSaturation = static_cast<__int128>(1) << 100;

RealBound Exact(__int128 v) { return {false, v, v}; }

__int128 FloorDiv(__int128 a, __int128 b) {
  __int128 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

RealBound BoundOf(const Literal& literal, TypeId column) {
  switch (literal.kind()) {
    case LiteralKind::kInt64:
      return Exact(literal.int_value());
    case LiteralKind::kUInt64:
      return Exact(static_cast<__int128>(literal.uint_value()));
    case LiteralKind::kFloat64: {
      const double d = literal.float_value();
      if (std::isnan(d)) return {true, 0, 0};
      if (d >= 0x1p100) return Exact(kSaturation);
      if (d <= -0x1p100) return Exact(-kSaturation);
      return {false, static_cast<__int128>(std::floor(d)), static_cast<__int128>(std::ceil(d))};
    }
    case LiteralKind::kDate32:
      return Exact(column == TypeId::kTimestamp
                       ? static_cast<__int128>(literal.int_value()) * kMicrosPerDay
                       : literal.int_value());
    case LiteralKind::kTimestamp:
      if (column == TypeId::kDate32) {
        const __int128 floor = FloorDiv(literal.int_value(), kMicrosPerDay);
        const bool exact = literal.int_value() % kMicrosPerDay == 0;
        return {false, floor, exact ? floor : floor + 1};
      }
      return Exact(literal.int_value());
    default:
      return {true, 0, 0};  // not comparable: no row matches
  }
}

template <typename T>
void StorageRange(__int128* lo, __int128* hi) {
  *lo = std::numeric_limits<T>::min();
  *hi = std::numeric_limits<T>::max();
}

void RangeOf(TypeId id, __int128* lo, __int128* hi) {
  switch (id) {
    case TypeId::kInt8:
      return StorageRange<int8_t>(lo, hi);
    case TypeId::kInt16:
      return StorageRange<int16_t>(lo, hi);
    case TypeId::kInt32:
    case TypeId::kDate32:
      return StorageRange<int32_t>(lo, hi);
    case TypeId::kUInt8:
      return StorageRange<uint8_t>(lo, hi);
    case TypeId::kUInt16:
      return StorageRange<uint16_t>(lo, hi);
    case TypeId::kUInt32:
      return StorageRange<uint32_t>(lo, hi);
    case TypeId::kUInt64:
      return StorageRange<uint64_t>(lo, hi);
    default:
      return StorageRange<int64_t>(lo, hi);
  }
}

IntegerComparison Always(bool value) {
  IntegerComparison out;
  out.outcome = value ? ComparisonOutcome::kAlwaysTrue : ComparisonOutcome::kAlwaysFalse;
  return out;
}

IntegerComparison CompareWith(CompareOp op, __int128 value) {
  return {ComparisonOutcome::kCompare, op, value};
}

}  // namespace

IntegerComparison NormalizeIntegerComparison(CompareOp op, const Literal& literal,
                                             const DataType& column_type) {
  const RealBound bound = BoundOf(literal, column_type.id());
  if (bound.nan) return Always(op == CompareOp::kNe);
  __int128 lo, hi;
  RangeOf(column_type.id(), &lo, &hi);
  const bool exact = bound.floor == bound.ceil;
  // For an integer x and a real L:
  //   x < L  <=> x < ceil(L)     x <= L <=> x <= floor(L)
  //   x > L  <=> x > floor(L)    x >= L <=> x >= ceil(L)
  switch (op) {
    case CompareOp::kEq:
      if (!exact || bound.floor < lo || bound.floor > hi) return Always(false);
      return CompareWith(op, bound.floor);
    case CompareOp::kNe:
      if (!exact || bound.floor < lo || bound.floor > hi) return Always(true);
      return CompareWith(op, bound.floor);
    case CompareOp::kLt:
      if (bound.ceil > hi) return Always(true);
      if (bound.ceil <= lo) return Always(false);
      return CompareWith(op, bound.ceil);
    case CompareOp::kLe:
      if (bound.floor >= hi) return Always(true);
      if (bound.floor < lo) return Always(false);
      return CompareWith(op, bound.floor);
    case CompareOp::kGt:
      if (bound.floor >= hi) return Always(false);
      if (bound.floor < lo) return Always(true);
      return CompareWith(op, bound.floor);
    case CompareOp::kGe:
      if (bound.ceil <= lo) return Always(true);
      if (bound.ceil > hi) return Always(false);
      return CompareWith(op, bound.ceil);
  }
  return Always(false);
}

double CoerceToFloatColumn(const Literal& literal, TypeId column_type) {
  double value = 0;
  float as_float = 0;  // a direct cast, so integers round once
  switch (literal.kind()) {
    case LiteralKind::kInt64:
      value = static_cast<double>(literal.int_value());
      as_float = static_cast<float>(literal.int_value());
      break;
    case LiteralKind::kUInt64:
      value = static_cast<double>(literal.uint_value());
      as_float = static_cast<float>(literal.uint_value());
      break;
    case LiteralKind::kFloat64:
      value = literal.float_value();
      as_float = static_cast<float>(value);
      break;
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
  if (column_type == TypeId::kFloat64 || std::isnan(value)) return value;
  const double rounded =
      column_type == TypeId::kFloat32 ? static_cast<double>(as_float) : RoundToHalfPrecision(value);
  // A finite literal beyond the column's range stays as is, so +-inf values
  // still compare with it correctly.
  if (std::isinf(rounded) && !std::isinf(value)) return value;
  return rounded;
}

}  // namespace ixray::query
