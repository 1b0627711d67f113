// IEEE 754 binary16 ("half") <-> binary32 conversion of one value, in plain
// C++: the reference the SIMD conversions (F16C, AVX-512) are tested against,
// and what the scalar kernels use.
//
// Both directions are exact IEEE conversions: subnormals, infinities and
// signed zeros are preserved; float -> half rounds to nearest, ties to even,
// and overflows to infinity. NaNs follow x86 F16C so every kernel table gives
// identical bits: the result is the quiet NaN with the same sign and the
// payload's top bits (half -> float: payload << 13; float -> half: payload
// >> 13), quiet bit set.
//
// Thread safety: pure functions.
#pragma once

#include <bit>
#include <cstdint>

namespace ixray::vector {

inline float HalfToFloat(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  uint32_t mantissa = half & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = mantissa == 0 ? sign | 0x7f800000u : sign | 0x7fc00000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {
    // Subnormal half: normalize so the leading one lands on bit 10.
    const int shift = std::countl_zero(mantissa) - 21;
    mantissa = (mantissa << shift) & 0x3ffu;
    bits = sign | (static_cast<uint32_t>(127 - 15 + 1 - shift) << 23) | (mantissa << 13);
  }
  return std::bit_cast<float>(bits);
}

inline uint16_t FloatToHalf(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) {  // infinity or NaN
    if (magnitude == 0x7f800000u) return sign | 0x7c00u;
    return static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  }
  // 65520 is halfway between the largest half (65504) and 2^16; the tie goes
  // to the even neighbour, which is infinity.
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;
  if (magnitude >= 0x38800000u) {  // a normal half (>= 2^-14)
    // Round to nearest even at bit 13, then rebias the exponent (127 -> 15);
    // a carry out of the mantissa correctly bumps the exponent.
    const uint32_t rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);
    return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
  }
  // 2^-25 is halfway between 0 and the smallest subnormal (2^-24): ties to 0.
  if (magnitude <= 0x33000000u) return sign;
  // Subnormal half: the value in units of 2^-24 is significand >> shift.
  const uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126 - (magnitude >> 23);  // 14..24
  uint32_t units = significand >> shift;
  const uint32_t remainder = significand & ((1u << shift) - 1);
  const uint32_t half_unit = 1u << (shift - 1);
  if (remainder > half_unit || (remainder == half_unit && (units & 1u))) ++units;
  return static_cast<uint16_t>(sign | units);  // units == 0x400 is the smallest normal
}

}  // namespace ixray::vector
