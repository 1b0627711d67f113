// Work units: the self-contained messages a coordinator ships to workers
// (threads here, Ray tasks in Python), and the answers they send back.
//
// A unit names the dataset by uri and the version pinned at plan time, so
// every worker reads the same snapshot whatever is committed meanwhile.
// Bulk inputs that are the same for every unit of a step (the trained
// model, a round's centroids) travel separately as the step's "shared"
// bytes, so an engine can ship them once (ray.put) rather than per unit.
//
// Bytes: magic "IXWU" / "IXSR", u32 format version, then a protobuf message
// (work_unit.proto). Decoding refuses other bytes with InvalidArgument.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/dataset.h"
#include "ixray/status.h"

namespace ixray::distributed {

enum class UnitKind : uint8_t { kTrainShare, kBuildSegment, kSearchShard, kTrainPq };

// k-means partial sums of a share of the training sample.
struct TrainShareSpec {
  std::string column;
  int metric = 0;  // vector::Metric
  std::vector<uint64_t> positions;
};

// One uncommitted segment; the shared bytes are the model.
struct BuildSegmentSpec {
  std::string column;
  std::vector<FragmentId> fragment_ids;
  std::string segment_uuid;
  uint64_t model_digest = 0;  // XXH3-64 of the model bytes
};

// One search shard. `query.k` is the shard's k (k x oversample_factor).
struct SearchShardSpec {
  VectorQuery query;
  bool indexed = false;
  std::vector<std::string> segment_uuids;  // indexed
  std::vector<FragmentId> fragment_ids;    // flat
  std::string filter;                      // sent only with prefilter
  bool prefilter = false;
  bool analyze = false;
};

// Some PQ sub-quantizers; the shared bytes are the residual sample
// (EncodeCentroids with k = rows), the answer their centroids.
struct TrainPqSpec {
  std::vector<uint32_t> sub_spaces;
  int num_sub_vectors = 0;
  int num_bits = 8;
  int max_iters = 0;
  uint64_t seed = 0;
};

struct WorkUnit {
  std::string uri;
  uint64_t version = 0;
  uint32_t index = 0;  // position in its plan
  UnitKind kind = UnitKind::kBuildSegment;
  TrainShareSpec train;
  BuildSegmentSpec build;
  SearchShardSpec search;
  TrainPqSpec train_pq;
};

struct SearchShardResult {
  std::vector<uint64_t> addresses;  // ascending by (distance, address)
  std::vector<float> distances;
  std::string plan;  // with analyze
};

std::string EncodeWorkUnit(const WorkUnit& unit);
Result<WorkUnit> DecodeWorkUnit(std::string_view bytes);

// The shared bytes of a k-means round.
std::string EncodeCentroids(const std::vector<float>& centroids, uint32_t k, uint32_t d);
Result<std::vector<float>> DecodeCentroids(std::string_view bytes, uint32_t* k, uint32_t* d);

std::string EncodeSearchResult(const SearchShardResult& result);
Result<SearchShardResult> DecodeSearchResult(std::string_view bytes);

}  // namespace ixray::distributed
