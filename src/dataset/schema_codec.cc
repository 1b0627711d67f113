// Schema <-> pb::Schema.

#include <fmt/format.h>

#include <unordered_set>

#include "dataset/manifest_codec.h"

namespace ixray::dataset {

namespace {

// list<T> and fixed_size_list<T> hold one level of children; a deeper tree
// in a manifest is damage (and bounding the depth bounds the recursion).
constexpr int kMaxTypeDepth = 2;

void FieldToProto(const Field& field, pb::Field* out);

void TypeToProto(const DataType& type, pb::DataType* out) {
  out->set_id(static_cast<pb::TypeId>(type.id()));
  if (type.id() == TypeId::kFixedSizeList) out->set_list_size(type.list_size());
  if (type.id() == TypeId::kTimestamp) out->set_timezone(type.timezone());
  if (type.is_nested()) FieldToProto(*type.value_field(), out->mutable_value_field());
}

void FieldToProto(const Field& field, pb::Field* out) {
  out->set_id(field.id);
  out->set_name(field.name);
  out->set_nullable(field.nullable);
  TypeToProto(*field.type, out->mutable_type());
}

Result<FieldPtr> FieldFromProto(const pb::Field& proto, int depth, std::string_view what);

Result<TypePtr> TypeFromProto(const pb::DataType& proto, int depth, std::string_view what) {
  auto child = [&]() -> Result<FieldPtr> {
    if (!proto.has_value_field()) {
      return Status::Corruption(fmt::format("{}: list type without a value field", what));
    }
    if (depth + 1 > kMaxTypeDepth) {
      return Status::Corruption(fmt::format("{}: types nested too deeply", what));
    }
    return FieldFromProto(proto.value_field(), depth + 1, what);
  };
  switch (proto.id()) {
    case pb::TYPE_BOOL:
      return boolean();
    case pb::TYPE_INT8:
      return int8();
    case pb::TYPE_INT16:
      return int16();
    case pb::TYPE_INT32:
      return int32();
    case pb::TYPE_INT64:
      return int64();
    case pb::TYPE_UINT8:
      return uint8();
    case pb::TYPE_UINT16:
      return uint16();
    case pb::TYPE_UINT32:
      return uint32();
    case pb::TYPE_UINT64:
      return uint64();
    case pb::TYPE_FLOAT16:
      return float16();
    case pb::TYPE_FLOAT32:
      return float32();
    case pb::TYPE_FLOAT64:
      return float64();
    case pb::TYPE_STRING:
      return utf8();
    case pb::TYPE_LARGE_STRING:
      return large_utf8();
    case pb::TYPE_BINARY:
      return binary();
    case pb::TYPE_DATE32:
      return date32();
    case pb::TYPE_TIMESTAMP:
      return timestamp(proto.timezone());
    case pb::TYPE_LIST: {
      IXRAY_ASSIGN_OR_RAISE(FieldPtr value_field, child());
      return list(std::move(value_field));
    }
    case pb::TYPE_FIXED_SIZE_LIST: {
      if (proto.list_size() <= 0) {
        return Status::Corruption(
            fmt::format("{}: fixed_size_list of size {}", what, proto.list_size()));
      }
      IXRAY_ASSIGN_OR_RAISE(FieldPtr value_field, child());
      return fixed_size_list(std::move(value_field), proto.list_size());
    }
    default:
      return Status::Corruption(
          fmt::format("{}: unknown type code {}", what, static_cast<int>(proto.id())));
  }
}

Result<FieldPtr> FieldFromProto(const pb::Field& proto, int depth, std::string_view what) {
  if (!proto.has_type()) {
    return Status::Corruption(fmt::format("{}: field '{}' has no type", what, proto.name()));
  }
  IXRAY_ASSIGN_OR_RAISE(TypePtr type, TypeFromProto(proto.type(), depth, what));
  return field(proto.name(), std::move(type), proto.nullable(), proto.id());
}

}  // namespace

void SchemaToProto(const Schema& schema, pb::Schema* out) {
  out->Clear();
  for (const FieldPtr& f : schema.fields()) FieldToProto(*f, out->add_fields());
}

Result<SchemaPtr> SchemaFromProto(const pb::Schema& proto, std::string_view what) {
  std::vector<FieldPtr> fields;
  fields.reserve(proto.fields_size());
  std::unordered_set<int32_t> ids;
  for (const pb::Field& f : proto.fields()) {
    IXRAY_ASSIGN_OR_RAISE(FieldPtr parsed, FieldFromProto(f, 1, what));
    if (parsed->id < 0 || !ids.insert(parsed->id).second) {
      return Status::Corruption(
          fmt::format("{}: field '{}' has a bad or repeated id {}", what, f.name(), f.id()));
    }
    fields.push_back(std::move(parsed));
  }
  auto schema = Schema::Make(std::move(fields));
  if (!schema.ok()) {
    return Status::Corruption(
        fmt::format("{}: invalid schema: {}", what, schema.status().message()));
  }
  return std::move(*schema);
}

}  // namespace ixray::dataset
