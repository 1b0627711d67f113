// The coordinator's index builds: distributed IVF training and the
// build -> commit flow with clean-up on failure.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "distributed/coordinator.h"
#include "distributed/work_unit.h"
#include "format/data_file_format.h"
#include "index/vector/ivf_build.h"
#include "index/vector/kmeans.h"

namespace ixray::distributed {

void RemoveUncommittedSegments(const dataset::DatasetImpl& ds,
                               const std::vector<std::string>& uuids) {
  auto latest = Dataset::Open(ds.uri(), {});
  std::set<std::string> referenced;
  if (latest.ok()) {
    for (const auto& index : dataset::DatasetImpl::From(**latest).manifest().indices) {
      for (const auto& s : index.segments) referenced.insert(s.uuid);
    }
  } else {
    return;  // cannot tell what is committed: keep everything
  }
  for (const auto& uuid : uuids) {
    if (referenced.count(uuid) > 0) continue;
    const std::string dir = ds.uri() + "/" + dataset::IndexSegmentDir(uuid);
    auto exists = ds.file_system()->Exists(dir);
    if (exists.ok() && *exists) (void)ds.file_system()->DeleteDirRecursive(dir);
  }
}

namespace {

// The PQ codebook of `plan`, trained on the workers: the sub-quantizers are
// independent k-means runs, so each unit trains a contiguous run of them on
// the residuals (shipped once, as the step's shared bytes). Same seeds per
// sub-space as ProductQuantizer::Train, so the same codebook.
Result<std::vector<float>> TrainPqOnWorkers(const dataset::DatasetImpl& ds,
                                            const vector::IvfTrainingPlan& plan,
                                            const std::vector<float>& residuals, int num_workers,
                                            UnitRunner& runner) {
  const size_t d = static_cast<size_t>(plan.model.dim);
  const size_t n = residuals.size() / d;
  const size_t m = static_cast<size_t>(plan.sub_vectors);
  const size_t shares = std::clamp<size_t>(static_cast<size_t>(std::max(num_workers, 1)), 1, m);
  std::vector<std::string> units;
  for (size_t s = 0; s < shares; ++s) {
    WorkUnit unit;
    unit.uri = ds.uri();
    unit.version = ds.version();
    unit.index = static_cast<uint32_t>(s);
    unit.kind = UnitKind::kTrainPq;
    for (size_t j = m * s / shares; j < m * (s + 1) / shares; ++j) {
      unit.train_pq.sub_spaces.push_back(static_cast<uint32_t>(j));
    }
    unit.train_pq.num_sub_vectors = plan.sub_vectors;
    unit.train_pq.num_bits = plan.num_bits;
    unit.train_pq.max_iters = plan.max_iters;
    unit.train_pq.seed = plan.seed;
    units.push_back(EncodeWorkUnit(unit));
  }
  IXRAY_ASSIGN_OR_RAISE(
      auto answers,
      runner.Run("train", units,
                 EncodeCentroids(residuals, static_cast<uint32_t>(n), static_cast<uint32_t>(d))));
  if (answers.size() != units.size()) return Status::Internal("runner lost PQ train answers");
  const size_t ksub = size_t{1} << plan.num_bits;
  std::vector<float> codebook;
  for (size_t s = 0; s < answers.size(); ++s) {
    uint32_t rows = 0, dsub = 0;
    IXRAY_ASSIGN_OR_RAISE(auto part, DecodeCentroids(answers[s], &rows, &dsub));
    const size_t expected = (m * (s + 1) / shares - m * s / shares) * ksub;
    if (rows != expected || dsub * m != d) {
      return Status::Internal("a PQ train answer has the wrong shape");
    }
    codebook.insert(codebook.end(), part.begin(), part.end());
  }
  return codebook;
}

}  // namespace

Result<std::string> TrainVectorIndexDistributed(const Dataset& dataset, const std::string& column,
                                                const VectorIndexParams& params, int num_workers,
                                                UnitRunner& runner, Executor& executor) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_ASSIGN_OR_RAISE(auto plan, vector::PlanIvfTraining(ds, column, params));
  // The driver reads the sample as local training does: it initializes
  // k-means from it and trains SQ/PQ on its residuals.
  IXRAY_ASSIGN_OR_RAISE(
      auto sample, vector::ReadTrainingRows(ds, column, plan.model.metric, plan.sample_positions));
  const size_t d = static_cast<size_t>(plan.model.centroid_dim());
  const size_t n = sample.size() / d;
  IXRAY_RETURN_NOT_OK(vector::CheckTrainingSample(plan, column, n));
  std::vector<float> centroids;
  if (plan.need_ivf) {
    const size_t k = static_cast<size_t>(plan.partitions);
    vector::KMeansOptions init = plan.kmeans;
    init.max_iters = 0;  // initialization only (k-means++ on the sample, as locally)
    init.hierarchical = vector::KMeansHierarchy::kFlat;
    IXRAY_ASSIGN_OR_RAISE(auto initial, vector::TrainKMeans(sample.data(), n, d, init, executor));
    centroids = std::move(initial.centroids);

    // Shares: contiguous runs of the (ascending) sample positions.
    const size_t positions = plan.sample_positions.size();
    const size_t shares = std::clamp<size_t>(static_cast<size_t>(std::max(num_workers, 1)), 1,
                                             std::max<size_t>(positions, 1));
    std::vector<std::string> units;
    for (size_t s = 0; s < shares; ++s) {
      WorkUnit unit;
      unit.uri = ds.uri();
      unit.version = ds.version();
      unit.index = static_cast<uint32_t>(s);
      unit.kind = UnitKind::kTrainShare;
      unit.train.column = column;
      unit.train.metric = static_cast<int>(plan.model.metric);
      unit.train.positions.assign(plan.sample_positions.begin() + positions * s / shares,
                                  plan.sample_positions.begin() + positions * (s + 1) / shares);
      units.push_back(EncodeWorkUnit(unit));
    }
    // Lloyd rounds, stopping as TrainKMeans does.
    double previous = 0;
    for (int round = 0; round < plan.kmeans.max_iters; ++round) {
      IXRAY_ASSIGN_OR_RAISE(auto answers,
                            runner.Run("train", units,
                                       EncodeCentroids(centroids, static_cast<uint32_t>(k),
                                                       static_cast<uint32_t>(d))));
      if (answers.size() != units.size()) return Status::Internal("runner lost train answers");
      std::vector<vector::KMeansPartial> partials;
      double objective = 0;
      for (const auto& a : answers) {
        IXRAY_ASSIGN_OR_RAISE(auto partial, vector::DeserializeKMeansPartial(a));
        objective += partial.objective;
        partials.push_back(std::move(partial));
      }
      IXRAY_ASSIGN_OR_RAISE(centroids, vector::CentroidsFromPartials(
                                           partials, centroids, k, d, plan.kmeans.metric,
                                           vector::LloydRoundSeed(plan.kmeans.seed, round)));
      if (round > 0 && std::abs(previous - objective) <= plan.kmeans.tolerance * previous) break;
      previous = objective;
    }
  }
  if (plan.need_pq) {
    const auto& ivf_centroids = plan.need_ivf ? centroids : plan.model.centroids;
    IXRAY_ASSIGN_OR_RAISE(auto residuals,
                          vector::TrainingResiduals(plan.model, ivf_centroids, sample, executor));
    vector::IvfTrainingPlan trained = plan;
    trained.need_pq = false;
    IXRAY_ASSIGN_OR_RAISE(trained.pq_codebook,
                          TrainPqOnWorkers(ds, plan, residuals, num_workers, runner));
    IXRAY_ASSIGN_OR_RAISE(auto model,
                          vector::FinishIvfModel(trained, std::move(centroids), sample, executor));
    return model.Serialize();
  }
  IXRAY_ASSIGN_OR_RAISE(auto model,
                        vector::FinishIvfModel(plan, std::move(centroids), sample, executor));
  return model.Serialize();
}

