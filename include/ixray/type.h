// The ixray type system: logical column types, fields with ids, schemas.
//
// The types mirror a subset of Apache Arrow's, with the same physical layout
// (see array.h), so data crosses the Arrow C Data Interface without copies.
//
// Thread safety: DataType, Field and Schema are immutable once built and are
// shared as std::shared_ptr<const ...>; they may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/status.h"

namespace ixray {

enum class TypeId : uint8_t {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat16,
  kFloat32,
  kFloat64,
  kString,         // utf-8, int32 offsets
  kLargeString,    // utf-8, int64 offsets
  kBinary,         // bytes, int32 offsets
  kDate32,         // days since the UNIX epoch
  kTimestamp,      // microseconds since the UNIX epoch, optional time zone
  kList,           // variable-length list, int32 offsets (e.g. list<string> labels)
  kFixedSizeList,  // fixed-length list, e.g. fixed_size_list<float32, 128> vectors
};

class DataType;
struct Field;
using TypePtr = std::shared_ptr<const DataType>;
using FieldPtr = std::shared_ptr<const Field>;

// A logical type. Build one with the factory functions below.
class DataType {
 public:
  TypeId id() const { return id_; }

  // Bits per value of a fixed-width type (1 for bool); 0 for variable-width
  // and nested types.
  int bit_width() const;
  bool is_fixed_width() const { return bit_width() > 0; }
  bool is_integer() const { return id_ >= TypeId::kInt8 && id_ <= TypeId::kUInt64; }
  bool is_signed_integer() const { return id_ >= TypeId::kInt8 && id_ <= TypeId::kInt64; }
  bool is_floating() const { return id_ >= TypeId::kFloat16 && id_ <= TypeId::kFloat64; }
  bool is_numeric() const { return is_integer() || is_floating(); }
  bool is_string_like() const {
    return id_ == TypeId::kString || id_ == TypeId::kLargeString || id_ == TypeId::kBinary;
  }
  bool is_nested() const { return id_ == TypeId::kList || id_ == TypeId::kFixedSizeList; }
  // True for offsets of 64 bits (large_string); strings and binary use 32.
  bool has_large_offsets() const { return id_ == TypeId::kLargeString; }

  // Nested types only: the child field (name, nullability, type).
  const FieldPtr& value_field() const { return value_field_; }
  const TypePtr& value_type() const;
  // kFixedSizeList only: number of values per list (the vector dimension).
  int32_t list_size() const { return list_size_; }
  // kTimestamp only: the time zone, empty for none.
  const std::string& timezone() const { return timezone_; }

  bool Equals(const DataType& other) const;
  // "int32", "fixed_size_list<float32, 128>", "timestamp[us, tz=UTC]", ...
  std::string ToString() const;

 private:
  friend TypePtr MakePrimitiveType(TypeId);
  friend TypePtr timestamp(std::string);
  friend TypePtr list(FieldPtr);
  friend TypePtr fixed_size_list(FieldPtr, int32_t);
  explicit DataType(TypeId id) : id_(id) {}

  TypeId id_;
  int32_t list_size_ = 0;
  FieldPtr value_field_;
  std::string timezone_;
};

bool operator==(const DataType& a, const DataType& b);

// A named column of a schema. `id` is the dataset-wide field id, -1 until a
// dataset assigns one; ids stay stable across schema changes.
struct Field {
  std::string name;
  TypePtr type;
  bool nullable = true;
  int32_t id = -1;

  // Compares name, type and nullability; ids are compared only if
  // `check_ids` is set.
  bool Equals(const Field& other, bool check_ids = false) const;
  std::string ToString() const;
};

FieldPtr field(std::string name, TypePtr type, bool nullable = true, int32_t id = -1);

// The type factories. Primitive types are singletons.
TypePtr boolean();
TypePtr int8();
TypePtr int16();
TypePtr int32();
TypePtr int64();
TypePtr uint8();
TypePtr uint16();
TypePtr uint32();
TypePtr uint64();
TypePtr float16();
TypePtr float32();
TypePtr float64();
TypePtr utf8();
TypePtr large_utf8();
TypePtr binary();
TypePtr date32();
TypePtr timestamp(std::string timezone = "");
TypePtr list(FieldPtr value_field);
TypePtr list(TypePtr value_type);  // child named "item", nullable
TypePtr fixed_size_list(FieldPtr value_field, int32_t list_size);
TypePtr fixed_size_list(TypePtr value_type, int32_t list_size);

// Checks that a type is one ixray supports: list children must not themselves
// be nested, fixed_size_list needs list_size > 0.
Status ValidateType(const DataType& type);

// An ordered list of fields with unique names.
class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<FieldPtr> fields) : fields_(std::move(fields)) {}

  // Validates names (non-empty, unique) and types.
  static Result<std::shared_ptr<const Schema>> Make(std::vector<FieldPtr> fields);

  int num_fields() const { return static_cast<int>(fields_.size()); }
  const FieldPtr& field(int i) const { return fields_[i]; }
  const std::vector<FieldPtr>& fields() const { return fields_; }
  std::vector<std::string> names() const;

  // The position of the field called `name`, or -1.
  int FieldIndex(std::string_view name) const;
  // The field called `name`, or InvalidArgument naming the known columns.
  Result<FieldPtr> GetField(std::string_view name) const;
  // The field with dataset field id `id`, or -1.
  int FieldIndexById(int32_t id) const;

  // Returns a schema of the named fields, in the order given.
  Result<std::shared_ptr<const Schema>> Project(const std::vector<std::string>& names) const;

  // Returns a copy where fields with id -1 get consecutive ids starting at
  // `next_id`; `next_id` is advanced past the ids used.
  std::shared_ptr<const Schema> WithAssignedIds(int32_t* next_id) const;
  // The largest field id in use, or -1.
  int32_t MaxFieldId() const;

  bool Equals(const Schema& other, bool check_ids = false) const;
  std::string ToString() const;

 private:
  std::vector<FieldPtr> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

}  // namespace ixray
