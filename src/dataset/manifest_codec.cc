// Manifest and Transaction <-> protobuf, with the checks that make a
// decoded manifest safe to use (manifest.h lists the invariants).

#include "dataset/manifest_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "dataset/dataset_format.h"
#include "dataset/deletion_vector.h"
#include "format/data_file_format.h"

namespace ixray::dataset {

namespace {

Status Corrupt(std::string_view what, std::string_view problem) {
  return Status::Corruption(fmt::format("{}: {}", what, problem));
}

// ---- Fragments ---------------------------------------------------------------

void FragmentToProto(const Fragment& fragment, pb::Fragment* out) {
  out->set_id(fragment.id);
  for (const DataFile& file : fragment.files) {
    pb::DataFile* f = out->add_files();
    f->set_path(file.path);
    for (int32_t id : file.field_ids) f->add_field_ids(id);
    f->set_num_rows(file.num_rows);
    f->set_file_size(file.file_size);
  }
  out->set_physical_rows(fragment.physical_rows);
  if (fragment.deletion_file) {
    out->mutable_deletion_file()->set_path(fragment.deletion_file->path);
    out->mutable_deletion_file()->set_num_deleted_rows(fragment.deletion_file->num_deleted_rows);
  }
}

Result<Fragment> FragmentFromProto(const pb::Fragment& proto, std::string_view what) {
  Fragment fragment;
  fragment.id = proto.id();
  if (proto.physical_rows() > static_cast<uint64_t>(format::kMaxRowsPerFile)) {
    return Corrupt(what,
                   fmt::format("fragment {} claims {} rows", proto.id(), proto.physical_rows()));
  }
  fragment.physical_rows = static_cast<int64_t>(proto.physical_rows());
  if (proto.files_size() == 0) {
    return Corrupt(what, fmt::format("fragment {} has no data file", proto.id()));
  }
  for (const pb::DataFile& f : proto.files()) {
    if (!IsSafeRelativePath(f.path())) {
      return Corrupt(what,
                     fmt::format("fragment {}: bad data file path '{}'", proto.id(), f.path()));
    }
    if (f.num_rows() != proto.physical_rows() || f.file_size() > (uint64_t{1} << 62)) {
      return Corrupt(what, fmt::format("fragment {}: data file '{}' has {} rows, expected {}",
                                       proto.id(), f.path(), f.num_rows(), proto.physical_rows()));
    }
    fragment.files.push_back(DataFile{f.path(),
                                      {f.field_ids().begin(), f.field_ids().end()},
                                      static_cast<int64_t>(f.num_rows()),
                                      static_cast<int64_t>(f.file_size())});
  }
  if (proto.has_deletion_file()) {
    const pb::DeletionFile& d = proto.deletion_file();
    if (!IsSafeRelativePath(d.path()) || d.num_deleted_rows() > proto.physical_rows()) {
      return Corrupt(what, fmt::format("fragment {}: bad deletion file '{}' ({} rows)", proto.id(),
                                       d.path(), d.num_deleted_rows()));
    }
    fragment.deletion_file = DeletionFile{d.path(), static_cast<int64_t>(d.num_deleted_rows())};
  }
  return fragment;
}

Status FragmentsFromProto(const google::protobuf::RepeatedPtrField<pb::Fragment>& protos,
                          std::string_view what, std::vector<Fragment>* out) {
  out->reserve(protos.size());
  for (const pb::Fragment& f : protos) {
    IXRAY_ASSIGN_OR_RAISE(Fragment fragment, FragmentFromProto(f, what));
    out->push_back(std::move(fragment));
  }
  return Status::OK();
}

// ---- Indices -----------------------------------------------------------------

void IndexToProto(const IndexMetadata& index, pb::IndexMetadata* out) {
  out->set_name(index.name);
  out->set_index_type(index.index_type);
  for (int32_t id : index.field_ids) out->add_field_ids(id);
  for (const IndexSegment& segment : index.segments) {
    pb::IndexSegment* s = out->add_segments();
    s->set_uuid(segment.uuid);
    DeletionVector bitmap;  // a roaring set of fragment ids
    bitmap.AddMany(segment.fragment_ids);
    s->set_fragment_bitmap(bitmap.SerializePortable());
    s->set_dataset_version(segment.dataset_version);
    for (const std::string& file : segment.files) s->add_files(file);
    s->set_details(segment.details);
  }
  out->set_details(index.details);
}

Result<IndexMetadata> IndexFromProto(const pb::IndexMetadata& proto, std::string_view what) {
  IndexMetadata index;
  index.name = proto.name();
  index.index_type = proto.index_type();
  if (index.name.empty()) return Corrupt(what, "an index without a name");
  index.field_ids.assign(proto.field_ids().begin(), proto.field_ids().end());
  for (const pb::IndexSegment& s : proto.segments()) {
    IndexSegment segment;
    segment.uuid = s.uuid();
    if (segment.uuid.find('/') != std::string::npos || !IsSafeRelativePath(segment.uuid)) {
      return Corrupt(what, fmt::format("index '{}': bad segment uuid '{}'", index.name, s.uuid()));
    }
    if (!s.fragment_bitmap().empty()) {
      IXRAY_ASSIGN_OR_RAISE(
          DeletionVector bitmap,
          DeletionVector::DeserializePortable(
              s.fragment_bitmap(),
              fmt::format("{}: fragment bitmap of index '{}'", what, index.name)));
      segment.fragment_ids = bitmap.ToVector();
    }
    segment.dataset_version = s.dataset_version();
    for (const std::string& file : s.files()) {
      if (!IsSafeRelativePath(file)) {
        return Corrupt(what, fmt::format("index '{}': bad file name '{}'", index.name, file));
      }
      segment.files.push_back(file);
    }
    segment.details = s.details();
    index.segments.push_back(std::move(segment));
  }
  index.details = proto.details();
  return index;
}

Status IndicesFromProto(const google::protobuf::RepeatedPtrField<pb::IndexMetadata>& protos,
                        std::string_view what, std::vector<IndexMetadata>* out) {
  for (const pb::IndexMetadata& i : protos) {
    IXRAY_ASSIGN_OR_RAISE(IndexMetadata index, IndexFromProto(i, what));
    out->push_back(std::move(index));
  }
  return Status::OK();
}

// ---- Operations --------------------------------------------------------------

struct OperationToProto {
  pb::Transaction* out;

