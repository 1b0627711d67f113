#include "index/vector/ivf_model.h"

#include <fmt/format.h>

#include <cstring>

#include "format/byte_coding.h"
#include "format/data_file_format.h"

namespace ixray::vector {

namespace {

constexpr std::string_view kModelMagic = "IXVM";
constexpr uint32_t kModelVersion = 1;

struct TypeName {
  VectorIndexType type;
  std::string_view name;
};
constexpr TypeName kTypeNames[] = {
    {VectorIndexType::kIvfFlat, "IVF_FLAT"},      {VectorIndexType::kIvfSq, "IVF_SQ"},
    {VectorIndexType::kIvfPq, "IVF_PQ"},          {VectorIndexType::kIvfHnswFlat, "IVF_HNSW_FLAT"},
    {VectorIndexType::kIvfHnswSq, "IVF_HNSW_SQ"}, {VectorIndexType::kIvfHnswPq, "IVF_HNSW_PQ"},
};

}  // namespace

Result<VectorIndexType> ParseVectorIndexType(std::string_view name) {
  std::string upper(name);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& t : kTypeNames) {
    if (t.name == upper) return t.type;
  }
  return Status::InvalidArgument(fmt::format(
      "unknown vector index type '{}'; supported: IVF_FLAT, IVF_SQ, IVF_PQ, IVF_HNSW_FLAT, "
      "IVF_HNSW_SQ, IVF_HNSW_PQ",
      name));
}

std::string_view VectorIndexTypeName(VectorIndexType type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "?";
}

Codec CodecOf(VectorIndexType type) {
  switch (type) {
    case VectorIndexType::kIvfSq:
    case VectorIndexType::kIvfHnswSq:
      return Codec::kSq;
    case VectorIndexType::kIvfPq:
    case VectorIndexType::kIvfHnswPq:
      return Codec::kPq;
    default:
      return Codec::kFlat;
  }
}

bool HasGraph(VectorIndexType type) {
  return type == VectorIndexType::kIvfHnswFlat || type == VectorIndexType::kIvfHnswSq ||
         type == VectorIndexType::kIvfHnswPq;
}

int32_t IvfModel::num_partitions() const {
  const int32_t cd = centroid_dim();
  return cd == 0 ? 0 : static_cast<int32_t>(centroids.size() / cd);
}

std::vector<uint8_t> IvfModel::BinaryCentroids() const {
  if (metric != Metric::kHamming) return {};
  std::vector<uint8_t> out(static_cast<size_t>(num_partitions()) * dim, 0);
  for (size_t i = 0; i < centroids.size(); ++i) {
    if (centroids[i] >= 0.5f) out[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  }
  return out;
}

std::string IvfModel::Serialize() const {
  std::string out;
  format::ByteWriter w(&out);
  w.PutBytes(kModelMagic.data(), kModelMagic.size());
  w.PutU32(kModelVersion);
  w.PutU8(static_cast<uint8_t>(type));
  w.PutU8(static_cast<uint8_t>(metric));
  w.PutU8(static_cast<uint8_t>(element_type));
  w.PutI32(dim);
  w.PutU64(centroids.size());
  w.PutBytes(centroids.data(), centroids.size() * sizeof(float));
  w.PutI32(hnsw_m);
  w.PutI32(hnsw_ef_construction);
  w.PutI32(hnsw_max_level);
  w.PutString(sq ? sq->Serialize() : std::string());
  w.PutString(pq ? pq->Serialize() : std::string());
  return out;
}

size_t CodeSize(const IvfModel& model) {
  const size_t d = model.dim;
  if (model.metric == Metric::kHamming) return d;
  switch (CodecOf(model.type)) {
    case Codec::kFlat:
      return d * sizeof(float);
    case Codec::kSq:
      return d;
    case Codec::kPq:
      return model.pq->code_size();
  }
  return 0;
}

std::vector<float> DecodeVectors(const IvfModel& model, int p, const uint8_t* codes, size_t n) {
  const size_t d = model.dim;
  std::vector<float> out(n * d);
  const Codec codec = CodecOf(model.type);
  if (codec == Codec::kFlat) {
    std::memcpy(out.data(), codes, n * d * sizeof(float));
    return out;
  }
  if (codec == Codec::kSq) {
    model.sq->Decode(codes, n, out.data());
  } else {
    model.pq->Decode(codes, n, out.data());
  }
  const float* c = model.centroids.data() + static_cast<size_t>(p) * d;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; ++j) out[i * d + j] += c[j];
  }
  return out;
}

