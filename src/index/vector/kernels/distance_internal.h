// Private to the kernels folder: how the per-instruction-set files hand their
// functions to the dispatcher (distance.cc), and the attributes that compile
// one function for one instruction set.
//
// Each `Fill*` sets the members its file implements; distance.cc combines them
// into the immutable tables. The AVX2 and AVX-512 functions may only be called
// on a CPU that has those instructions (distance.cc checks GetCpuFeatures()).
//
// Thread safety: the Fill functions only write the table they are given;
// distance.cc calls them inside function-local static initializers.
#pragma once

#include "index/vector/kernels/distance.h"

#if defined(__x86_64__) || defined(__i386__)
#define IXRAY_KERNELS_X86 1
// GCC 12's avx512fintrin.h trips its own -Wuninitialized on the
// _mm512_undefined_* idiom (GCC PR 105593); the warnings point into the
// header, so silencing them around the include leaves our code checked.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif
#endif

// The library is compiled for baseline x86-64 (no -march); SIMD functions opt
// in one by one. Every function, helper or not, that uses an intrinsic of a
// target carries the attribute, or GCC refuses to inline the intrinsic.
#define IXRAY_TARGET_AVX2 __attribute__((target("avx2,fma,f16c,popcnt")))
#define IXRAY_TARGET_AVX512 \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,popcnt")))
#define IXRAY_TARGET_AVX512_POPCNT                                               \
  __attribute__((                                                                \
      target("avx512f,avx512bw,avx512vl,avx512dq,avx512vpopcntdq,avx2,fma,f16c," \
             "popcnt")))

namespace ixray::vector::internal {

// Every member (distance_scalar.cc, quantized_scalar.cc).
void FillScalarDistance(DistanceKernels* table);
void FillScalarQuantized(DistanceKernels* table);

// REQUIRES: AVX2, FMA, F16C (and POPCNT, which every such CPU has).
void FillAvx2Distance(DistanceKernels* table);
void FillAvx2Quantized(DistanceKernels* table);

// REQUIRES: AVX-512 F, BW, VL, DQ; with_vpopcntdq only if the CPU has it.
void FillAvx512Distance(DistanceKernels* table, bool with_vpopcntdq);
void FillAvx512Quantized(DistanceKernels* table);

}  // namespace ixray::vector::internal
