// Array: an immutable column of values in the Arrow physical layout.
//
// Buffers per type (as in the Arrow columnar format):
//   bool, numeric, float16, date32, timestamp : [validity, values]
//   string, large_string, binary              : [validity, offsets, data]
//   list                                      : [validity, offsets], child 0
//   fixed_size_list                           : [validity], child 0
// `validity` is a bitmap (bit set = valid) and may be null when there are no
// nulls. An array views `length` slots starting at slot `offset` of its
// buffers, so slicing never copies. Bools are bit-packed, float16 values are
// IEEE half-precision bits (uint16_t).
//
// Thread safety: immutable once made; share as ArrayPtr and read anywhere.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "ixray/buffer.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray {

class Array;
using ArrayPtr = std::shared_ptr<const Array>;

class Array {
 public:
  // Use MakeArray() for untrusted input: it validates the layout.
  Array(TypePtr type, int64_t length, std::vector<BufferPtr> buffers,
        std::vector<ArrayPtr> children, int64_t null_count, int64_t offset);

  const TypePtr& type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t offset() const { return offset_; }
  int64_t null_count() const { return null_count_; }
  const std::vector<BufferPtr>& buffers() const { return buffers_; }
  const BufferPtr& buffer(int i) const { return buffers_[i]; }
  const std::vector<ArrayPtr>& children() const { return children_; }
  // REQUIRES: a nested type.
  const ArrayPtr& values() const { return children_[0]; }

  bool IsValid(int64_t i) const {
    const auto& v = buffers_[0];
    if (v == nullptr) return true;
    const int64_t bit = offset_ + i;
    return (v->data()[bit >> 3] >> (bit & 7)) & 1;
  }
  bool IsNull(int64_t i) const { return !IsValid(i); }

  // Typed access to fixed-width values, already adjusted for offset().
  // REQUIRES: T matches the type's width (uint16_t for float16, int32_t for
  // date32, int64_t for timestamp).
  template <typename T>
  const T* data() const {
    return buffers_[1]->data_as<T>() + offset_;
  }
  template <typename T>
  T Value(int64_t i) const {
    return data<T>()[i];
  }
  // REQUIRES: type is bool.
  bool BoolValue(int64_t i) const {
    const int64_t bit = offset_ + i;
    return (buffers_[1]->data()[bit >> 3] >> (bit & 7)) & 1;
  }
  // Start offset of slot i (and ValueOffset(i + 1) its end) for string,
  // binary and list types, adjusted for offset().
  int64_t ValueOffset(int64_t i) const {
    return type_->has_large_offsets() ? buffers_[1]->data_as<int64_t>()[offset_ + i]
                                      : buffers_[1]->data_as<int32_t>()[offset_ + i];
  }
  // REQUIRES: a string-like type.
  std::string_view StringValue(int64_t i) const {
    const int64_t begin = ValueOffset(i);
    return {reinterpret_cast<const char*>(buffers_[2]->data()) + begin,
            static_cast<size_t>(ValueOffset(i + 1) - begin)};
  }

  // A zero-copy view of slots [offset, offset + length).
  // REQUIRES: 0 <= offset, offset + length <= length().
  ArrayPtr Slice(int64_t offset, int64_t length) const;

  // Logical equality: same type, length, validity and values (null slots'
  // contents are ignored).
  bool Equals(const Array& other) const;

  // Checks that buffers are large enough and offsets are monotonic and in
  // bounds, so reading any slot is safe. Used on data from outside.
  Status Validate() const;

  // A short human-readable rendering, e.g. "[1, null, 3]" (first 20 values).
  std::string ToString() const;

 private:
  TypePtr type_;
  int64_t length_;
  int64_t offset_;
  int64_t null_count_;
  std::vector<BufferPtr> buffers_;
  std::vector<ArrayPtr> children_;
};

// Builds and validates an array. A null_count of -1 is computed.
Result<ArrayPtr> MakeArray(TypePtr type, int64_t length, std::vector<BufferPtr> buffers,
                           std::vector<ArrayPtr> children = {}, int64_t null_count = -1,
                           int64_t offset = 0);

// An array of `length` nulls of `type`.
ArrayPtr MakeNullArray(const TypePtr& type, int64_t length);

// Concatenates arrays of one type into a new, compact array (offset 0).
Result<ArrayPtr> Concatenate(const std::vector<ArrayPtr>& arrays);

// Counts clear bits of `bitmap` in [offset, offset + length).
int64_t CountNulls(const uint8_t* bitmap, int64_t offset, int64_t length);

}  // namespace ixray
