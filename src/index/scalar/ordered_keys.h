// Ordered keys: the sort order that BTREE pages and ZONEMAP zones keep, and
// the translation of a query::ColumnPredicate into ranges of that order.
//
// Every orderable column maps to one of three key kinds, so each index has
// three instantiations instead of one per column type:
//
//   UInt64Keys  integers, date32, timestamp and bool, as uint64 in an
//               order-preserving encoding (signed values with the sign bit
//               flipped);
//   DoubleKeys  float16 / float32 / float64, widened exactly to double and
//               ordered with every NaN after +inf (and -0 equal to +0);
//   StringKeys  string, large_string and binary, ordered byte-wise.
//
// A predicate becomes a KeyPredicate: the rows that are TRUE are the null
// rows (IS NULL), the non-null rows whose key lies in a union of ranges, or
// the non-null rows whose key does not (!=, NOT IN, NOT BETWEEN). The
// literals are brought into the column's domain by query/comparison_bounds.h,
// exactly as the filter evaluator does, so an exact index answer equals the
// rows where the filter is TRUE. Ranges never contain NaN: a comparison is
// false for NaN, while the complement forms keep NaN rows (NaN != 1 is true).
//
// Thread safety: pure functions and value types.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/byte_coding.h"
#include "ixray/array.h"
#include "ixray/type.h"
#include "query/expression.h"
#include "query/half_float.h"

namespace ixray::scalar {

enum class KeyKind : uint8_t { kUInt64 = 1, kDouble = 2, kString = 3 };

// The key kind of a column type, or nullopt when the type has no order the
// filter language compares by (lists, vectors).
std::optional<KeyKind> KeyKindOf(const DataType& type);

// The order-preserving uint64 of an integer-stored or bool value.
// REQUIRES: `value` fits the storage type of `id`.
inline uint64_t OrderedUInt64(__int128 value, TypeId id) {
  const bool is_unsigned = (id >= TypeId::kUInt8 && id <= TypeId::kUInt64) || id == TypeId::kBool;
  if (is_unsigned) return static_cast<uint64_t>(value);
  return static_cast<uint64_t>(static_cast<int64_t>(value)) ^ (uint64_t{1} << 63);
}

struct UInt64Keys {
  using Key = uint64_t;
  static constexpr KeyKind kKind = KeyKind::kUInt64;
  static bool Less(Key a, Key b) { return a < b; }
  static void Put(format::ByteWriter& w, Key key) { w.PutU64(key); }
  static Result<Key> Get(format::ByteReader& r) { return r.GetU64("key"); }
  // Memory held by a key beyond sizeof(Key).
  static int64_t HeapBytes(Key) { return 0; }
};

struct DoubleKeys {
  using Key = double;
  static constexpr KeyKind kKind = KeyKind::kDouble;
  // A strict weak order: NaNs are equivalent to each other and after +inf.
  static bool Less(Key a, Key b) {
    if (std::isnan(a)) return false;
    return std::isnan(b) || a < b;
  }
  static void Put(format::ByteWriter& w, Key key) {
    uint64_t bits;
    std::memcpy(&bits, &key, sizeof(bits));
    w.PutU64(bits);
  }
  static Result<Key> Get(format::ByteReader& r) {
    IXRAY_ASSIGN_OR_RAISE(uint64_t bits, r.GetU64("key"));
    double key;
    std::memcpy(&key, &bits, sizeof(key));
    return key;
  }
  static int64_t HeapBytes(Key) { return 0; }
};

struct StringKeys {
  using Key = std::string;
  static constexpr KeyKind kKind = KeyKind::kString;
  static bool Less(const Key& a, const Key& b) { return a < b; }  // byte-wise (char_traits)
  static void Put(format::ByteWriter& w, const Key& key) { w.PutString(key); }
  static Result<Key> Get(format::ByteReader& r) { return r.GetString("key"); }
  static int64_t HeapBytes(const Key& key) {
    return key.capacity() > 15 ? static_cast<int64_t>(key.capacity()) : 0;
  }
};

template <typename Keys>
bool KeyEqual(const typename Keys::Key& a, const typename Keys::Key& b) {
  return !Keys::Less(a, b) && !Keys::Less(b, a);
}

// Calls on_value(i, key) for every valid slot i of `values` and on_null(i)
// for every null slot, in order. The key passed for StringKeys is a
// std::string_view into the array.
// REQUIRES: KeyKindOf(*values.type()) == Keys::kKind.
template <typename Keys, typename OnValue, typename OnNull>
void ForEachKey(const Array& values, OnValue&& on_value, OnNull&& on_null) {
  const int64_t n = values.length();
  const auto visit = [&](auto get) {
    for (int64_t i = 0; i < n; ++i) {
      if (values.IsNull(i)) {
        on_null(i);
      } else {
        on_value(i, get(i));
      }
    }
  };
  const TypeId id = values.type()->id();
  if constexpr (Keys::kKind == KeyKind::kUInt64) {
    const auto integers = [&](auto tag) {
      using T = decltype(tag);
      const T* data = values.data<T>();
      visit([&](int64_t i) { return OrderedUInt64(data[i], id); });
    };
    switch (id) {
      case TypeId::kBool:
        return visit([&](int64_t i) { return uint64_t{values.BoolValue(i)}; });
      case TypeId::kInt8:
        return integers(int8_t{});
      case TypeId::kInt16:
        return integers(int16_t{});
      case TypeId::kInt32:
      case TypeId::kDate32:
        return integers(int32_t{});
      case TypeId::kInt64:
      case TypeId::kTimestamp:
        return integers(int64_t{});
      case TypeId::kUInt8:
        return integers(uint8_t{});
      case TypeId::kUInt16:
        return integers(uint16_t{});
      case TypeId::kUInt32:
        return integers(uint32_t{});
      case TypeId::kUInt64:
        return integers(uint64_t{});
      default:
        return;
    }
  } else if constexpr (Keys::kKind == KeyKind::kDouble) {
    switch (id) {
      case TypeId::kFloat16: {
        const uint16_t* data = values.data<uint16_t>();
        return visit([&](int64_t i) { return static_cast<double>(query::HalfToFloat(data[i])); });
      }
      case TypeId::kFloat32: {
        const float* data = values.data<float>();
        return visit([&](int64_t i) { return static_cast<double>(data[i]); });
      }
      case TypeId::kFloat64: {
        const double* data = values.data<double>();
        return visit([&](int64_t i) { return data[i]; });
      }
      default:
        return;
    }
  } else {
    visit([&](int64_t i) { return values.StringValue(i); });
  }
}

// An interval of the key order; an absent bound is unbounded (an absent
// high bound never occurs for DoubleKeys, whose ranges stop at +inf so that
// they never hold NaN).
template <typename K>
struct KeyRange {
  std::optional<K> low;
  bool low_inclusive = true;
  std::optional<K> high;
  bool high_inclusive = true;
};

// A union of ranges, or every non-null key when `all` is set.
template <typename K>
struct KeySet {
  bool all = false;
  std::vector<KeyRange<K>> ranges;

