#include "index/vector_params_codec.h"

#include <cstring>

#include "format/byte_coding.h"

namespace ixray::index {

namespace {

constexpr std::string_view kParamsMagic = "IXVP";
constexpr uint32_t kParamsVersion = 1;

void PutFloats(format::ByteWriter& w, const std::vector<float>& values) {
  w.PutU32(static_cast<uint32_t>(values.size()));
  w.PutBytes(values.data(), values.size() * sizeof(float));
}

Result<std::vector<float>> GetFloats(format::ByteReader& r, std::string_view what) {
  IXRAY_ASSIGN_OR_RAISE(uint32_t count, r.GetU32(what));
  IXRAY_RETURN_NOT_OK(r.CheckCount(count, sizeof(float), what));
  IXRAY_ASSIGN_OR_RAISE(auto bytes, r.GetBytes(size_t{count} * sizeof(float), what));
  std::vector<float> out(count);
  if (count > 0) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

}  // namespace

std::string EncodeVectorIndexParams(const VectorIndexParams& p) {
  std::string out;
  format::ByteWriter w(&out);
  w.PutBytes(kParamsMagic.data(), kParamsMagic.size());
  w.PutU32(kParamsVersion);
  w.PutString(p.index_type);
  w.PutString(p.metric);
  w.PutI32(p.num_partitions.value_or(-1));
  w.PutI32(p.num_sub_vectors.value_or(-1));
  for (int v : {p.num_bits, p.sample_rate, p.max_iters, p.m, p.ef_construction, p.max_level}) {
    w.PutI32(v);
  }
  w.PutU64(p.target_partition_size ? static_cast<uint64_t>(*p.target_partition_size) + 1 : 0);
  w.PutU64(p.seed);
  PutFloats(w, p.ivf_centroids);
  PutFloats(w, p.pq_codebook);
  return out;
}

Result<VectorIndexParams> DecodeVectorIndexParams(std::string_view bytes) {
  format::ByteReader r({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  auto bad = Status::InvalidArgument("not encoded vector index parameters");
  auto magic = r.GetBytes(kParamsMagic.size(), "magic");
  if (!magic.ok() || std::memcmp(magic->data(), kParamsMagic.data(), kParamsMagic.size()) != 0) {
    return bad;
  }
  auto version = r.GetU32("version");
  if (!version.ok() || *version != kParamsVersion) return bad;
  VectorIndexParams p;
  IXRAY_ASSIGN_OR_RAISE(p.index_type, r.GetString("index type"));
  IXRAY_ASSIGN_OR_RAISE(p.metric, r.GetString("metric"));
  IXRAY_ASSIGN_OR_RAISE(int32_t partitions, r.GetI32("num_partitions"));
  if (partitions >= 0) p.num_partitions = partitions;
  IXRAY_ASSIGN_OR_RAISE(int32_t sub_vectors, r.GetI32("num_sub_vectors"));
  if (sub_vectors >= 0) p.num_sub_vectors = sub_vectors;
  for (int* v :
       {&p.num_bits, &p.sample_rate, &p.max_iters, &p.m, &p.ef_construction, &p.max_level}) {
    IXRAY_ASSIGN_OR_RAISE(*v, r.GetI32("parameter"));
  }
  IXRAY_ASSIGN_OR_RAISE(uint64_t target, r.GetU64("target_partition_size"));
  if (target > 0) p.target_partition_size = static_cast<int64_t>(target - 1);
  IXRAY_ASSIGN_OR_RAISE(p.seed, r.GetU64("seed"));
  IXRAY_ASSIGN_OR_RAISE(p.ivf_centroids, GetFloats(r, "ivf_centroids"));
  IXRAY_ASSIGN_OR_RAISE(p.pq_codebook, GetFloats(r, "pq_codebook"));
  if (r.remaining() != 0) return bad;
  return p;
}

VectorIndexParams RetrainParams(const vector::IvfModel& model) {
  VectorIndexParams p;
  p.index_type = std::string(vector::VectorIndexTypeName(model.type));
  p.metric = std::string(vector::MetricName(model.metric));
  p.num_partitions = model.num_partitions();
  if (model.pq) {
    p.num_sub_vectors = model.pq->num_sub_vectors();
    p.num_bits = model.pq->nbits();
  }
  p.m = model.hnsw_m;
  p.ef_construction = model.hnsw_ef_construction;
  p.max_level = model.hnsw_max_level;
  return p;
}

}  // namespace ixray::index
