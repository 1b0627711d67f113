// The two-phase index protocol of include/ixray/index.h for vector indices:
// train -> execute_uncommitted (one segment per call) -> commit.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "format/byte_coding.h"
#include "index/vector/ivf_build.h"
#include "index/vector/vector_column.h"
#include "ixray/index.h"

namespace ixray {

namespace {

constexpr std::string_view kSegmentMagic = "IXSM";
constexpr uint32_t kSegmentVersion = 1;

// What ExecuteUncommitted hands back: enough to commit without re-reading.
struct SegmentMetadata {
  std::string uuid;
  std::string index_type;
  int32_t field_id = -1;
  uint64_t dataset_version = 0;
  std::vector<FragmentId> fragment_ids;
  int64_t num_rows = 0;
  std::string file;
  uint64_t model_digest = 0;

  std::string Encode() const {
    std::string out;
    format::ByteWriter w(&out);
    w.PutBytes(kSegmentMagic.data(), kSegmentMagic.size());
    w.PutU32(kSegmentVersion);
    w.PutString(uuid);
    w.PutString(index_type);
    w.PutI32(field_id);
    w.PutU64(dataset_version);
    w.PutU32(static_cast<uint32_t>(fragment_ids.size()));
    for (FragmentId f : fragment_ids) w.PutU32(f);
    w.PutU64(static_cast<uint64_t>(num_rows));
    w.PutString(file);
    w.PutU64(model_digest);
    return out;
  }

  static Result<SegmentMetadata> Decode(std::string_view bytes) {
    format::ByteReader r({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    auto bad = Status::InvalidArgument("not index segment metadata from ExecuteUncommitted");
    auto magic = r.GetBytes(kSegmentMagic.size(), "magic");
    if (!magic.ok() || std::memcmp(magic->data(), kSegmentMagic.data(), 4) != 0) return bad;
    auto version = r.GetU32("version");
    if (!version.ok() || *version != kSegmentVersion) return bad;
    SegmentMetadata m;
    IXRAY_ASSIGN_OR_RAISE(m.uuid, r.GetString("uuid"));
    IXRAY_ASSIGN_OR_RAISE(m.index_type, r.GetString("index type"));
    IXRAY_ASSIGN_OR_RAISE(m.field_id, r.GetI32("field id"));
    IXRAY_ASSIGN_OR_RAISE(m.dataset_version, r.GetU64("dataset version"));
    IXRAY_ASSIGN_OR_RAISE(uint32_t count, r.GetU32("fragment count"));
    IXRAY_RETURN_NOT_OK(r.CheckCount(count, 4, "fragments"));
    for (uint32_t i = 0; i < count; ++i) {
      IXRAY_ASSIGN_OR_RAISE(uint32_t f, r.GetU32("fragment"));
      m.fragment_ids.push_back(f);
    }
    IXRAY_ASSIGN_OR_RAISE(uint64_t rows, r.GetU64("rows"));
    m.num_rows = static_cast<int64_t>(rows);
    IXRAY_ASSIGN_OR_RAISE(m.file, r.GetString("file"));
    IXRAY_ASSIGN_OR_RAISE(m.model_digest, r.GetU64("model digest"));
    if (r.remaining() != 0) return bad;
    return m;
  }
};

std::string SegmentDetails(int64_t num_rows, uint64_t model_digest) {
  std::string out;
  format::ByteWriter w(&out);
  w.PutU64(static_cast<uint64_t>(num_rows));
  w.PutU64(model_digest);
  return out;
}

int64_t SegmentRows(const dataset::IndexSegment& segment) {
  if (segment.details.size() < 8) return 0;
  format::ByteReader r({reinterpret_cast<const uint8_t*>(segment.details.data()), 8});
  return static_cast<int64_t>(r.GetU64("rows").ValueOr(0));
}

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

}  // namespace

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
      info.segments.push_back({s.uuid, s.fragment_ids, s.dataset_version, SegmentRows(s)});
    }
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::string> TrainVectorIndex(const Dataset& dataset, const std::string& column,
                                     const VectorIndexParams& params, Executor& executor) {
  IXRAY_ASSIGN_OR_RAISE(auto model, vector::TrainIvfModel(dataset::DatasetImpl::From(dataset),
                                                          column, params, executor));
  return model.Serialize();
}

Result<std::string> ExecuteUncommitted(const Dataset& dataset, const std::string& column,
                                       const std::string& model_bytes,
                                       const std::vector<FragmentId>& fragment_ids,
                                       Executor& executor) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_ASSIGN_OR_RAISE(auto model, vector::IvfModel::Deserialize(model_bytes));
  IXRAY_ASSIGN_OR_RAISE(auto fragments, CheckFragments(ds, fragment_ids));
  IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
  IXRAY_ASSIGN_OR_RAISE(auto built,
                        vector::BuildIvfSegment(ds, column, model, fragments, executor));
  SegmentMetadata meta;
  meta.uuid = built.uuid;
  meta.index_type = std::string(vector::VectorIndexTypeName(model.type));
  meta.field_id = field->id;
  meta.dataset_version = ds.version();
  meta.fragment_ids = built.fragment_ids;
  meta.num_rows = built.num_rows;
  meta.file = built.file;
  meta.model_digest = model.Digest();
  return meta.Encode();
}

Result<std::shared_ptr<Dataset>> CommitIndex(const Dataset& dataset, const std::string& name,
                                             const std::string& column,
                                             const std::vector<std::string>& segments,
                                             bool replace) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
  if (name.empty()) return Status::InvalidArgument("an index needs a name");
  if (!replace && ds.manifest().FindIndex(name) != nullptr) {
    return Status::InvalidArgument(
        fmt::format("index '{}' already exists; pass replace=True to replace it", name));
  }
  dataset::IndexMetadata index;
  index.name = name;
  index.field_ids = {field->id};
  std::set<FragmentId> covered;
  std::optional<uint64_t> digest;
  for (const auto& bytes : segments) {
    IXRAY_ASSIGN_OR_RAISE(auto meta, SegmentMetadata::Decode(bytes));
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
                              SegmentDetails(meta.num_rows, meta.model_digest)});
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