  bool empty() const { return !all && ranges.empty(); }
};

template <typename K>
struct KeyPredicate {
  enum class Form : uint8_t {
    kNullRows,           // the null rows (IS NULL)
    kInSet,              // the non-null rows with a key in `set`
    kNonNullOutsideSet,  // the non-null rows with a key outside `set`
  };
  Form form = Form::kInSet;
  KeySet<K> set;
  // False when kInSet over-approximates (LIKE with wildcards past a
  // prefix); the other forms are always exact.
  bool exact = true;
};

// The TRUE rows of `predicate` over a column of `column_type` as key sets,
// or nullopt when the index cannot answer it: an operator other than
// =, !=, <, <=, >, >=, IN, BETWEEN, IS NULL and (for strings) LIKE without
// NOT, or a literal of a kind the filter binder would not accept for the
// column (e.g. a string compared with an integer column).
// REQUIRES: KeyKindOf(column_type) == Keys::kKind.
template <typename Keys>
std::optional<KeyPredicate<typename Keys::Key>> TranslatePredicate(
    const query::ColumnPredicate& predicate, const DataType& column_type);

// ---- Range tests -----------------------------------------------------------

// True if `key` is above the range's low bound.
template <typename Keys>
bool AboveLow(const KeyRange<typename Keys::Key>& range, const typename Keys::Key& key) {
  if (!range.low) return true;
  return range.low_inclusive ? !Keys::Less(key, *range.low) : Keys::Less(*range.low, key);
}

// True if `key` is below the range's high bound.
template <typename Keys>
bool BelowHigh(const KeyRange<typename Keys::Key>& range, const typename Keys::Key& key) {
  if (!range.high) return true;
  return range.high_inclusive ? !Keys::Less(*range.high, key) : Keys::Less(key, *range.high);
}

// True if some key in [min, max] may lie in the range.
template <typename Keys>
bool RangeOverlaps(const KeyRange<typename Keys::Key>& range, const typename Keys::Key& min,
                   const typename Keys::Key& max) {
  return AboveLow<Keys>(range, max) && BelowHigh<Keys>(range, min);
}

// True if every key in [min, max] lies in the range.
template <typename Keys>
bool RangeCovers(const KeyRange<typename Keys::Key>& range, const typename Keys::Key& min,
                 const typename Keys::Key& max) {
  return AboveLow<Keys>(range, min) && BelowHigh<Keys>(range, max);
}

}  // namespace ixray::scalar
