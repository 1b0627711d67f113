// Committing OptimizeIndices (include/ixray/index.h), and the one-machine
// wrapper. The plan is in optimize_plan.cc.
//
// Each optimized index is replaced whole in one CreateIndex transaction
// (removed_indices + new_indices of the same name): its kept segments are
// carried over unchanged and the new segment is added. Replacing the whole
// entry keeps the conflict rules of transaction.h sound for it: a
// concurrent append or deletion rebases fine (new fragments stay
// unindexed; deleted rows are filtered at search time as in any segment),
// a concurrent change of the same index name conflicts, and a concurrent
// rewrite of any fragment covered by a kept or new segment conflicts.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "format/byte_coding.h"
#include "index/scalar_segment.h"
#include "index/segment_metadata.h"
#include "index/vector/ivf_build.h"
#include "index/vector/ivf_model.h"
#include "index/vector_params_codec.h"
#include "ixray/index.h"

namespace ixray {

namespace {

// The model digest a committed segment records (SegmentDetails), if any.
std::optional<uint64_t> SegmentDigest(const dataset::IndexSegment& segment) {
  if (segment.details.size() < 16) return std::nullopt;
  format::ByteReader r({reinterpret_cast<const uint8_t*>(segment.details.data()), 16});
  (void)r.GetU64("rows");
  auto digest = r.GetU64("digest");
  return digest.ok() ? std::optional<uint64_t>(*digest) : std::nullopt;
}

// Index `index` after `step`, with `segment` (encoded metadata; empty for none).
Result<dataset::IndexMetadata> Replaced(const dataset::IndexMetadata& index,
                                        const IndexOptimizeStep& step, const std::string& segment) {
  dataset::IndexMetadata next = index;
  const std::set<std::string> removed(step.removed_segments.begin(), step.removed_segments.end());
  std::erase_if(next.segments,
                [&](const dataset::IndexSegment& s) { return removed.count(s.uuid) > 0; });
  std::set<FragmentId> covered;
  for (const auto& s : next.segments) covered.insert(s.fragment_ids.begin(), s.fragment_ids.end());
  if (segment.empty()) {
    if (!step.fragment_ids.empty()) {
      return Status::InvalidArgument(
          fmt::format("no segment was built for index '{}', which needs one", step.name));
    }
  } else {
    IXRAY_ASSIGN_OR_RAISE(auto meta, index::SegmentMetadata::Decode(segment));
    if (meta.field_id != index.field_ids[0] || meta.index_type != index.index_type) {
      return Status::InvalidArgument(
          fmt::format("segment {} does not belong to index '{}'", meta.uuid, step.name));
    }
    if (meta.fragment_ids != step.fragment_ids) {
      return Status::InvalidArgument(fmt::format(
          "segment {} covers other fragments than planned for index '{}'", meta.uuid, step.name));
    }
    for (const auto& kept : next.segments) {
      const auto digest = SegmentDigest(kept);
      if (digest && *digest != meta.model_digest) {
        return Status::InvalidArgument(
            fmt::format("segment {} was built with another model than the segments of index '{}'",
                        meta.uuid, step.name));
      }
    }
    for (FragmentId f : meta.fragment_ids) {
      if (covered.count(f) > 0) {
        return Status::InvalidArgument(
            fmt::format("fragment {} would be covered twice in index '{}'", f, step.name));
      }
    }
    next.segments.push_back({meta.uuid,
                             meta.fragment_ids,
                             meta.dataset_version,
                             {meta.file},
                             index::SegmentDetails(meta.num_rows, meta.model_digest)});
  }
  // What fills the index again should it lose all its segments: the
  // scalar config, or the vector parameters of the model.
  if (index::IsScalarIndexType(index.index_type)) {
    next.details = step.model;
  } else if (next.segments.empty() && !step.model.empty()) {
    IXRAY_ASSIGN_OR_RAISE(auto model, vector::IvfModel::Deserialize(step.model));
    next.details = index::EncodeVectorIndexParams(index::RetrainParams(model));
  }
  return next;
}

}  // namespace

Result<std::string> ExecuteOptimizeStep(const Dataset& dataset, const IndexOptimizeStep& step,
                                        Executor& executor) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  const auto* index = ds.manifest().FindIndex(step.name);
  if (index == nullptr)
    return Status::InvalidArgument(fmt::format("no index named '{}'", step.name));
  if (step.fragment_ids.empty()) {
    return Status::InvalidArgument(fmt::format("step '{}' builds no segment", step.name));
  }
  if (index::IsScalarIndexType(index->index_type) || step.retrained ||
      step.removed_segments.empty()) {
    return ExecuteUncommitted(dataset, step.column, step.model, step.fragment_ids, executor);
  }
  IXRAY_ASSIGN_OR_RAISE(auto model, vector::IvfModel::Deserialize(step.model));
  std::vector<std::string> files;
  std::set<FragmentId> merged;
  for (const auto& uuid : step.removed_segments) {
    auto it = std::find_if(index->segments.begin(), index->segments.end(),
                           [&](const dataset::IndexSegment& s) { return s.uuid == uuid; });
    if (it == index->segments.end() || it->files.empty()) {
      return Status::InvalidArgument(
          fmt::format("index '{}' has no segment {} with a file", step.name, uuid));
    }
    files.push_back(ds.uri() + "/" + dataset::IndexSegmentDir(uuid) + "/" + it->files[0]);
    merged.insert(it->fragment_ids.begin(), it->fragment_ids.end());
  }
  std::vector<FragmentId> delta;
  for (FragmentId f : step.fragment_ids) {
    if (merged.count(f) == 0) delta.push_back(f);
  }
  IXRAY_ASSIGN_OR_RAISE(auto built, vector::MergeIvfSegments(ds, step.column, model, files,
                                                             step.fragment_ids, delta, executor));
  index::SegmentMetadata meta;
  meta.uuid = built.uuid;
  meta.index_type = std::string(vector::VectorIndexTypeName(model.type));
  meta.field_id = index->field_ids[0];
  meta.dataset_version = ds.version();
  meta.fragment_ids = built.fragment_ids;
  meta.num_rows = built.num_rows;
  meta.file = built.file;
  meta.model_digest = model.Digest();
  return meta.Encode();
}

