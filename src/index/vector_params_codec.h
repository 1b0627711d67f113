// VectorIndexParams as bytes: what an empty vector index (created without
// training) keeps in its IndexMetadata::details, so OptimizeIndices can
// train it later exactly as the caller asked; and the parameters that
// retrain an existing model with its own shape.
//
// Layout (little-endian, ByteWriter): magic "IXVP", u32 version, index type,
// metric, i32 num_partitions (-1: unset), i32 num_sub_vectors (-1: unset),
// i32 num_bits, sample_rate, max_iters, m, ef_construction, max_level,
// u64 target_partition_size + 1 (0: unset), u64 seed, u32 count + f32
// ivf_centroids, u32 count + f32 pq_codebook. Strings are u32 length + bytes.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "index/vector/ivf_model.h"
#include "ixray/index.h"
#include "ixray/status.h"

namespace ixray::index {

std::string EncodeVectorIndexParams(const VectorIndexParams& params);
// InvalidArgument if `bytes` are not encoded parameters.
Result<VectorIndexParams> DecodeVectorIndexParams(std::string_view bytes);

// The parameters that train a model of the same type, metric, partition
// count, PQ shape and graph parameters as `model` from the current data.
VectorIndexParams RetrainParams(const vector::IvfModel& model);

}  // namespace ixray::index
