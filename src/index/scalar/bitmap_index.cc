// BITMAP: for low-cardinality columns, one posting bitmap per distinct value
// (bitmap_postings.h). Every predicate on one value is answered exactly: its
// rows are the union of the postings of the values it holds for (or the
// non-null rows less that union, when most values match).
//
// Values become byte-string keys whose memcmp order is the column's order
// (big-endian, sign bit flipped for signed integers), so comparisons of
// integer-stored and string columns find their values by binary search.
// Every other predicate (floats, bool, LIKE, contains, NOT BETWEEN, ...) is
// evaluated by the filter evaluator itself over the dictionary of distinct
// values, which makes it exact by construction.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>

#include "index/scalar/bitmap_postings.h"
#include "ixray/builder.h"
#include "ixray/record_batch.h"
#include "query/comparison_bounds.h"
#include "query/filter_eval.h"
#include "query/half_float.h"

namespace ixray::scalar {

namespace {

constexpr std::string_view kName = "BITMAP";

static_assert(static_cast<int>(query::PredicateOp::kGe) ==
                  static_cast<int>(query::CompareOp::kGe) &&
              static_cast<int>(query::PredicateOp::kNe) == static_cast<int>(query::CompareOp::kNe));

bool Supported(const DataType& type) {
  return type.id() == TypeId::kBool || type.is_numeric() || type.is_string_like() ||
         type.id() == TypeId::kDate32 || type.id() == TypeId::kTimestamp;
}

std::string BigEndian(uint64_t bits) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, bits >>= 8) out[i] = static_cast<char>(bits & 0xff);
  return out;
}

uint64_t FromBigEndian(std::string_view key) {
  uint64_t bits = 0;
  for (char c : key) bits = bits << 8 | static_cast<uint8_t>(c);
  return bits;
}

constexpr uint64_t kSignBit = uint64_t{1} << 63;

// Order-preserving bits of a double: -0 is 0 and every NaN one NaN, above +inf.
uint64_t FloatKeyBits(double d) {
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
  if (d == 0) d = 0;
  uint64_t bits = 0;
  std::memcpy(&bits, &d, 8);
  return (bits & kSignBit) ? ~bits : bits | kSignBit;
}

double FloatFromKeyBits(uint64_t bits) {
  bits = (bits & kSignBit) ? bits & ~kSignBit : ~bits;
  double d = 0;
  std::memcpy(&d, &bits, 8);
  return d;
}

// Calls fn(value as int64 or uint64) for slot i of an integer-stored column.
template <typename Fn>
auto WithInteger(const Array& a, int64_t i, Fn&& fn) {
  switch (a.type()->id()) {
    case TypeId::kInt8:
      return fn(int64_t{a.Value<int8_t>(i)});
    case TypeId::kInt16:
      return fn(int64_t{a.Value<int16_t>(i)});
    case TypeId::kInt32:
    case TypeId::kDate32:
      return fn(int64_t{a.Value<int32_t>(i)});
    case TypeId::kUInt8:
      return fn(uint64_t{a.Value<uint8_t>(i)});
    case TypeId::kUInt16:
      return fn(uint64_t{a.Value<uint16_t>(i)});
    case TypeId::kUInt32:
      return fn(uint64_t{a.Value<uint32_t>(i)});
    case TypeId::kUInt64:
      return fn(a.Value<uint64_t>(i));
    default:
      return fn(a.Value<int64_t>(i));
  }
}

std::string IntegerKey(__int128 v, const DataType& type) {
  if (type.is_integer() && !type.is_signed_integer()) return BigEndian(static_cast<uint64_t>(v));
  return BigEndian(static_cast<uint64_t>(static_cast<int64_t>(v)) ^ kSignBit);
}

// The key of non-null slot i of `a`.
std::string KeyOf(const Array& a, int64_t i) {
  const DataType& type = *a.type();
  if (type.id() == TypeId::kBool) return std::string(1, a.BoolValue(i) ? '\1' : '\0');
  if (type.is_string_like()) return std::string(a.StringValue(i));
  switch (type.id()) {
    case TypeId::kFloat16:
      return BigEndian(FloatKeyBits(query::HalfToFloat(a.Value<uint16_t>(i))));
    case TypeId::kFloat32:
      return BigEndian(FloatKeyBits(a.Value<float>(i)));
    case TypeId::kFloat64:
      return BigEndian(FloatKeyBits(a.Value<double>(i)));
    default:
      return WithInteger(a, i, [&](auto v) { return IntegerKey(v, type); });
  }
}

