// AVX-512 (F, BW, VL, DQ) kernels for float distances, hamming and float16
// conversion. Every function here carries IXRAY_TARGET_AVX512 (or the
// VPOPCNTDQ variant) and runs only after distance.cc has checked the CPU.
//
// The same loop shapes as distance_avx2.cc with 16 lanes; dimension tails
// are masked loads, which never touch the masked-off bytes.

#include "index/vector/kernels/distance_internal.h"

#ifdef IXRAY_KERNELS_X86

namespace ixray::vector::internal {
namespace {

// ---- Loading 16 lanes as float -----------------------------------------------

IXRAY_TARGET_AVX512 __mmask16 FirstLanes(size_t count) {  // count < 16
  return static_cast<__mmask16>((1u << count) - 1);
}

IXRAY_TARGET_AVX512 __m512 Load16(const float* p) { return _mm512_loadu_ps(p); }

IXRAY_TARGET_AVX512 __m512 Load16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

IXRAY_TARGET_AVX512 __m512 Load16(const uint8_t* p) {
  return _mm512_cvtepi32_ps(
      _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}

IXRAY_TARGET_AVX512 __m512 LoadMasked(const float* p, __mmask16 mask) {
  return _mm512_maskz_loadu_ps(mask, p);
}

IXRAY_TARGET_AVX512 __m512 LoadMasked(const uint16_t* p, __mmask16 mask) {
  return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask, p));
}

IXRAY_TARGET_AVX512 __m512 LoadMasked(const uint8_t* p, __mmask16 mask) {
  return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask, p)));
}

// {sum(a), sum(b), sum(c), sum(d)}.
IXRAY_TARGET_AVX512 __m128 HorizontalSum4(__m512 a, __m512 b, __m512 c, __m512 d) {
  // Within each 128-bit lane: (a0+a2, b0+b2, a1+a3, b1+b3), then (a, b, c, d).
  const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
  const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
  const __m512d ab_pd = _mm512_castps_pd(ab), cd_pd = _mm512_castps_pd(cd);
  const __m512 abcd = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(ab_pd, cd_pd)),
                                    _mm512_castpd_ps(_mm512_unpackhi_pd(ab_pd, cd_pd)));
  const __m256 half = _mm256_add_ps(_mm512_castps512_ps256(abcd), _mm512_extractf32x8_ps(abcd, 1));
  return _mm_add_ps(_mm256_castps256_ps128(half), _mm256_extractf128_ps(half, 1));
}

template <bool kL2>
IXRAY_TARGET_AVX512 __m512 Accumulate(__m512 acc, __m512 q, __m512 x) {
  if constexpr (kL2) {
    const __m512 diff = _mm512_sub_ps(q, x);
    return _mm512_fmadd_ps(diff, diff, acc);
  } else {
    return _mm512_fmadd_ps(q, x, acc);
  }
}

// ---- One pair ----------------------------------------------------------------

