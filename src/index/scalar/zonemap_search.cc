// ZONEMAP segment search: keep the zones whose statistics admit a match.
#include <fmt/format.h>

#include "index/scalar/row_set_codec.h"
#include "index/scalar/zonemap.h"
#include "index/scalar/zonemap_format.h"

namespace ixray::scalar::zonemap {

namespace {

// What a zone's statistics say about a predicate.
enum class ZoneMatch : uint8_t { kNone, kSome, kAll };

template <typename Keys>
class Segment final : public ScalarIndexSegment {
 public:
  using Key = typename Keys::Key;
  using Predicate = KeyPredicate<Key>;

  Segment(TypePtr type, std::vector<Zone<Keys>> zones, RowAddressSet nulls, RowAddressSet rows)
      : type_(std::move(type)),
        zones_(std::move(zones)),
        nulls_(std::move(nulls)),
        non_null_(std::move(rows)) {
    num_rows_ = static_cast<int64_t>(non_null_.cardinality());
    non_null_ -= nulls_;
  }

  Result<std::optional<IndexAnswer>> Search(
      const query::ColumnPredicate& predicate) const override {
    if (predicate.type != nullptr && !predicate.type->Equals(*type_)) {
      return Status::InvalidArgument(
          fmt::format("ZONEMAP segment over {} asked about column '{}' of type {}",
                      type_->ToString(), predicate.column, predicate.type->ToString()));
    }
    const std::optional<Predicate> keys = TranslatePredicate<Keys>(predicate, *type_);
    if (!keys) return std::optional<IndexAnswer>();
    IndexAnswer answer;
    switch (keys->form) {
      case Predicate::Form::kNullRows:
        answer.rows = nulls_;
        return std::optional<IndexAnswer>(std::move(answer));
      case Predicate::Form::kNonNullOutsideSet:
        if (keys->set.empty()) {  // IS NOT NULL
          answer.rows = non_null_;
          return std::optional<IndexAnswer>(std::move(answer));
        }
        break;
      case Predicate::Form::kInSet:
        break;
    }
    answer.exact = keys->exact;
    for (const auto& zone : zones_) {
      const ZoneMatch match = Match(*keys, zone);
      if (match == ZoneMatch::kNone) continue;
      if (match == ZoneMatch::kSome) answer.exact = false;
      // Zones are disjoint, so flipping their ranges adds them.
      answer.rows.flip(zone.first, zone.last);
      answer.rows.add(zone.last);
    }
    answer.rows &= non_null_;  // comparisons never hold for nulls
    return std::optional<IndexAnswer>(std::move(answer));
  }

  int64_t num_rows() const override { return num_rows_; }

 private:
  // kAll when every row of the zone matches, kNone when none can.
  static ZoneMatch Match(const Predicate& keys, const Zone<Keys>& zone) {
    if (zone.rows == zone.nulls) return ZoneMatch::kNone;
    const bool no_nulls = zone.nulls == 0;
    if (keys.set.all) {
      if (keys.form == Predicate::Form::kNonNullOutsideSet) return ZoneMatch::kNone;
      return no_nulls ? ZoneMatch::kAll : ZoneMatch::kSome;
    }
    bool overlaps = false;  // some value of the zone may be in the set
    bool covered = false;   // every non-NaN value of the zone is in one range
    if (zone.min) {
      for (const auto& range : keys.set.ranges) {
        overlaps = overlaps || RangeOverlaps<Keys>(range, *zone.min, *zone.max);
        covered = covered || RangeCovers<Keys>(range, *zone.min, *zone.max);
      }
    }
    if (keys.form == Predicate::Form::kInSet) {
      if (!overlaps) return ZoneMatch::kNone;
      return covered && no_nulls && !zone.has_nan ? ZoneMatch::kAll : ZoneMatch::kSome;
    }
    // Outside the set: NaN never lies in a range, so it always matches.
    if (covered && !zone.has_nan) return ZoneMatch::kNone;
    return !overlaps && no_nulls ? ZoneMatch::kAll : ZoneMatch::kSome;
  }

  const TypePtr type_;
  const std::vector<Zone<Keys>> zones_;
  const RowAddressSet nulls_;
  RowAddressSet non_null_;
  int64_t num_rows_ = 0;
};

Result<std::string_view> ReadBlob(const index::SegmentFileReader& file, std::string_view name,
                                  BufferPtr* holder) {
  if (!file.Has(name)) {
    return Status::Corruption(
        fmt::format("ZONEMAP segment '{}' lacks blob '{}'", file.path(), name));
  }
  IXRAY_ASSIGN_OR_RAISE(*holder, file.Read(name));
  return std::string_view(reinterpret_cast<const char*>((*holder)->data()), (*holder)->size());
}

template <typename Keys>
Result<std::unique_ptr<ScalarIndexSegment>> Open(const index::SegmentFileReader& file,
                                                 const Field& field) {
  const std::string what = fmt::format("ZONEMAP segment '{}'", file.path());
  BufferPtr holder;
  IXRAY_ASSIGN_OR_RAISE(std::string_view bytes, ReadBlob(file, kZonesBlob, &holder));
  IXRAY_ASSIGN_OR_RAISE(std::vector<Zone<Keys>> zones, DecodeZones<Keys>(bytes, what + " zones"));
  IXRAY_ASSIGN_OR_RAISE(bytes, ReadBlob(file, kNullsBlob, &holder));
  IXRAY_ASSIGN_OR_RAISE(RowAddressSet nulls, DecodeRowSet(bytes, what + " nulls"));
  IXRAY_ASSIGN_OR_RAISE(bytes, ReadBlob(file, kRowsBlob, &holder));
  IXRAY_ASSIGN_OR_RAISE(RowAddressSet rows, DecodeRowSet(bytes, what + " rows"));
  uint64_t zone_rows = 0, zone_nulls = 0;
  for (const auto& zone : zones) {
    zone_rows += zone.rows;
    zone_nulls += zone.nulls;
  }
  if (!nulls.isSubset(rows) || zone_rows != rows.cardinality() ||
      zone_nulls != nulls.cardinality()) {
    return Status::Corruption(fmt::format("{}: zone counts do not match its row sets", what));
  }
  return std::unique_ptr<ScalarIndexSegment>(std::make_unique<Segment<Keys>>(
      field.type, std::move(zones), std::move(nulls), std::move(rows)));
}

}  // namespace

Result<std::unique_ptr<ScalarIndexSegment>> OpenSegment(
    std::shared_ptr<index::SegmentFileReader> file, const Field& field) {
  switch (*KeyKindOf(*field.type)) {
    case KeyKind::kUInt64:
      return Open<UInt64Keys>(*file, field);
    case KeyKind::kDouble:
      return Open<DoubleKeys>(*file, field);
    case KeyKind::kString:
      return Open<StringKeys>(*file, field);
  }
  return Status::Internal("unreachable");
}

}  // namespace ixray::scalar::zonemap