Result<std::vector<std::string>> MakeBuildUnits(const BuildPlan& plan, const std::string& column,
                                                const std::string& model,
                                                std::vector<std::string>* segment_uuids,
                                                const std::string& first_uuid) {
  if (!first_uuid.empty() && !IsSegmentUuid(first_uuid)) {
    return Status::InvalidArgument(fmt::format("index_uuid '{}' is not a uuid", first_uuid));
  }
  const uint64_t digest = format::Checksum(model);
  std::vector<std::string> units;
  segment_uuids->clear();
  for (size_t i = 0; i < plan.workers.size(); ++i) {
    WorkUnit unit;
    unit.uri = plan.uri;
    unit.version = plan.version;
    unit.index = static_cast<uint32_t>(i);
    unit.kind = UnitKind::kBuildSegment;
    unit.build.column = column;
    unit.build.fragment_ids = plan.workers[i];
    unit.build.segment_uuid = i == 0 && !first_uuid.empty() ? first_uuid : dataset::NewUuid();
    unit.build.model_digest = digest;
    segment_uuids->push_back(unit.build.segment_uuid);
    units.push_back(EncodeWorkUnit(unit));
  }
  return units;
}

Result<std::shared_ptr<Dataset>> BuildIndexDistributed(const Dataset& dataset,
                                                       const std::string& name,
                                                       const std::string& column,
                                                       const std::string& model, bool replace,
                                                       const BuildPlan& plan, UnitRunner& runner,
                                                       const std::string& first_uuid) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  if (plan.uri != ds.uri() || plan.version != ds.version()) {
    return Status::InvalidArgument("the build plan is for another dataset version");
  }
  if (!replace && ds.manifest().FindIndex(name) != nullptr) {
    return Status::InvalidArgument(
        fmt::format("index '{}' already exists; pass replace=True to replace it", name));
  }
  std::vector<std::string> uuids;
  IXRAY_ASSIGN_OR_RAISE(auto units, MakeBuildUnits(plan, column, model, &uuids, first_uuid));
  auto built = [&]() -> Result<std::shared_ptr<Dataset>> {
    IXRAY_ASSIGN_OR_RAISE(auto segments, runner.Run("build", units, model));
    if (segments.size() != units.size()) return Status::Internal("runner lost build answers");
    return CommitIndex(dataset, name, column, segments, replace);
  }();
  if (!built.ok()) RemoveUncommittedSegments(ds, uuids);
  return built;
}

Result<std::shared_ptr<Dataset>> CreateVectorIndexDistributed(
    const Dataset& dataset, const std::string& column, const VectorIndexParams& params,
    const std::string& name, bool replace, const std::vector<FragmentId>& fragment_ids,
    int num_workers, UnitRunner& runner, Executor& executor) {
  const std::string index_name = name.empty() ? column + "_idx" : name;
  const auto& ds = dataset::DatasetImpl::From(dataset);
  if (!replace && ds.manifest().FindIndex(index_name) != nullptr) {
    return Status::InvalidArgument(
        fmt::format("index '{}' already exists; pass replace=True to replace it", index_name));
  }
  if (!params.train || ds.manifest().num_live_rows() == 0) {
    return CreateVectorIndex(dataset, column, params, index_name, replace, fragment_ids, executor);
  }
  IXRAY_ASSIGN_OR_RAISE(auto plan, PlanIndexBuild(dataset, fragment_ids, num_workers));
  IXRAY_ASSIGN_OR_RAISE(auto model, TrainVectorIndexDistributed(dataset, column, params,
                                                                num_workers, runner, executor));
  return BuildIndexDistributed(dataset, index_name, column, model, replace, plan, runner);
}

}  // namespace ixray::distributed
