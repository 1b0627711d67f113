// Build information: the library version and the CPU features the SIMD
// kernels dispatch on at run time (the library is compiled for baseline
// x86-64; faster code paths are chosen once, at startup, from these).
#pragma once

#include <string>

namespace ixray {

// "0.1.0".
const char* Version();

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512_vpopcntdq = false;
  bool f16c = false;
};

// Detected once; thread-safe.
const CpuFeatures& GetCpuFeatures();
// The widest kernel target this CPU runs: "avx512", "avx2" or "scalar".
std::string SimdTarget();

}  // namespace ixray
