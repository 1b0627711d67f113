// ZONEMAP segment building: one pass over the rows, closing a zone when it
// is full or the fragment changes.
#include <fmt/format.h>

#include "index/scalar/row_set_codec.h"
#include "index/scalar/zonemap.h"
#include "index/scalar/zonemap_format.h"

namespace ixray::scalar::zonemap {

namespace {

template <typename Keys>
class Builder final : public ScalarSegmentBuilder {
 public:
  using Key = typename Keys::Key;

  Builder(const Field& field, int64_t rows_per_zone)
      : field_(field), rows_per_zone_(static_cast<uint64_t>(rows_per_zone)) {}

  Status Add(const Array& values, std::span<const RowAddress> addresses) override {
    if (finished_) return Status::InvalidArgument("ZONEMAP builder: Add after Finish");
    if (values.length() != static_cast<int64_t>(addresses.size())) {
      return Status::InvalidArgument(fmt::format("ZONEMAP builder: {} values but {} row addresses",
                                                 values.length(), addresses.size()));
    }
    if (!values.type()->Equals(*field_.type)) {
      return Status::TypeError(fmt::format("ZONEMAP builder for column '{}' ({}) got values of {}",
                                           field_.name, field_.type->ToString(),
                                           values.type()->ToString()));
    }
    bool any = !zones_.empty();
    RowAddress previous = any ? zones_.back().last : 0;
    for (RowAddress address : addresses) {
      if (any && address <= previous) {
        return Status::InvalidArgument("ZONEMAP builder: row addresses must ascend strictly");
      }
      previous = address;
      any = true;
    }
    rows_.addMany(addresses.size(), addresses.data());
    ForEachKey<Keys>(
        values,
        [&](int64_t i, const auto& key) {
          Zone<Keys>& zone = EnterRow(addresses[i]);
          if constexpr (Keys::kKind == KeyKind::kDouble) {
            if (std::isnan(key)) {
              zone.has_nan = true;
              return;
            }
          }
          if (!zone.min) {
            zone.min = Key(key);
            zone.max = Key(key);
          } else if (Below(key, *zone.min)) {
            zone.min = Key(key);
          } else if (Below(*zone.max, key)) {
            zone.max = Key(key);
          }
        },
        [&](int64_t i) {
          ++EnterRow(addresses[i]).nulls;
          nulls_.add(addresses[i]);
        });
    return Status::OK();
  }

  Status Finish(index::SegmentFileWriter& out) override {
    if (finished_) return Status::InvalidArgument("ZONEMAP builder: Finish called twice");
    finished_ = true;
    IXRAY_RETURN_NOT_OK(out.Add(kZonesBlob, EncodeZones<Keys>(rows_per_zone_, zones_)));
    nulls_.runOptimize();
    rows_.runOptimize();
    IXRAY_RETURN_NOT_OK(out.Add(kNullsBlob, EncodeRowSet(nulls_)));
    return out.Add(kRowsBlob, EncodeRowSet(rows_));
  }

 private:
  // The zone of the row at `address`, a new one when the current zone is
  // full or of another fragment.
  Zone<Keys>& EnterRow(RowAddress address) {
    if (zones_.empty() || zones_.back().rows == rows_per_zone_ ||
        AddressFragment(zones_.back().last) != AddressFragment(address)) {
      zones_.emplace_back();
      zones_.back().first = address;
    }
    Zone<Keys>& zone = zones_.back();
    zone.last = address;
    ++zone.rows;
    return zone;
  }

  // a < b, with string views compared without copying.
  template <typename A, typename B>
  static bool Below(const A& a, const B& b) {
    if constexpr (Keys::kKind == KeyKind::kString) {
      return std::string_view(a) < std::string_view(b);
    } else {
      return Keys::Less(a, b);
    }
  }

  const Field field_;
  const uint64_t rows_per_zone_;
  std::vector<Zone<Keys>> zones_;
  RowAddressSet nulls_;
  RowAddressSet rows_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<ScalarSegmentBuilder> MakeBuilder(const Field& field, int64_t rows_per_zone) {
  switch (*KeyKindOf(*field.type)) {
    case KeyKind::kUInt64:
      return std::make_unique<Builder<UInt64Keys>>(field, rows_per_zone);
    case KeyKind::kDouble:
      return std::make_unique<Builder<DoubleKeys>>(field, rows_per_zone);
    case KeyKind::kString:
      return std::make_unique<Builder<StringKeys>>(field, rows_per_zone);
  }
  return nullptr;
}

}  // namespace ixray::scalar::zonemap
