#include "index/scalar/ordered_keys.h"

#include "query/comparison_bounds.h"

namespace ixray::scalar {

std::optional<KeyKind> KeyKindOf(const DataType& type) {
  if (type.id() == TypeId::kBool || query::IsIntegerStored(type.id())) return KeyKind::kUInt64;
  if (type.is_floating()) return KeyKind::kDouble;
  if (type.is_string_like()) return KeyKind::kString;
  return std::nullopt;
}

namespace {

using query::CompareOp;
using query::Literal;
using query::LiteralKind;
using query::PredicateOp;

// Whether the filter binder accepts `literal` (non-null) for the column:
// the same families as query/expression_bind.cc.
bool LiteralFits(const Literal& literal, const DataType& type) {
  switch (literal.kind()) {
    case LiteralKind::kBool:
      return type.id() == TypeId::kBool;
    case LiteralKind::kInt64:
    case LiteralKind::kUInt64:
    case LiteralKind::kFloat64:
      return type.is_numeric();
    case LiteralKind::kString:
      return type.is_string_like();
    case LiteralKind::kDate32:
    case LiteralKind::kTimestamp:
      return type.id() == TypeId::kDate32 || type.id() == TypeId::kTimestamp;
    case LiteralKind::kNull:
      return true;
  }
  return false;
}

template <typename Keys>
class Translator {
 public:
  using Key = typename Keys::Key;
  using Set = KeySet<Key>;
  using Range = KeyRange<Key>;

  explicit Translator(const DataType& type) : type_(type) {}

  // The keys for which `column op literal` is TRUE. REQUIRES: op != kNe,
  // a non-null literal that fits the column.
  Set Compare(CompareOp op, const Literal& literal) const {
    if constexpr (Keys::kKind == KeyKind::kUInt64) {
      if (type_.id() == TypeId::kBool) return RangeFor(op, uint64_t{literal.bool_value()});
      const query::IntegerComparison c = query::NormalizeIntegerComparison(op, literal, type_);
      if (c.outcome == query::ComparisonOutcome::kAlwaysTrue) return Set{true, {}};
      if (c.outcome == query::ComparisonOutcome::kAlwaysFalse) return Set{};
      return RangeFor(c.op, OrderedUInt64(c.value, type_.id()));
    } else if constexpr (Keys::kKind == KeyKind::kDouble) {
      const double value = query::CoerceToFloatColumn(literal, type_.id());
      if (std::isnan(value)) return Set{};  // NaN compares false with everything
      return RangeFor(op, value);
    } else {
      return RangeFor(op, literal.string_value());
    }
  }

  // The intersection of two sets that are each empty, all or one range.
  static Set Intersect(const Set& a, const Set& b) {
    if (a.empty() || b.empty()) return Set{};
    if (a.all) return b;
    if (b.all) return a;
    const Range& x = a.ranges[0];
    const Range& y = b.ranges[0];
    Range out = x;
    if (!out.low || (y.low && AboveLow<Keys>(x, *y.low))) {
      out.low = y.low;
      out.low_inclusive = y.low_inclusive;
    }
    if (!out.high || (y.high && BelowHigh<Keys>(x, *y.high))) {
      out.high = y.high;
      out.high_inclusive = y.high_inclusive;
    }
    if (out.low && out.high &&
        (Keys::Less(*out.high, *out.low) ||
         (KeyEqual<Keys>(*out.low, *out.high) && !(out.low_inclusive && out.high_inclusive)))) {
      return Set{};
    }
    return Set{false, {out}};
  }

 private:
  static Set RangeFor(CompareOp op, Key key) {
    Range r;
    switch (op) {
      case CompareOp::kEq:
        r.low = key;
        r.high = key;
        break;
      case CompareOp::kLt:
      case CompareOp::kLe:
        r.high = key;
        r.high_inclusive = op == CompareOp::kLe;
        break;
      case CompareOp::kGt:
      case CompareOp::kGe:
        r.low = key;
        r.low_inclusive = op == CompareOp::kGe;
        if constexpr (Keys::kKind == KeyKind::kDouble) {
          r.high = std::numeric_limits<double>::infinity();  // stop below NaN
        }
        break;
      case CompareOp::kNe:
        return Set{};  // not reached: != is the complement of =
    }
    return Set{false, {std::move(r)}};
  }

