// CompactFiles (include/ixray/maintenance.h): plan groups of fragments,
// rewrite their live rows, rebuild the index segments that covered them
// with the index's own model, and commit it all as one Rewrite.
//
// Segments store row addresses, which contain fragment ids, so the rebuilt
// segments must know the new fragments' ids before the commit. The ids are
// therefore reserved first (a ReserveFragments commit), which no concurrent
// Append can take; the Rewrite then carries them (fragment_ids_reserved).

#include "dataset/compaction.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "dataset/transaction.h"
#include "index/scalar/scalar_index.h"
#include "index/scalar_segment.h"
#include "index/segment_file.h"
#include "index/segment_metadata.h"
#include "ixray/index.h"
#include "ixray/maintenance.h"

namespace ixray {

namespace {

using dataset::DatasetImpl;
using dataset::Fragment;
using dataset::IndexMetadata;
using dataset::IndexSegment;
using dataset::Manifest;

// A segment that covers rewritten fragments, and what replaces them.
struct AffectedSegment {
  const IndexMetadata* index = nullptr;
  const IndexSegment* segment = nullptr;
  std::vector<size_t> groups;  // indices into the plan
};

// The model (vector) or config (scalar) bytes a segment was built with:
// what ExecuteUncommitted needs to build a compatible segment.
Result<std::string> SegmentModel(const DatasetImpl& ds, const IndexMetadata& index,
                                 const IndexSegment& segment) {
  if (segment.files.empty()) {
    return Status::Corruption(
        fmt::format("index '{}' segment {} lists no file", index.name, segment.uuid));
  }
  const std::string path =
      JoinPath(ds.uri(), dataset::IndexSegmentDir(segment.uuid) + "/" + segment.files[0]);
  IXRAY_ASSIGN_OR_RAISE(auto file, index::SegmentFileReader::Open(ds.file_system(), path));
  const bool scalar = index::IsScalarIndexType(index.index_type);
  IXRAY_ASSIGN_OR_RAISE(auto bytes, file->Read(scalar ? index::kScalarConfigBlob : "model"));
  return std::string(reinterpret_cast<const char*>(bytes->data()),
                     static_cast<size_t>(bytes->size()));
}

Result<std::string> IndexColumn(const Manifest& m, const IndexMetadata& index) {
  const int i = index.field_ids.size() == 1 ? m.schema->FieldIndexById(index.field_ids[0]) : -1;
  if (i < 0) {
    return Status::Corruption(fmt::format("index '{}' names no column of the schema", index.name));
  }
  return m.schema->field(i)->name;
}

// Rebuilds every affected segment over `next` (the manifest the rewrite
// would give): its fragments still present plus the new fragments of its
// groups. Appends the segment directories it creates to `dirs`.
Result<std::vector<dataset::RewrittenSegment>> RebuildSegments(
    const DatasetImpl& read, const std::vector<AffectedSegment>& affected,
    const dataset::RewriteOperation& rewrite, const dataset::ManifestPtr& next, Executor& executor,
    std::vector<std::string>* dirs) {
  auto next_ds = std::make_shared<DatasetImpl>(read.uri(), read.file_system(), next, &read);
  std::vector<dataset::RewrittenSegment> out;
  for (const AffectedSegment& a : affected) {
    std::set<FragmentId> fragments;
    for (FragmentId f : a.segment->fragment_ids) {
      if (next->FindFragment(f) != nullptr) fragments.insert(f);
    }
    for (size_t g : a.groups) {
      for (const Fragment& f : rewrite.groups[g].new_fragments) fragments.insert(f.id);
    }
    dataset::RewrittenSegment rewritten{a.index->name, a.segment->uuid, {}};
    if (!fragments.empty()) {  // (an empty list would mean every fragment)
      IXRAY_ASSIGN_OR_RAISE(std::string model, SegmentModel(read, *a.index, *a.segment));
      IXRAY_ASSIGN_OR_RAISE(std::string column, IndexColumn(*next, *a.index));
      const std::string uuid = dataset::NewUuid();
      dirs->push_back(dataset::IndexSegmentDir(uuid));
      IXRAY_ASSIGN_OR_RAISE(
          std::string meta_bytes,
          ExecuteUncommitted(*next_ds, column, model,
                             std::vector<FragmentId>(fragments.begin(), fragments.end()), uuid,
                             executor));
      IXRAY_ASSIGN_OR_RAISE(auto meta, index::SegmentMetadata::Decode(meta_bytes));
      rewritten.new_segment = {meta.uuid,
                               meta.fragment_ids,
                               meta.dataset_version,
                               {meta.file},
                               index::SegmentDetails(meta.num_rows, meta.model_digest)};
    }
    out.push_back(std::move(rewritten));
  }
  return out;
}

// The segments covering fragments of the plan's groups. The planner keeps
// each group within one segment per index.
std::vector<AffectedSegment> FindAffectedSegments(
    const Manifest& m, const std::vector<std::vector<FragmentId>>& groups) {
  std::vector<AffectedSegment> affected;
  for (const IndexMetadata& index : m.indices) {
    for (const IndexSegment& segment : index.segments) {
      AffectedSegment a{&index, &segment, {}};
      for (size_t g = 0; g < groups.size(); ++g) {
        if (std::binary_search(segment.fragment_ids.begin(), segment.fragment_ids.end(),
                               groups[g][0])) {
          a.groups.push_back(g);
        }
      }
      if (!a.groups.empty()) affected.push_back(std::move(a));
    }
  }
  return affected;
}

void DeleteWritten(FileSystem& fs, const std::string& uri, const std::vector<std::string>& files,
                   const std::vector<std::string>& dirs) {
  for (const auto& file : files) (void)fs.DeleteFile(JoinPath(uri, file));
  for (const auto& dir : dirs) (void)fs.DeleteDirRecursive(JoinPath(uri, dir));
}

Result<CompactionResult> Compact(const DatasetImpl& ds, const CompactionOptions& options,
                                 Executor& executor, std::vector<std::string>* files,
                                 std::vector<std::string>* dirs, bool* committing) {
  const Manifest& m = ds.manifest();
  CompactionResult result;
  result.dataset = std::const_pointer_cast<DatasetImpl>(ds.shared_impl());
  const auto groups =
      dataset::PlanCompaction(m, options.target_rows_per_fragment, options.materialize_deletions);
  if (groups.empty()) return result;

  dataset::RewriteOperation rewrite;
  for (const auto& ids : groups) {
    dataset::RewriteGroup group;
    group.old_fragment_ids = ids;
    IXRAY_ASSIGN_OR_RAISE(group.new_fragments,
                          dataset::RewriteFragments(ds, ids, options.target_rows_per_fragment,
                                                    options.max_page_bytes, files));
    for (FragmentId id : ids) {
      const Fragment* f = m.FindFragment(id);
      result.metrics.files_removed +=
          static_cast<int64_t>(f->files.size()) + (f->deletion_file ? 1 : 0);
    }
    result.metrics.fragments_removed += static_cast<int64_t>(ids.size());
    result.metrics.fragments_added += static_cast<int64_t>(group.new_fragments.size());
    for (const Fragment& f : group.new_fragments) {
      result.metrics.files_added += static_cast<int64_t>(f.files.size());
    }
    rewrite.groups.push_back(std::move(group));
  }
  if (!files->empty()) {
    IXRAY_RETURN_NOT_OK(ds.file_system()->SyncDir(JoinPath(ds.uri(), dataset::kDataDir)));
  }

  const auto affected =
      options.remap_indices ? FindAffectedSegments(m, groups) : std::vector<AffectedSegment>{};
  if (!affected.empty()) {
    // Reserve the new fragments' ids, so the rebuilt segments can name them.
    const auto count = static_cast<uint32_t>(result.metrics.fragments_added);
    IXRAY_ASSIGN_OR_RAISE(
        auto reserved,
        ds.CommitTransaction(ds.NewTransaction(dataset::ReserveFragmentsOperation{count})));
    auto id = static_cast<FragmentId>(reserved->manifest().next_fragment_id - count);
    for (auto& group : rewrite.groups) {
      for (Fragment& f : group.new_fragments) f.id = id++;
    }
    rewrite.fragment_ids_reserved = true;
    // The manifest this rewrite gives (without the segment changes), to
    // build the segments from.
    IXRAY_ASSIGN_OR_RAISE(auto next, dataset::ApplyTransaction(&reserved->manifest(),
                                                               reserved->NewTransaction(rewrite)));
    IXRAY_ASSIGN_OR_RAISE(rewrite.rewritten_segments,
                          RebuildSegments(ds, affected, rewrite, next, executor, dirs));
    result.metrics.segments_rewritten = static_cast<int64_t>(affected.size());
  }
  // Read from `ds`'s version, so every commit since (our reservation
  // included) is checked against the rewrite. From here on the commit
  // decides what to remove: a version may be visible despite an error.
  *committing = true;
  IXRAY_ASSIGN_OR_RAISE(auto committed, ds.CommitTransaction(ds.NewTransaction(rewrite)));
  result.dataset = std::move(committed);
  return result;
}

}  // namespace

Result<CompactionResult> CompactFiles(const Dataset& dataset, const CompactionOptions& options,
                                      Executor& executor) {
  if (options.target_rows_per_fragment < 1 ||
      options.target_rows_per_fragment > (int64_t{1} << 32) - 1) {
    return Status::InvalidArgument(fmt::format(
        "target_rows_per_fragment must be in [1, 2^32), got {}", options.target_rows_per_fragment));
  }
  const auto& ds = DatasetImpl::From(dataset);
  std::vector<std::string> files, dirs;
  bool committing = false;
  auto result = Compact(ds, options, executor, &files, &dirs, &committing);
  // A failed commit removes the files its transaction names itself.
  if (!result.ok() && !committing) DeleteWritten(*ds.file_system(), ds.uri(), files, dirs);
  return result;
}

}  // namespace ixray