Result<std::shared_ptr<Dataset>> CommitOptimizedIndices(const Dataset& dataset,
                                                        const OptimizePlan& plan,
                                                        const std::vector<std::string>& segments) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  if (plan.version != ds.version()) {
    return Status::InvalidArgument(
        fmt::format("the optimize plan is for version {}, not {}", plan.version, ds.version()));
  }
  if (segments.size() != plan.steps.size()) {
    return Status::InvalidArgument(
        fmt::format("{} segments for {} optimize steps", segments.size(), plan.steps.size()));
  }
  if (plan.steps.empty()) return ds.CheckoutVersion(ds.version());
  dataset::CreateIndexOperation op;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& step = plan.steps[i];
    const auto* index = ds.manifest().FindIndex(step.name);
    if (index == nullptr) {
      return Status::InvalidArgument(fmt::format("no index named '{}'", step.name));
    }
    IXRAY_ASSIGN_OR_RAISE(auto next, Replaced(*index, step, segments[i]));
    op.removed_indices.push_back(step.name);
    op.new_indices.push_back(std::move(next));
  }
  IXRAY_ASSIGN_OR_RAISE(auto committed, ds.CommitTransaction(ds.NewTransaction(std::move(op))));
  return std::shared_ptr<Dataset>(std::move(committed));
}

Result<std::shared_ptr<Dataset>> OptimizeIndices(const Dataset& dataset,
                                                 const OptimizeOptions& options,
                                                 Executor& executor) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_ASSIGN_OR_RAISE(auto plan, PlanOptimizeIndices(dataset, options, executor));
  std::vector<std::string> segments;
  std::vector<std::string> uuids;  // built here, removed again if the commit never happens
  auto built = [&]() -> Status {
    for (const auto& step : plan.steps) {
      if (step.fragment_ids.empty()) {
        segments.emplace_back();
        continue;
      }
      IXRAY_ASSIGN_OR_RAISE(auto segment, ExecuteOptimizeStep(dataset, step, executor));
      IXRAY_ASSIGN_OR_RAISE(auto meta, index::SegmentMetadata::Decode(segment));
      uuids.push_back(meta.uuid);
      segments.push_back(std::move(segment));
    }
    return Status::OK();
  }();
  if (!built.ok()) {
    // The segments of the earlier steps: nothing refers to them. (A failed
    // commit removes the new segments itself.)
    for (const auto& uuid : uuids) {
      (void)ds.file_system()->DeleteDirRecursive(ds.uri() + "/" + dataset::IndexSegmentDir(uuid));
    }
    return built;
  }
  return CommitOptimizedIndices(dataset, plan, segments);
}

}  // namespace ixray
