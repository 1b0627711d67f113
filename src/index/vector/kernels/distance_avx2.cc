// AVX2 + FMA + F16C kernels for float distances, hamming and float16
// conversion. Every function here carries IXRAY_TARGET_AVX2 and runs only
// after distance.cc has checked the CPU.
//
// Layout of the loops: 8 floats per register; single-pair kernels keep four
// independent accumulators so the FMA latency is hidden; batch kernels read
// the vectors in memory order and, for short vectors, keep the query in
// registers. Dimension tails use masked loads (float) or a zero-padded copy
// (half, byte).

#include "index/vector/kernels/distance_internal.h"

#ifdef IXRAY_KERNELS_X86

#include <cmath>
#include <cstring>

#include "index/vector/kernels/float16.h"

namespace ixray::vector::internal {
namespace {

// ---- Loading 8 lanes as float ----------------------------------------------

// A mask for _mm256_maskload_ps with the first `count` (0..8) lanes set.
IXRAY_TARGET_AVX2 __m256i FirstLanes(size_t count) {
  static constexpr int32_t kOnes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kOnes + 8 - count));
}

IXRAY_TARGET_AVX2 __m256 Load8(const float* p) { return _mm256_loadu_ps(p); }

IXRAY_TARGET_AVX2 __m256 Load8(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

IXRAY_TARGET_AVX2 __m256 Load8(const uint8_t* p) {
  return _mm256_cvtepi32_ps(
      _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// The first `count` (< 8) values at p, zeros after; reads nothing beyond them.
IXRAY_TARGET_AVX2 __m256 LoadFirst(const float* p, size_t count) {
  return _mm256_maskload_ps(p, FirstLanes(count));
}

template <typename T>
IXRAY_TARGET_AVX2 __m256 LoadFirst(const T* p, size_t count) {
  T padded[8] = {};
  std::memcpy(padded, p, count * sizeof(T));
  return Load8(padded);
}

IXRAY_TARGET_AVX2 float HorizontalSum(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

// {sum(a), sum(b), sum(c), sum(d)}.
IXRAY_TARGET_AVX2 __m128 HorizontalSum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 sums = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
  return _mm_add_ps(_mm256_castps256_ps128(sums), _mm256_extractf128_ps(sums, 1));
}

// acc + (q - x)^2 for L2, acc + q * x for dot.
template <bool kL2>
IXRAY_TARGET_AVX2 __m256 Accumulate(__m256 acc, __m256 q, __m256 x) {
  if constexpr (kL2) {
    const __m256 diff = _mm256_sub_ps(q, x);
    return _mm256_fmadd_ps(diff, diff, acc);
  } else {
    return _mm256_fmadd_ps(q, x, acc);
  }
}

// ---- One pair ----------------------------------------------------------------

template <bool kL2, typename T>
IXRAY_TARGET_AVX2 float Distance(const float* q, const T* x, size_t d) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    acc0 = Accumulate<kL2>(acc0, Load8(q + i), Load8(x + i));
    acc1 = Accumulate<kL2>(acc1, Load8(q + i + 8), Load8(x + i + 8));
    acc2 = Accumulate<kL2>(acc2, Load8(q + i + 16), Load8(x + i + 16));
    acc3 = Accumulate<kL2>(acc3, Load8(q + i + 24), Load8(x + i + 24));
  }
  for (; i + 8 <= d; i += 8) acc0 = Accumulate<kL2>(acc0, Load8(q + i), Load8(x + i));
  if (i < d) acc1 = Accumulate<kL2>(acc1, LoadFirst(q + i, d - i), LoadFirst(x + i, d - i));
  return HorizontalSum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
}

IXRAY_TARGET_AVX2 float L2F32(const float* a, const float* b, size_t d) {
  return Distance<true>(a, b, d);
}
IXRAY_TARGET_AVX2 float DotF32(const float* a, const float* b, size_t d) {
  return Distance<false>(a, b, d);
}
IXRAY_TARGET_AVX2 float L2F16(const float* q, const uint16_t* x, size_t d) {
  return Distance<true>(q, x, d);
}
IXRAY_TARGET_AVX2 float DotF16(const float* q, const uint16_t* x, size_t d) {
  return Distance<false>(q, x, d);
}
IXRAY_TARGET_AVX2 float L2U8(const float* q, const uint8_t* x, size_t d) {
  return Distance<true>(q, x, d);
}
IXRAY_TARGET_AVX2 float DotU8(const float* q, const uint8_t* x, size_t d) {
  return Distance<false>(q, x, d);
}

// 64-bit POPCNT, four independent counters; fast on every AVX2 CPU for the
// short strings binary vectors are (a few dozen bytes).
IXRAY_TARGET_AVX2 uint32_t Hamming(const uint8_t* a, const uint8_t* b, size_t bytes) {
  auto word = [](const uint8_t* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  };
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 32 <= bytes; i += 32) {
    c0 += _mm_popcnt_u64(word(a + i) ^ word(b + i));
    c1 += _mm_popcnt_u64(word(a + i + 8) ^ word(b + i + 8));
    c2 += _mm_popcnt_u64(word(a + i + 16) ^ word(b + i + 16));
    c3 += _mm_popcnt_u64(word(a + i + 24) ^ word(b + i + 24));
  }
  for (; i + 8 <= bytes; i += 8) c0 += _mm_popcnt_u64(word(a + i) ^ word(b + i));
  if (i < bytes) {
    uint64_t wa = 0, wb = 0;
    std::memcpy(&wa, a + i, bytes - i);
    std::memcpy(&wb, b + i, bytes - i);
    c1 += _mm_popcnt_u64(wa ^ wb);
  }
  return static_cast<uint32_t>((c0 + c1) + (c2 + c3));
}

