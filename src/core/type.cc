#include "ixray/type.h"

#include <fmt/format.h>

#include <unordered_set>

namespace ixray {

TypePtr MakePrimitiveType(TypeId id) { return TypePtr(new DataType(id)); }

namespace {

std::string_view PrimitiveName(TypeId id) {
  switch (id) {
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt8:
      return "int8";
    case TypeId::kInt16:
      return "int16";
    case TypeId::kInt32:
      return "int32";
    case TypeId::kInt64:
      return "int64";
    case TypeId::kUInt8:
      return "uint8";
    case TypeId::kUInt16:
      return "uint16";
    case TypeId::kUInt32:
      return "uint32";
    case TypeId::kUInt64:
      return "uint64";
    case TypeId::kFloat16:
      return "float16";
    case TypeId::kFloat32:
      return "float32";
    case TypeId::kFloat64:
      return "float64";
    case TypeId::kString:
      return "string";
    case TypeId::kLargeString:
      return "large_string";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kDate32:
      return "date32";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kList:
      return "list";
    case TypeId::kFixedSizeList:
      return "fixed_size_list";
  }
  return "unknown";
}

}  // namespace

int DataType::bit_width() const {
  switch (id_) {
    case TypeId::kBool:
      return 1;
    case TypeId::kInt8:
    case TypeId::kUInt8:
      return 8;
    case TypeId::kInt16:
    case TypeId::kUInt16:
    case TypeId::kFloat16:
      return 16;
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kFloat32:
    case TypeId::kDate32:
      return 32;
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kFloat64:
    case TypeId::kTimestamp:
      return 64;
    default:
      return 0;
  }
}

const TypePtr& DataType::value_type() const {
  static const TypePtr kNone;
  return value_field_ ? value_field_->type : kNone;
}

bool DataType::Equals(const DataType& other) const {
  if (this == &other) return true;
  if (id_ != other.id_ || list_size_ != other.list_size_ || timezone_ != other.timezone_) {
    return false;
  }
  if (is_nested()) {
    // Child names are not part of the type's identity ("item" vs "element").
    return value_field_->nullable == other.value_field_->nullable &&
           value_field_->type->Equals(*other.value_field_->type);
  }
  return true;
}

bool operator==(const DataType& a, const DataType& b) { return a.Equals(b); }

std::string DataType::ToString() const {
  switch (id_) {
    case TypeId::kTimestamp:
      return timezone_.empty() ? "timestamp[us]" : fmt::format("timestamp[us, tz={}]", timezone_);
    case TypeId::kList:
      return fmt::format("list<{}>", value_type()->ToString());
    case TypeId::kFixedSizeList:
      return fmt::format("fixed_size_list<{}, {}>", value_type()->ToString(), list_size_);
    default:
      return std::string(PrimitiveName(id_));
  }
}

bool Field::Equals(const Field& other, bool check_ids) const {
  return name == other.name && nullable == other.nullable && type->Equals(*other.type) &&
         (!check_ids || id == other.id);
}

std::string Field::ToString() const {
  std::string out = fmt::format("{}: {}", name, type->ToString());
  if (!nullable) out += " not null";
  if (id >= 0) out += fmt::format(" (id {})", id);
  return out;
}

FieldPtr field(std::string name, TypePtr type, bool nullable, int32_t id) {
  return std::make_shared<const Field>(Field{std::move(name), std::move(type), nullable, id});
}

#define IXRAY_PRIMITIVE_FACTORY(fn, id)                 \
  TypePtr fn() {                                        \
    static const TypePtr kType = MakePrimitiveType(id); \
    return kType;                                       \
  }
IXRAY_PRIMITIVE_FACTORY(boolean, TypeId::kBool)
IXRAY_PRIMITIVE_FACTORY(int8, TypeId::kInt8)
IXRAY_PRIMITIVE_FACTORY(int16, TypeId::kInt16)
IXRAY_PRIMITIVE_FACTORY(int32, TypeId::kInt32)
IXRAY_PRIMITIVE_FACTORY(int64, TypeId::kInt64)
IXRAY_PRIMITIVE_FACTORY(uint8, TypeId::kUInt8)
IXRAY_PRIMITIVE_FACTORY(uint16, TypeId::kUInt16)
IXRAY_PRIMITIVE_FACTORY(uint32, TypeId::kUInt32)
IXRAY_PRIMITIVE_FACTORY(uint64, TypeId::kUInt64)
IXRAY_PRIMITIVE_FACTORY(float16, TypeId::kFloat16)
IXRAY_PRIMITIVE_FACTORY(float32, TypeId::kFloat32)
IXRAY_PRIMITIVE_FACTORY(float64, TypeId::kFloat64)
IXRAY_PRIMITIVE_FACTORY(utf8, TypeId::kString)
IXRAY_PRIMITIVE_FACTORY(large_utf8, TypeId::kLargeString)
IXRAY_PRIMITIVE_FACTORY(binary, TypeId::kBinary)
IXRAY_PRIMITIVE_FACTORY(date32, TypeId::kDate32)
#undef IXRAY_PRIMITIVE_FACTORY

TypePtr timestamp(std::string timezone) {
  if (timezone.empty()) {
    static const TypePtr kType = MakePrimitiveType(TypeId::kTimestamp);
    return kType;
  }
  auto type = std::shared_ptr<DataType>(new DataType(TypeId::kTimestamp));
  type->timezone_ = std::move(timezone);
  return type;
}

TypePtr list(FieldPtr value_field) {
  auto type = std::shared_ptr<DataType>(new DataType(TypeId::kList));
  type->value_field_ = std::move(value_field);
  return type;
}

TypePtr list(TypePtr value_type) { return list(field("item", std::move(value_type))); }

TypePtr fixed_size_list(FieldPtr value_field, int32_t list_size) {
  auto type = std::shared_ptr<DataType>(new DataType(TypeId::kFixedSizeList));
  type->value_field_ = std::move(value_field);
  type->list_size_ = list_size;
  return type;
}

TypePtr fixed_size_list(TypePtr value_type, int32_t list_size) {
  return fixed_size_list(field("item", std::move(value_type)), list_size);
}

Status ValidateType(const DataType& type) {
  if (!type.is_nested()) return Status::OK();
  if (type.value_field() == nullptr || type.value_type() == nullptr) {
    return Status::InvalidArgument(fmt::format("{} without a value type", type.ToString()));
  }
  if (type.value_type()->is_nested()) {
    return Status::NotImplemented(
        fmt::format("nested lists are not supported: {}", type.ToString()));
  }
  if (type.id() == TypeId::kFixedSizeList && type.list_size() <= 0) {
    return Status::InvalidArgument(
        fmt::format("fixed_size_list needs a positive size, got {}", type.list_size()));
  }
  return Status::OK();
}

// ---- Schema ----------------------------------------------------------------

Result<SchemaPtr> Schema::Make(std::vector<FieldPtr> fields) {
  std::unordered_set<std::string_view> seen;
  for (const auto& f : fields) {
    if (f == nullptr || f->type == nullptr) {
      return Status::InvalidArgument("schema field without a type");
    }
    if (f->name.empty()) return Status::InvalidArgument("schema field with an empty name");
    if (!seen.insert(f->name).second) {
      return Status::InvalidArgument(fmt::format("duplicate column name '{}'", f->name));
    }
    IXRAY_RETURN_NOT_OK(ValidateType(*f->type).WithContext(fmt::format("column '{}'", f->name)));
  }
  return std::make_shared<const Schema>(std::move(fields));
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  out.reserve(fields_.size());
  for (const auto& f : fields_) out.push_back(f->name);
  return out;
}

int Schema::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i]->name == name) return static_cast<int>(i);
  }
  return -1;
}

