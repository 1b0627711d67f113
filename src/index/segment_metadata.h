// The metadata of one uncommitted index segment: what ExecuteUncommitted
// returns (as bytes) and CommitIndex consumes, for every index type.
//
// Layout (little-endian, ByteWriter): magic "IXSM", u32 version, uuid,
// index type, i32 field id, u64 dataset version, u32 fragment count + u32
// ids, u64 rows, file name, u64 model digest. Strings are u32 length +
// bytes.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataset/manifest.h"
#include "ixray/dataset.h"
#include "ixray/status.h"

namespace ixray::index {

struct SegmentMetadata {
  std::string uuid;
  std::string index_type;
  int32_t field_id = -1;
  uint64_t dataset_version = 0;
  std::vector<FragmentId> fragment_ids;
  int64_t num_rows = 0;
  std::string file;  // relative to the segment directory
  // Digest of the model (vector) or config (scalar) it was built with; all
  // segments of one index must agree.
  uint64_t model_digest = 0;

  std::string Encode() const;
  // InvalidArgument if `bytes` is not segment metadata.
  static Result<SegmentMetadata> Decode(std::string_view bytes);
};

// The `details` bytes of a committed segment: u64 rows, u64 model digest.
std::string SegmentDetails(int64_t num_rows, uint64_t model_digest);
int64_t SegmentRows(const dataset::IndexSegment& segment);

}  // namespace ixray::index