// ---- One query, many vectors -------------------------------------------------
// Vectors are read strictly in memory order (see distance_avx512.cc for the
// measurements); for d <= 64 the query stays in registers.

// The lane sums of one vector against the query in `query[0..kChunks)`; the
// last chunk is masked by `tail`.
template <bool kL2, size_t kChunks>
[[gnu::always_inline]] IXRAY_TARGET_AVX2 inline __m256 RowSums(const __m256* query,
                                                               const float* row, __m256i tail) {
  __m256 even = _mm256_setzero_ps(), odd = even;
#pragma GCC unroll 8
  for (size_t c = 0; c + 1 < kChunks; ++c) {
    if (c % 2 == 0) {
      even = Accumulate<kL2>(even, query[c], _mm256_loadu_ps(row + 8 * c));
    } else {
      odd = Accumulate<kL2>(odd, query[c], _mm256_loadu_ps(row + 8 * c));
    }
  }
  constexpr size_t kLast = kChunks - 1;
  odd = Accumulate<kL2>(odd, query[kLast], _mm256_maskload_ps(row + 8 * kLast, tail));
  return _mm256_add_ps(even, odd);
}

// REQUIRES: 8 * (kChunks - 1) < d <= 8 * kChunks.
template <bool kL2, size_t kChunks>
IXRAY_TARGET_AVX2 void BatchQueryInRegisters(const float* q, const float* x, size_t n, size_t d,
                                             float* out) {
  const __m256i tail = FirstLanes(d - 8 * (kChunks - 1));
  __m256 query[kChunks];
#pragma GCC unroll 8
  for (size_t c = 0; c + 1 < kChunks; ++c) query[c] = _mm256_loadu_ps(q + 8 * c);
  query[kChunks - 1] = _mm256_maskload_ps(q + 8 * (kChunks - 1), tail);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float* row = x + i * d;
    const __m256 sums0 = RowSums<kL2, kChunks>(query, row, tail);
    const __m256 sums1 = RowSums<kL2, kChunks>(query, row + d, tail);
    const __m256 sums2 = RowSums<kL2, kChunks>(query, row + 2 * d, tail);
    const __m256 sums3 = RowSums<kL2, kChunks>(query, row + 3 * d, tail);
    _mm_storeu_ps(out + i, HorizontalSum4(sums0, sums1, sums2, sums3));
  }
  for (; i < n; ++i) out[i] = HorizontalSum(RowSums<kL2, kChunks>(query, x + i * d, tail));
}

