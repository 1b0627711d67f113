// Comparison and IN kernels: column vs literal in loops over the column's
// storage type, and the slower column vs column path.
#include <algorithm>
#include <functional>

#include "core/bit_util.h"
#include "query/comparison_bounds.h"
#include "query/filter_kernels.h"
#include "query/half_float.h"

namespace ixray::query {

namespace {

// Expands bits [offset, offset + n) of a bitmap to one byte (0 or 1) each,
// a whole bitmap byte at a time once aligned.
void UnpackBits(const uint8_t* bits, int64_t offset, int64_t n, uint8_t* out) {
  int64_t i = 0;
  for (; i < n && ((offset + i) & 7) != 0; ++i) out[i] = bit_util::GetBit(bits, offset + i);
  const uint8_t* byte = bits + ((offset + i) >> 3);
  for (; i + 8 <= n; i += 8, ++byte) {
    const uint8_t v = *byte;
    for (int k = 0; k < 8; ++k) out[i + k] = (v >> k) & 1;
  }
  for (; i < n; ++i) out[i] = bit_util::GetBit(bits, offset + i);
}

// The validity of `column` as bytes, or empty when it has no nulls.
std::vector<uint8_t> ValidityBytes(const Array& column) {
  const BufferPtr& validity = column.buffer(0);
  if (validity == nullptr || column.null_count() == 0) return {};
  std::vector<uint8_t> valid(column.length());
  UnpackBits(validity->data(), column.offset(), column.length(), valid.data());
  return valid;
}

}  // namespace

void FinishComparison(const Array& column, TriMask* out) {
  const int64_t n = out->length();
  uint8_t* t = out->is_true.data();
  uint8_t* f = out->is_false.data();
  const std::vector<uint8_t> valid = ValidityBytes(column);
  if (valid.empty()) {
    for (int64_t i = 0; i < n; ++i) f[i] = t[i] ^ 1;
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    f[i] = valid[i] & (t[i] ^ 1);
    t[i] &= valid[i];
  }
}

void MaskByValidity(const Array& column, TriMask* out) {
  const std::vector<uint8_t> valid = ValidityBytes(column);
  if (valid.empty()) return;
  const int64_t n = out->length();
  for (int64_t i = 0; i < n; ++i) {
    out->is_true[i] &= valid[i];
    out->is_false[i] &= valid[i];
  }
}

namespace {

// Calls fn with the standard functor of `op`, so loops get the operator as
// a type and inline it.
template <typename Fn>
void VisitOp(CompareOp op, Fn&& fn) {
  switch (op) {
    case CompareOp::kEq:
      return fn(std::equal_to<>{});
    case CompareOp::kNe:
      return fn(std::not_equal_to<>{});
    case CompareOp::kLt:
      return fn(std::less<>{});
    case CompareOp::kLe:
      return fn(std::less_equal<>{});
    case CompareOp::kGt:
      return fn(std::greater<>{});
    case CompareOp::kGe:
      return fn(std::greater_equal<>{});
  }
}

// Calls fn(T{}) with T the storage type of an integer-stored column.
template <typename Fn>
void VisitIntegerStorage(TypeId id, Fn&& fn) {
  switch (id) {
    case TypeId::kInt8:
      return fn(int8_t{});
    case TypeId::kInt16:
      return fn(int16_t{});
    case TypeId::kInt32:
    case TypeId::kDate32:
      return fn(int32_t{});
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      return fn(int64_t{});
    case TypeId::kUInt8:
      return fn(uint8_t{});
    case TypeId::kUInt16:
      return fn(uint16_t{});
    case TypeId::kUInt32:
      return fn(uint32_t{});
    case TypeId::kUInt64:
      return fn(uint64_t{});
    default:
      return;
  }
}

// Calls fn(values, to_double) for a float column: the values in their
// storage type and an exact conversion of one value to double.
template <typename Fn>
void VisitFloatStorage(const Array& column, Fn&& fn) {
  switch (column.type()->id()) {
    case TypeId::kFloat16:
      return fn(column.data<uint16_t>(),
                [](uint16_t h) { return static_cast<double>(HalfToFloat(h)); });
    case TypeId::kFloat32:
      return fn(column.data<float>(), [](float v) { return static_cast<double>(v); });
    case TypeId::kFloat64:
      return fn(column.data<double>(), [](double v) { return v; });
    default:
      return;
  }
}

template <typename T, typename Cmp>
void CompareLoop(const T* values, int64_t n, T literal, Cmp cmp, uint8_t* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = cmp(values[i], literal);
}

template <typename T, typename ToDouble, typename Cmp>
void CompareFloatLoop(const T* values, int64_t n, double literal, ToDouble to_double, Cmp cmp,
                      uint8_t* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = cmp(to_double(values[i]), literal);
}

template <typename Cmp>
void CompareBoolLoop(const Array& column, uint8_t literal, Cmp cmp, uint8_t* out) {
  const uint8_t* bits = column.buffer(1)->data();
  const int64_t offset = column.offset();
  for (int64_t i = 0; i < column.length(); ++i) {
    out[i] = cmp(static_cast<uint8_t>(bit_util::GetBit(bits, offset + i)), literal);
  }
}

// Membership of each converted value in `set`: a linear scan for short
// lists, binary search in the sorted set otherwise.
template <typename T, typename Get>
void MembershipLoop(int64_t n, Get get, const std::vector<T>& set, uint8_t* out) {
  if (set.size() <= 8) {
    for (int64_t i = 0; i < n; ++i) {
      const T v = get(i);
      uint8_t hit = 0;
      for (const T& s : set) hit |= static_cast<uint8_t>(v == s);
      out[i] = hit;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      // Found by equality, not by std::binary_search's ordering test, which
      // would take NaN for a match.
      const T v = get(i);
      const auto it = std::lower_bound(set.begin(), set.end(), v);
      out[i] = it != set.end() && *it == v;
    }
  }
}

template <typename T>
void SortUnique(std::vector<T>* set) {
  std::sort(set->begin(), set->end());
  set->erase(std::unique(set->begin(), set->end()), set->end());
}

}  // namespace

void CompareWithLiteral(const Array& column, CompareOp op, const Literal& literal, TriMask* out) {
  if (literal.is_null()) return;  // x op NULL is UNKNOWN for every row
  const DataType& type = *column.type();
  const int64_t n = column.length();
  uint8_t* t = out->is_true.data();
  if (IsIntegerStored(type.id())) {
    const IntegerComparison c = NormalizeIntegerComparison(op, literal, type);
    if (c.outcome != ComparisonOutcome::kCompare) {
      std::fill(t, t + n, c.outcome == ComparisonOutcome::kAlwaysTrue ? 1 : 0);
    } else {
      VisitIntegerStorage(type.id(), [&](auto tag) {
        using T = decltype(tag);
        VisitOp(c.op, [&](auto cmp) {
          CompareLoop(column.data<T>(), n, static_cast<T>(c.value), cmp, t);
        });
      });
    }
  } else if (type.is_floating()) {
    const double value = CoerceToFloatColumn(literal, type.id());
    VisitFloatStorage(column, [&](const auto* values, auto to_double) {
      VisitOp(op, [&](auto cmp) { CompareFloatLoop(values, n, value, to_double, cmp, t); });
    });
  } else if (type.id() == TypeId::kBool) {
    VisitOp(op, [&](auto cmp) {
      CompareBoolLoop(column, static_cast<uint8_t>(literal.bool_value()), cmp, t);
    });
  } else {
    const std::string_view value = literal.string_value();
    VisitOp(op, [&](auto cmp) {
      ForEachString(column, [&](int64_t i, std::string_view s) { t[i] = cmp(s, value); });
    });
  }
  FinishComparison(column, out);
}

void EvaluateIn(const Array& column, const std::vector<Literal>& values, TriMask* out) {
  const DataType& type = *column.type();
  const int64_t n = column.length();
  uint8_t* t = out->is_true.data();
  bool has_null = false;
  for (const auto& v : values) has_null |= v.is_null();
  if (IsIntegerStored(type.id())) {
    VisitIntegerStorage(type.id(), [&](auto tag) {
      using T = decltype(tag);
      std::vector<T> set;
      for (const auto& v : values) {
        if (v.is_null()) continue;
        // Values the column cannot hold (2.5, 1000 for int8) never match.
        const IntegerComparison c = NormalizeIntegerComparison(CompareOp::kEq, v, type);
        if (c.outcome == ComparisonOutcome::kCompare) set.push_back(static_cast<T>(c.value));
      }
      SortUnique(&set);
      const T* data = column.data<T>();
      MembershipLoop(
          n, [data](int64_t i) { return data[i]; }, set, t);
    });
  } else if (type.is_floating()) {
    std::vector<double> set;
    for (const auto& v : values) {
      if (v.is_null()) continue;
      const double d = CoerceToFloatColumn(v, type.id());
      if (d == d) set.push_back(d);  // NaN equals nothing
    }
    SortUnique(&set);
    VisitFloatStorage(column, [&](const auto* data, auto to_double) {
      MembershipLoop(
          n, [&](int64_t i) { return to_double(data[i]); }, set, t);
    });
  } else if (type.id() == TypeId::kBool) {
    bool has_true = false, has_false = false;
    for (const auto& v : values) {
      if (v.is_null()) continue;
      (v.bool_value() ? has_true : has_false) = true;
    }
    const uint8_t* bits = column.buffer(1)->data();
    for (int64_t i = 0; i < n; ++i) {
      t[i] = bit_util::GetBit(bits, column.offset() + i) ? has_true : has_false;
    }
  } else {
    std::vector<std::string_view> set;
    for (const auto& v : values) {
      if (!v.is_null()) set.push_back(v.string_value());
    }
    SortUnique(&set);
    if (set.size() <= 8) {
      ForEachString(column, [&](int64_t i, std::string_view s) {
        t[i] = std::find(set.begin(), set.end(), s) != set.end();
      });
    } else {
      ForEachString(column, [&](int64_t i, std::string_view s) {
        t[i] = std::binary_search(set.begin(), set.end(), s);
      });
    }
  }
  FinishComparison(column, out);
  // x IN (..., NULL) without a match is UNKNOWN, not FALSE.
  if (has_null) std::fill(out->is_false.begin(), out->is_false.end(), 0);
}

namespace {

// A column's values widened to W (double or __int128) so that columns of
// different types compare; dates become microseconds when `dates_as_micros`.
template <typename W>
std::vector<W> Widen(const Array& column, bool dates_as_micros) {
  std::vector<W> out(column.length());
  const TypeId id = column.type()->id();
  if (IsIntegerStored(id)) {
    const W scale = id == TypeId::kDate32 && dates_as_micros ? W(kMicrosPerDay) : W(1);
    VisitIntegerStorage(id, [&](auto tag) {
      using T = decltype(tag);
      const T* data = column.data<T>();
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<W>(data[i]) * scale;
    });
  } else if (column.type()->is_floating()) {
    VisitFloatStorage(column, [&](const auto* data, auto to_double) {
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<W>(to_double(data[i]));
    });
  } else if (id == TypeId::kBool) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = column.BoolValue(static_cast<int64_t>(i));
  }
  return out;
}

template <typename W>
void CompareWidened(const Array& lhs, CompareOp op, const Array& rhs, bool dates_as_micros,
                    uint8_t* out) {
  const std::vector<W> a = Widen<W>(lhs, dates_as_micros);
  const std::vector<W> b = Widen<W>(rhs, dates_as_micros);
  VisitOp(op, [&](auto cmp) {
    for (size_t i = 0; i < a.size(); ++i) out[i] = cmp(a[i], b[i]);
  });
}

}  // namespace

