// The generic steps of the two-phase index protocol (include/ixray/index.h):
// ExecuteUncommitted dispatches on the model's family; CommitIndex,
// DescribeIndices and DropIndex work on segment metadata of any type.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "index/protocol_internal.h"
#include "index/scalar/scalar_index.h"
#include "ixray/index.h"

namespace ixray {

namespace index {

Result<std::vector<FragmentId>> CheckFragments(const dataset::DatasetImpl& ds,
                                               const std::vector<FragmentId>& ids) {
  std::vector<FragmentId> out = ids;
  if (out.empty()) {
    for (const auto& f : ds.manifest().fragments) out.push_back(f.id);
    return out;
  }
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    return Status::InvalidArgument("fragment_ids lists a fragment twice");
  }
  for (FragmentId id : out) {
    if (ds.manifest().FindFragment(id) == nullptr) {
      return Status::InvalidArgument(
          fmt::format("fragment {} is not in version {}", id, ds.version()));
    }
  }
  return out;
}

Status CheckReplace(const dataset::DatasetImpl& ds, const std::string& name, bool replace) {
  if (name.empty()) return Status::InvalidArgument("an index needs a name");
  if (!replace && ds.manifest().FindIndex(name) != nullptr) {
    return Status::InvalidArgument(
        fmt::format("index '{}' already exists; pass replace=True to replace it", name));
  }
  return Status::OK();
}

Result<std::shared_ptr<Dataset>> CommitEmptyIndex(const dataset::DatasetImpl& ds,
                                                  const std::string& name,
                                                  const std::string& index_type, int32_t field_id,
                                                  std::string details) {
  dataset::IndexMetadata index;
  index.name = name;
  index.index_type = index_type;
  index.field_ids = {field_id};
  index.details = std::move(details);
  dataset::CreateIndexOperation op;
  if (ds.manifest().FindIndex(name) != nullptr) op.removed_indices.push_back(name);
  op.new_indices.push_back(std::move(index));
  IXRAY_ASSIGN_OR_RAISE(auto committed, ds.CommitTransaction(ds.NewTransaction(std::move(op))));
  return std::shared_ptr<Dataset>(std::move(committed));
}

}  // namespace index

std::vector<IndexInfo> DescribeIndices(const Dataset& dataset) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  std::vector<IndexInfo> out;
  for (const auto& index : ds.manifest().indices) {
    IndexInfo info{index.name, index.index_type, {}, {}};
    for (int32_t id : index.field_ids) {
      const int i = ds.schema()->FieldIndexById(id);
      info.columns.push_back(i >= 0 ? ds.schema()->field(i)->name : fmt::format("<field {}>", id));
    }
    for (const auto& s : index.segments) {
      info.segments.push_back({s.uuid, s.fragment_ids, s.dataset_version, index::SegmentRows(s)});
    }
    out.push_back(std::move(info));
  }
  return out;
}

bool IsSegmentUuid(std::string_view uuid) {
  if (uuid.size() != 36) return false;
  for (size_t i = 0; i < uuid.size(); ++i) {
    const char c = uuid[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Result<std::string> ExecuteUncommitted(const Dataset& dataset, const std::string& column,
                                       const std::string& model,
                                       const std::vector<FragmentId>& fragment_ids,
                                       Executor& executor) {
  return ExecuteUncommitted(dataset, column, model, fragment_ids, "", executor);
}

Result<std::string> ExecuteUncommitted(const Dataset& dataset, const std::string& column,
                                       const std::string& model,
                                       const std::vector<FragmentId>& fragment_ids,
                                       const std::string& segment_uuid, Executor& executor) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_ASSIGN_OR_RAISE(auto fragments, index::CheckFragments(ds, fragment_ids));
  IXRAY_RETURN_NOT_OK(ds.schema()->GetField(column).status());
  if (!segment_uuid.empty()) {
    if (!IsSegmentUuid(segment_uuid)) {
      return Status::InvalidArgument(fmt::format("'{}' is not a segment uuid", segment_uuid));
    }
    // A retried work unit: whatever an earlier attempt left here is replaced.
    const std::string dir = ds.uri() + "/" + dataset::IndexSegmentDir(segment_uuid);
    IXRAY_ASSIGN_OR_RAISE(bool exists, ds.file_system()->Exists(dir));
    if (exists) IXRAY_RETURN_NOT_OK(ds.file_system()->DeleteDirRecursive(dir));
  }
  index::SegmentMetadata meta;
  if (scalar::ScalarIndexConfig::Recognize(model)) {
    IXRAY_ASSIGN_OR_RAISE(
        meta, index::ExecuteScalarSegment(ds, column, model, fragments, segment_uuid, executor));
  } else {
    IXRAY_ASSIGN_OR_RAISE(
        meta, index::ExecuteVectorSegment(ds, column, model, fragments, segment_uuid, executor));
  }
  return meta.Encode();
}

Result<std::shared_ptr<Dataset>> CommitIndex(const Dataset& dataset, const std::string& name,
                                             const std::string& column,
                                             const std::vector<std::string>& segments,
                                             bool replace) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
  IXRAY_RETURN_NOT_OK(index::CheckReplace(ds, name, replace));
  dataset::IndexMetadata index;
  index.name = name;
  index.field_ids = {field->id};
  std::set<FragmentId> covered;
  std::optional<uint64_t> digest;
  for (const auto& bytes : segments) {
    IXRAY_ASSIGN_OR_RAISE(auto meta, index::SegmentMetadata::Decode(bytes));
    if (meta.field_id != field->id) {
      return Status::InvalidArgument(
          fmt::format("segment {} indexes another column than '{}'", meta.uuid, column));
    }
    if (index.index_type.empty()) index.index_type = meta.index_type;
    if (meta.index_type != index.index_type || (digest && *digest != meta.model_digest)) {
      return Status::InvalidArgument(
          "the segments were built with different models; one index needs one model");
    }
    digest = meta.model_digest;
    for (FragmentId f : meta.fragment_ids) {
      if (!covered.insert(f).second) {
        return Status::InvalidArgument(
            fmt::format("fragment {} is covered by more than one segment", f));
      }
    }
    index.segments.push_back({meta.uuid,
                              meta.fragment_ids,
                              meta.dataset_version,
                              {meta.file},
                              index::SegmentDetails(meta.num_rows, meta.model_digest)});
  }
  if (index.index_type.empty()) {
    return Status::InvalidArgument("CommitIndex needs at least one segment");
  }
  dataset::CreateIndexOperation op;
  if (ds.manifest().FindIndex(name) != nullptr) op.removed_indices.push_back(name);
  op.new_indices.push_back(std::move(index));
  IXRAY_ASSIGN_OR_RAISE(auto committed, ds.CommitTransaction(ds.NewTransaction(std::move(op))));
  return std::shared_ptr<Dataset>(std::move(committed));
}

Result<std::shared_ptr<Dataset>> DropIndex(const Dataset& dataset, const std::string& name) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  if (ds.manifest().FindIndex(name) == nullptr) {
    return Status::InvalidArgument(fmt::format("no index named '{}'", name));
  }
  IXRAY_ASSIGN_OR_RAISE(auto committed,
                        ds.CommitTransaction(ds.NewTransaction(dataset::DropIndexOperation{name})));
  return std::shared_ptr<Dataset>(std::move(committed));
}

}  // namespace ixray
