// Test helpers for the distance kernels (tests only).
//
// GuardedArray puts its elements flush against an inaccessible page, so a
// kernel that reads one byte past its input crashes the test instead of
// silently reading a neighbour; SimdTables lists the tables under test.
// Thread safety: GuardedArray is a plain owning buffer (one thread at a time).
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "index/vector/kernels/distance.h"

namespace ixray::vector::testing {

// Documented tolerance of every float kernel against the scalar oracle (which
// sums in double): |simd - oracle| <= kRelativeTolerance * S, where S is the
// sum of the absolute values of the terms (for L2 the result itself). Float
// accumulation in 8 or 16 lanes has an error of about (d / lanes + log2 lanes)
// * 2^-24 * S, under 1e-6 * S for the dimensions tested; 1e-5 leaves room for
// the SQ8 rewrite, which rounds per-dimension constants once.
inline constexpr double kRelativeTolerance = 1e-5;

inline void ExpectClose(double got, double want, double scale, const std::string& context) {
  EXPECT_LE(std::fabs(got - want), kRelativeTolerance * scale + 1e-30)
      << context << ": got " << got << ", want " << want << ", scale " << scale;
}

// `count` elements of T ending exactly at a PROT_NONE page.
template <typename T>
class GuardedArray {
 public:
  explicit GuardedArray(size_t count) : count_(count) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t bytes = count * sizeof(T);
    data_pages_ = (bytes + page - 1) / page;
    mapping_size_ = (data_pages_ + 1) * page;
    void* mapping =
        mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) std::abort();
    mapping_ = static_cast<uint8_t*>(mapping);
    if (mprotect(mapping_ + data_pages_ * page, page, PROT_NONE) != 0) std::abort();
    data_ = reinterpret_cast<T*>(mapping_ + data_pages_ * page - bytes);
  }
  GuardedArray(const GuardedArray&) = delete;
  GuardedArray& operator=(const GuardedArray&) = delete;
  ~GuardedArray() { munmap(mapping_, mapping_size_); }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return count_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  size_t count_;
  size_t data_pages_ = 0;
  size_t mapping_size_ = 0;
  uint8_t* mapping_ = nullptr;
  T* data_ = nullptr;
};

template <typename T>
void FillUniform(GuardedArray<T>& array, std::mt19937& rng, float low, float high) {
  std::uniform_real_distribution<float> dist(low, high);
  for (size_t i = 0; i < array.size(); ++i) array[i] = dist(rng);
}

template <typename T>
void FillBytes(GuardedArray<T>& array, std::mt19937& rng) {
  for (size_t i = 0; i < array.size(); ++i) array[i] = static_cast<T>(rng());
}

// Every SIMD table this CPU runs; the scalar table is the oracle.
inline std::vector<const DistanceKernels*> SimdTables() {
  std::vector<const DistanceKernels*> tables;
  if (Avx2Kernels() != nullptr) tables.push_back(Avx2Kernels());
  if (Avx512Kernels() != nullptr) tables.push_back(Avx512Kernels());
  return tables;
}

inline std::string TableName(const ::testing::TestParamInfo<const DistanceKernels*>& info) {
  return info.param->name;
}

}  // namespace ixray::vector::testing