uint64_t IvfModel::Digest() const { return format::Checksum(Serialize()); }

Result<IvfModel> IvfModel::Deserialize(std::string_view bytes) {
  auto corrupt = [](std::string_view what) {
    return Status::Corruption(fmt::format("vector index model: {}", what));
  };
  format::ByteReader r({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  IXRAY_ASSIGN_OR_RAISE(auto magic, r.GetBytes(kModelMagic.size(), "magic"));
  if (std::memcmp(magic.data(), kModelMagic.data(), kModelMagic.size()) != 0) {
    return corrupt("bad magic");
  }
  IXRAY_ASSIGN_OR_RAISE(uint32_t version, r.GetU32("version"));
  if (version != kModelVersion) {
    return Status::NotImplemented(fmt::format("vector index model version {}", version));
  }
  IvfModel m;
  IXRAY_ASSIGN_OR_RAISE(uint8_t type, r.GetU8("index type"));
  IXRAY_ASSIGN_OR_RAISE(uint8_t metric, r.GetU8("metric"));
  IXRAY_ASSIGN_OR_RAISE(uint8_t element, r.GetU8("element type"));
  if (type > static_cast<uint8_t>(VectorIndexType::kIvfHnswPq) ||
      metric > static_cast<uint8_t>(Metric::kHamming) ||
      (element != static_cast<uint8_t>(TypeId::kFloat32) &&
       element != static_cast<uint8_t>(TypeId::kFloat16) &&
       element != static_cast<uint8_t>(TypeId::kUInt8))) {
    return corrupt("bad index type, metric or element type");
  }
  m.type = static_cast<VectorIndexType>(type);
  m.metric = static_cast<Metric>(metric);
  m.element_type = static_cast<TypeId>(element);
  IXRAY_ASSIGN_OR_RAISE(m.dim, r.GetI32("dim"));
  IXRAY_ASSIGN_OR_RAISE(uint64_t n, r.GetU64("centroid values"));
  IXRAY_RETURN_NOT_OK(r.CheckCount(n, sizeof(float), "centroid values"));
  if (m.dim <= 0 || n % static_cast<uint64_t>(m.centroid_dim()) != 0) {
    return corrupt("centroids do not match the dimension");
  }
  IXRAY_ASSIGN_OR_RAISE(auto raw, r.GetBytes(n * sizeof(float), "centroids"));
  m.centroids.resize(n);
  std::memcpy(m.centroids.data(), raw.data(), raw.size());
  IXRAY_ASSIGN_OR_RAISE(m.hnsw_m, r.GetI32("hnsw m"));
  IXRAY_ASSIGN_OR_RAISE(m.hnsw_ef_construction, r.GetI32("hnsw ef_construction"));
  IXRAY_ASSIGN_OR_RAISE(m.hnsw_max_level, r.GetI32("hnsw max level"));
  IXRAY_ASSIGN_OR_RAISE(auto sq_bytes, r.GetString("sq"));
  IXRAY_ASSIGN_OR_RAISE(auto pq_bytes, r.GetString("pq"));
  if (!sq_bytes.empty()) {
    IXRAY_ASSIGN_OR_RAISE(auto sq, ScalarQuantizer::Deserialize(sq_bytes));
    m.sq = std::move(sq);
  }
  if (!pq_bytes.empty()) {
    IXRAY_ASSIGN_OR_RAISE(auto pq, ProductQuantizer::Deserialize(pq_bytes));
    m.pq = std::move(pq);
  }
  const Codec codec = CodecOf(m.type);
  if ((codec == Codec::kSq) != m.sq.has_value() || (codec == Codec::kPq) != m.pq.has_value()) {
    return corrupt("codec does not match the index type");
  }
  if (r.remaining() != 0) return corrupt("trailing bytes");
  return m;
}

}  // namespace ixray::vector
