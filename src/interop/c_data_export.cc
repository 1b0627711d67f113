// Export of ixray types and arrays through the Arrow C Data Interface.
// Each exported struct owns a heap "private" object that keeps the exported
// memory alive; release() frees it and marks the struct released.
#include <fmt/format.h>

#include <cstring>
#include <optional>

#include "interop/metadata.h"
#include "ixray/arrow_interop.h"

namespace ixray {

namespace {

struct SchemaPrivate {
  std::string format;
  std::string name;
  std::string metadata;
  std::vector<ArrowSchema*> children;
};

void ReleaseSchema(ArrowSchema* schema) {
  if (schema == nullptr || schema->release == nullptr) return;
  auto* priv = static_cast<SchemaPrivate*>(schema->private_data);
  for (ArrowSchema* child : priv->children) {
    if (child->release != nullptr) child->release(child);
    delete child;
  }
  delete priv;
  schema->release = nullptr;
  schema->private_data = nullptr;
}

// Fills `out` for a type with the given field name, flags and metadata.
Status FillSchema(const DataType& type, std::string name, bool nullable, std::string metadata,
                  ArrowSchema* out) {
  IXRAY_ASSIGN_OR_RAISE(std::string format, ArrowFormat(type));
  auto priv = std::make_unique<SchemaPrivate>();
  priv->format = std::move(format);
  priv->name = std::move(name);
  priv->metadata = std::move(metadata);
  if (type.is_nested()) {
    const Field& child = *type.value_field();
    auto* child_schema = new ArrowSchema{};
    priv->children.push_back(child_schema);
    Status st = FillSchema(*child.type, child.name, child.nullable, "", child_schema);
    if (!st.ok()) {
      delete child_schema;
      return st;
    }
  }
  out->format = priv->format.c_str();
  out->name = priv->name.c_str();
  out->metadata = priv->metadata.empty() ? nullptr : priv->metadata.data();
  out->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
  out->n_children = static_cast<int64_t>(priv->children.size());
  out->children = priv->children.data();
  out->dictionary = nullptr;
  out->release = ReleaseSchema;
  out->private_data = priv.release();
  return Status::OK();
}

struct ArrayPrivate {
  // A copy of the exported array: it shares, and so keeps alive, every
  // buffer. Empty for an exported record batch, whose children own theirs.
  std::optional<Array> array;
  std::vector<const void*> buffers;
  std::vector<ArrowArray*> children;
};

void ReleaseArray(ArrowArray* array) {
  if (array == nullptr || array->release == nullptr) return;
  auto* priv = static_cast<ArrayPrivate*>(array->private_data);
  for (ArrowArray* child : priv->children) {
    if (child->release != nullptr) child->release(child);
    delete child;
  }
  delete priv;
  array->release = nullptr;
  array->private_data = nullptr;
}

void FillArray(const Array& array, ArrowArray* out) {
  auto priv = std::make_unique<ArrayPrivate>(ArrayPrivate{array, {}, {}});
  for (const auto& buffer : array.buffers()) {
    priv->buffers.push_back(buffer ? buffer->data() : nullptr);
  }
  for (const auto& child : array.children()) {
    auto* child_array = new ArrowArray{};
    FillArray(*child, child_array);
    priv->children.push_back(child_array);
  }
  out->length = array.length();
  out->null_count = array.null_count();
  out->offset = array.offset();
  out->n_buffers = static_cast<int64_t>(priv->buffers.size());
  out->n_children = static_cast<int64_t>(priv->children.size());
  out->buffers = priv->buffers.data();
  out->children = priv->children.data();
  out->dictionary = nullptr;
  out->release = ReleaseArray;
  out->private_data = priv.release();
}

}  // namespace

Result<std::string> ArrowFormat(const DataType& type) {
  switch (type.id()) {
    case TypeId::kBool:
      return std::string("b");
    case TypeId::kInt8:
      return std::string("c");
    case TypeId::kUInt8:
      return std::string("C");
    case TypeId::kInt16:
      return std::string("s");
    case TypeId::kUInt16:
      return std::string("S");
    case TypeId::kInt32:
      return std::string("i");
    case TypeId::kUInt32:
      return std::string("I");
    case TypeId::kInt64:
      return std::string("l");
    case TypeId::kUInt64:
      return std::string("L");
    case TypeId::kFloat16:
      return std::string("e");
    case TypeId::kFloat32:
      return std::string("f");
    case TypeId::kFloat64:
      return std::string("g");
    case TypeId::kString:
      return std::string("u");
    case TypeId::kLargeString:
      return std::string("U");
    case TypeId::kBinary:
      return std::string("z");
    case TypeId::kDate32:
      return std::string("tdD");
    case TypeId::kTimestamp:
      return "tsu:" + type.timezone();
    case TypeId::kList:
      return std::string("+l");
    case TypeId::kFixedSizeList:
      return fmt::format("+w:{}", type.list_size());
  }
  return Status::Internal("unknown type id");
}

Status ExportType(const DataType& type, ArrowSchema* out) {
  return FillSchema(type, "", /*nullable=*/true, "", out);
}

Status ExportField(const Field& field, ArrowSchema* out) {
  std::string metadata;
  if (field.id >= 0)
    metadata = EncodeArrowMetadata({{std::string(kFieldIdKey), std::to_string(field.id)}});
  return FillSchema(*field.type, field.name, field.nullable, std::move(metadata), out);
}

Status ExportSchema(const Schema& schema, ArrowSchema* out) {
  auto priv = std::make_unique<SchemaPrivate>();
  priv->format = "+s";
  for (const auto& f : schema.fields()) {
    auto* child = new ArrowSchema{};
    priv->children.push_back(child);
    Status st = ExportField(*f, child);
    if (!st.ok()) {
      priv->children.pop_back();
      delete child;
      ArrowSchema tmp{};
      tmp.release = ReleaseSchema;
      tmp.private_data = priv.release();
      ReleaseSchema(&tmp);
      return st;
    }
  }
  out->format = priv->format.c_str();
  out->name = priv->name.c_str();
  out->metadata = nullptr;
  out->flags = 0;
  out->n_children = static_cast<int64_t>(priv->children.size());
  out->children = priv->children.data();
  out->dictionary = nullptr;
  out->release = ReleaseSchema;
  out->private_data = priv.release();
  return Status::OK();
}

Status ExportArray(const Array& array, ArrowArray* out) {
  FillArray(array, out);
  return Status::OK();
}

Status ExportRecordBatch(const RecordBatch& batch, ArrowArray* out, ArrowSchema* out_schema) {
  if (out_schema != nullptr) IXRAY_RETURN_NOT_OK(ExportSchema(*batch.schema(), out_schema));
  // A struct array: one (absent) validity buffer, the columns as children.
  auto priv = std::make_unique<ArrayPrivate>(ArrayPrivate{std::nullopt, {nullptr}, {}});
  for (const auto& column : batch.columns()) {
    auto* child = new ArrowArray{};
    FillArray(*column, child);
    priv->children.push_back(child);
  }
  out->length = batch.num_rows();
  out->null_count = 0;
  out->offset = 0;
  out->n_buffers = 1;
  out->n_children = static_cast<int64_t>(priv->children.size());
  out->buffers = priv->buffers.data();
  out->children = priv->children.data();
  out->dictionary = nullptr;
  out->release = ReleaseArray;
  out->private_data = priv.release();
  return Status::OK();
}

}  // namespace ixray
