// float16 conversion tests. The scalar conversion is checked against the
// definition of binary16 (all 65536 halves, every rounding midpoint); the
// SIMD tables must then give the scalar bits exactly, NaNs included.

#include "index/vector/kernels/float16.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "index/vector/kernels/distance.h"
#include "index/vector/kernels/kernel_test_util.h"

namespace ixray::vector {
namespace {

using testing::GuardedArray;

bool IsNanHalf(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0; }

// The value of a finite or infinite half straight from its definition.
double HalfValue(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0x1f) return sign * INFINITY;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

TEST(Float16KernelTest, ScalarHalfToFloatFollowsTheDefinition) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const auto half = static_cast<uint16_t>(h);
    const float f = HalfToFloat(half);
    if (IsNanHalf(half)) {
      const uint32_t bits = std::bit_cast<uint32_t>(f);
      ASSERT_TRUE(std::isnan(f)) << std::hex << h;
      EXPECT_EQ(bits, (uint32_t{half & 0x8000u} << 16) | 0x7fc00000u | ((half & 0x3ffu) << 13))
          << std::hex << h;
    } else {
      ASSERT_EQ(static_cast<double>(f), HalfValue(half)) << std::hex << h;
      EXPECT_EQ(std::signbit(f), (half & 0x8000) != 0) << std::hex << h;
    }
  }
}

TEST(Float16KernelTest, ScalarFloatToHalfRoundsToNearestEven) {
  for (uint32_t h = 0; h <= 0x7bff; ++h) {  // every finite non-negative half...
    const auto half = static_cast<uint16_t>(h);
    ASSERT_EQ(FloatToHalf(HalfToFloat(half)), half) << std::hex << h;
    const auto negative = static_cast<uint16_t>(half | 0x8000);
    ASSERT_EQ(FloatToHalf(HalfToFloat(negative)), negative) << std::hex << h;
    // ...and the midpoint to the next one up (0x7c00 continues the binade as
    // 65536, so 65520 is the midpoint that overflows).
    const double low = HalfValue(half);
    const double high = h == 0x7bff ? 65536.0 : HalfValue(static_cast<uint16_t>(h + 1));
    const auto midpoint = static_cast<float>((low + high) / 2);  // exact in float
    const uint16_t even = (h & 1) ? static_cast<uint16_t>(h + 1) : half;
    EXPECT_EQ(FloatToHalf(midpoint), even) << std::hex << h;
    EXPECT_EQ(FloatToHalf(std::nextafter(midpoint, 0.0f)), half) << std::hex << h;
    EXPECT_EQ(FloatToHalf(std::nextafter(midpoint, INFINITY)), h + 1) << std::hex << h;
    EXPECT_EQ(FloatToHalf(-midpoint), even | 0x8000) << std::hex << h;
  }
  EXPECT_EQ(FloatToHalf(INFINITY), 0x7c00);
  EXPECT_EQ(FloatToHalf(-INFINITY), 0xfc00);
  EXPECT_EQ(FloatToHalf(1e10f), 0x7c00);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(1e-10f), 0);
  EXPECT_EQ(FloatToHalf(std::bit_cast<float>(0x7f802000u)), 0x7e01);  // signalling: quieted
  EXPECT_EQ(FloatToHalf(std::bit_cast<float>(0xffc00000u)), 0xfe00);
}

class Float16KernelsTest : public ::testing::TestWithParam<const DistanceKernels*> {};

TEST_P(Float16KernelsTest, HalfToFloatMatchesScalarOnAllHalves) {
  const DistanceKernels& simd = *GetParam();
  GuardedArray<uint16_t> halves(65536);
  for (uint32_t h = 0; h <= 0xffff; ++h) halves[h] = static_cast<uint16_t>(h);
  std::vector<float> got(65536 + 1, -1);
  // Several lengths so every tail size is exercised, ending at the guard page.
  for (size_t skip : {0, 1, 2, 5, 7, 9, 15, 17, 31}) {
    const size_t n = 65536 - skip;
    got[n] = -1;
    simd.f16_to_f32(halves.data() + skip, n, got.data());
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(std::bit_cast<uint32_t>(got[i]),
                std::bit_cast<uint32_t>(HalfToFloat(halves[skip + i])))
          << std::hex << halves[skip + i];
    }
    EXPECT_EQ(got[n], -1) << "wrote past out[n - 1]";
  }
}

TEST_P(Float16KernelsTest, FloatToHalfMatchesScalar) {
  const DistanceKernels& simd = *GetParam();
  // Every half's value and the midpoints around it, then a sweep of all float
  // bit patterns (NaNs, infinities, subnormals) with a prime stride.
  std::vector<float> probes;
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const float f = HalfToFloat(static_cast<uint16_t>(h));
    probes.push_back(f);
    if (!std::isfinite(f)) continue;
    const float next = HalfToFloat(static_cast<uint16_t>((h & 0x7fff) == 0x7bff ? h : h + 1));
    const float midpoint = (f + next) / 2;
    probes.push_back(midpoint);
    probes.push_back(std::nextafter(midpoint, 0.0f));
    probes.push_back(std::nextafter(midpoint, INFINITY));
  }
  for (uint64_t bits = 0; bits <= 0xffffffffu; bits += 4099) {
    probes.push_back(std::bit_cast<float>(static_cast<uint32_t>(bits)));
  }
  GuardedArray<float> in(probes.size());
  std::memcpy(in.data(), probes.data(), probes.size() * sizeof(float));
  std::vector<uint16_t> got(probes.size() + 1, 0xabcd);
  for (size_t skip : {0, 3, 13}) {
    const size_t n = probes.size() - skip;
    got[n] = 0xabcd;
    simd.f32_to_f16(in.data() + skip, n, got.data());
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(got[i], FloatToHalf(in[skip + i]))
          << std::hex << std::bit_cast<uint32_t>(in[skip + i]);
    }
    EXPECT_EQ(got[n], 0xabcd) << "wrote past out[n - 1]";
  }
  simd.f32_to_f16(in.data(), 0, got.data());
}

INSTANTIATE_TEST_SUITE_P(Simd, Float16KernelsTest, ::testing::ValuesIn(testing::SimdTables()),
                         testing::TableName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Float16KernelsTest);

}  // namespace
}  // namespace ixray::vector
