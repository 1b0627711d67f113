// The HNSW byte format (layout in hnsw.h). Deserialize treats its input as
// untrusted: it checks the checksum, then every count and id before use, so
// damaged bytes give Status::Corruption and never an out-of-bounds access.
#include <fmt/format.h>

#include <algorithm>
#include <span>

#include "format/byte_coding.h"
#include "format/data_file_format.h"
#include "index/vector/hnsw.h"

namespace ixray::vector {

namespace {

constexpr uint32_t kMagic = 0x57534E48;  // "HNSW" as little-endian bytes
constexpr size_t kChecksumBytes = 8;

Status Corrupt(std::string_view what) {
  return Status::Corruption(fmt::format("HNSW graph: {}", what));
}

}  // namespace

void HnswGraph::Serialize(std::string* out) const {
  const size_t start = out->size();
  format::ByteWriter writer(out);
  writer.PutU32(kMagic);
  writer.PutU32(kFormatVersion);
  writer.PutU32(n_);
  writer.PutU32(m_);
  writer.PutU32(ef_construction_);
  writer.PutI32(max_level_);
  writer.PutU32(n_ == 0 ? 0 : entry_point_);
  writer.PutBytes(levels_.data(), levels_.size());
  auto put_list = [&](uint32_t node, int level) {
    const std::span<const uint32_t> list = Neighbors(node, level);
    writer.PutU32(static_cast<uint32_t>(list.size()));
    for (const uint32_t id : list) writer.PutU32(id);
  };
  for (uint32_t node = 0; node < n_; ++node) put_list(node, 0);
  for (uint32_t node = 0; node < n_; ++node) {
    for (int level = 1; level <= levels_[node]; ++level) put_list(node, level);
  }
  writer.PutU64(format::Checksum(std::string_view(*out).substr(start)));
}

Result<HnswGraph> HnswGraph::Deserialize(std::string_view bytes) {
  if (bytes.size() < 4 + kChecksumBytes) return Corrupt("too short");
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (format::LoadLittleEndian<uint32_t>(data) != kMagic) return Corrupt("bad magic");
  const size_t body_size = bytes.size() - kChecksumBytes;
  if (format::Checksum(bytes.substr(0, body_size)) !=
      format::LoadLittleEndian<uint64_t>(data + body_size)) {
    return Corrupt("checksum mismatch");
  }

  format::ByteReader reader(std::span<const uint8_t>(data + 4, body_size - 4));
  IXRAY_ASSIGN_OR_RAISE(const uint32_t version, reader.GetU32("HNSW version"));
  if (version != kFormatVersion) return Corrupt(fmt::format("unknown version {}", version));
  IXRAY_ASSIGN_OR_RAISE(const uint32_t n, reader.GetU32("HNSW node count"));
  IXRAY_ASSIGN_OR_RAISE(const uint32_t m, reader.GetU32("HNSW m"));
  IXRAY_ASSIGN_OR_RAISE(const uint32_t ef_construction, reader.GetU32("HNSW ef_construction"));
  IXRAY_ASSIGN_OR_RAISE(const int32_t max_level, reader.GetI32("HNSW max level"));
  IXRAY_ASSIGN_OR_RAISE(const uint32_t entry_point, reader.GetU32("HNSW entry point"));
  if (m < 2 || m > kMaxM) return Corrupt(fmt::format("m {} out of range", m));
  // Each node takes at least its level byte and its level-0 count.
  IXRAY_RETURN_NOT_OK(reader.CheckCount(n, 5, "HNSW node"));
  IXRAY_ASSIGN_OR_RAISE(auto level_bytes, reader.GetBytes(n, "HNSW levels"));

  std::vector<uint8_t> levels(level_bytes.begin(), level_bytes.end());
  int top = -1;
  for (const uint8_t level : levels) {
    if (level > kMaxLevel) return Corrupt(fmt::format("level {} out of range", level));
    top = std::max<int>(top, level);
  }
  if (max_level != top) return Corrupt(fmt::format("max level {} != {}", max_level, top));
  if (n == 0 ? entry_point != 0 : (entry_point >= n || levels[entry_point] != top)) {
    return Corrupt(fmt::format("bad entry point {}", entry_point));
  }

  HnswGraph graph;
  if (Status st = graph.Allocate(m, std::move(levels)); !st.ok()) return Corrupt(st.message());
  graph.ef_construction_ = ef_construction;
  graph.max_level_ = max_level;
  graph.entry_point_ = entry_point;

  auto read_list = [&](uint32_t node, int level) -> Status {
    IXRAY_ASSIGN_OR_RAISE(const uint32_t count, reader.GetU32("HNSW neighbor count"));
    if (count > graph.max_degree(level)) {
      return Corrupt(fmt::format("node {} has {} neighbors at level {}", node, count, level));
    }
    IXRAY_ASSIGN_OR_RAISE(auto ids, reader.GetBytes(size_t{count} * 4, "HNSW neighbors"));
    uint32_t* block = graph.Block(node, level);
    block[0] = count;
    for (uint32_t i = 0; i < count; ++i) {
      const auto id = format::LoadLittleEndian<uint32_t>(ids.data() + 4 * i);
      if (id >= n || id == node || graph.levels_[id] < level) {
        return Corrupt(fmt::format("node {} has a bad neighbor {} at level {}", node, id, level));
      }
      block[1 + i] = id;
    }
    return Status::OK();
  };
  for (uint32_t node = 0; node < n; ++node) IXRAY_RETURN_NOT_OK(read_list(node, 0));
  for (uint32_t node = 0; node < n; ++node) {
    for (int level = 1; level <= graph.levels_[node]; ++level) {
      IXRAY_RETURN_NOT_OK(read_list(node, level));
    }
  }
  if (reader.remaining() != 0) return Corrupt("trailing bytes");
  return graph;
}

}  // namespace ixray::vector
