// The scalar PQ and SQ kernels: the reference for the SIMD tables and the
// fallback on CPUs without AVX2. Written for clarity; sums in double.

#include "index/vector/kernels/distance_internal.h"

namespace ixray::vector::internal {
namespace {

constexpr size_t kPq8Centroids = 256;
constexpr size_t kPq4Centroids = 16;

void PqScan8Bit(const float* table, const uint8_t* codes, size_t n, size_t m, float* out) {
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * m;
    double sum = 0;
    for (size_t j = 0; j < m; ++j) sum += table[j * kPq8Centroids + code[j]];
    out[i] = static_cast<float>(sum);
  }
}

void PqScan4Bit(const float* table, const uint8_t* codes, size_t n, size_t m, float* out) {
  const size_t code_bytes = (m + 1) / 2;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * code_bytes;
    double sum = 0;
    for (size_t j = 0; j < m; ++j) {
      const uint8_t byte = code[j / 2];
      const unsigned centroid = (j % 2 == 0) ? (byte & 0xfu) : (byte >> 4);
      sum += table[j * kPq4Centroids + centroid];
    }
    out[i] = static_cast<float>(sum);
  }
}

// The decoded value of one SQ8 code, exactly as distance.h defines it.
float DecodeSq8(uint8_t code, float vmin, float vscale) {
  return vmin + (static_cast<float>(code) + 0.5f) * vscale;
}

void Sq8L2Batch(const float* q, const uint8_t* codes, const float* vmin, const float* vscale,
                size_t n, size_t d, float* out) {
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * d;
    double sum = 0;
    for (size_t j = 0; j < d; ++j) {
      const double diff = static_cast<double>(q[j]) - DecodeSq8(code[j], vmin[j], vscale[j]);
      sum += diff * diff;
    }
    out[i] = static_cast<float>(sum);
  }
}

void Sq8DotBatch(const float* q, const uint8_t* codes, const float* vmin, const float* vscale,
                 size_t n, size_t d, float* out) {
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * d;
    double sum = 0;
    for (size_t j = 0; j < d; ++j) {
      sum += static_cast<double>(q[j]) * DecodeSq8(code[j], vmin[j], vscale[j]);
    }
    out[i] = static_cast<float>(sum);
  }
}

}  // namespace

void FillScalarQuantized(DistanceKernels* table) {
  table->pq_scan_8bit = PqScan8Bit;
  table->pq_scan_4bit = PqScan4Bit;
  table->sq8_l2_batch = Sq8L2Batch;
  table->sq8_dot_batch = Sq8DotBatch;
}

}  // namespace ixray::vector::internal
