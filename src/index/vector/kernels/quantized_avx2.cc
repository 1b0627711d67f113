// AVX2 + FMA kernels for product-quantization (PQ) scans and 8-bit scalar
// quantization (SQ8). Every function carries IXRAY_TARGET_AVX2 and runs only
// after distance.cc has checked the CPU.
//
// PQ 8-bit is table lookups with no arithmetic to vectorize: hardware gathers
// were measured slower than plain loads (AMD Zen 4: 6.0 vs 3.3 ns per code at
// m = 16), so the scan is scalar, four codes at a time with two accumulators
// each to keep the loads, not the add latency, the limit. The AVX-512 table
// uses it too.
//
// PQ 4-bit keeps the float table (no quantization, so results match the
// scalar oracle to float rounding): a block of 8 codes is transposed 16
// bytes (32 sub-quantizers) at a time with loads and unpacks, and each
// 16-entry sub-table lookup is two in-register permutes and a blend.

#include "index/vector/kernels/distance_internal.h"

#ifdef IXRAY_KERNELS_X86

#include <algorithm>
#include <cstring>

namespace ixray::vector::internal {
namespace {

// ---- PQ 8-bit ----------------------------------------------------------------

void PqScan8BitUnrolled(const float* table, const uint8_t* codes, size_t n, size_t m, float* out) {
  constexpr size_t kCentroids = 256;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint8_t* c0 = codes + i * m;
    const uint8_t* c1 = c0 + m;
    const uint8_t* c2 = c1 + m;
    const uint8_t* c3 = c2 + m;
    float even0 = 0, even1 = 0, even2 = 0, even3 = 0;
    float odd0 = 0, odd1 = 0, odd2 = 0, odd3 = 0;
    const float* sub_table = table;
    size_t j = 0;
    for (; j + 2 <= m; j += 2, sub_table += 2 * kCentroids) {
      const float* next_table = sub_table + kCentroids;
      even0 += sub_table[c0[j]];
      even1 += sub_table[c1[j]];
      even2 += sub_table[c2[j]];
      even3 += sub_table[c3[j]];
      odd0 += next_table[c0[j + 1]];
      odd1 += next_table[c1[j + 1]];
      odd2 += next_table[c2[j + 1]];
      odd3 += next_table[c3[j + 1]];
    }
    if (j < m) {
      even0 += sub_table[c0[j]];
      even1 += sub_table[c1[j]];
      even2 += sub_table[c2[j]];
      even3 += sub_table[c3[j]];
    }
    out[i] = even0 + odd0;
    out[i + 1] = even1 + odd1;
    out[i + 2] = even2 + odd2;
    out[i + 3] = even3 + odd3;
  }
  for (; i < n; ++i) {
    const uint8_t* code = codes + i * m;
    float sum = 0;
    for (size_t j = 0; j < m; ++j) sum += table[j * kCentroids + code[j]];
    out[i] = sum;
  }
}

// ---- PQ 4-bit ----------------------------------------------------------------

constexpr size_t kPq4Block = 8;               // codes per SIMD block
constexpr size_t kPq4Piece = 16;              // code bytes transposed at once
constexpr size_t kPq4MaxBufferedBytes = 128;  // code bytes a padded tail block may have

// Adds the sub-table (16 floats) entry picked by the nibble at bit kShift of
// each lane of `word`.
template <int kShift>
[[gnu::always_inline]] IXRAY_TARGET_AVX2 inline __m256 AddLookup(__m256 acc, const float* sub_table,
                                                                 __m256i word) {
  const __m256i index = _mm256_srli_epi32(word, kShift);  // permutes use bits 0..2
  const __m256 low = _mm256_permutevar8x32_ps(_mm256_loadu_ps(sub_table), index);
  const __m256 high = _mm256_permutevar8x32_ps(_mm256_loadu_ps(sub_table + 8), index);
  // blendv picks by the sign bit: move the nibble's bit 3 there.
  const __m256 use_high = _mm256_castsi256_ps(_mm256_slli_epi32(word, 28 - kShift));
  return _mm256_add_ps(acc, _mm256_blendv_ps(low, high, use_high));
}

// Adds sub-quantizers j .. j + min(count, 8) - 1, whose codes are the 8
// nibbles of each lane of `word`; `sub` is table + 16 * j.
[[gnu::always_inline]] IXRAY_TARGET_AVX2 inline void AddEight(__m256* acc, const float* sub,
                                                              __m256i word, size_t count) {
  if (count >= 8) {
    acc[0] = AddLookup<0>(acc[0], sub, word);
    acc[1] = AddLookup<4>(acc[1], sub + 16, word);
    acc[2] = AddLookup<8>(acc[2], sub + 32, word);
    acc[3] = AddLookup<12>(acc[3], sub + 48, word);
    acc[0] = AddLookup<16>(acc[0], sub + 64, word);
    acc[1] = AddLookup<20>(acc[1], sub + 80, word);
    acc[2] = AddLookup<24>(acc[2], sub + 96, word);
    acc[3] = AddLookup<28>(acc[3], sub + 112, word);
    return;
  }
  switch (count) {  // the shift counts are immediates
    case 7:
      acc[2] = AddLookup<24>(acc[2], sub + 96, word);
      [[fallthrough]];
    case 6:
      acc[1] = AddLookup<20>(acc[1], sub + 80, word);
      [[fallthrough]];
    case 5:
      acc[0] = AddLookup<16>(acc[0], sub + 64, word);
      [[fallthrough]];
    case 4:
      acc[3] = AddLookup<12>(acc[3], sub + 48, word);
      [[fallthrough]];
    case 3:
      acc[2] = AddLookup<8>(acc[2], sub + 32, word);
      [[fallthrough]];
    case 2:
      acc[1] = AddLookup<4>(acc[1], sub + 16, word);
      [[fallthrough]];
    default:
      acc[0] = AddLookup<0>(acc[0], sub, word);
  }
}

[[gnu::always_inline]] IXRAY_TARGET_AVX2 inline __m128i Load16Bytes(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// Sums for 8 codes of `code_bytes` bytes each starting at `codes`. The codes
// are transposed 16 bytes at a time with loads and unpacks (hardware gathers
// were about 2x slower on Zen 4).
// REQUIRES: the 16 * ceil(code_bytes / 16) bytes from each code's start are
// readable.
IXRAY_TARGET_AVX2 __m256 Pq4Block(const float* table, const uint8_t* codes, size_t code_bytes,
                                  size_t m) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                   _mm256_setzero_ps()};
  size_t j = 0;
  for (size_t piece = 0; j < m; piece += kPq4Piece) {
    // rows_r: code r in the low 128 bits, code r + 4 in the high 128 bits.
    __m256i rows[4];
    for (size_t r = 0; r < 4; ++r) {
      const uint8_t* low = codes + r * code_bytes + piece;
      rows[r] = _mm256_inserti128_si256(_mm256_castsi128_si256(Load16Bytes(low)),
                                        Load16Bytes(low + 4 * code_bytes), 1);
    }
    // 4x4 dword transpose within each half: lane i of words[g] is dword g of code i.
    const __m256i t0 = _mm256_unpacklo_epi32(rows[0], rows[1]);
    const __m256i t1 = _mm256_unpackhi_epi32(rows[0], rows[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(rows[2], rows[3]);
    const __m256i t3 = _mm256_unpackhi_epi32(rows[2], rows[3]);
    const __m256i words[4] = {_mm256_unpacklo_epi64(t0, t2), _mm256_unpackhi_epi64(t0, t2),
                              _mm256_unpacklo_epi64(t1, t3), _mm256_unpackhi_epi64(t1, t3)};
    for (size_t g = 0; g < 4 && j < m; ++g, j += 8) AddEight(acc, table + j * 16, words[g], m - j);
  }
  return _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
}

IXRAY_TARGET_AVX2 void PqScan4Bit(const float* table, const uint8_t* codes, size_t n, size_t m,
                                  float* out) {
  const size_t code_bytes = (m + 1) / 2;
  const size_t read_bytes = (code_bytes + kPq4Piece - 1) / kPq4Piece * kPq4Piece;
  const size_t total_bytes = n * code_bytes;
  size_t i = 0;
  // Full blocks whose last code's over-read stays inside the array.
  for (; i + kPq4Block <= n && (i + kPq4Block - 1) * code_bytes + read_bytes <= total_bytes;
       i += kPq4Block) {
    _mm256_storeu_ps(out + i, Pq4Block(table, codes + i * code_bytes, code_bytes, m));
  }
  // The rest (under 8 codes, or the block at the very end): through a
  // zero-padded copy, so nothing past the array is read.
  if (code_bytes <= kPq4MaxBufferedBytes) {
    while (i < n) {
      const size_t count = std::min(kPq4Block, n - i);
      alignas(32) uint8_t padded[kPq4Block * kPq4MaxBufferedBytes + kPq4Piece];
      std::memcpy(padded, codes + i * code_bytes, count * code_bytes);
      std::memset(padded + count * code_bytes, 0, (kPq4Block - count) * code_bytes + kPq4Piece);
      alignas(32) float sums[kPq4Block];
      _mm256_store_ps(sums, Pq4Block(table, padded, code_bytes, m));
      std::memcpy(out + i, sums, count * sizeof(float));
      i += count;
    }
  }
  for (; i < n; ++i) {  // m > 256: plain lookups for the last few codes
    const uint8_t* code = codes + i * code_bytes;
    float sum = 0;
    for (size_t j = 0; j < m; ++j) sum += table[j * 16 + ((code[j / 2] >> (4 * (j % 2))) & 0xf)];
    out[i] = sum;
  }
}

IXRAY_TARGET_AVX2 float HorizontalSum(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

// ---- SQ8 -----------------------------------------------------------------------

// Dimensions are processed in blocks whose per-query constants fit on the stack.
constexpr size_t kSq8Block = 256;

// A mask for _mm256_maskload_ps with the first `count` (0..8) lanes set.
IXRAY_TARGET_AVX2 __m256i FirstLanes(size_t count) {
  static constexpr int32_t kOnes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kOnes + 8 - count));
}

// The first `count` (<= 8) code bytes as floats; reads only those bytes.
IXRAY_TARGET_AVX2 __m256 LoadCodes(const uint8_t* p, size_t count) {
  uint64_t word = 0;
  std::memcpy(&word, p, count);
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<int64_t>(word))));
}

