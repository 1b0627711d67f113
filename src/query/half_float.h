// IEEE 754 half precision (binary16) conversions, for float16 columns whose
// values are stored as raw uint16_t bits.
//
// Thread safety: pure functions.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace ixray::query {

// Exact: every half value is a float.
inline float HalfToFloat(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  const uint32_t mantissa = half & 0x3ffu;
  uint32_t bits;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float.
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf or NaN
  } else {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

// `value` rounded to the nearest half-precision value (ties to even), as a
// double; +-inf when it is beyond the half range, NaN for NaN.
double RoundToHalfPrecision(double value);

// The half-precision bits of `value`, rounded to nearest (ties to even).
uint16_t DoubleToHalf(double value);

}  // namespace ixray::query
