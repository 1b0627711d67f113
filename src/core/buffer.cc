#include "ixray/buffer.h"

#include <algorithm>
#include <cstdlib>

namespace ixray {

namespace {

constexpr int64_t kAlignment = 64;

// Rounds up to the alignment so SIMD loads past the logical end stay inside
// the allocation.
int64_t PaddedSize(int64_t size) {
  return (std::max<int64_t>(size, 1) + kAlignment - 1) & ~(kAlignment - 1);
}

uint8_t* AllocateAligned(int64_t size) {
  void* p = std::aligned_alloc(kAlignment, PaddedSize(size));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<uint8_t*>(p);
}

}  // namespace

std::shared_ptr<Buffer> Buffer::Allocate(int64_t size) {
  uint8_t* p = AllocateAligned(size);
  std::memset(p, 0, PaddedSize(size));
  std::shared_ptr<const void> owner(p, [](const void* q) { std::free(const_cast<void*>(q)); });
  return std::make_shared<Buffer>(p, size, std::move(owner), /*is_mutable=*/true);
}

std::shared_ptr<Buffer> Buffer::CopyFrom(const void* data, int64_t size) {
  auto buffer = Allocate(size);
  if (size > 0) std::memcpy(buffer->mutable_data(), data, size);
  buffer->mutable_ = false;
  return buffer;
}

std::shared_ptr<Buffer> Buffer::Wrap(const void* data, int64_t size,
                                     std::shared_ptr<const void> owner) {
  return std::make_shared<Buffer>(static_cast<const uint8_t*>(data), size, std::move(owner),
                                  /*is_mutable=*/false);
}

std::shared_ptr<Buffer> Buffer::Zeros(int64_t size) {
  static constexpr int64_t kSharedSize = 1 << 16;
  static const std::shared_ptr<Buffer> kShared = [] {
    auto b = Allocate(kSharedSize);
    b->mutable_ = false;
    return b;
  }();
  if (size <= kSharedSize) return kShared->Slice(0, size);
  auto b = Allocate(size);
  b->mutable_ = false;
  return b;
}

std::shared_ptr<Buffer> Buffer::Slice(int64_t offset, int64_t length) const {
  return std::make_shared<Buffer>(data_ + offset, length, owner_, /*is_mutable=*/false);
}

void BufferBuilder::FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

int64_t BufferBuilder::Grow(int64_t needed) { return std::max<int64_t>(needed, 64) * 3 / 2; }

void BufferBuilder::Reserve(int64_t capacity) {
  if (capacity <= capacity_) return;
  uint8_t* p = AllocateAligned(capacity);
  if (size_ > 0) std::memcpy(p, data_.get(), size_);
  std::memset(p + size_, 0, PaddedSize(capacity) - size_);
  data_.reset(p);
  capacity_ = capacity;
}

void BufferBuilder::AppendZeros(int64_t size) { Resize(size_ + size); }

void BufferBuilder::Resize(int64_t size) {
  if (size > capacity_) Reserve(Grow(size));
  if (size > size_) std::memset(data_.get() + size_, 0, size - size_);
  size_ = size;
}

std::shared_ptr<Buffer> BufferBuilder::Finish() {
  if (data_ == nullptr) Reserve(1);
  // Zero the padding so buffers compare and hash deterministically.
  std::memset(data_.get() + size_, 0, PaddedSize(capacity_) - size_);
  uint8_t* p = data_.release();
  std::shared_ptr<const void> owner(p, [](const void* q) { std::free(const_cast<void*>(q)); });
  auto buffer = std::make_shared<Buffer>(p, size_, std::move(owner), /*is_mutable=*/false);
  size_ = 0;
  capacity_ = 0;
  return buffer;
}

}  // namespace ixray