IXRAY_TARGET_AVX2 __m256 LoadCodes8(const uint8_t* p) {
  return _mm256_cvtepi32_ps(
      _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// With value = vmin + (code + 0.5) * scale and, per dimension,
//   L2:  offset = q - vmin - 0.5 * scale   ->  (q - value) = offset - code * scale
//   dot: weight = q * scale                ->  q * value = q * (vmin + 0.5 * scale)
//                                                          + code * weight
// so each code costs one FMA (dot) or two (L2).
template <bool kL2>
IXRAY_TARGET_AVX2 __m256 Sq8Term(__m256 acc, __m256 code, const float* first, const float* second) {
  if constexpr (kL2) {  // (offset - code * scale)^2
    const __m256 diff = _mm256_fnmadd_ps(code, _mm256_load_ps(second), _mm256_load_ps(first));
    return _mm256_fmadd_ps(diff, diff, acc);
  } else {  // code * weight
    return _mm256_fmadd_ps(code, _mm256_load_ps(first), acc);
  }
}

template <bool kL2>
IXRAY_TARGET_AVX2 void Sq8Batch(const float* q, const uint8_t* codes, const float* vmin,
                                const float* vscale, size_t n, size_t d, float* out) {
  if (d == 0) {
    std::fill(out, out + n, 0.0f);
    return;
  }
  alignas(32) float first[kSq8Block];   // L2: offset; dot: weight
  alignas(32) float second[kSq8Block];  // L2: scale; dot: unused
  float dot_bias = 0;                   // dot: sum of q * (vmin + 0.5 * scale)
  for (size_t begin = 0; begin < d; begin += kSq8Block) {
    const size_t width = std::min(kSq8Block, d - begin);
    const size_t padded_width = (width + 7) / 8 * 8;
    __m256 bias = _mm256_setzero_ps();
    for (size_t k = 0; k < padded_width; k += 8) {
      const __m256i lanes = FirstLanes(std::min<size_t>(8, width - k));
      const __m256 qv = _mm256_maskload_ps(q + begin + k, lanes);
      const __m256 scale = _mm256_maskload_ps(vscale + begin + k, lanes);
      const __m256 center =
          _mm256_fmadd_ps(_mm256_set1_ps(0.5f), scale, _mm256_maskload_ps(vmin + begin + k, lanes));
      if constexpr (kL2) {
        _mm256_store_ps(first + k, _mm256_sub_ps(qv, center));
        _mm256_store_ps(second + k, scale);
      } else {
        _mm256_store_ps(first + k, _mm256_mul_ps(qv, scale));
        bias = _mm256_fmadd_ps(qv, center, bias);
      }
    }
    if constexpr (!kL2) dot_bias += HorizontalSum(bias);
    const size_t body = width - width % 8;
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* code = codes + i * d + begin;
      __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
      size_t k = 0;
      for (; k + 16 <= body; k += 16) {
        acc0 = Sq8Term<kL2>(acc0, LoadCodes8(code + k), first + k, second + k);
        acc1 = Sq8Term<kL2>(acc1, LoadCodes8(code + k + 8), first + k + 8, second + k + 8);
      }
      if (k < body) {
        acc0 = Sq8Term<kL2>(acc0, LoadCodes8(code + k), first + k, second + k);
        k += 8;
      }
      if (k < width) {  // padded lanes have first = second = 0: they add 0
        acc1 = Sq8Term<kL2>(acc1, LoadCodes(code + k, width - k), first + k, second + k);
      }
      const float partial = HorizontalSum(_mm256_add_ps(acc0, acc1));
      out[i] = begin == 0 ? partial : out[i] + partial;
    }
  }
  if constexpr (!kL2) {
    for (size_t i = 0; i < n; ++i) out[i] += dot_bias;
  }
}

IXRAY_TARGET_AVX2 void Sq8L2Batch(const float* q, const uint8_t* codes, const float* vmin,
                                  const float* vscale, size_t n, size_t d, float* out) {
  Sq8Batch<true>(q, codes, vmin, vscale, n, d, out);
}

IXRAY_TARGET_AVX2 void Sq8DotBatch(const float* q, const uint8_t* codes, const float* vmin,
                                   const float* vscale, size_t n, size_t d, float* out) {
  Sq8Batch<false>(q, codes, vmin, vscale, n, d, out);
}

}  // namespace

void FillAvx2Quantized(DistanceKernels* table) {
  table->pq_scan_8bit = PqScan8BitUnrolled;
  table->pq_scan_4bit = PqScan4Bit;
  table->sq8_l2_batch = Sq8L2Batch;
  table->sq8_dot_batch = Sq8DotBatch;
}

}  // namespace ixray::vector::internal

#else  // not x86: distance.cc never asks for this table.

namespace ixray::vector::internal {
void FillAvx2Quantized(DistanceKernels*) {}
}  // namespace ixray::vector::internal

#endif
