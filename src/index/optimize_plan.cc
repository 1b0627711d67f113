// Planning OptimizeIndices (include/ixray/index.h): per index, which
// fragments the new segment covers, which segments it replaces and which
// model it is built with. The model is read back from an existing segment
// file (vector: its "model" blob; scalar: its config blob), so a delta
// segment costs no training and agrees with the segments it joins.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "index/scalar_segment.h"
#include "index/segment_file.h"
#include "index/segment_metadata.h"
#include "index/vector/ivf_model.h"
#include "index/vector_params_codec.h"
#include "ixray/index.h"

namespace ixray {

namespace {

// The model blob of a committed segment: the IVF model or the scalar config.
Result<std::string> ReadSegmentModel(const dataset::DatasetImpl& ds, bool scalar,
                                     const dataset::IndexSegment& segment) {
  if (segment.files.empty()) {
    return Status::Corruption(fmt::format("index segment {} lists no file", segment.uuid));
  }
  const std::string path =
      ds.uri() + "/" + dataset::IndexSegmentDir(segment.uuid) + "/" + segment.files[0];
  IXRAY_ASSIGN_OR_RAISE(auto file, index::SegmentFileReader::Open(ds.file_system(), path));
  IXRAY_ASSIGN_OR_RAISE(auto blob,
                        file->Read(scalar ? index::kScalarConfigBlob : std::string_view("model")));
  return std::string(blob->view());
}

// Segments ordered oldest first: by the version they were built from, ties
// by their order in the manifest.
std::vector<const dataset::IndexSegment*> ByAge(const dataset::IndexMetadata& index) {
  std::vector<size_t> order(index.segments.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return index.segments[a].dataset_version < index.segments[b].dataset_version;
  });
  std::vector<const dataset::IndexSegment*> out;
  for (size_t i : order) out.push_back(&index.segments[i]);
  return out;
}

// A model for an index that has no segments: the scalar config kept in its
// details, or a vector model trained with the parameters recorded there.
Result<std::string> ModelOfEmptyIndex(const Dataset& dataset, const dataset::IndexMetadata& index,
                                      const std::string& column, bool scalar, Executor& executor) {
  if (scalar) return index.details;
  auto params = index::DecodeVectorIndexParams(index.details);
  if (!params.ok()) {
    return Status::InvalidArgument(
        fmt::format("index '{}' has no segments and no recorded parameters to train it with; "
                    "create it again with create_index",
                    index.name));
  }
  params->train = true;
  return TrainVectorIndex(dataset, column, *params, executor);
}

Result<std::optional<IndexOptimizeStep>> PlanIndex(const Dataset& dataset,
                                                   const dataset::IndexMetadata& index,
                                                   const OptimizeOptions& options,
                                                   Executor& executor) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  const auto& manifest = ds.manifest();
  if (index.field_ids.size() != 1) {
    return Status::NotImplemented(
        fmt::format("optimizing index '{}' over {} columns", index.name, index.field_ids.size()));
  }
  const int field = ds.schema()->FieldIndexById(index.field_ids[0]);
  if (field < 0) {
    return Status::Corruption(
        fmt::format("index '{}' refers to unknown field id {}", index.name, index.field_ids[0]));
  }
  const bool scalar = index::IsScalarIndexType(index.index_type);
  IndexOptimizeStep step;
  step.name = index.name;
  step.column = ds.schema()->field(field)->name;

  std::set<FragmentId> live;
  for (const auto& f : manifest.fragments) live.insert(f.id);
  std::set<FragmentId> covered;
  for (const auto& s : index.segments) covered.insert(s.fragment_ids.begin(), s.fragment_ids.end());
  std::set<FragmentId> fragments;  // of the new segment
  for (FragmentId f : live) {
    if (covered.count(f) == 0) fragments.insert(f);
  }
  const bool has_delta = !fragments.empty();

  if (index.segments.empty()) {
    if (manifest.num_live_rows() == 0)
      return std::optional<IndexOptimizeStep>();  // nothing to fill it with
    IXRAY_ASSIGN_OR_RAISE(step.model,
                          ModelOfEmptyIndex(dataset, index, step.column, scalar, executor));
    step.retrained = !scalar;
  } else {
    const auto by_age = ByAge(index);
    IXRAY_ASSIGN_OR_RAISE(step.model, ReadSegmentModel(ds, scalar, *by_age.back()));
    size_t merge = 0;
    if (options.num_indices_to_merge == kMergeBySize) {
      int64_t gathered = 0;  // rows of the delta and the segments merged so far
      for (FragmentId f : fragments) gathered += manifest.FindFragment(f)->num_live_rows();
      for (auto it = by_age.rbegin(); it != by_age.rend(); ++it) {
        const int64_t rows = index::SegmentRows(**it);
        if (rows > 2 * gathered) break;
        gathered += rows;
        ++merge;
      }
    } else {
      merge = std::min(static_cast<size_t>(options.num_indices_to_merge), by_age.size());
    }
    if (options.retrain) {
      merge = by_age.size();
      if (!scalar && manifest.num_live_rows() > 0) {
        IXRAY_ASSIGN_OR_RAISE(auto old, vector::IvfModel::Deserialize(step.model));
        IXRAY_ASSIGN_OR_RAISE(step.model, TrainVectorIndex(dataset, step.column,
                                                           index::RetrainParams(old), executor));
        step.retrained = true;
      }
    } else if (!has_delta && merge < 2) {
      return std::optional<IndexOptimizeStep>();  // nothing new, nothing to merge
    }
    for (size_t i = by_age.size() - merge; i < by_age.size(); ++i) {
      step.removed_segments.push_back(by_age[i]->uuid);
      for (FragmentId f : by_age[i]->fragment_ids) {
        if (live.count(f) > 0) fragments.insert(f);
      }
    }
  }
  step.fragment_ids.assign(fragments.begin(), fragments.end());
  return std::optional<IndexOptimizeStep>(std::move(step));
}

}  // namespace

Result<OptimizePlan> PlanOptimizeIndices(const Dataset& dataset, const OptimizeOptions& options,
                                         Executor& executor) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  if (options.num_indices_to_merge < 0 && options.num_indices_to_merge != kMergeBySize) {
    return Status::InvalidArgument(fmt::format(
        "num_indices_to_merge must be >= 0 (or {} to merge by size), not {}", kMergeBySize,
        options.num_indices_to_merge));
  }
  std::vector<const dataset::IndexMetadata*> chosen;
  if (options.indices.empty()) {
    for (const auto& index : ds.manifest().indices) chosen.push_back(&index);
  } else {
    std::set<std::string> seen;
    for (const auto& name : options.indices) {
      const auto* index = ds.manifest().FindIndex(name);
      if (index == nullptr) {
        std::vector<std::string> names;
        for (const auto& i : ds.manifest().indices) names.push_back("'" + i.name + "'");
        return Status::InvalidArgument(fmt::format(
            "no index named '{}' (the indices are: {})", name,
            names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "))));
      }
      if (seen.insert(name).second) chosen.push_back(index);
    }
  }
  OptimizePlan plan;
  plan.version = ds.version();
  for (const auto* index : chosen) {
    IXRAY_ASSIGN_OR_RAISE(auto step, PlanIndex(dataset, *index, options, executor));
    if (step) plan.steps.push_back(std::move(*step));
  }
  return plan;
}

}  // namespace ixray
