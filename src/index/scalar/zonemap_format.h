// The ZONEMAP zone statistics and their blob codec (layout in zonemap.h),
// shared by the builder and the segment reader.
//
// Thread safety: value types and pure functions.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/byte_coding.h"
#include "index/scalar/ordered_keys.h"
#include "index/scalar/zonemap.h"

namespace ixray::scalar::zonemap {

template <typename Keys>
struct Zone {
  RowAddress first = 0;
  RowAddress last = 0;
  uint64_t rows = 0;
  uint64_t nulls = 0;
  bool has_nan = false;
  // The smallest and largest non-null, non-NaN key; unset when none.
  std::optional<typename Keys::Key> min;
  std::optional<typename Keys::Key> max;
};

template <typename Keys>
std::string EncodeZones(int64_t rows_per_zone, const std::vector<Zone<Keys>>& zones) {
  std::string out;
  format::ByteWriter w(&out);
  w.PutBytes(kMagic.data(), kMagic.size());
  w.PutU32(kFormatVersion);
  w.PutU8(static_cast<uint8_t>(Keys::kKind));
  w.PutU64(static_cast<uint64_t>(rows_per_zone));
  w.PutU32(static_cast<uint32_t>(zones.size()));
  for (const auto& zone : zones) {
    w.PutU64(zone.first);
    w.PutU64(zone.last);
    w.PutU64(zone.rows);
    w.PutU64(zone.nulls);
    w.PutU8(static_cast<uint8_t>((zone.min ? 1 : 0) | (zone.has_nan ? 2 : 0)));
    if (zone.min) {
      Keys::Put(w, *zone.min);
      Keys::Put(w, *zone.max);
    }
  }
  return out;
}

template <typename Keys>
Result<std::vector<Zone<Keys>>> DecodeZones(std::string_view bytes, std::string_view what) {
  format::ByteReader r({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  const auto bad = [&](std::string_view why) {
    return Status::Corruption(fmt::format("{}: {}", what, why));
  };
  IXRAY_ASSIGN_OR_RAISE(auto magic, r.GetBytes(kMagic.size(), "magic"));
  if (std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kMagic) {
    return bad("bad magic");
  }
  IXRAY_ASSIGN_OR_RAISE(uint32_t version, r.GetU32("version"));
  if (version != kFormatVersion) return bad(fmt::format("unsupported version {}", version));
  IXRAY_ASSIGN_OR_RAISE(uint8_t kind, r.GetU8("key kind"));
  if (kind != static_cast<uint8_t>(Keys::kKind)) return bad("key kind does not match the column");
  IXRAY_RETURN_NOT_OK(r.GetU64("rows per zone").status());
  IXRAY_ASSIGN_OR_RAISE(uint32_t count, r.GetU32("zone count"));
  IXRAY_RETURN_NOT_OK(r.CheckCount(count, 33, "zones"));
  std::vector<Zone<Keys>> zones(count);
  for (uint32_t i = 0; i < count; ++i) {
    Zone<Keys>& zone = zones[i];
    IXRAY_ASSIGN_OR_RAISE(zone.first, r.GetU64("zone first address"));
    IXRAY_ASSIGN_OR_RAISE(zone.last, r.GetU64("zone last address"));
    IXRAY_ASSIGN_OR_RAISE(zone.rows, r.GetU64("zone row count"));
    IXRAY_ASSIGN_OR_RAISE(zone.nulls, r.GetU64("zone null count"));
    IXRAY_ASSIGN_OR_RAISE(uint8_t flags, r.GetU8("zone flags"));
    if (flags > 3) return bad(fmt::format("zone {} has unknown flags {}", i, flags));
    zone.has_nan = (flags & 2) != 0;
    if (flags & 1) {
      IXRAY_ASSIGN_OR_RAISE(zone.min, Keys::Get(r));
      IXRAY_ASSIGN_OR_RAISE(zone.max, Keys::Get(r));
      if (Keys::Less(*zone.max, *zone.min)) return bad(fmt::format("zone {}: min > max", i));
    }
    // Zones ascend, stay within one fragment, and hold at least one row.
    const bool ordered = i == 0 || zones[i - 1].last < zone.first;
    if (zone.last < zone.first || (zone.first >> 32) != (zone.last >> 32) || !ordered ||
        zone.rows == 0 || zone.nulls > zone.rows || zone.rows - 1 > zone.last - zone.first) {
      return bad(fmt::format("zone {} is malformed", i));
    }
  }
  if (r.remaining() != 0) return bad(fmt::format("{} trailing bytes", r.remaining()));
  return zones;
}

}  // namespace ixray::scalar::zonemap
