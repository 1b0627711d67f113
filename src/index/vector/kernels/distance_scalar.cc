// The scalar distance kernels: the reference every SIMD table is tested
// against, and the fallback on CPUs without AVX2.
//
// They are written for clarity, not speed. Sums are accumulated in double and
// rounded once, so the oracle is more accurate than any float kernel and the
// tests measure only the SIMD kernels' own rounding.

#include <bit>
#include <cstring>

#include "index/vector/kernels/distance_internal.h"
#include "index/vector/kernels/float16.h"

namespace ixray::vector::internal {
namespace {

float L2F32(const float* a, const float* b, size_t d) {
  double sum = 0;
  for (size_t i = 0; i < d; ++i) {
    const double diff = static_cast<double>(a[i]) - b[i];
    sum += diff * diff;
  }
  return static_cast<float>(sum);
}

float DotF32(const float* a, const float* b, size_t d) {
  double sum = 0;
  for (size_t i = 0; i < d; ++i) sum += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(sum);
}

float L2F16(const float* q, const uint16_t* x, size_t d) {
  double sum = 0;
  for (size_t i = 0; i < d; ++i) {
    const double diff = static_cast<double>(q[i]) - HalfToFloat(x[i]);
    sum += diff * diff;
  }
  return static_cast<float>(sum);
}

float DotF16(const float* q, const uint16_t* x, size_t d) {
  double sum = 0;
  for (size_t i = 0; i < d; ++i) sum += static_cast<double>(q[i]) * HalfToFloat(x[i]);
  return static_cast<float>(sum);
}

float L2U8(const float* q, const uint8_t* x, size_t d) {
  double sum = 0;
  for (size_t i = 0; i < d; ++i) {
    const double diff = static_cast<double>(q[i]) - x[i];
    sum += diff * diff;
  }
  return static_cast<float>(sum);
}

float DotU8(const float* q, const uint8_t* x, size_t d) {
  double sum = 0;
  for (size_t i = 0; i < d; ++i) sum += static_cast<double>(q[i]) * x[i];
  return static_cast<float>(sum);
}

uint32_t Hamming(const uint8_t* a, const uint8_t* b, size_t bytes) {
  uint32_t count = 0;
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t wa, wb;
    std::memcpy(&wa, a + i, 8);
    std::memcpy(&wb, b + i, 8);
    count += static_cast<uint32_t>(std::popcount(wa ^ wb));
  }
  for (; i < bytes; ++i) count += static_cast<uint32_t>(std::popcount(uint8_t(a[i] ^ b[i])));
  return count;
}

void L2F32Batch(const float* q, const float* x, size_t n, size_t d, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = L2F32(q, x + i * d, d);
}

void DotF32Batch(const float* q, const float* x, size_t n, size_t d, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = DotF32(q, x + i * d, d);
}

void F16ToF32(const uint16_t* in, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = HalfToFloat(in[i]);
}

void F32ToF16(const float* in, size_t n, uint16_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = FloatToHalf(in[i]);
}

void L2F32Transposed(const float* q, const float* xt, size_t n, size_t d, float* out) {
  for (size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (size_t j = 0; j < d; ++j) {
      const double diff = static_cast<double>(q[j]) - xt[j * n + i];
      sum += diff * diff;
    }
    out[i] = static_cast<float>(sum);
  }
}

void DotF32Transposed(const float* q, const float* xt, size_t n, size_t d, float* out) {
  for (size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (size_t j = 0; j < d; ++j) sum += static_cast<double>(q[j]) * xt[j * n + i];
    out[i] = static_cast<float>(sum);
  }
}

}  // namespace

void FillScalarDistance(DistanceKernels* table) {
  table->l2_f32 = L2F32;
  table->dot_f32 = DotF32;
  table->l2_f16 = L2F16;
  table->dot_f16 = DotF16;
  table->l2_u8 = L2U8;
  table->dot_u8 = DotU8;
  table->hamming = Hamming;
  table->l2_f32_batch = L2F32Batch;
  table->dot_f32_batch = DotF32Batch;
  table->l2_f32_transposed = L2F32Transposed;
  table->dot_f32_transposed = DotF32Transposed;
  table->f16_to_f32 = F16ToF32;
  table->f32_to_f16 = F32ToF16;
}

}  // namespace ixray::vector::internal
