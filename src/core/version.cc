#include "ixray/version.h"

namespace ixray {

const char* Version() { return IXRAY_VERSION; }

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures kFeatures = [] {
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512_vpopcntdq = __builtin_cpu_supports("avx512vpopcntdq");
    // GCC 12 has no "f16c" name in __builtin_cpu_supports; F16C ships with every AVX2 CPU.
    f.f16c = f.avx2;
#endif
    return f;
  }();
  return kFeatures;
}

std::string SimdTarget() {
  const CpuFeatures& f = GetCpuFeatures();
  if (f.avx512f && f.avx512bw && f.avx512vl) return "avx512";
  if (f.avx2 && f.fma) return "avx2";
  return "scalar";
}

}  // namespace ixray
