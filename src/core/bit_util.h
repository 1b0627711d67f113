// Bitmap helpers (LSB-first bit order, as in Arrow validity bitmaps).
#pragma once

#include <cstdint>
#include <cstring>

namespace ixray::bit_util {

inline int64_t BytesForBits(int64_t bits) { return (bits + 7) >> 3; }

inline bool GetBit(const uint8_t* bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

inline void SetBitTo(uint8_t* bits, int64_t i, bool value) {
  const uint8_t mask = static_cast<uint8_t>(1u << (i & 7));
  bits[i >> 3] = value ? (bits[i >> 3] | mask) : (bits[i >> 3] & ~mask);
}

// Copies `length` bits from `src` starting at bit `src_offset` to `dst`
// starting at bit `dst_offset`.
void CopyBitmap(const uint8_t* src, int64_t src_offset, int64_t length, uint8_t* dst,
                int64_t dst_offset);

// Sets bits [offset, offset + length) of `bits` to `value`.
void SetBitsTo(uint8_t* bits, int64_t offset, int64_t length, bool value);

int64_t CountSetBits(const uint8_t* bits, int64_t offset, int64_t length);

}  // namespace ixray::bit_util