  const DataType& type_;
};

// The range of strings starting with `prefix`: [prefix, next) where next is
// the smallest string above every such string, if there is one.
KeyRange<std::string> PrefixRange(const std::string& prefix) {
  KeyRange<std::string> range;
  range.low = prefix;
  std::string next = prefix;
  while (!next.empty() && static_cast<unsigned char>(next.back()) == 0xff) next.pop_back();
  if (!next.empty()) {
    next.back() = static_cast<char>(static_cast<unsigned char>(next.back()) + 1);
    range.high = std::move(next);
    range.high_inclusive = false;
  }
  return range;
}

// x LIKE pattern: every match starts with the pattern's literal prefix (the
// text before the first wildcard), so the prefix's range is a superset; it is
// exact when the pattern has no wildcard (equality) or is the prefix followed
// only by '%' (see LikeMatcher in query/string_kernels.cc).
KeyPredicate<std::string> TranslateLike(const std::string& pattern) {
  KeyPredicate<std::string> out;
  const size_t wildcard = pattern.find_first_of("%_");
  if (wildcard == std::string::npos) {
    out.set.ranges.push_back({pattern, true, pattern, true});
    return out;
  }
  const std::string prefix = pattern.substr(0, wildcard);
  out.exact = pattern.find_first_not_of('%', wildcard) == std::string::npos;
  if (prefix.empty()) {
    out.set.all = true;
  } else {
    out.set.ranges.push_back(PrefixRange(prefix));
  }
  return out;
}

}  // namespace

template <typename Keys>
std::optional<KeyPredicate<typename Keys::Key>> TranslatePredicate(
    const query::ColumnPredicate& predicate, const DataType& column_type) {
  using Key = typename Keys::Key;
  using Form = typename KeyPredicate<Key>::Form;
  KeyPredicate<Key> out;
  const auto& values = predicate.values;
  for (const auto& v : values) {
    if (!LiteralFits(v, column_type)) return std::nullopt;
  }
  const Translator<Keys> translator(column_type);
  switch (predicate.op) {
    case PredicateOp::kIsNull:
      // IS NOT NULL: the non-null rows outside the empty set.
      out.form = predicate.negated ? Form::kNonNullOutsideSet : Form::kNullRows;
      return out;
    case PredicateOp::kEq:
    case PredicateOp::kNe:
    case PredicateOp::kLt:
    case PredicateOp::kLe:
    case PredicateOp::kGt:
    case PredicateOp::kGe: {
      if (values.size() != 1 || predicate.negated) return std::nullopt;
      if (values[0].is_null()) return out;  // x op NULL is never TRUE
      static constexpr CompareOp kOps[] = {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt,
                                           CompareOp::kLe, CompareOp::kGt, CompareOp::kGe};
      const CompareOp op = kOps[static_cast<int>(predicate.op)];
      if (op == CompareOp::kNe) {
        // TRUE for every non-null value that is not equal, NaN included.
        out.form = Form::kNonNullOutsideSet;
        out.set = translator.Compare(CompareOp::kEq, values[0]);
      } else {
        out.set = translator.Compare(op, values[0]);
      }
      return out;
    }
    case PredicateOp::kIn: {
      if (values.empty()) return std::nullopt;
      bool has_null = false;
      for (const auto& v : values) {
        if (v.is_null()) {
          has_null = true;
          continue;
        }
        KeySet<Key> eq = translator.Compare(CompareOp::kEq, v);
        for (auto& r : eq.ranges) out.set.ranges.push_back(std::move(r));
      }
      if (predicate.negated) {
        // x NOT IN (..., NULL) is FALSE or UNKNOWN, never TRUE.
        if (has_null) return KeyPredicate<Key>{};
        out.form = Form::kNonNullOutsideSet;
      }
      return out;
    }
    case PredicateOp::kBetween: {
      if (values.size() != 2) return std::nullopt;
      // x BETWEEN a AND b is x >= a AND x <= b. Negated, it is TRUE where
      // either side is FALSE: outside the intersection of the sides' TRUE
      // sets, where a NULL bound (UNKNOWN, never FALSE) counts as all keys.
      const KeySet<Key> unknown_side{predicate.negated, {}};
      const KeySet<Key> low =
          values[0].is_null() ? unknown_side : translator.Compare(CompareOp::kGe, values[0]);
      const KeySet<Key> high =
          values[1].is_null() ? unknown_side : translator.Compare(CompareOp::kLe, values[1]);
      out.set = Translator<Keys>::Intersect(low, high);
      if (predicate.negated) out.form = Form::kNonNullOutsideSet;
      return out;
    }
    case PredicateOp::kLike:
      if constexpr (Keys::kKind == KeyKind::kString) {
        if (predicate.negated || values.size() != 1) return std::nullopt;
        if (values[0].is_null()) return out;
        return TranslateLike(values[0].string_value());
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

template std::optional<KeyPredicate<uint64_t>> TranslatePredicate<UInt64Keys>(
    const query::ColumnPredicate&, const DataType&);
template std::optional<KeyPredicate<double>> TranslatePredicate<DoubleKeys>(
    const query::ColumnPredicate&, const DataType&);
template std::optional<KeyPredicate<std::string>> TranslatePredicate<StringKeys>(
    const query::ColumnPredicate&, const DataType&);

}  // namespace ixray::scalar
