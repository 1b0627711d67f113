// The coordinator side of the distributed protocol (the driver): plans at a
// pinned version, ships work units through a UnitRunner, reduces answers
// and commits. Nothing here computes distances or writes segments itself;
// that is the workers' part (worker.h).
//
//   index build : [train] -> one build unit (one segment) per worker ->
//                 one CommitIndex. A build that fails leaves the dataset
//                 as it was and removes the segment directories its units
//                 wrote (their uuids are chosen here, before dispatch).
//   IVF training: the driver reads the sample (as local training does),
//                 initializes the centroids, then every Lloyd round is one
//                 step of train units (partial sums over shares of the
//                 sample) reduced by CentroidsFromPartials; SQ is then
//                 trained on the driver, PQ by one step of train_pq units
//                 (runs of sub-quantizers, trained on the residuals as
//                 locally). With one share the model is byte-identical to
//                 TrainVectorIndex's; with more, centroids differ only by
//                 the rounding of summing partials (the PQ codebook for
//                 given centroids is the same). (Local training goes
//                 two-level from 1024 partitions; this stays flat.)
//   search      : one unit per shard (plan.h), each returning shard_k
//                 candidates under the index's distance convention; the
//                 driver keeps the global top k, applies a postfilter and
//                 fetches the requested columns of the winners.
//
// Thread safety: reentrant; datasets are immutable snapshots.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dataset/dataset_impl.h"
#include "distributed/plan.h"
#include "distributed/runner.h"
#include "ixray/index.h"
#include "ixray/record_batch.h"

namespace ixray::distributed {

// Trains the vector index model of `column` with k-means rounds spread over
// up to num_workers shares of the sample. User-supplied ivf_centroids /
// pq_codebook are used as given (no k-means / no PQ training).
Result<std::string> TrainVectorIndexDistributed(const Dataset& dataset, const std::string& column,
                                                const VectorIndexParams& params, int num_workers,
                                                UnitRunner& runner, Executor& executor);

// Build units for `plan` with `model` (any index model ExecuteUncommitted
// takes). `segment_uuids` receives the uuid of each unit's segment;
// `first_uuid` (optional) names the first one.
Result<std::vector<std::string>> MakeBuildUnits(const BuildPlan& plan, const std::string& column,
                                                const std::string& model,
                                                std::vector<std::string>* segment_uuids,
                                                const std::string& first_uuid = "");

// Runs the build units of `plan` and commits their segments as index
// `name` on `column`. On failure, removes the units' segment directories
// (unless a manifest references them) and returns the error.
Result<std::shared_ptr<Dataset>> BuildIndexDistributed(const Dataset& dataset,
                                                       const std::string& name,
                                                       const std::string& column,
                                                       const std::string& model, bool replace,
                                                       const BuildPlan& plan, UnitRunner& runner,
                                                       const std::string& first_uuid = "");

// OptimizeIndices (index.h) through `runner`: the plan (and any
// retraining) on the driver with `executor`, then one build unit per
// optimized index (its new segment, shipped with that index's model) and
// one commit for all of them. The same indices as OptimizeIndices.
Result<std::shared_ptr<Dataset>> OptimizeIndicesDistributed(const Dataset& dataset,
                                                            const OptimizeOptions& options,
                                                            UnitRunner& runner, Executor& executor);

// Removes the directories of segments `uuids` that no committed version
// refers to. Best effort: the caller reports its own error.
void RemoveUncommittedSegments(const dataset::DatasetImpl& dataset,
                               const std::vector<std::string>& uuids);

// All of it for a vector index: plan, train, build, commit. `name`
// defaults to "{column}_idx"; an empty dataset or train=false gives an
// empty index, as CreateVectorIndex does.
Result<std::shared_ptr<Dataset>> CreateVectorIndexDistributed(
    const Dataset& dataset, const std::string& column, const VectorIndexParams& params,
    const std::string& name, bool replace, const std::vector<FragmentId>& fragment_ids,
    int num_workers, UnitRunner& runner, Executor& executor);

// The search units of `plan` (analyze: each returns its plan text).
std::vector<std::string> MakeSearchUnits(const VectorSearchPlan& plan,
                                         const VectorSearchOptions& options, bool analyze);

// The global top k over the shards: requested columns, `_distance`
// ascending, `_rowid` with with_row_id, postfilter applied; the same rows
// as Dataset::Scan with the same nearest query on this version.
Result<RecordBatchPtr> VectorSearchDistributed(const Dataset& dataset,
                                               const VectorSearchOptions& options,
                                               UnitRunner& runner);

// Runs every shard with analysis and returns one section per shard.
Result<std::string> AnalyzeVectorSearch(const Dataset& dataset, const VectorSearchOptions& options,
                                        UnitRunner& runner);

}  // namespace ixray::distributed