Result<FieldPtr> Schema::GetField(std::string_view name) const {
  const int i = FieldIndex(name);
  if (i < 0) {
    return Status::InvalidArgument(
        fmt::format("unknown column '{}'; the columns are: {}", name, fmt::join(names(), ", ")));
  }
  return fields_[i];
}

int Schema::FieldIndexById(int32_t id) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i]->id == id) return static_cast<int>(i);
  }
  return -1;
}

Result<SchemaPtr> Schema::Project(const std::vector<std::string>& names) const {
  std::vector<FieldPtr> out;
  out.reserve(names.size());
  for (const auto& name : names) {
    IXRAY_ASSIGN_OR_RAISE(auto f, GetField(name));
    out.push_back(std::move(f));
  }
  return Make(std::move(out));
}

SchemaPtr Schema::WithAssignedIds(int32_t* next_id) const {
  std::vector<FieldPtr> out;
  out.reserve(fields_.size());
  for (const auto& f : fields_) {
    if (f->id >= 0) {
      out.push_back(f);
    } else {
      out.push_back(ixray::field(f->name, f->type, f->nullable, (*next_id)++));
    }
  }
  return std::make_shared<const Schema>(std::move(out));
}

int32_t Schema::MaxFieldId() const {
  int32_t max_id = -1;
  for (const auto& f : fields_) max_id = std::max(max_id, f->id);
  return max_id;
}

bool Schema::Equals(const Schema& other, bool check_ids) const {
  if (fields_.size() != other.fields_.size()) return false;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (!fields_[i]->Equals(*other.fields_[i], check_ids)) return false;
  }
  return true;
}

std::string Schema::ToString() const {
  std::string out;
  for (const auto& f : fields_) {
    if (!out.empty()) out += '\n';
    out += f->ToString();
  }
  return out;
}

}  // namespace ixray
