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

#include <span>
#include <string>
#include <vector>

#include "dataset/dataset_impl.h"
#include "index/vector/ivf_model.h"
#include "index/vector/kmeans.h"
#include "ixray/executor.h"
#include "ixray/index.h"

namespace ixray::vector {

// Trains (or assembles from user-supplied parts) the model for `column`:
// PlanIvfTraining -> ReadTrainingRows -> TrainKMeans -> FinishIvfModel.
Result<IvfModel> TrainIvfModel(const dataset::DatasetImpl& dataset, const std::string& column,
                               const VectorIndexParams& params, Executor& executor);

// The phases of TrainIvfModel, so the k-means rounds can run elsewhere
// (distributed/ runs them as work units over shares of the sample).
struct IvfTrainingPlan {
  IvfModel model;  // everything but the trained parts; centroids when user-supplied
  int partitions = 0;
  int sub_vectors = 0;  // PQ only
  int num_bits = 8;
  int max_iters = 50;
  uint64_t seed = 42;
  bool need_ivf = false, need_pq = false, need_sq = false;
  std::vector<float> pq_codebook;          // user-supplied, when !need_pq
  std::vector<uint64_t> sample_positions;  // live-row positions of the sample, ascending
  KMeansOptions kmeans;                    // the IVF k-means (metric already kL2/kDot)
};

// Validates `params` against the column and resolves defaults and the sample.
Result<IvfTrainingPlan> PlanIvfTraining(const dataset::DatasetImpl& dataset,
                                        const std::string& column, const VectorIndexParams& params);

// The rows at live-row `positions` as training uses them: float32 (bits as
// 0/1 floats for hamming), normalized for cosine; null vectors skipped.
Result<std::vector<float>> ReadTrainingRows(const dataset::DatasetImpl& dataset,
                                            const std::string& column, Metric metric,
                                            std::span<const uint64_t> positions);

// InvalidArgument when n sample rows cannot train `plan`.
Status CheckTrainingSample(const IvfTrainingPlan& plan, const std::string& column, size_t n);

// The model from its IVF centroids (ignored when user-supplied): SQ / PQ
// trained on the residuals of `sample` (ReadTrainingRows of the plan's positions).
Result<IvfModel> FinishIvfModel(const IvfTrainingPlan& plan, std::vector<float> centroids,
                                const std::vector<float>& sample, Executor& executor);

// The residuals SQ / PQ train on: each row of `sample` minus its nearest of
// the `centroids` (the model's, as FinishIvfModel computes them).
Result<std::vector<float>> TrainingResiduals(const IvfModel& model,
                                             const std::vector<float>& centroids,
                                             const std::vector<float>& sample, Executor& executor);

struct BuiltSegment {
  std::string uuid;
  std::vector<FragmentId> fragment_ids;
  int64_t num_rows = 0;
  std::string file;  // relative to the segment directory
};

// Indexes the live rows of `fragment_ids` (all when empty) into a new
// segment directory `_indices/<uuid>/`. Nothing refers to it until commit.
// `segment_uuid` (empty: a fresh one) names the segment.
Result<BuiltSegment> BuildIvfSegment(const dataset::DatasetImpl& dataset, const std::string& column,
                                     const IvfModel& model,
                                     const std::vector<FragmentId>& fragment_ids,
                                     Executor& executor, const std::string& segment_uuid = "");

// The phases of BuildIvfSegment, shared with MergeIvfSegments.
// Per partition: row addresses (ascending) and their codes (CodeSize each).
struct IvfPartitions {
  std::vector<std::vector<uint64_t>> ids;
  std::vector<std::string> codes;
};
// InvalidArgument unless `column` holds the vectors `model` indexes.
Status CheckIvfColumn(const dataset::DatasetImpl& dataset, const std::string& column,
                      const IvfModel& model);
// Assigns and encodes the live rows of `fragment_ids` (all when empty).
Status EncodeIvfRows(const dataset::DatasetImpl& dataset, const std::string& column,
                     const IvfModel& model, const std::vector<FragmentId>& fragment_ids,
                     Executor& executor, IvfPartitions* out);
// Builds the HNSW graphs (IVF_HNSW_*) and writes the segment file.
Result<BuiltSegment> WriteIvfSegment(const dataset::DatasetImpl& dataset, const IvfModel& model,
                                     const IvfPartitions& parts,
                                     const std::vector<FragmentId>& fragment_ids,
                                     Executor& executor, const std::string& segment_uuid);

// Merges committed segments of one index (`segment_files`: their segment
// file paths, all built with `model`) and the live rows of
// `delta_fragments` into one new segment covering `fragment_ids` (the
// merged segments' fragments that still exist, plus the delta). The
// partitions' ids and codes are carried over without reading or encoding
// vectors again; rows deleted since, and rows of fragments gone, are
// dropped; HNSW graphs are rebuilt from the codes. The blobs are the ones
// BuildIvfSegment over `fragment_ids` writes. Corruption for a damaged
// segment or one built with another model.
Result<BuiltSegment> MergeIvfSegments(const dataset::DatasetImpl& dataset,
                                      const std::string& column, const IvfModel& model,
                                      const std::vector<std::string>& segment_files,
                                      const std::vector<FragmentId>& fragment_ids,
                                      const std::vector<FragmentId>& delta_fragments,
                                      Executor& executor);

}  // namespace ixray::vector