template <bool kL2, typename T>
IXRAY_TARGET_AVX512 float Distance(const float* q, const T* x, size_t d) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  size_t i = 0;
  for (; i + 64 <= d; i += 64) {
    acc0 = Accumulate<kL2>(acc0, Load16(q + i), Load16(x + i));
    acc1 = Accumulate<kL2>(acc1, Load16(q + i + 16), Load16(x + i + 16));
    acc2 = Accumulate<kL2>(acc2, Load16(q + i + 32), Load16(x + i + 32));
    acc3 = Accumulate<kL2>(acc3, Load16(q + i + 48), Load16(x + i + 48));
  }
  for (; i + 16 <= d; i += 16) acc0 = Accumulate<kL2>(acc0, Load16(q + i), Load16(x + i));
  if (i < d) {
    const __mmask16 mask = FirstLanes(d - i);
    acc1 = Accumulate<kL2>(acc1, LoadMasked(q + i, mask), LoadMasked(x + i, mask));
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

IXRAY_TARGET_AVX512 float L2F32(const float* a, const float* b, size_t d) {
  return Distance<true>(a, b, d);
}
IXRAY_TARGET_AVX512 float DotF32(const float* a, const float* b, size_t d) {
  return Distance<false>(a, b, d);
}
IXRAY_TARGET_AVX512 float L2F16(const float* q, const uint16_t* x, size_t d) {
  return Distance<true>(q, x, d);
}
IXRAY_TARGET_AVX512 float DotF16(const float* q, const uint16_t* x, size_t d) {
  return Distance<false>(q, x, d);
}
IXRAY_TARGET_AVX512 float L2U8(const float* q, const uint8_t* x, size_t d) {
  return Distance<true>(q, x, d);
}
IXRAY_TARGET_AVX512 float DotU8(const float* q, const uint8_t* x, size_t d) {
  return Distance<false>(q, x, d);
}

// Only with VPOPCNTDQ; otherwise the table keeps the AVX2 POPCNT loop.
IXRAY_TARGET_AVX512_POPCNT uint32_t Hamming(const uint8_t* a, const uint8_t* b, size_t bytes) {
  __m512i counts = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 64 <= bytes; i += 64) {
    const __m512i diff = _mm512_xor_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
    counts = _mm512_add_epi64(counts, _mm512_popcnt_epi64(diff));
  }
  if (i < bytes) {
    const __mmask64 mask = (~uint64_t{0}) >> (64 - (bytes - i));
    const __m512i diff = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, a + i),
                                          _mm512_maskz_loadu_epi8(mask, b + i));
    counts = _mm512_add_epi64(counts, _mm512_popcnt_epi64(diff));
  }
  return static_cast<uint32_t>(_mm512_reduce_add_epi64(counts));
}

// ---- One query, many vectors -------------------------------------------------
// Vectors are read strictly in memory order. Interleaving four vectors so
// each query load feeds four FMAs was measured 1.3-1.5x faster when the data
// sits in L1/L2 but 2x slower from DRAM (Zen 4, d = 128), where the hardware
// prefetcher wants one long stream. For d <= 128 the query is kept in
// registers instead, which gives the cache-resident speed in memory order;
// longer vectors reload the query from L1 (about 15% slower in cache).

// The lane sums of one vector against the query in `query[0..kChunks)`; the
// last chunk is masked by `tail`.
template <bool kL2, size_t kChunks>
[[gnu::always_inline]] IXRAY_TARGET_AVX512 inline __m512 RowSums(const __m512* query,
                                                                 const float* row, __mmask16 tail) {
  __m512 even = _mm512_setzero_ps(), odd = even;
#pragma GCC unroll 8
  for (size_t c = 0; c + 1 < kChunks; ++c) {
    if (c % 2 == 0) {
      even = Accumulate<kL2>(even, query[c], _mm512_loadu_ps(row + 16 * c));
    } else {
      odd = Accumulate<kL2>(odd, query[c], _mm512_loadu_ps(row + 16 * c));
    }
  }
  constexpr size_t kLast = kChunks - 1;
  odd = Accumulate<kL2>(odd, query[kLast], _mm512_maskz_loadu_ps(tail, row + 16 * kLast));
  return _mm512_add_ps(even, odd);
}

// REQUIRES: 16 * (kChunks - 1) < d <= 16 * kChunks.
template <bool kL2, size_t kChunks>
IXRAY_TARGET_AVX512 void BatchQueryInRegisters(const float* q, const float* x, size_t n, size_t d,
                                               float* out) {
  const __mmask16 tail = static_cast<__mmask16>((uint32_t{1} << (d - 16 * (kChunks - 1))) - 1);
  __m512 query[kChunks];
#pragma GCC unroll 8
  for (size_t c = 0; c + 1 < kChunks; ++c) query[c] = _mm512_loadu_ps(q + 16 * c);
  query[kChunks - 1] = _mm512_maskz_loadu_ps(tail, q + 16 * (kChunks - 1));
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float* row = x + i * d;
    const __m512 sums0 = RowSums<kL2, kChunks>(query, row, tail);
    const __m512 sums1 = RowSums<kL2, kChunks>(query, row + d, tail);
    const __m512 sums2 = RowSums<kL2, kChunks>(query, row + 2 * d, tail);
    const __m512 sums3 = RowSums<kL2, kChunks>(query, row + 3 * d, tail);
    _mm_storeu_ps(out + i, HorizontalSum4(sums0, sums1, sums2, sums3));
  }
  for (; i < n; ++i) out[i] = _mm512_reduce_add_ps(RowSums<kL2, kChunks>(query, x + i * d, tail));
}

