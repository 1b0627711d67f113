// Buffer: a contiguous, immutable byte range with shared ownership.
//
// A buffer either owns memory ixray allocated (64-byte aligned, padded) or
// borrows memory owned by someone else (an imported Arrow array, a memory
// map) and keeps that owner alive. Slicing a buffer shares the memory.
//
// Thread safety: a finished Buffer is immutable and may be read from any
// thread. BufferBuilder is single-threaded.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include "ixray/status.h"

namespace ixray {

class Buffer {
 public:
  // Allocates `size` bytes, zero-filled, 64-byte aligned.
  static std::shared_ptr<Buffer> Allocate(int64_t size);
  // Copies `size` bytes from `data` into a new buffer.
  static std::shared_ptr<Buffer> CopyFrom(const void* data, int64_t size);
  // Borrows `data`; `owner` is kept alive as long as the buffer (or a slice).
  static std::shared_ptr<Buffer> Wrap(const void* data, int64_t size,
                                      std::shared_ptr<const void> owner);
  // A shared zero-filled buffer of at least `size` bytes (for absent buffers
  // of empty arrays); never written.
  static std::shared_ptr<Buffer> Zeros(int64_t size);

  const uint8_t* data() const { return data_; }
  int64_t size() const { return size_; }
  template <typename T>
  const T* data_as() const {
    return reinterpret_cast<const T*>(data_);
  }
  std::span<const uint8_t> span() const { return {data_, static_cast<size_t>(size_)}; }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(data_), static_cast<size_t>(size_)};
  }

  // Writable access, only for buffers from Allocate() that are not shared yet.
  uint8_t* mutable_data() { return mutable_ ? const_cast<uint8_t*>(data_) : nullptr; }

  // A view of bytes [offset, offset + length) sharing this buffer's memory.
  // REQUIRES: 0 <= offset, offset + length <= size().
  std::shared_ptr<Buffer> Slice(int64_t offset, int64_t length) const;

  bool Equals(const Buffer& other) const {
    return size_ == other.size_ && std::memcmp(data_, other.data_, size_) == 0;
  }

  Buffer(const uint8_t* data, int64_t size, std::shared_ptr<const void> owner, bool is_mutable)
      : data_(data), size_(size), owner_(std::move(owner)), mutable_(is_mutable) {}

 private:
  const uint8_t* data_;
  int64_t size_;
  std::shared_ptr<const void> owner_;
  bool mutable_;
};

using BufferPtr = std::shared_ptr<Buffer>;

// A growable byte buffer that finishes into an immutable Buffer.
class BufferBuilder {
 public:
  BufferBuilder() = default;
  BufferBuilder(const BufferBuilder&) = delete;
  BufferBuilder& operator=(const BufferBuilder&) = delete;

  void Reserve(int64_t capacity);
  void Append(const void* data, int64_t size) {
    if (size_ + size > capacity_) Reserve(Grow(size_ + size));
    if (size > 0) std::memcpy(data_.get() + size_, data, size);
    size_ += size;
  }
  template <typename T>
  void AppendValue(const T& value) {
    Append(&value, sizeof(T));
  }
  // Appends `size` zero bytes.
  void AppendZeros(int64_t size);
  uint8_t* mutable_data() { return data_.get(); }
  int64_t size() const { return size_; }
  // Shrinks or grows the logical size (new bytes are zero).
  void Resize(int64_t size);

  // Hands the bytes over as a Buffer; the builder is empty afterwards.
  std::shared_ptr<Buffer> Finish();

 private:
  static int64_t Grow(int64_t needed);
  struct FreeDeleter {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t[], FreeDeleter> data_;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
};

}  // namespace ixray