// Appends the value of `key` to `out` (of the column's type); false if the
// key cannot be one of its values.
bool AppendKey(std::string_view key, ArrayBuilder& out) {
  const DataType& type = *out.type();
  if (type.is_string_like()) {
    out.AppendString(key);
    return true;
  }
  if (type.id() == TypeId::kBool) {
    if (key.size() != 1 || static_cast<uint8_t>(key[0]) > 1) return false;
    out.AppendBool(key[0] == 1);
    return true;
  }
  if (key.size() != 8) return false;
  const uint64_t bits = FromBigEndian(key);
  if (type.is_floating()) {
    const double d = FloatFromKeyBits(bits);
    if (type.id() == TypeId::kFloat64) {
      out.Append<double>(d);
    } else if (type.id() == TypeId::kFloat32) {
      if (static_cast<double>(static_cast<float>(d)) != d && !std::isnan(d)) return false;
      out.Append<float>(static_cast<float>(d));
    } else {
      const uint16_t h = query::DoubleToHalf(d);
      if (static_cast<double>(query::HalfToFloat(h)) != d && !std::isnan(d)) return false;
      out.Append<uint16_t>(h);
    }
    return true;
  }
  const bool is_unsigned = type.is_integer() && !type.is_signed_integer();
  const __int128 v = is_unsigned ? __int128(bits) : __int128(static_cast<int64_t>(bits ^ kSignBit));
  const auto fits = [&](auto tag) {
    using T = decltype(tag);
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return false;
    out.Append<T>(static_cast<T>(v));
    return true;
  };
  switch (type.id()) {
    case TypeId::kInt8:
      return fits(int8_t{});
    case TypeId::kInt16:
      return fits(int16_t{});
    case TypeId::kInt32:
    case TypeId::kDate32:
      return fits(int32_t{});
    case TypeId::kUInt8:
      return fits(uint8_t{});
    case TypeId::kUInt16:
      return fits(uint16_t{});
    case TypeId::kUInt32:
      return fits(uint32_t{});
    case TypeId::kUInt64:
      return fits(uint64_t{});
    default:
      return fits(int64_t{});
  }
}

// `p` as an expression over `column` (REQUIRES: not IS NULL or array_has).
Result<query::ExprPtr> PredicateExpr(const query::ColumnPredicate& p,
                                     const query::ExprPtr& column) {
  using Op = query::PredicateOp;
  const size_t need = p.op == Op::kIn ? p.values.size() : p.op == Op::kBetween ? 2 : 1;
  if (p.values.size() != need || p.values.empty()) {
    return Status::InvalidArgument(
        fmt::format("predicate on column '{}' has {} values", p.column, p.values.size()));
  }
  switch (p.op) {
    case Op::kEq:
    case Op::kNe:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      // PredicateOp's comparisons are in CompareOp's order.
      const auto op = static_cast<query::CompareOp>(static_cast<int>(p.op));
      return query::MakeCompare(op, column, query::MakeLiteral(p.values[0]));
    }
    case Op::kIn:
      return query::MakeIn(column, p.values, p.negated);
    case Op::kBetween:
      return query::MakeBetween(column, p.values[0], p.values[1], p.negated);
    case Op::kLike:
      return query::MakeLike(column, p.values[0], p.negated);
    case Op::kContains:
      return query::MakeContains(column, p.values[0]);
    default:
      return Status::Internal("BITMAP: unexpected predicate");
  }
}

class BitmapBuilder : public ScalarSegmentBuilder {
 public:
  explicit BitmapBuilder(Field field) : field_(std::move(field)) {}

  Status Add(const Array& values, std::span<const RowAddress> addresses) override {
    if (!values.type()->Equals(*field_.type)) {
      return Status::TypeError(
          fmt::format("BITMAP index on column '{}' of type {} got values of "
                      "type {}",
                      field_.name, field_.type->ToString(), values.type()->ToString()));
    }
    if (static_cast<int64_t>(addresses.size()) != values.length()) {
      return Status::InvalidArgument("BITMAP index build: values and addresses differ in length");
    }
    for (int64_t i = 0; i < values.length(); ++i) {
      IXRAY_RETURN_NOT_OK(postings_.AddRow(addresses[i]));
      if (values.IsNull(i)) {
        postings_.AddNull(addresses[i]);
      } else {
        postings_.AddKey(KeyOf(values, i), addresses[i]);
      }
    }
    return Status::OK();
  }

  Status Finish(index::SegmentFileWriter& out) override { return postings_.Finish(out, kName); }

 private:
  Field field_;
  KeyedPostingsBuilder postings_;
};

// Matching keys: [begin, end) ranges of key indices, or their complement.
struct KeyMatch {
  std::vector<uint32_t> ids;
  bool complement = false;  // the answer is the non-null rows not in `ids`
};

class BitmapSegment : public ScalarIndexSegment {
 public:
  BitmapSegment(Field field, std::unique_ptr<KeyedPostings> postings)
      : field_(std::move(field)), postings_(std::move(postings)) {}

  int64_t num_rows() const override { return postings_->num_rows(); }