template <bool kL2>
IXRAY_TARGET_AVX512 void Batch(const float* q, const float* x, size_t n, size_t d, float* out) {
  switch ((d + 15) / 16) {
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
    default:  // d == 0 or d > 128
      for (size_t i = 0; i < n; ++i) out[i] = Distance<kL2>(q, x + i * d, d);
  }
}

IXRAY_TARGET_AVX512 void L2F32Batch(const float* q, const float* x, size_t n, size_t d,
                                    float* out) {
  Batch<true>(q, x, n, d, out);
}

IXRAY_TARGET_AVX512 void DotF32Batch(const float* q, const float* x, size_t n, size_t d,
                                     float* out) {
  Batch<false>(q, x, n, d, out);
}

// ---- Dimension-major vectors -------------------------------------------------
// Sixteen vectors per register, one FMA per dimension; the tail is masked.

template <bool kL2>
IXRAY_TARGET_AVX512 void Transposed(const float* q, const float* xt, size_t n, size_t d,
                                    float* out) {
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 lanes = n - i >= 16 ? __mmask16(0xffff) : FirstLanes(n - i);
    __m512 acc = _mm512_setzero_ps();
    for (size_t j = 0; j < d; ++j) {
      const __m512 x = _mm512_maskz_loadu_ps(lanes, xt + j * n + i);
      if constexpr (kL2) {
        const __m512 diff = _mm512_sub_ps(_mm512_set1_ps(q[j]), x);
        acc = _mm512_fmadd_ps(diff, diff, acc);
      } else {
        acc = _mm512_fmadd_ps(_mm512_set1_ps(q[j]), x, acc);
      }
    }
    _mm512_mask_storeu_ps(out + i, lanes, acc);
  }
}

IXRAY_TARGET_AVX512 void L2F32Transposed(const float* q, const float* xt, size_t n, size_t d,
                                         float* out) {
  Transposed<true>(q, xt, n, d, out);
}

IXRAY_TARGET_AVX512 void DotF32Transposed(const float* q, const float* xt, size_t n, size_t d,
                                          float* out) {
  Transposed<false>(q, xt, n, d, out);
}

// ---- float16 -----------------------------------------------------------------

IXRAY_TARGET_AVX512 void F16ToF32(const uint16_t* in, size_t n, float* out) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, Load16(in + i));
  if (i < n) {
    const __mmask16 mask = FirstLanes(n - i);
    _mm512_mask_storeu_ps(out + i, mask, LoadMasked(in + i, mask));
  }
}

IXRAY_TARGET_AVX512 void F32ToF16(const float* in, size_t n, uint16_t* out) {
  constexpr int kRounding = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i half = _mm512_cvtps_ph(_mm512_loadu_ps(in + i), kRounding);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), half);
  }
  if (i < n) {
    const __mmask16 mask = FirstLanes(n - i);
    const __m256i half = _mm512_cvtps_ph(_mm512_maskz_loadu_ps(mask, in + i), kRounding);
    _mm256_mask_storeu_epi16(out + i, mask, half);
  }
}

}  // namespace

void FillAvx512Distance(DistanceKernels* table, bool with_vpopcntdq) {
  table->l2_f32 = L2F32;
  table->dot_f32 = DotF32;
  table->l2_f16 = L2F16;
  table->dot_f16 = DotF16;
  table->l2_u8 = L2U8;
  table->dot_u8 = DotU8;
  if (with_vpopcntdq) table->hamming = Hamming;
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
void FillAvx512Distance(DistanceKernels*, bool) {}
}  // namespace ixray::vector::internal

#endif
