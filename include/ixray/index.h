// Building indices: the two-phase protocol and its single-process wrapper.
//
//   1. Train      : a global model from a sample (IVF centroids, PQ codebook,
//                   SQ bounds), as bytes small enough to ship to workers.
//   2. Execute    : ExecuteUncommitted(fragments, model) writes one segment
//                   under `_indices/<uuid>/` and returns its metadata (bytes);
//                   run it on disjoint fragment subsets, anywhere.
//   3. Commit     : CommitIndex(name, column, segments) publishes them all
//                   in one transaction (a new dataset version).
//
// Every step reads the dataset version pinned in the metadata it is given,
// so workers never race with writers. Dataset-level wrappers run all three
// steps on one machine with an Executor.
//
// Thread safety: all functions are reentrant; datasets are immutable snapshots.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/dataset.h"
#include "ixray/executor.h"
#include "ixray/status.h"

namespace ixray {

// Vector index parameters; unset ones take Lance's defaults:
// num_partitions = clamp(rows / target_partition_size, 1, 4096) with
// target_partition_size 4096 (IVF_FLAT) or 8192 (SQ, PQ); num_sub_vectors =
// dim / 16 if that divides dim, else dim / 8; HNSW m = 20,
// ef_construction = 150.
struct VectorIndexParams {
  std::string index_type;     // IVF_FLAT, IVF_SQ, IVF_PQ, IVF_HNSW_FLAT, IVF_HNSW_SQ, IVF_HNSW_PQ
  std::string metric = "l2";  // l2, cosine, dot, hamming
  std::optional<int> num_partitions;
  std::optional<int> num_sub_vectors;
  int num_bits = 8;
  int sample_rate = 256;  // training rows per partition
  int max_iters = 50;
  int m = 20;
  int ef_construction = 150;
  int max_level = 0;  // 0: no cap
  std::optional<int64_t> target_partition_size;
  // User-supplied model parts, used as given (shapes are validated):
  // num_partitions x dim, and num_sub_vectors x 2^num_bits x (dim / num_sub_vectors).
  std::vector<float> ivf_centroids;
  std::vector<float> pq_codebook;
  uint64_t seed = 42;
  // false: create the index empty (no segments); fragments are searched
  // flat until it is filled. An empty dataset also gives an empty index.
  bool train = true;
};

struct IndexSegmentInfo {
  std::string uuid;
  std::vector<FragmentId> fragment_ids;
  uint64_t dataset_version = 0;
  int64_t num_rows = 0;
};

struct IndexInfo {
  std::string name;
  std::string index_type;
  std::vector<std::string> columns;
  std::vector<IndexSegmentInfo> segments;
};

// The indices of a dataset version.
std::vector<IndexInfo> DescribeIndices(const Dataset& dataset);

// Phase 1. Returns the serialized model. Uses `ivf_centroids` /
// `pq_codebook` when given instead of training them.
Result<std::string> TrainVectorIndex(const Dataset& dataset, const std::string& column,
                                     const VectorIndexParams& params, Executor& executor);

// Scalar index parameters (**params of the Python API) by name, as strings:
// "true"/"false" for booleans, decimal numbers.
using ScalarIndexParams = std::map<std::string, std::string>;

// The scalar index types: BTREE, BITMAP, LABEL_LIST, ZONEMAP, NGRAM,
// INVERTED (also called FTS).
std::vector<std::string> ScalarIndexTypes();

// Phase 1 for scalar indices: checks the column's type (TypeError) and the
// parameters (InvalidArgument; unknown index type lists the supported
// ones), fills in defaults and returns the config as bytes: the "model"
// every segment of the index is built with (the tokenizer of INVERTED, the
// page size of BTREE, ...). Reads no data.
Result<std::string> TrainScalarIndex(const Dataset& dataset, const std::string& column,
                                     const std::string& index_type,
                                     const ScalarIndexParams& params);

// Phase 2. Indexes the live rows of `fragment_ids` (all fragments when
// empty) and writes one uncommitted segment; returns its metadata as bytes.
// `model` comes from TrainVectorIndex or TrainScalarIndex.
Result<std::string> ExecuteUncommitted(const Dataset& dataset, const std::string& column,
                                       const std::string& model,
                                       const std::vector<FragmentId>& fragment_ids,
                                       Executor& executor);

// Phase 2 with a segment uuid the caller chose (a v4 UUID in text form), so
// a coordinator knows which `_indices/<uuid>/` to remove if the build never
// commits. A directory of that name left by an earlier attempt of the same
// work is replaced. InvalidArgument for a malformed uuid.
Result<std::string> ExecuteUncommitted(const Dataset& dataset, const std::string& column,
                                       const std::string& model,
                                       const std::vector<FragmentId>& fragment_ids,
                                       const std::string& segment_uuid, Executor& executor);

// Whether `uuid` is a UUID in its 36-character text form (hex and dashes).
bool IsSegmentUuid(std::string_view uuid);

// Phase 3. Commits segments (from ExecuteUncommitted) as index `name` on
// `column`. InvalidArgument if an index called `name` exists and !replace,
// if segments overlap or disagree on their model. Rebased over concurrent
// compatible commits; the segments' fragments must still exist.
Result<std::shared_ptr<Dataset>> CommitIndex(const Dataset& dataset, const std::string& name,
                                             const std::string& column,
                                             const std::vector<std::string>& segments,
                                             bool replace);

// All three phases on one machine. `name` defaults to "{column}_idx".
Result<std::shared_ptr<Dataset>> CreateVectorIndex(const Dataset& dataset,
                                                   const std::string& column,
                                                   const VectorIndexParams& params,
                                                   const std::string& name, bool replace,
                                                   const std::vector<FragmentId>& fragment_ids,
                                                   Executor& executor);

// All three phases of a scalar index on one machine, one segment.
// `name` defaults to "{column}_idx". !train (or an empty dataset) commits the
// index without segments: every fragment is scanned until it is filled.
Result<std::shared_ptr<Dataset>> CreateScalarIndex(
    const Dataset& dataset, const std::string& column, const std::string& index_type,
    const ScalarIndexParams& params, const std::string& name, bool replace, bool train,
    const std::vector<FragmentId>& fragment_ids, Executor& executor);

// ---- Index maintenance (OptimizeIndices) -------------------------------------

// OptimizeOptions::num_indices_to_merge that keeps the segment count bounded
// as data keeps arriving: the newest segments are folded into the delta while
// each holds at most twice the rows gathered so far, so segment sizes grow
// geometrically and an index over n rows has O(log n) segments, while one
// small append still costs about its own size.
inline constexpr int kMergeBySize = -1;

struct OptimizeOptions {
  // Index names to optimize; empty: all of them.
  std::vector<std::string> indices;
  // How many of the newest segments (by the version they were built from)
  // to merge with the delta into one segment: 0 adds the delta as a new
  // segment, >= the segment count merges everything, kMergeBySize chooses
  // by size (below).
  int num_indices_to_merge = 1;
  // Train a new model from the current data and rebuild the index as one
  // segment (vector: same type, metric, partition count and PQ shape;
  // scalar: the same config, rebuilt).
  bool retrain = false;
};

// What OptimizeIndices does to one index.
struct IndexOptimizeStep {
  std::string name;
  std::string column;
  // The model (vector) or config (scalar) the new segment is built with:
  // an existing segment's, unless retrained.
  std::string model;
  bool retrained = false;
  // The new segment's fragments: the unindexed ones plus those of the
  // merged segments that still exist. Empty: no new segment (the merged
  // segments covered only fragments that are gone).
  std::vector<FragmentId> fragment_ids;
  // Segments replaced (merged, or all of them when retrained).
  std::vector<std::string> removed_segments;
};

// The steps at one pinned version; indices with nothing to do are left out.
struct OptimizePlan {
  uint64_t version = 0;
  std::vector<IndexOptimizeStep> steps;
};

// Plans OptimizeIndices. For each index: the fragments no segment covers
// (appended since) form the delta, indexed with the index's existing
// model (no training; cost proportional to the delta); the newest
// num_indices_to_merge segments are rebuilt together with it into one
// segment (rows deleted since are dropped). Nothing to do for an index
// when it has no delta and fewer than two segments would be merged. An
// index without segments is filled (a vector one is trained with the
// parameters recorded when it was created). retrain trains models here.
// Errors: InvalidArgument for an unknown index name or
// num_indices_to_merge < 0; Corruption for a damaged segment file.
Result<OptimizePlan> PlanOptimizeIndices(const Dataset& dataset, const OptimizeOptions& options,
                                         Executor& executor);

// Builds the new segment of `step` (a step of a plan made at this
// version) and returns its metadata, as ExecuteUncommitted does. A vector
// index's merged segments are merged posting by posting (their partitions'
// ids and codes carried over, deleted rows dropped, HNSW graphs rebuilt
// from the codes; only the delta is read and encoded); other steps are
// built from the data with ExecuteUncommitted. Both give the same segment.
// REQUIRES: !step.fragment_ids.empty().
Result<std::string> ExecuteOptimizeStep(const Dataset& dataset, const IndexOptimizeStep& step,
                                        Executor& executor);

// Commits the segments built for `plan` (segments[i] is the
// ExecuteUncommitted metadata of steps[i], or empty when that step has no
// fragments), replacing each optimized index in one transaction: its kept
// segments, plus the new one. Rebased over concurrent appends and
// deletions; Conflict with a concurrent change of the same index or a
// rewrite (compaction) of a fragment it covers. REQUIRES: `dataset` is at
// plan.version.
Result<std::shared_ptr<Dataset>> CommitOptimizedIndices(const Dataset& dataset,
                                                        const OptimizePlan& plan,
                                                        const std::vector<std::string>& segments);

// Plan, build (one segment per index, on `executor`) and commit. Returns
// the new version, or the same version (checked out again) when there was
// nothing to do.
Result<std::shared_ptr<Dataset>> OptimizeIndices(const Dataset& dataset,
                                                 const OptimizeOptions& options,
                                                 Executor& executor);

// Removes index `name` (a new version). InvalidArgument if there is none.
Result<std::shared_ptr<Dataset>> DropIndex(const Dataset& dataset, const std::string& name);

}  // namespace ixray
