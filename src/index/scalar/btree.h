// BTREE: a scalar index of sorted (value, row address) pairs.
//
// A segment holds the non-null values of its rows in key order (see
// ordered_keys.h), cut into pages of `batch_size` entries. A search reads a
// small lookup blob once (each page's first and last key), then only the
// pages whose key span meets the predicate, so an equality or a narrow range
// reads one or two pages. Answers are exact for =, !=, <, <=, >, >=, IN,
// BETWEEN, IS NULL and their negations; LIKE on strings is answered from the
// pattern's literal prefix (exact for 'abc%', a superset otherwise).
//
// Segment blobs (all little-endian; keys coded by the key kind, see
// ordered_keys.h: u64 for UInt64Keys, the IEEE bits as u64 for DoubleKeys,
// u32 length + bytes for StringKeys):
//
//   "btree/lookup"   magic "IXBT", u32 version, u8 key kind, u64 batch size,
//                    u32 page count, then per page: u32 entry count, first
//                    key, last key.
//   "btree/page/<i>" u32 entry count, the keys in order, then one u64 row
//                    address per key. Entries are sorted by (key, address).
//   "btree/nulls"    the rows whose value is null (row_set_codec.h).
//   "btree/rows"     every row the segment indexed, so that !=, NOT IN and
//                    NOT BETWEEN are the non-null rows minus a few pages.
//
// Building keeps pairs in memory up to BuildContext::memory_limit, then
// sorts them and spills them as a run file under BuildContext::temp_dir;
// Finish merges the runs (k-way) straight into pages and deletes them.
//
// Thread safety: see scalar_index.h. An opened segment caches the pages it
// has read behind a mutex and may be searched from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "index/scalar/ordered_keys.h"
#include "index/scalar/scalar_index.h"

namespace ixray::scalar::btree {

inline constexpr std::string_view kLookupBlob = "btree/lookup";
inline constexpr std::string_view kNullsBlob = "btree/nulls";
inline constexpr std::string_view kRowsBlob = "btree/rows";
inline constexpr std::string_view kLookupMagic = "IXBT";
inline constexpr uint32_t kFormatVersion = 1;

inline constexpr std::string_view kBatchSizeParam = "batch_size";
inline constexpr int64_t kDefaultBatchSize = 4096;
inline constexpr int64_t kMaxBatchSize = int64_t{1} << 24;

std::string PageBlobName(int64_t page);

// REQUIRES: KeyKindOf(*field.type) is set; batch_size in [1, kMaxBatchSize].
std::unique_ptr<ScalarSegmentBuilder> MakeBuilder(const Field& field, int64_t batch_size,
                                                  const BuildContext& context);

// Reads the lookup and row-set blobs of a segment; Corruption if damaged.
// REQUIRES: KeyKindOf(*field.type) is set.
Result<std::unique_ptr<ScalarIndexSegment>> OpenSegment(
    std::shared_ptr<index::SegmentFileReader> file, const Field& field);

}  // namespace ixray::scalar::btree
