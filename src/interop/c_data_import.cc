// Import of Arrow C Data Interface structs into ixray arrays, zero-copy.
// The imported ArrowArray is moved into a shared owner; every buffer made
// from it holds that owner, and its release callback runs when the last one
// is gone.
#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "core/bit_util.h"
#include "interop/metadata.h"
#include "ixray/arrow_interop.h"

namespace ixray {

namespace {

// Releases a C struct (if not released yet) when it goes out of scope.
template <typename T>
struct ReleaseGuard {
  T* s;
  ~ReleaseGuard() {
    if (s != nullptr && s->release != nullptr) s->release(s);
  }
};

struct ImportedArray {
  ArrowArray array;
  ~ImportedArray() {
    if (array.release != nullptr) array.release(&array);
  }
};

Result<TypePtr> TypeFromFormat(std::string_view format, const ArrowSchema& schema);

Result<FieldPtr> ImportFieldNoRelease(const ArrowSchema& schema) {
  if (schema.dictionary != nullptr) {
    return Status::NotImplemented(
        fmt::format("column '{}' is dictionary-encoded; decode it to a dense type first",
                    schema.name ? schema.name : ""));
  }
  if (schema.format == nullptr) return Status::InvalidArgument("ArrowSchema without a format");
  IXRAY_ASSIGN_OR_RAISE(auto type, TypeFromFormat(schema.format, schema));
  int32_t id = -1;
  IXRAY_ASSIGN_OR_RAISE(auto metadata, DecodeArrowMetadata(schema.metadata));
  for (const auto& [key, value] : metadata) {
    if (key == kFieldIdKey) {
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
      if (ec != std::errc()) return Status::InvalidArgument("bad field id metadata: " + value);
    }
  }
  return field(schema.name ? schema.name : "", std::move(type),
               (schema.flags & ARROW_FLAG_NULLABLE) != 0, id);
}

Result<TypePtr> TypeFromFormat(std::string_view format, const ArrowSchema& schema) {
  if (format.size() == 1) {
    switch (format[0]) {
      case 'b':
        return boolean();
      case 'c':
        return int8();
      case 'C':
        return uint8();
      case 's':
        return int16();
      case 'S':
        return uint16();
      case 'i':
        return int32();
      case 'I':
        return uint32();
      case 'l':
        return int64();
      case 'L':
        return uint64();
      case 'e':
        return float16();
      case 'f':
        return float32();
      case 'g':
        return float64();
      case 'u':
        return utf8();
      case 'U':
        return large_utf8();
      case 'z':
        return binary();
      default:
        break;
    }
  }
  if (format == "tdD") return date32();
  if (format.starts_with("tsu:")) return timestamp(std::string(format.substr(4)));
  const bool is_list = format == "+l";
  const bool is_fixed = format.starts_with("+w:");
  if (is_list || is_fixed) {
    if (schema.n_children != 1 || schema.children == nullptr || schema.children[0] == nullptr) {
      return Status::InvalidArgument(fmt::format("Arrow list type '{}' without one child", format));
    }
    IXRAY_ASSIGN_OR_RAISE(auto child, ImportFieldNoRelease(*schema.children[0]));
    TypePtr type;
    if (is_list) {
      type = list(std::move(child));
    } else {
      int32_t size = 0;
      auto digits = format.substr(3);
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
      if (ec != std::errc() || ptr != digits.data() + digits.size()) {
        return Status::InvalidArgument(fmt::format("bad Arrow format string '{}'", format));
      }
      type = fixed_size_list(std::move(child), size);
    }
    IXRAY_RETURN_NOT_OK(ValidateType(*type));
    return type;
  }
  return Status::NotImplemented(fmt::format(
      "Arrow type with format '{}' is not supported; ixray supports bool, int8..int64, "
      "uint8..uint64, float16/32/64, string, large_string, binary, date32, timestamp[us], "
      "list<T> and fixed_size_list<T, n>",
      format));
}

BufferPtr WrapBuffer(const void* data, int64_t size, const std::shared_ptr<ImportedArray>& owner) {
  if (data == nullptr) return Buffer::Zeros(size);
  return Buffer::Wrap(data, size, owner);
}

Result<ArrayPtr> ImportNode(const ArrowArray& c, const TypePtr& type,
                            const std::shared_ptr<ImportedArray>& owner) {
  const DataType& t = *type;
  if (c.length < 0 || c.offset < 0) {
    return Status::InvalidArgument(
        fmt::format("imported {} array with negative length or offset", t.ToString()));
  }
  if (c.dictionary != nullptr) {
    return Status::NotImplemented("dictionary-encoded arrays are not supported");
  }
  const int64_t expected_buffers = t.is_string_like()                 ? 3
                                   : t.id() == TypeId::kFixedSizeList ? 1
                                                                      : 2;
  if (c.n_buffers != expected_buffers || (c.n_buffers > 0 && c.buffers == nullptr)) {
    return Status::InvalidArgument(fmt::format("imported {} array has {} buffers, expected {}",
                                               t.ToString(), c.n_buffers, expected_buffers));
  }
  const int64_t expected_children = t.is_nested() ? 1 : 0;
  if (c.n_children != expected_children ||
      (expected_children > 0 && (c.children == nullptr || c.children[0] == nullptr))) {
    return Status::InvalidArgument(fmt::format("imported {} array has {} children, expected {}",
                                               t.ToString(), c.n_children, expected_children));
  }
  const int64_t end = c.offset + c.length;
  std::vector<BufferPtr> buffers;
  if (c.buffers[0] == nullptr) {
    if (c.null_count > 0) {
      return Status::InvalidArgument(fmt::format(
          "imported {} array has {} nulls but no validity bitmap", t.ToString(), c.null_count));
    }
    buffers.push_back(nullptr);
  } else {
    buffers.push_back(WrapBuffer(c.buffers[0], bit_util::BytesForBits(end), owner));
  }
  std::vector<ArrayPtr> children;
  if (t.is_string_like() || t.id() == TypeId::kList) {
    const int width = t.has_large_offsets() ? 8 : 4;
    if (c.buffers[1] == nullptr && c.length > 0) {
      return Status::InvalidArgument(
          fmt::format("imported {} array without offsets", t.ToString()));
    }
    buffers.push_back(WrapBuffer(c.buffers[1], (end + 1) * width, owner));
    const int64_t last =
        width == 8 ? buffers[1]->data_as<int64_t>()[end] : buffers[1]->data_as<int32_t>()[end];
    if (last < 0) return Status::InvalidArgument("imported array with a negative offset");
    if (t.is_string_like()) {
      buffers.push_back(WrapBuffer(c.buffers[2], last, owner));
    } else {
      IXRAY_ASSIGN_OR_RAISE(auto child, ImportNode(*c.children[0], t.value_type(), owner));
      children.push_back(std::move(child));
    }
  } else if (t.id() == TypeId::kFixedSizeList) {
    IXRAY_ASSIGN_OR_RAISE(auto child, ImportNode(*c.children[0], t.value_type(), owner));
    children.push_back(std::move(child));
  } else {
    buffers.push_back(WrapBuffer(c.buffers[1], bit_util::BytesForBits(end * t.bit_width()), owner));
  }
  // MakeArray re-checks counts, offsets and sizes, so a malformed import is
  // refused here rather than read out of bounds later.
  const int64_t null_count = buffers[0] == nullptr ? 0 : -1;
  return MakeArray(type, c.length, std::move(buffers), std::move(children), null_count, c.offset);
}

std::shared_ptr<ImportedArray> TakeOwnership(ArrowArray* in) {
  auto owner = std::make_shared<ImportedArray>();
  owner->array = *in;
  in->release = nullptr;  // moved: the caller's struct is now released
  return owner;
}

}  // namespace

Result<TypePtr> ImportType(ArrowSchema* in) {
  IXRAY_ASSIGN_OR_RAISE(auto f, ImportField(in));
  return f->type;
}

Result<FieldPtr> ImportField(ArrowSchema* in) {
  ReleaseGuard<ArrowSchema> guard{in};
  if (in == nullptr || in->release == nullptr) {
    return Status::InvalidArgument("ArrowSchema is null or already released");
  }
  return ImportFieldNoRelease(*in);
}

Result<SchemaPtr> ImportSchema(ArrowSchema* in) {
  ReleaseGuard<ArrowSchema> guard{in};
  if (in == nullptr || in->release == nullptr) {
    return Status::InvalidArgument("ArrowSchema is null or already released");
  }
  if (in->format == nullptr || std::strcmp(in->format, "+s") != 0) {
    return Status::InvalidArgument(fmt::format(
        "expected a struct schema ('+s') for a table, got '{}'", in->format ? in->format : ""));
  }
  std::vector<FieldPtr> fields;
  for (int64_t i = 0; i < in->n_children; ++i) {
    if (in->children == nullptr || in->children[i] == nullptr) {
      return Status::InvalidArgument("ArrowSchema with a null child");
    }
    IXRAY_ASSIGN_OR_RAISE(auto f, ImportFieldNoRelease(*in->children[i]));
    fields.push_back(std::move(f));
  }
  return Schema::Make(std::move(fields));
}

Result<ArrayPtr> ImportArray(ArrowArray* in, const TypePtr& type) {
  if (in == nullptr || in->release == nullptr) {
    return Status::InvalidArgument("ArrowArray is null or already released");
  }
  auto owner = TakeOwnership(in);
  return ImportNode(owner->array, type, owner);
}

Result<ArrayPtr> ImportArray(ArrowArray* in, ArrowSchema* schema) {
  auto type = ImportType(schema);
  if (!type.ok()) {
    ReleaseGuard<ArrowArray> guard{in};
    return type.status();
  }
  return ImportArray(in, *type);
}

Result<RecordBatchPtr> ImportRecordBatch(ArrowArray* in, const SchemaPtr& schema) {
  if (in == nullptr || in->release == nullptr) {
    return Status::InvalidArgument("ArrowArray is null or already released");
  }
  auto owner = TakeOwnership(in);
  const ArrowArray& c = owner->array;
  if (c.n_children != schema->num_fields() || (c.n_children > 0 && c.children == nullptr)) {
    return Status::InvalidArgument(fmt::format(
        "imported record batch has {} columns, its schema {}", c.n_children, schema->num_fields()));
  }
  if (c.null_count > 0) {
    return Status::InvalidArgument("imported record batch has null rows at the top level");
  }
  if (c.length < 0 || c.offset < 0) {
    return Status::InvalidArgument("imported record batch with negative length or offset");
  }
  std::vector<ArrayPtr> columns;
  for (int i = 0; i < schema->num_fields(); ++i) {
    IXRAY_ASSIGN_OR_RAISE(auto column, ImportNode(*c.children[i], schema->field(i)->type, owner));
    // A struct's offset and length apply to its children.
    if (column->length() < c.offset + c.length) {
      return Status::InvalidArgument(
          fmt::format("imported column '{}' is shorter than its batch", schema->field(i)->name));
    }
    if (c.offset != 0 || column->length() != c.length) column = column->Slice(c.offset, c.length);
    columns.push_back(std::move(column));
  }
  return RecordBatch::Make(schema, c.length, std::move(columns));
}

Result<RecordBatchPtr> ImportRecordBatch(ArrowArray* in, ArrowSchema* schema) {
  auto imported = ImportSchema(schema);
  if (!imported.ok()) {
    ReleaseGuard<ArrowArray> guard{in};
    return imported.status();
  }
  return ImportRecordBatch(in, *imported);
}

}  // namespace ixray
