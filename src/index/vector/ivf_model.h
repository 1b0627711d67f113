// The trained, shared part of a vector index: what every segment of one
// index uses, so segments built by different workers can be searched (and
// later merged) together. Made once by TrainIvfModel (or from user-supplied
// centroids / codebook), shipped to workers as bytes.
//
//   IVF   : num_partitions centroids (num_partitions x dim floats); vectors
//           are stored in the partition of their nearest centroid.
//   codec : FLAT (float32 copies), SQ (8-bit per dimension) or PQ (m
//           sub-vectors x num_bits), SQ and PQ on residuals x - centroid.
//   graph : for IVF_HNSW_*, one HNSW graph per partition (m, ef_construction).
//
// Metrics: l2 (squared), cosine (vectors normalized, l2 internally,
// reported as l2 / 2 = 1 - cos), dot (reported as 1 - x.y), hamming (uint8
// vectors, IVF_FLAT only; centroids are bit vectors).
//
// Thread safety: immutable after construction; share as shared_ptr<const>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/vector/metric.h"
#include "index/vector/pq.h"
#include "index/vector/sq.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray::vector {

enum class VectorIndexType : uint8_t {
  kIvfFlat,
  kIvfSq,
  kIvfPq,
  kIvfHnswFlat,
  kIvfHnswSq,
  kIvfHnswPq,
};

enum class Codec : uint8_t { kFlat, kSq, kPq };

// "IVF_PQ" -> kIvfPq; InvalidArgument listing the supported names otherwise.
Result<VectorIndexType> ParseVectorIndexType(std::string_view name);
std::string_view VectorIndexTypeName(VectorIndexType type);
Codec CodecOf(VectorIndexType type);
bool HasGraph(VectorIndexType type);

struct IvfModel {
  VectorIndexType type = VectorIndexType::kIvfFlat;
  Metric metric = Metric::kL2;
  int32_t dim = 0;  // values per vector (bytes for hamming)
  TypeId element_type = TypeId::kFloat32;
  std::vector<float> centroids;  // num_partitions x dim (x 8 bits for hamming, 0/1)
  std::optional<ScalarQuantizer> sq;
  std::optional<ProductQuantizer> pq;
  int32_t hnsw_m = 20;
  int32_t hnsw_ef_construction = 150;
  int32_t hnsw_max_level = 0;  // 0: no cap

  int32_t num_partitions() const;
  // Floats per centroid: dim, or dim * 8 for hamming.
  int32_t centroid_dim() const { return metric == Metric::kHamming ? dim * 8 : dim; }
  // Packed bit centroids for hamming (num_partitions x dim bytes); empty otherwise.
  std::vector<uint8_t> BinaryCentroids() const;

  std::string Serialize() const;
  static Result<IvfModel> Deserialize(std::string_view bytes);
  // XXH3-64 of Serialize(): segments of one index must agree on it.
  uint64_t Digest() const;
};

using IvfModelPtr = std::shared_ptr<const IvfModel>;

// Bytes per vector in a partition's "codes": float32 x dim (FLAT), dim
// bytes (SQ, and raw bytes for hamming) or the PQ code size.
size_t CodeSize(const IvfModel& model);

// The n vectors of partition `p` as the codec stores them, decoded back to
// full float vectors (centroid + residual for SQ and PQ): x[n][dim].
// REQUIRES: not hamming.
std::vector<float> DecodeVectors(const IvfModel& model, int p, const uint8_t* codes, size_t n);

}  // namespace ixray::vector