Result<std::shared_ptr<Dataset>> CreateVectorIndex(const Dataset& dataset,
                                                   const std::string& column,
                                                   const VectorIndexParams& params,
                                                   const std::string& name, bool replace,
                                                   const std::vector<FragmentId>& fragment_ids,
                                                   Executor& executor) {
  const std::string index_name = name.empty() ? column + "_idx" : name;
  const auto& ds = dataset::DatasetImpl::From(dataset);
  if (!replace && ds.manifest().FindIndex(index_name) != nullptr) {
    return Status::InvalidArgument(
        fmt::format("index '{}' already exists; pass replace=True to replace it", index_name));
  }
  if (!params.train || ds.manifest().num_live_rows() == 0) {
    // An empty index: the type and column are checked and recorded; the
    // fragments stay unindexed (searched flat) until the index is filled.
    IXRAY_ASSIGN_OR_RAISE(auto type, vector::ParseVectorIndexType(params.index_type));
    IXRAY_ASSIGN_OR_RAISE(auto metric, vector::ParseMetric(params.metric));
    IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
    IXRAY_RETURN_NOT_OK(vector::CheckVectorType(column, *field->type, metric));
    dataset::IndexMetadata index;
    index.name = index_name;
    index.index_type = std::string(vector::VectorIndexTypeName(type));
    index.field_ids = {field->id};
    dataset::CreateIndexOperation op;
    if (ds.manifest().FindIndex(index_name) != nullptr) op.removed_indices.push_back(index_name);
    op.new_indices.push_back(std::move(index));
    IXRAY_ASSIGN_OR_RAISE(auto committed, ds.CommitTransaction(ds.NewTransaction(std::move(op))));
    return std::shared_ptr<Dataset>(std::move(committed));
  }
  IXRAY_ASSIGN_OR_RAISE(auto model, TrainVectorIndex(dataset, column, params, executor));
  IXRAY_ASSIGN_OR_RAISE(auto segment,
                        ExecuteUncommitted(dataset, column, model, fragment_ids, executor));
  return CommitIndex(dataset, index_name, column, {segment}, replace);
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
