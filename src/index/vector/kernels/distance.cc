// Dispatch: builds each kernel table once, on first use, and picks the widest
// one the CPU runs. IXRAY_SIMD=scalar|avx2|avx512 in the environment caps the
// choice (tests and benchmarks use it to exercise the narrower tables); a
// level the CPU lacks, or an unknown value, falls back to the best available.

#include <cstdlib>
#include <optional>
#include <string_view>

#include "index/vector/kernels/distance_internal.h"
#include "ixray/version.h"

namespace ixray::vector {
namespace {

bool CpuRunsAvx2() {
#if defined(__x86_64__) || defined(__i386__)
  const CpuFeatures& cpu = GetCpuFeatures();
  return cpu.avx2 && cpu.fma && cpu.f16c && __builtin_cpu_supports("popcnt");
#else
  return false;
#endif
}

bool CpuRunsAvx512() {
#if defined(__x86_64__) || defined(__i386__)
  const CpuFeatures& cpu = GetCpuFeatures();
  // CpuFeatures has no DQ flag; every AVX-512 CPU with BW and VL has it, but
  // ask anyway rather than assume.
  return CpuRunsAvx2() && cpu.avx512f && cpu.avx512bw && cpu.avx512vl &&
         __builtin_cpu_supports("avx512dq");
#else
  return false;
#endif
}

DistanceKernels MakeScalarTable() {
  DistanceKernels table{};
  table.name = "scalar";
  internal::FillScalarDistance(&table);
  internal::FillScalarQuantized(&table);
  return table;
}

DistanceKernels MakeAvx2Table() {
  DistanceKernels table = MakeScalarTable();
  table.name = "avx2";
  internal::FillAvx2Distance(&table);
  internal::FillAvx2Quantized(&table);
  return table;
}

DistanceKernels MakeAvx512Table() {
  DistanceKernels table = MakeAvx2Table();
  table.name = "avx512";
  internal::FillAvx512Distance(&table, GetCpuFeatures().avx512_vpopcntdq);
  internal::FillAvx512Quantized(&table);
  return table;
}

const DistanceKernels* ChooseKernels() {
  const DistanceKernels* best = Avx512Kernels();
  if (best == nullptr) best = Avx2Kernels();
  if (best == nullptr) best = &ScalarKernels();

  const char* requested = std::getenv("IXRAY_SIMD");
  if (requested == nullptr) return best;
  const std::string_view level(requested);
  if (level == "scalar") return &ScalarKernels();
  if (level == "avx2" && Avx2Kernels() != nullptr) return Avx2Kernels();
  return best;
}

}  // namespace

const DistanceKernels& ScalarKernels() {
  static const DistanceKernels kTable = MakeScalarTable();
  return kTable;
}

const DistanceKernels* Avx2Kernels() {
  static const std::optional<DistanceKernels> kTable =
      CpuRunsAvx2() ? std::optional(MakeAvx2Table()) : std::nullopt;
  return kTable ? &*kTable : nullptr;
}

const DistanceKernels* Avx512Kernels() {
  static const std::optional<DistanceKernels> kTable =
      CpuRunsAvx512() ? std::optional(MakeAvx512Table()) : std::nullopt;
  return kTable ? &*kTable : nullptr;
}

const DistanceKernels& Kernels() {
  static const DistanceKernels* const kChosen = ChooseKernels();
  return *kChosen;
}

}  // namespace ixray::vector
