// ZONEMAP: a scalar index of per-zone statistics, for pruning.
//
// Rows are cut into zones of up to `rows_per_zone` consecutive indexed rows
// of one fragment (zones never span fragments). A zone records its first and
// last row address, its row and null counts, the minimum and maximum of its
// non-null values (NaN left out; a flag records whether it has NaN), all in
// the key order of ordered_keys.h.
//
// An answer is the indexed rows of the zones that may hold a match: the
// union of their address ranges intersected with the segment's set of added
// rows, so it names only rows that were Added. Comparisons also leave out
// the null rows. It is a superset (exact = false) unless every zone kept
// matches in full (e.g. all of its values lie in the range and it has no
// nulls or NaN); IS NULL and IS NOT NULL are always exact.
//
// Segment blobs:
//   "zonemap/zones"  magic "IXZM", u32 version, u8 key kind, u64 rows per
//                    zone, u32 zone count, then per zone: u64 first
//                    address, u64 last address, u64 row count, u64 null
//                    count, u8 flags (1: has a non-NaN value, 2: has NaN),
//                    and when flag 1 is set the minimum and maximum keys.
//   "zonemap/nulls"  the null rows (row_set_codec.h).
//   "zonemap/rows"   every indexed row.
//
// Thread safety: see scalar_index.h; an opened segment is immutable.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "index/scalar/scalar_index.h"

namespace ixray::scalar::zonemap {

inline constexpr std::string_view kZonesBlob = "zonemap/zones";
inline constexpr std::string_view kNullsBlob = "zonemap/nulls";
inline constexpr std::string_view kRowsBlob = "zonemap/rows";
inline constexpr std::string_view kMagic = "IXZM";
inline constexpr uint32_t kFormatVersion = 1;

inline constexpr std::string_view kRowsPerZoneParam = "rows_per_zone";
inline constexpr int64_t kDefaultRowsPerZone = 8192;
inline constexpr int64_t kMaxRowsPerZone = int64_t{1} << 32;

// REQUIRES: KeyKindOf(*field.type) is set; rows_per_zone in [1, kMaxRowsPerZone].
std::unique_ptr<ScalarSegmentBuilder> MakeBuilder(const Field& field, int64_t rows_per_zone);

// Corruption if the segment's blobs are damaged.
// REQUIRES: KeyKindOf(*field.type) is set.
Result<std::unique_ptr<ScalarIndexSegment>> OpenSegment(
    std::shared_ptr<index::SegmentFileReader> file, const Field& field);

}  // namespace ixray::scalar::zonemap
