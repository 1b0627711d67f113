// ArrayBuilder: appends values of one type and finishes into an Array.
//
// One builder serves every type. Append the way the type calls for:
//   fixed width      : Append<T>(value)   (T = the storage type, see array.h)
//   bool             : AppendBool(value)
//   string, binary   : AppendString(bytes)
//   list             : StartList(), then append the items to child()
//   fixed_size_list  : StartList(), then append exactly list_size items to child()
// AppendNull() works for every type (for fixed_size_list it also appends
// list_size null items to the child). AppendFrom() copies slots of another
// array of the same type, with their nulls.
//
// Thread safety: single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "ixray/array.h"
#include "ixray/buffer.h"
#include "ixray/type.h"

namespace ixray {

class ArrayBuilder {
 public:
  explicit ArrayBuilder(TypePtr type);
  ArrayBuilder(const ArrayBuilder&) = delete;
  ArrayBuilder& operator=(const ArrayBuilder&) = delete;

  const TypePtr& type() const { return type_; }
  int64_t length() const { return length_; }
  // REQUIRES: a nested type.
  ArrayBuilder& child() { return *child_; }

  // Pre-sizes the buffers for `additional` more slots.
  void Reserve(int64_t additional);

  void AppendNull();
  void AppendNulls(int64_t count);
  template <typename T>
  void Append(T value) {
    values_.AppendValue(value);
    MarkValid();
  }
  void AppendBool(bool value);
  void AppendString(std::string_view bytes);
  void StartList();

  // Appends slots [start, start + count) of `source`.
  // REQUIRES: source.type() equals type().
  Status AppendFrom(const Array& source, int64_t start, int64_t count);

  // Finishes the array and resets the builder to empty.
  Result<ArrayPtr> Finish();

 private:
  void MarkValid();
  void AppendOffset(int64_t value);
  int64_t CurrentEnd() const;

  TypePtr type_;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
  BufferBuilder validity_;  // materialized lazily, at the first null
  BufferBuilder values_;    // values, bits, or offsets
  BufferBuilder data_;      // string bytes
  std::unique_ptr<ArrayBuilder> child_;
};

}  // namespace ixray
