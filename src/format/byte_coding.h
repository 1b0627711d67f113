// Little-endian integer coding for ixray's hand-written binary formats.
//
// ByteWriter appends fixed-width little-endian integers and length-prefixed
// strings to a std::string. ByteReader reads them back from untrusted bytes:
// every read is bounds-checked and a short input yields Status::Corruption
// naming the field that did not fit, never an out-of-bounds read.
//
// Thread safety: both are single-threaded values over borrowed memory.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "ixray/status.h"

namespace ixray::format {

// Stores `value` at `dst` as `sizeof(T)` little-endian bytes.
template <typename T>
inline void StoreLittleEndian(uint8_t* dst, T value) {
  using U = std::make_unsigned_t<T>;
  U bits = static_cast<U>(value);
  for (size_t i = 0; i < sizeof(T); ++i) {
    dst[i] = static_cast<uint8_t>(bits & 0xff);
    if constexpr (sizeof(T) > 1) bits >>= 8;
  }
}

// Reads `sizeof(T)` little-endian bytes at `src`.
template <typename T>
inline T LoadLittleEndian(const uint8_t* src) {
  using U = std::make_unsigned_t<T>;
  U bits = 0;
  for (size_t i = sizeof(T); i-- > 0;) {
    if constexpr (sizeof(T) > 1) bits <<= 8;
    bits |= static_cast<U>(src[i]);
  }
  return static_cast<T>(bits);
}

class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}

  template <typename T>
  void Put(T value) {
    uint8_t bytes[sizeof(T)];
    StoreLittleEndian(bytes, value);
    out_->append(reinterpret_cast<const char*>(bytes), sizeof(T));
  }
  void PutU8(uint8_t v) { Put(v); }
  void PutU32(uint32_t v) { Put(v); }
  void PutI32(int32_t v) { Put(v); }
  void PutU64(uint64_t v) { Put(v); }
  void PutBytes(const void* data, size_t size) {
    out_->append(static_cast<const char*>(data), size);
  }
  // A u32 byte length followed by the bytes.
  // REQUIRES: s.size() < 2^32.
  void PutString(std::string_view s) {
    PutU32(static_cast<uint32_t>(s.size()));
    PutBytes(s.data(), s.size());
  }
  size_t size() const { return out_->size(); }

 private:
  std::string* out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  // Reads one little-endian integer; `what` names it in the error message.
  template <typename T>
  Result<T> Get(std::string_view what) {
    if (remaining() < sizeof(T)) return Truncated(what, sizeof(T));
    const T value = LoadLittleEndian<T>(data_.data() + pos_);
    pos_ += sizeof(T);
    return value;
  }
  Result<uint8_t> GetU8(std::string_view what) { return Get<uint8_t>(what); }
  Result<uint32_t> GetU32(std::string_view what) { return Get<uint32_t>(what); }
  Result<int32_t> GetI32(std::string_view what) { return Get<int32_t>(what); }
  Result<uint64_t> GetU64(std::string_view what) { return Get<uint64_t>(what); }

  // Reads `size` raw bytes (a view into the input).
  Result<std::span<const uint8_t>> GetBytes(size_t size, std::string_view what) {
    if (remaining() < size) return Truncated(what, size);
    auto bytes = data_.subspan(pos_, size);
    pos_ += size;
    return bytes;
  }

  // Reads a string written by ByteWriter::PutString.
  Result<std::string> GetString(std::string_view what) {
    IXRAY_ASSIGN_OR_RAISE(uint32_t size, GetU32(what));
    IXRAY_ASSIGN_OR_RAISE(auto bytes, GetBytes(size, what));
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

  // Checks that a count read from the input is plausible: `count` items of
  // at least `min_item_bytes` each must fit in what is left. Guards the
  // allocations sized by counts from untrusted bytes.
  Status CheckCount(uint64_t count, size_t min_item_bytes, std::string_view what) const {
    if (count > remaining() / min_item_bytes) {
      return Status::Corruption(
          fmt::format("{} count {} exceeds the {} bytes left", what, count, remaining()));
    }
    return Status::OK();
  }

 private:
  Status Truncated(std::string_view what, size_t needed) const {
    return Status::Corruption(fmt::format("truncated {}: needs {} bytes at position {}, {} left",
                                          what, needed, pos_, remaining()));
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace ixray::format
