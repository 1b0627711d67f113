#include "index/segment_metadata.h"

#include <cstring>

#include "format/byte_coding.h"

namespace ixray::index {

namespace {
constexpr std::string_view kSegmentMagic = "IXSM";
constexpr uint32_t kSegmentVersion = 1;
}  // namespace

std::string SegmentMetadata::Encode() const {
  std::string out;
  format::ByteWriter w(&out);
  w.PutBytes(kSegmentMagic.data(), kSegmentMagic.size());
  w.PutU32(kSegmentVersion);
  w.PutString(uuid);
  w.PutString(index_type);
  w.PutI32(field_id);
  w.PutU64(dataset_version);
  w.PutU32(static_cast<uint32_t>(fragment_ids.size()));
  for (FragmentId f : fragment_ids) w.PutU32(f);
  w.PutU64(static_cast<uint64_t>(num_rows));
  w.PutString(file);
  w.PutU64(model_digest);
  return out;
}

Result<SegmentMetadata> SegmentMetadata::Decode(std::string_view bytes) {
  format::ByteReader r({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  auto bad = Status::InvalidArgument("not index segment metadata from ExecuteUncommitted");
  auto magic = r.GetBytes(kSegmentMagic.size(), "magic");
  if (!magic.ok() || std::memcmp(magic->data(), kSegmentMagic.data(), 4) != 0) return bad;
  auto version = r.GetU32("version");
  if (!version.ok() || *version != kSegmentVersion) return bad;
  SegmentMetadata m;
  IXRAY_ASSIGN_OR_RAISE(m.uuid, r.GetString("uuid"));
  IXRAY_ASSIGN_OR_RAISE(m.index_type, r.GetString("index type"));
  IXRAY_ASSIGN_OR_RAISE(m.field_id, r.GetI32("field id"));
  IXRAY_ASSIGN_OR_RAISE(m.dataset_version, r.GetU64("dataset version"));
  IXRAY_ASSIGN_OR_RAISE(uint32_t count, r.GetU32("fragment count"));
  IXRAY_RETURN_NOT_OK(r.CheckCount(count, 4, "fragments"));
  for (uint32_t i = 0; i < count; ++i) {
    IXRAY_ASSIGN_OR_RAISE(uint32_t f, r.GetU32("fragment"));
    m.fragment_ids.push_back(f);
  }
  IXRAY_ASSIGN_OR_RAISE(uint64_t rows, r.GetU64("rows"));
  m.num_rows = static_cast<int64_t>(rows);
  IXRAY_ASSIGN_OR_RAISE(m.file, r.GetString("file"));
  IXRAY_ASSIGN_OR_RAISE(m.model_digest, r.GetU64("model digest"));
  if (r.remaining() != 0) return bad;
  return m;
}

std::string SegmentDetails(int64_t num_rows, uint64_t model_digest) {
  std::string out;
  format::ByteWriter w(&out);
  w.PutU64(static_cast<uint64_t>(num_rows));
  w.PutU64(model_digest);
  return out;
}

int64_t SegmentRows(const dataset::IndexSegment& segment) {
  if (segment.details.size() < 8) return 0;
  format::ByteReader r({reinterpret_cast<const uint8_t*>(segment.details.data()), 8});
  return static_cast<int64_t>(r.GetU64("rows").ValueOr(0));
}

}  // namespace ixray::index