template <bool kL2>
IXRAY_TARGET_AVX2 void Batch(const float* q, const float* x, size_t n, size_t d, float* out) {
  switch ((d + 7) / 8) {
    case 1:
      return BatchQueryInRegisters<kL2, 1>(q, x, n, d, out);
    case 2:
      return BatchQueryInRegisters<kL2, 2>(q, x, n, d, out);
    case 3:
      return BatchQueryInRegisters<kL2, 3>(q, x, n, d, out);
    case 4:
      return BatchQueryInRegisters<kL2, 4>(q, x, n, d, out);
    case 5:
      return BatchQueryInRegisters<kL2, 5>(q, x, n, d, out);
    case 6:
      return BatchQueryInRegisters<kL2, 6>(q, x, n, d, out);
    case 7:
      return BatchQueryInRegisters<kL2, 7>(q, x, n, d, out);
    case 8:
      return BatchQueryInRegisters<kL2, 8>(q, x, n, d, out);
    default:  // d == 0 or d > 64
      for (size_t i = 0; i < n; ++i) out[i] = Distance<kL2>(q, x + i * d, d);
  }
}

IXRAY_TARGET_AVX2 void L2F32Batch(const float* q, const float* x, size_t n, size_t d, float* out) {
  Batch<true>(q, x, n, d, out);
}

IXRAY_TARGET_AVX2 void DotF32Batch(const float* q, const float* x, size_t n, size_t d, float* out) {
  Batch<false>(q, x, n, d, out);
}

// ---- Dimension-major vectors -------------------------------------------------
// Eight vectors per register, one FMA per dimension; tails of fewer than eight
// vectors go through a zero-padded copy of the query's lanes.

template <bool kL2>
IXRAY_TARGET_AVX2 void Transposed(const float* q, const float* xt, size_t n, size_t d, float* out) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 acc = _mm256_setzero_ps();
    for (size_t j = 0; j < d; ++j) {
      const __m256 x = _mm256_loadu_ps(xt + j * n + i);
      if constexpr (kL2) {
        const __m256 diff = _mm256_sub_ps(_mm256_set1_ps(q[j]), x);
        acc = _mm256_fmadd_ps(diff, diff, acc);
      } else {
        acc = _mm256_fmadd_ps(_mm256_set1_ps(q[j]), x, acc);
      }
    }
    _mm256_storeu_ps(out + i, acc);
  }
  for (; i < n; ++i) {
    float acc = 0;
    for (size_t j = 0; j < d; ++j) {
      const float x = xt[j * n + i];
      acc = kL2 ? std::fma(q[j] - x, q[j] - x, acc) : std::fma(q[j], x, acc);
    }
    out[i] = acc;
  }
}

IXRAY_TARGET_AVX2 void L2F32Transposed(const float* q, const float* xt, size_t n, size_t d,
                                       float* out) {
  Transposed<true>(q, xt, n, d, out);
}

IXRAY_TARGET_AVX2 void DotF32Transposed(const float* q, const float* xt, size_t n, size_t d,
                                        float* out) {
  Transposed<false>(q, xt, n, d, out);
}

// ---- float16 -----------------------------------------------------------------

// Tails use the scalar conversion, which gives F16C's bits exactly.
IXRAY_TARGET_AVX2 void F16ToF32(const uint16_t* in, size_t n, float* out) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, Load8(in + i));
  for (; i < n; ++i) out[i] = HalfToFloat(in[i]);
}

IXRAY_TARGET_AVX2 void F32ToF16(const float* in, size_t n, uint16_t* out) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i half =
        _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), half);
  }
  for (; i < n; ++i) out[i] = FloatToHalf(in[i]);
}

}  // namespace

void FillAvx2Distance(DistanceKernels* table) {
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

#else  // not x86: distance.cc never asks for this table.

namespace ixray::vector::internal {
void FillAvx2Distance(DistanceKernels*) {}
}  // namespace ixray::vector::internal

#endif
