// Training an IVF model and building one IVF segment over fragments.
//
// A segment file (index/segment_file.h) holds the blobs:
//   "model"          IvfModel::Serialize()
//   "partitions"     u32 count, then per partition u64 rows
//   "ids/<p>"        u64 row addresses of partition p, ascending
//   "codes/<p>"      the partition's vectors in the model's codec:
//                    FLAT: float32 x dim (normalized for cosine; raw bytes
//                    for hamming), SQ: uint8 x dim of the residual,
//                    PQ: code_size bytes of the residual
//   "graph/<p>"      HNSW graph over the partition (IVF_HNSW_* only)
//
// Thread safety: reentrant; parallel work goes through the Executor.
#pragma once

#include <string>
#include <vector>

#include "dataset/dataset_impl.h"
#include "index/vector/ivf_model.h"
#include "ixray/executor.h"
#include "ixray/index.h"

namespace ixray::vector {

// Trains (or assembles from user-supplied parts) the model for `column`.
Result<IvfModel> TrainIvfModel(const dataset::DatasetImpl& dataset, const std::string& column,
                               const VectorIndexParams& params, Executor& executor);

struct BuiltSegment {
  std::string uuid;
  std::vector<FragmentId> fragment_ids;
  int64_t num_rows = 0;
  std::string file;  // relative to the segment directory
};

// Indexes the live rows of `fragment_ids` (all when empty) into a new
// segment directory `_indices/<uuid>/`. Nothing refers to it until commit.
Result<BuiltSegment> BuildIvfSegment(const dataset::DatasetImpl& dataset, const std::string& column,
                                     const IvfModel& model,
                                     const std::vector<FragmentId>& fragment_ids,
                                     Executor& executor);

}  // namespace ixray::vector