  Result<std::optional<IndexAnswer>> Search(const query::ColumnPredicate& p) const override {
    if (p.type == nullptr || !p.type->Equals(*field_.type)) {
      return Status::InvalidArgument(fmt::format(
          "BITMAP index on column '{}' of type {} asked about a predicate on type {}", field_.name,
          field_.type->ToString(), p.type ? p.type->ToString() : "(none)"));
    }
    if (p.op == query::PredicateOp::kArrayHasAny || p.op == query::PredicateOp::kArrayHasAll) {
      return NoAnswer();
    }
    IndexAnswer answer;
    if (p.op == query::PredicateOp::kIsNull) {
      IXRAY_ASSIGN_OR_RAISE(answer.rows,
                            p.negated ? postings_->NonNullRows() : postings_->NullRows());
      return Answer(std::move(answer));
    }
    std::optional<KeyMatch> match = FastMatch(p);
    if (!match) {
      IXRAY_ASSIGN_OR_RAISE(match, EvaluateOnDictionary(p));
    }
    // Of two equal answers take the one with fewer postings to read.
    if (match->ids.size() > postings_->num_keys() / 2) {
      std::vector<uint32_t> others;
      size_t next = 0;
      for (uint32_t k = 0; k < postings_->num_keys(); ++k) {
        if (next < match->ids.size() && match->ids[next] == k) {
          ++next;
        } else {
          others.push_back(k);
        }
      }
      match->ids.swap(others);
      match->complement = !match->complement;
    }
    IXRAY_ASSIGN_OR_RAISE(answer.rows, postings_->UnionOfKeys(match->ids));
    if (match->complement) {
      IXRAY_ASSIGN_OR_RAISE(RowAddressSet non_null, postings_->NonNullRows());
      answer.rows = non_null - answer.rows;
    }
    return Answer(std::move(answer));
  }

 private:
  static std::vector<uint32_t> Range(uint32_t begin, uint32_t end) {
    std::vector<uint32_t> ids(end > begin ? end - begin : 0);
    std::iota(ids.begin(), ids.end(), begin);
    return ids;
  }

  // [begin, end) of the keys for which `column op literal` holds, by binary
  // search, for integer-stored and string columns; nullopt otherwise.
  std::optional<std::pair<uint32_t, uint32_t>> CompareRange(query::CompareOp op,
                                                            const query::Literal& literal) const {
    const DataType& type = *field_.type;
    const uint32_t n = static_cast<uint32_t>(postings_->num_keys());
    std::string key;
    if (query::IsIntegerStored(type.id())) {
      const query::IntegerComparison c = query::NormalizeIntegerComparison(op, literal, type);
      if (c.outcome == query::ComparisonOutcome::kAlwaysTrue) return std::make_pair(0u, n);
      if (c.outcome == query::ComparisonOutcome::kAlwaysFalse) return std::make_pair(0u, 0u);
      op = c.op;
      key = IntegerKey(c.value, type);
    } else if (type.is_string_like() && literal.kind() == query::LiteralKind::kString) {
      key = literal.string_value();
    } else {
      return std::nullopt;
    }
    switch (op) {
      case query::CompareOp::kEq:
        return std::make_pair(postings_->LowerBound(key), postings_->UpperBound(key));
      case query::CompareOp::kLt:
        return std::make_pair(0u, postings_->LowerBound(key));
      case query::CompareOp::kLe:
        return std::make_pair(0u, postings_->UpperBound(key));
      case query::CompareOp::kGt:
        return std::make_pair(postings_->UpperBound(key), n);
      case query::CompareOp::kGe:
        return std::make_pair(postings_->LowerBound(key), n);
      case query::CompareOp::kNe:
        return std::nullopt;  // two ranges; handled by the caller as NOT =
    }
    return std::nullopt;
  }

