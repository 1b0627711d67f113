// Searching one IVF segment: probe the partitions nearest the query, score
// their vectors with the segment's codec, keep the best candidates that pass
// the caller's row filter.
//
// Distances follow the public convention (see ivf_model.h): l2 squared,
// cosine 1 - cos, dot 1 - x.y, hamming differing bits. SQ and PQ distances
// are approximations; callers re-rank with exact distances (refine).
//
// Thread safety: a searcher is shared by concurrent queries; partitions are
// read from the segment file on first use and cached.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "index/segment_file.h"
#include "index/vector/hnsw.h"
#include "index/vector/ivf_model.h"
#include "ixray/dataset.h"

namespace ixray::vector {

struct Candidate {
  float distance;
  RowAddress address;
  bool operator<(const Candidate& o) const {
    return distance < o.distance || (distance == o.distance && address < o.address);
  }
};

struct IvfSearchParams {
  int64_t k = 10;        // candidates wanted
  int min_nprobes = 20;  // partitions always probed (clamped to the count)
  int max_nprobes = 0;   // probe more, up to this, while fewer than k found (0: all)
  int ef = 0;            // HNSW breadth (0: max(k, 40))
};

class IvfSegmentSearcher {
 public:
  static Result<std::shared_ptr<IvfSegmentSearcher>> Open(std::shared_ptr<FileSystem> fs,
                                                          const std::string& path);

  const IvfModel& model() const { return model_; }
  int64_t num_rows() const { return num_rows_; }

  // Up to params.k candidates, ascending by distance, among rows for which
  // `*allowed` is true (every row when `allowed` is null). `query` has
  // model().dim floats (bytes as floats for hamming) and is not normalized
  // yet.
  Result<std::vector<Candidate>> Search(const float* query, const IvfSearchParams& params,
                                        const std::function<bool(RowAddress)>* allowed) const;

 private:
  struct Partition {
    std::vector<uint64_t> ids;
    BufferPtr codes;
    // IVF_HNSW_*: the graph and the vectors it was built over.
    std::optional<HnswGraph> graph;
    std::vector<float> decoded;
  };
  Result<std::shared_ptr<const Partition>> LoadPartition(int p) const;

  std::shared_ptr<index::SegmentFileReader> file_;
  IvfModel model_;
  std::vector<uint8_t> binary_centroids_;
  std::vector<uint64_t> partition_rows_;
  int64_t num_rows_ = 0;
  mutable std::mutex mutex_;
  mutable std::vector<std::shared_ptr<const Partition>> partitions_;  // GUARDED_BY(mutex_)
};

}  // namespace ixray::vector