  void operator()(const AppendOperation& op) const {
    auto* append = out->mutable_append();
    for (const Fragment& f : op.fragments) FragmentToProto(f, append->add_fragments());
  }
  void operator()(const OverwriteOperation& op) const {
    auto* overwrite = out->mutable_overwrite();
    if (op.schema != nullptr) SchemaToProto(*op.schema, overwrite->mutable_schema());
    for (const Fragment& f : op.fragments) FragmentToProto(f, overwrite->add_fragments());
    overwrite->set_create(op.create);
  }
  void operator()(const DeleteOperation& op) const {
    auto* del = out->mutable_delete_();
    for (const Fragment& f : op.updated_fragments) {
      FragmentToProto(f, del->add_updated_fragments());
    }
    for (FragmentId id : op.removed_fragment_ids) del->add_removed_fragment_ids(id);
  }
  void operator()(const CreateIndexOperation& op) const {
    auto* create = out->mutable_create_index();
    for (const IndexMetadata& i : op.new_indices) IndexToProto(i, create->add_new_indices());
    for (const std::string& name : op.removed_indices) create->add_removed_indices(name);
  }
  void operator()(const DropIndexOperation& op) const {
    out->mutable_drop_index()->set_name(op.name);
  }
  void operator()(const RewriteOperation& op) const {
    auto* rewrite = out->mutable_rewrite();
    for (const RewriteGroup& g : op.groups) {
      auto* group = rewrite->add_groups();
      for (FragmentId id : g.old_fragment_ids) group->add_old_fragment_ids(id);
      for (const Fragment& f : g.new_fragments) FragmentToProto(f, group->add_new_fragments());
    }
    for (const RewrittenSegment& r : op.rewritten_segments) {
      auto* rewritten = rewrite->add_rewritten_segments();
      rewritten->set_old_segment_uuid(r.old_segment_uuid);
      IndexMetadata index;
      index.name = r.index_name;
      if (!r.new_segment.uuid.empty()) index.segments.push_back(r.new_segment);
      IndexToProto(index, rewritten->mutable_index());
    }
    rewrite->set_fragment_ids_reserved(op.fragment_ids_reserved);
  }
  void operator()(const ReserveFragmentsOperation& op) const {
    out->mutable_reserve_fragments()->set_num_fragments(op.num_fragments);
  }
};

Result<Operation> OperationFromProto(const pb::Transaction& proto, std::string_view what) {
  switch (proto.operation_case()) {
    case pb::Transaction::kAppend: {
      AppendOperation op;
      IXRAY_RETURN_NOT_OK(FragmentsFromProto(proto.append().fragments(), what, &op.fragments));
      return Operation(std::move(op));
    }
    case pb::Transaction::kOverwrite: {
      OverwriteOperation op;
      IXRAY_ASSIGN_OR_RAISE(op.schema, SchemaFromProto(proto.overwrite().schema(), what));
      IXRAY_RETURN_NOT_OK(FragmentsFromProto(proto.overwrite().fragments(), what, &op.fragments));
      op.create = proto.overwrite().create();
      return Operation(std::move(op));
    }
    case pb::Transaction::kDelete: {
      DeleteOperation op;
      IXRAY_RETURN_NOT_OK(
          FragmentsFromProto(proto.delete_().updated_fragments(), what, &op.updated_fragments));
      op.removed_fragment_ids.assign(proto.delete_().removed_fragment_ids().begin(),
                                     proto.delete_().removed_fragment_ids().end());
      return Operation(std::move(op));
    }
    case pb::Transaction::kCreateIndex: {
      CreateIndexOperation op;
      IXRAY_RETURN_NOT_OK(
          IndicesFromProto(proto.create_index().new_indices(), what, &op.new_indices));
      op.removed_indices.assign(proto.create_index().removed_indices().begin(),
                                proto.create_index().removed_indices().end());
      return Operation(std::move(op));
    }
    case pb::Transaction::kDropIndex:
      return Operation(DropIndexOperation{proto.drop_index().name()});
    case pb::Transaction::kRewrite: {
      RewriteOperation op;
      for (const auto& g : proto.rewrite().groups()) {
        RewriteGroup group;
        group.old_fragment_ids.assign(g.old_fragment_ids().begin(), g.old_fragment_ids().end());
        IXRAY_RETURN_NOT_OK(FragmentsFromProto(g.new_fragments(), what, &group.new_fragments));
        op.groups.push_back(std::move(group));
      }
      for (const auto& r : proto.rewrite().rewritten_segments()) {
        IXRAY_ASSIGN_OR_RAISE(IndexMetadata index, IndexFromProto(r.index(), what));
        if (index.segments.size() > 1) {
          return Corrupt(what, "a rewritten index segment with more than one replacement");
        }
        RewrittenSegment rewritten{index.name, r.old_segment_uuid(), {}};
        if (!index.segments.empty()) rewritten.new_segment = std::move(index.segments[0]);
        op.rewritten_segments.push_back(std::move(rewritten));
      }
      op.fragment_ids_reserved = proto.rewrite().fragment_ids_reserved();
      return Operation(std::move(op));
    }
    case pb::Transaction::kReserveFragments:
      return Operation(ReserveFragmentsOperation{proto.reserve_fragments().num_fragments()});
    case pb::Transaction::OPERATION_NOT_SET:
      break;
  }
  return Corrupt(what, "a transaction without an operation");
}

// The checks that involve the manifest as a whole.
Status CheckManifest(const Manifest& m, std::string_view what) {
  if (m.version == 0) return Corrupt(what, "version 0");
  if (m.next_fragment_id > (uint64_t{1} << 32)) {
    return Corrupt(what, fmt::format("next fragment id {} out of range", m.next_fragment_id));
  }
  if (m.max_field_id < m.schema->MaxFieldId()) {
    return Corrupt(what, fmt::format("max field id {} below the schema's {}", m.max_field_id,
                                     m.schema->MaxFieldId()));
  }
  for (size_t i = 0; i < m.fragments.size(); ++i) {
    const Fragment& f = m.fragments[i];
    if (f.id >= m.next_fragment_id || (i > 0 && f.id <= m.fragments[i - 1].id)) {
      return Corrupt(what, fmt::format("fragment id {} out of order or range", f.id));
    }
    for (const DataFile& file : f.files) {
      for (int32_t id : file.field_ids) {
        if (m.schema->FieldIndexById(id) < 0) {
          return Corrupt(what,
                         fmt::format("data file '{}' stores unknown field id {}", file.path, id));
        }
      }
    }
  }
  std::unordered_set<std::string_view> names;
  for (const IndexMetadata& index : m.indices) {
    if (!names.insert(index.name).second) {
      return Corrupt(what, fmt::format("index name '{}' repeated", index.name));
    }
  }
  return Status::OK();
}

}  // namespace

void TransactionToProto(const Transaction& transaction, pb::Transaction* out) {
  out->Clear();
  out->set_read_version(transaction.read_version);
  out->set_uuid(transaction.uuid);
  out->set_timestamp_us(transaction.timestamp_us);
  std::visit(OperationToProto{out}, transaction.operation);
}

Result<Transaction> TransactionFromProto(const pb::Transaction& proto, std::string_view what) {
  Transaction transaction;
  transaction.read_version = proto.read_version();
  transaction.uuid = proto.uuid();
  transaction.timestamp_us = proto.timestamp_us();
  IXRAY_ASSIGN_OR_RAISE(transaction.operation, OperationFromProto(proto, what));
  return transaction;
}

void ManifestToProto(const Manifest& manifest, pb::Manifest* out) {
  out->Clear();
  out->set_version(manifest.version);
  SchemaToProto(*manifest.schema, out->mutable_schema());
  for (const Fragment& f : manifest.fragments) FragmentToProto(f, out->add_fragments());
  out->set_next_fragment_id(manifest.next_fragment_id);
  out->set_max_field_id(manifest.max_field_id);
  for (const IndexMetadata& i : manifest.indices) IndexToProto(i, out->add_indices());
  TransactionToProto(manifest.transaction, out->mutable_transaction());
  out->set_timestamp_us(manifest.timestamp_us);
  out->set_writer(manifest.writer);
}

Result<ManifestPtr> ManifestFromProto(const pb::Manifest& proto, std::string_view what) {
  auto manifest = std::make_shared<Manifest>();
  manifest->version = proto.version();
  IXRAY_ASSIGN_OR_RAISE(manifest->schema, SchemaFromProto(proto.schema(), what));
  IXRAY_RETURN_NOT_OK(FragmentsFromProto(proto.fragments(), what, &manifest->fragments));
  manifest->next_fragment_id = proto.next_fragment_id();
  manifest->max_field_id = proto.max_field_id();
  IXRAY_RETURN_NOT_OK(IndicesFromProto(proto.indices(), what, &manifest->indices));
  IXRAY_ASSIGN_OR_RAISE(manifest->transaction, TransactionFromProto(proto.transaction(), what));
  manifest->timestamp_us = proto.timestamp_us();
  manifest->writer = proto.writer();
  IXRAY_RETURN_NOT_OK(CheckManifest(*manifest, what));
  return ManifestPtr(std::move(manifest));
}

std::string EncodeTransaction(const Transaction& transaction) {
  pb::Transaction proto;
  TransactionToProto(transaction, &proto);
  return proto.SerializeAsString();
}

Result<Transaction> DecodeTransaction(std::string_view bytes, std::string_view what) {
  pb::Transaction proto;
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Corrupt(what, "not a valid transaction message");
  }
  return TransactionFromProto(proto, what);
}

std::string EncodeManifestFile(const Manifest& manifest) {
  pb::Manifest proto;
  ManifestToProto(manifest, &proto);
  return EncodeFrame(kManifestMagic, kManifestFormatVersion, proto.SerializeAsString());
}

Result<ManifestPtr> DecodeManifestFile(std::string_view bytes, std::string_view what) {
  IXRAY_ASSIGN_OR_RAISE(std::string_view payload,
                        DecodeFrame(bytes, kManifestMagic, kManifestFormatVersion, what));
  pb::Manifest proto;
  if (payload.size() > static_cast<size_t>(INT32_MAX) ||
      !proto.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Corrupt(what, "the manifest message does not parse");
  }
  return ManifestFromProto(proto, what);
}

}  // namespace ixray::dataset