Status CompareColumns(const Array& lhs, CompareOp op, const Array& rhs, TriMask* out) {
  const DataType& left = *lhs.type();
  const DataType& right = *rhs.type();
  uint8_t* t = out->is_true.data();
  const auto temporal = [](const DataType& type) {
    return type.id() == TypeId::kDate32 || type.id() == TypeId::kTimestamp;
  };
  if (left.is_string_like() && right.is_string_like()) {
    VisitOp(op, [&](auto cmp) {
      for (int64_t i = 0; i < lhs.length(); ++i) t[i] = cmp(lhs.StringValue(i), rhs.StringValue(i));
    });
  } else if (left.is_numeric() && right.is_numeric()) {
    // Integers compare exactly; a float on either side makes it a double
    // comparison (integers beyond 2^53 then round).
    if (left.is_floating() || right.is_floating()) {
      CompareWidened<double>(lhs, op, rhs, false, t);
    } else {
      CompareWidened<__int128>(lhs, op, rhs, false, t);
    }
  } else if (temporal(left) && temporal(right)) {
    CompareWidened<__int128>(lhs, op, rhs, left.id() != right.id(), t);
  } else if (left.id() == TypeId::kBool && right.id() == TypeId::kBool) {
    CompareWidened<__int128>(lhs, op, rhs, false, t);
  } else {
    return Status::TypeError("cannot compare " + left.ToString() + " with " + right.ToString());
  }
  FinishComparison(lhs, out);
  MaskByValidity(rhs, out);
  return Status::OK();
}

}  // namespace ixray::query
