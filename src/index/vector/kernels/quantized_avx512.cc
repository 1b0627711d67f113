// AVX-512 (F, BW, VL, DQ) kernels for 4-bit PQ scans and SQ8. Every function
// carries IXRAY_TARGET_AVX512 and runs only after distance.cc has checked the
// CPU. PQ 8-bit keeps the AVX2 table's scalar scan (see quantized_avx2.cc).
//
// PQ 4-bit keeps the float table (no quantization, so results match the
// scalar oracle to float rounding): a 16-entry sub-table is exactly one zmm
// register, so for a block of 16 codes each sub-quantizer costs one shift,
// one vpermps and one add; the codes are transposed 16 bytes (32
// sub-quantizers) at a time with loads and permutes.

#include "index/vector/kernels/distance_internal.h"

#ifdef IXRAY_KERNELS_X86

#include <algorithm>
#include <cstring>

namespace ixray::vector::internal {
namespace {

// ---- PQ 4-bit ----------------------------------------------------------------

constexpr size_t kPq4Block = 16;              // codes per SIMD block
constexpr size_t kPq4Piece = 16;              // code bytes transposed at once
constexpr size_t kPq4MaxBufferedBytes = 128;  // code bytes a padded tail block may have

// Adds the sub-table (16 floats) entry picked by the nibble at bit kShift of
// each lane of `word`; vpermps reads only bits 0..3 of the index.
template <int kShift>
[[gnu::always_inline]] IXRAY_TARGET_AVX512 inline __m512 AddLookup(__m512 acc,
                                                                   const float* sub_table,
                                                                   __m512i word) {
  const __m512i index = _mm512_srli_epi32(word, kShift);
  return _mm512_add_ps(acc, _mm512_permutexvar_ps(index, _mm512_loadu_ps(sub_table)));
}

// Adds sub-quantizers j .. j + min(count, 8) - 1, whose codes are the 8
// nibbles of each lane of `word`; `sub` is table + 16 * j.
[[gnu::always_inline]] IXRAY_TARGET_AVX512 inline void AddEight(__m512* acc, const float* sub,
                                                                __m512i word, size_t count) {
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

[[gnu::always_inline]] IXRAY_TARGET_AVX512 inline __m128i Load16Bytes(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// 16 bytes of each of four codes `code_bytes` apart: lane 4k + g holds
// bytes 4g..4g+3 of code k.
[[gnu::always_inline]] IXRAY_TARGET_AVX512 inline __m512i LoadFourCodes(const uint8_t* p,
                                                                        size_t code_bytes) {
  if (code_bytes == kPq4Piece) return _mm512_loadu_si512(p);  // m = 31, 32: contiguous
  __m512i rows = _mm512_castsi128_si512(Load16Bytes(p));
  rows = _mm512_inserti32x4(rows, Load16Bytes(p + code_bytes), 1);
  rows = _mm512_inserti32x4(rows, Load16Bytes(p + 2 * code_bytes), 2);
  return _mm512_inserti32x4(rows, Load16Bytes(p + 3 * code_bytes), 3);
}

// Sums for 16 codes of `code_bytes` bytes each starting at `codes`. The codes
// are transposed 16 bytes at a time with loads and permutes (hardware gathers
// were 2-3x slower on Zen 4).
// REQUIRES: the 16 * ceil(code_bytes / 16) bytes from each code's start are
// readable.
IXRAY_TARGET_AVX512 __m512 Pq4Block(const float* table, const uint8_t* codes, size_t code_bytes,
                                    size_t m) {
  // Lane i of word g is dword g of code i: codes 0..7 come from rows0/rows1
  // (dword 4i + g of the pair), codes 8..15 likewise from rows2/rows3.
  const __m512i pick = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                   _mm512_setzero_ps()};
  size_t j = 0;
  for (size_t piece = 0; j < m; piece += kPq4Piece) {
    const uint8_t* p = codes + piece;
    const __m512i rows0 = LoadFourCodes(p, code_bytes);
    const __m512i rows1 = LoadFourCodes(p + 4 * code_bytes, code_bytes);
    const __m512i rows2 = LoadFourCodes(p + 8 * code_bytes, code_bytes);
    const __m512i rows3 = LoadFourCodes(p + 12 * code_bytes, code_bytes);
    for (int g = 0; g < 4 && j < m; ++g, j += 8) {
      const __m512i index = _mm512_add_epi32(pick, _mm512_set1_epi32(g));
      const __m512i word =
          _mm512_mask_blend_epi32(0xff00, _mm512_permutex2var_epi32(rows0, index, rows1),
                                  _mm512_permutex2var_epi32(rows2, index, rows3));
      AddEight(acc, table + j * 16, word, m - j);
    }
  }
  return _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
}

IXRAY_TARGET_AVX512 void PqScan4Bit(const float* table, const uint8_t* codes, size_t n, size_t m,
                                    float* out) {
  const size_t code_bytes = (m + 1) / 2;
  const size_t read_bytes = (code_bytes + kPq4Piece - 1) / kPq4Piece * kPq4Piece;
  const size_t total_bytes = n * code_bytes;
  size_t i = 0;
  // Full blocks whose last code's over-read stays inside the array.
  for (; i + kPq4Block <= n && (i + kPq4Block - 1) * code_bytes + read_bytes <= total_bytes;
       i += kPq4Block) {
    _mm512_storeu_ps(out + i, Pq4Block(table, codes + i * code_bytes, code_bytes, m));
  }
  // The rest (under 16 codes, or the block at the very end): through a
  // zero-padded copy, so nothing past the array is read.
  if (code_bytes <= kPq4MaxBufferedBytes) {
    while (i < n) {
      const size_t count = std::min(kPq4Block, n - i);
      alignas(64) uint8_t padded[kPq4Block * kPq4MaxBufferedBytes + kPq4Piece];
      std::memcpy(padded, codes + i * code_bytes, count * code_bytes);
      std::memset(padded + count * code_bytes, 0, (kPq4Block - count) * code_bytes + kPq4Piece);
      const __mmask16 lanes = static_cast<__mmask16>((1u << count) - 1);
      _mm512_mask_storeu_ps(out + i, lanes, Pq4Block(table, padded, code_bytes, m));
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

// ---- SQ8 -----------------------------------------------------------------------
// The same decomposition as quantized_avx2.cc: per dimension, L2 uses
// offset = q - vmin - 0.5 * scale and (offset - code * scale)^2; dot uses
// weight = q * scale and adds the constant sum of q * (vmin + 0.5 * scale).

constexpr size_t kSq8Block = 256;  // dimensions whose constants fit on the stack

IXRAY_TARGET_AVX512 __m512 LoadCodes(const uint8_t* p, __mmask16 lanes) {
  return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(lanes, p)));
}

template <bool kL2>
IXRAY_TARGET_AVX512 __m512 Sq8Term(__m512 acc, __m512 code, const float* first,
                                   const float* second) {
  if constexpr (kL2) {  // (offset - code * scale)^2
    const __m512 diff = _mm512_fnmadd_ps(code, _mm512_load_ps(second), _mm512_load_ps(first));
    return _mm512_fmadd_ps(diff, diff, acc);
  } else {  // code * weight
    return _mm512_fmadd_ps(code, _mm512_load_ps(first), acc);
  }
}

template <bool kL2>
IXRAY_TARGET_AVX512 void Sq8Batch(const float* q, const uint8_t* codes, const float* vmin,
                                  const float* vscale, size_t n, size_t d, float* out) {
  if (d == 0) {
    std::fill(out, out + n, 0.0f);
    return;
  }
  alignas(64) float first[kSq8Block];   // L2: offset; dot: weight
  alignas(64) float second[kSq8Block];  // L2: scale; dot: unused
  float dot_bias = 0;                   // dot: sum of q * (vmin + 0.5 * scale)
  for (size_t begin = 0; begin < d; begin += kSq8Block) {
    const size_t width = std::min(kSq8Block, d - begin);
    __m512 bias = _mm512_setzero_ps();
    for (size_t k = 0; k < width; k += 16) {
      const size_t count = std::min<size_t>(16, width - k);
      const __mmask16 lanes = static_cast<__mmask16>((1u << count) - 1);
      const __m512 qv = _mm512_maskz_loadu_ps(lanes, q + begin + k);
      const __m512 scale = _mm512_maskz_loadu_ps(lanes, vscale + begin + k);
      const __m512 center = _mm512_fmadd_ps(_mm512_set1_ps(0.5f), scale,
                                            _mm512_maskz_loadu_ps(lanes, vmin + begin + k));
      if constexpr (kL2) {
        _mm512_store_ps(first + k, _mm512_sub_ps(qv, center));
        _mm512_store_ps(second + k, scale);
      } else {
        _mm512_store_ps(first + k, _mm512_mul_ps(qv, scale));
        bias = _mm512_fmadd_ps(qv, center, bias);
      }
    }
    if constexpr (!kL2) dot_bias += _mm512_reduce_add_ps(bias);
    const size_t body = width - width % 16;
    const __mmask16 tail = static_cast<__mmask16>((1u << (width % 16)) - 1);
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* code = codes + i * d + begin;
      __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0;
      size_t k = 0;
      for (; k + 32 <= body; k += 32) {
        acc0 = Sq8Term<kL2>(acc0, LoadCodes(code + k, 0xffff), first + k, second + k);
        acc1 =
            Sq8Term<kL2>(acc1, LoadCodes(code + k + 16, 0xffff), first + k + 16, second + k + 16);
      }
      if (k < body) {
        acc0 = Sq8Term<kL2>(acc0, LoadCodes(code + k, 0xffff), first + k, second + k);
        k += 16;
      }
      // Lanes past `width` load code 0 and have first = second = 0: they add 0.
      if (k < width) acc1 = Sq8Term<kL2>(acc1, LoadCodes(code + k, tail), first + k, second + k);
      const float partial = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
      out[i] = begin == 0 ? partial : out[i] + partial;
    }
  }
  if constexpr (!kL2) {
    for (size_t i = 0; i < n; ++i) out[i] += dot_bias;
  }
}

IXRAY_TARGET_AVX512 void Sq8L2Batch(const float* q, const uint8_t* codes, const float* vmin,
                                    const float* vscale, size_t n, size_t d, float* out) {
  Sq8Batch<true>(q, codes, vmin, vscale, n, d, out);
}

IXRAY_TARGET_AVX512 void Sq8DotBatch(const float* q, const uint8_t* codes, const float* vmin,
                                     const float* vscale, size_t n, size_t d, float* out) {
  Sq8Batch<false>(q, codes, vmin, vscale, n, d, out);
}

}  // namespace

void FillAvx512Quantized(DistanceKernels* table) {
  table->pq_scan_4bit = PqScan4Bit;
  table->sq8_l2_batch = Sq8L2Batch;
  table->sq8_dot_batch = Sq8DotBatch;
}

}  // namespace ixray::vector::internal

#else  // not x86: distance.cc never asks for this table.

namespace ixray::vector::internal {
void FillAvx512Quantized(DistanceKernels*) {}
}  // namespace ixray::vector::internal

#endif