  // The keys matching `p` by binary search, or nullopt for the shapes left
  // to EvaluateOnDictionary.
  std::optional<KeyMatch> FastMatch(const query::ColumnPredicate& p) const {
    using Op = query::PredicateOp;
    for (const auto& v : p.values) {
      if (v.is_null() && p.op != Op::kIn && p.op != Op::kBetween) return KeyMatch{};
    }
    const auto compare = [&](query::CompareOp op) -> std::optional<KeyMatch> {
      if (p.values.size() != 1) return std::nullopt;
      auto range = CompareRange(op, p.values[0]);
      if (!range) return std::nullopt;
      return KeyMatch{Range(range->first, range->second), false};
    };
    switch (p.op) {
      case Op::kEq:
        return compare(query::CompareOp::kEq);
      case Op::kLt:
        return compare(query::CompareOp::kLt);
      case Op::kLe:
        return compare(query::CompareOp::kLe);
      case Op::kGt:
        return compare(query::CompareOp::kGt);
      case Op::kGe:
        return compare(query::CompareOp::kGe);
      case Op::kNe: {
        // Every non-null value is TRUE or FALSE here, so != is NOT =.
        auto eq = compare(query::CompareOp::kEq);
        if (eq) eq->complement = true;
        return eq;
      }
      case Op::kBetween: {
        if (p.negated || p.values.size() != 2) return std::nullopt;
        if (p.values[0].is_null() || p.values[1].is_null()) return KeyMatch{};  // never TRUE
        auto low = CompareRange(query::CompareOp::kGe, p.values[0]);
        auto high = CompareRange(query::CompareOp::kLe, p.values[1]);
        if (!low || !high) return std::nullopt;
        return KeyMatch{
            Range(std::max(low->first, high->first), std::min(low->second, high->second)), false};
      }
      case Op::kIn: {
        KeyMatch match;
        bool has_null = false;
        for (const auto& v : p.values) {
          if (v.is_null()) {
            has_null = true;
            continue;
          }
          auto range = CompareRange(query::CompareOp::kEq, v);
          if (!range) return std::nullopt;
          for (uint32_t k = range->first; k < range->second; ++k) match.ids.push_back(k);
        }
        std::sort(match.ids.begin(), match.ids.end());
        match.ids.erase(std::unique(match.ids.begin(), match.ids.end()), match.ids.end());
        if (p.negated) {
          // NOT IN with a NULL in the list is never TRUE.
          if (has_null) return KeyMatch{};
          match.complement = true;
        }
        return match;
      }
      default:
        return std::nullopt;
    }
  }

  // The distinct values as an array of the column's type (built once).
  Result<ArrayPtr> Dictionary() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (dictionary_ != nullptr) return dictionary_;
    ArrayBuilder builder(field_.type);
    for (size_t k = 0; k < postings_->num_keys(); ++k) {
      if (!AppendKey(postings_->key(k), builder)) {
        return Status::Corruption(
            fmt::format("BITMAP index on column '{}': a key is not a value of type {}", field_.name,
                        field_.type->ToString()));
      }
    }
    IXRAY_ASSIGN_OR_RAISE(dictionary_, builder.Finish());
    return dictionary_;
  }

  // The keys for which the filter evaluator finds `p` TRUE.
  Result<KeyMatch> EvaluateOnDictionary(const query::ColumnPredicate& p) const {
    IXRAY_ASSIGN_OR_RAISE(query::ExprPtr expr,
                          PredicateExpr(p, query::MakeColumn(p.column, 0, field_.type)));
    IXRAY_ASSIGN_OR_RAISE(ArrayPtr dictionary, Dictionary());
    IXRAY_ASSIGN_OR_RAISE(auto schema, Schema::Make({field(p.column, field_.type)}));
    IXRAY_ASSIGN_OR_RAISE(auto batch,
                          RecordBatch::Make(schema, dictionary->length(), {dictionary}));
    IXRAY_ASSIGN_OR_RAISE(std::vector<uint32_t> ids, query::FilterIndices(*expr, *batch));
    return KeyMatch{std::move(ids), false};
  }

  Field field_;
  std::unique_ptr<KeyedPostings> postings_;
  mutable std::mutex mutex_;
  mutable ArrayPtr dictionary_;
};

class BitmapPlugin : public ScalarIndexPlugin {
 public:
  std::string_view name() const override { return kName; }

  Status CheckColumn(const Field& field) const override {
    if (Supported(*field.type)) return Status::OK();
    return UnsupportedColumn(kName, field,
                             "bool, an integer, float, string, binary, date32 or timestamp");
  }

  Result<ScalarIndexConfig> NormalizeConfig(const IndexParams& params) const override {
    return ConfigWithoutParams(kName, params);
  }

  Result<std::unique_ptr<ScalarSegmentBuilder>> MakeBuilder(const ScalarIndexConfig& config,
                                                            const Field& field,
                                                            const BuildContext&) const override {
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    IXRAY_RETURN_NOT_OK(ConfigWithoutParams(kName, config.params).status());
    return std::unique_ptr<ScalarSegmentBuilder>(new BitmapBuilder(field));
  }

  Result<std::unique_ptr<ScalarIndexSegment>> Open(std::shared_ptr<index::SegmentFileReader> file,
                                                   const ScalarIndexConfig&,
                                                   const Field& field) const override {
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    IXRAY_ASSIGN_OR_RAISE(auto postings, KeyedPostings::Open(std::move(file), kName));
    return std::unique_ptr<ScalarIndexSegment>(new BitmapSegment(field, std::move(postings)));
  }
};

}  // namespace

std::unique_ptr<ScalarIndexPlugin> MakeBitmapPlugin() { return std::make_unique<BitmapPlugin>(); }

}  // namespace ixray::scalar
