// SIMD distance kernels for vector search, chosen once per process for the
// CPU at hand (AVX-512, AVX2+FMA, or scalar). The scalar table is the test
// oracle every SIMD table is checked against.
//
// Conventions (the same everywhere in ixray, indexed or flat):
//   l2      : squared euclidean distance, sum (a_i - b_i)^2
//   dot     : inner product sum a_i * b_i (search distance is 1 - dot)
//   hamming : number of differing bits of two byte strings
// cosine is computed as l2 over normalized vectors (1 - cos = l2 / 2).
//
// Data vectors may be float32, float16 (IEEE half bits as uint16_t) or
// uint8; queries are always float32 (uint8 for hamming). PQ and SQ kernels
// work on codes; see each function's comment for array shapes.
//
// Thread safety: the tables are immutable; every kernel is reentrant.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ixray::vector {

struct DistanceKernels {
  const char* name;  // "scalar", "avx2", "avx512"

  // One pair; `d` = dimension.
  float (*l2_f32)(const float* a, const float* b, size_t d);
  float (*dot_f32)(const float* a, const float* b, size_t d);
  float (*l2_f16)(const float* q, const uint16_t* x, size_t d);
  float (*dot_f16)(const float* q, const uint16_t* x, size_t d);
  float (*l2_u8)(const float* q, const uint8_t* x, size_t d);
  float (*dot_u8)(const float* q, const uint8_t* x, size_t d);
  uint32_t (*hamming)(const uint8_t* a, const uint8_t* b, size_t bytes);

  // One query against `n` contiguous vectors x[n][d]; out[n].
  void (*l2_f32_batch)(const float* q, const float* x, size_t n, size_t d, float* out);
  void (*dot_f32_batch)(const float* q, const float* x, size_t n, size_t d, float* out);
  // The same over vectors stored dimension-major, xt[d][n] (value j of
  // vector i at xt[j * n + i]). For short vectors (PQ sub-spaces), where a
  // lane per vector beats a horizontal sum per vector.
  void (*l2_f32_transposed)(const float* q, const float* xt, size_t n, size_t d, float* out);
  void (*dot_f32_transposed)(const float* q, const float* xt, size_t n, size_t d, float* out);

  // PQ asymmetric distance: table[m][ksub] holds the distance of the query's
  // sub-vector j to centroid c of codebook j; out[i] = sum_j table[j][code(i, j)].
  // 8-bit: codes[n][m] bytes, ksub = 256.
  void (*pq_scan_8bit)(const float* table, const uint8_t* codes, size_t n, size_t m, float* out);
  // 4-bit: codes[n][(m + 1) / 2], sub-vector 2j in the low nibble of byte j,
  // 2j + 1 in the high nibble; ksub = 16.
  void (*pq_scan_4bit)(const float* table, const uint8_t* codes, size_t n, size_t m, float* out);

  // SQ 8-bit: codes[n][d]; value_j = vmin[j] + (code_j + 0.5) * vscale[j].
  void (*sq8_l2_batch)(const float* q, const uint8_t* codes, const float* vmin, const float* vscale,
                       size_t n, size_t d, float* out);
  void (*sq8_dot_batch)(const float* q, const uint8_t* codes, const float* vmin,
                        const float* vscale, size_t n, size_t d, float* out);

  // float16 <-> float32 conversion of `n` values.
  void (*f16_to_f32)(const uint16_t* in, size_t n, float* out);
  void (*f32_to_f16)(const float* in, size_t n, uint16_t* out);
};

// The best table this CPU runs; decided once, thread-safe.
const DistanceKernels& Kernels();
// The scalar oracle.
const DistanceKernels& ScalarKernels();
// The table for an instruction set, or null if this CPU lacks it.
const DistanceKernels* Avx2Kernels();
const DistanceKernels* Avx512Kernels();

}  // namespace ixray::vector
