// Float distance, hamming and dispatch tests: every SIMD table against the
// scalar oracle, for every dimension 0..300 (single pairs) and batches of
// 0, 1, 7 and 100 vectors, on inputs that end flush against a guard page.
// The tolerance is documented in kernel_test_util.h.

#include "index/vector/kernels/distance.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "index/vector/kernels/float16.h"
#include "index/vector/kernels/kernel_test_util.h"
#include "ixray/version.h"

namespace ixray::vector {
namespace {

using testing::ExpectClose;
using testing::FillBytes;
using testing::FillUniform;
using testing::GuardedArray;

constexpr size_t kMaxDimension = 300;
const size_t kBatchSizes[] = {0, 1, 7, 100};
const size_t kBatchDimensions[] = {1,  2,  3,  4,  5,  7,   8,   9,   15,  16,  17,  31,
                                   32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 300};

std::string Context(const char* kernel, size_t d, size_t n = 1) {
  return std::string(kernel) + " d=" + std::to_string(d) + " n=" + std::to_string(n);
}

// ---- The scalar oracle itself, on hand-computed values -------------------------

TEST(ScalarDistanceKernelTest, KnownValues) {
  const DistanceKernels& k = ScalarKernels();
  EXPECT_STREQ(k.name, "scalar");
  const float a[] = {1, 2, 3};
  const float b[] = {4, 0, -1};
  EXPECT_EQ(k.l2_f32(a, b, 3), 9 + 4 + 16);
  EXPECT_EQ(k.dot_f32(a, b, 3), 4 + 0 - 3);
  EXPECT_EQ(k.l2_f32(a, b, 0), 0);
  const uint16_t half_b[] = {FloatToHalf(4), FloatToHalf(0), FloatToHalf(-1)};
  EXPECT_EQ(k.l2_f16(a, half_b, 3), 29);
  EXPECT_EQ(k.dot_f16(a, half_b, 3), 1);
  const uint8_t bytes[] = {4, 0, 255};
  EXPECT_EQ(k.l2_u8(a, bytes, 3), 9 + 4 + 252 * 252);
  EXPECT_EQ(k.dot_u8(a, bytes, 3), 4 + 3 * 255);
  const uint8_t x[] = {0xff, 0x0f, 0x00, 0x01, 0x80, 0, 0, 0, 0, 0xaa};
  const uint8_t y[] = {0x00, 0x0f, 0xff, 0x00, 0x00, 0, 0, 0, 0, 0x55};
  EXPECT_EQ(k.hamming(x, y, 10), 8u + 0 + 8 + 1 + 1 + 8);
  float out[2];
  const float rows[] = {4, 0, -1, 1, 2, 3};
  k.l2_f32_batch(a, rows, 2, 3, out);
  EXPECT_EQ(out[0], 29);
  EXPECT_EQ(out[1], 0);
  k.dot_f32_batch(a, rows, 2, 3, out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 14);
}

// ---- Every SIMD table against the oracle ---------------------------------------

class DistanceKernelsTest : public ::testing::TestWithParam<const DistanceKernels*> {
 protected:
  const DistanceKernels& simd() const { return *GetParam(); }
  const DistanceKernels& oracle() const { return ScalarKernels(); }
};

TEST_P(DistanceKernelsTest, FloatPairs) {
  std::mt19937 rng(1);
  for (size_t d = 0; d <= kMaxDimension; ++d) {
    GuardedArray<float> a(d), b(d), abs_a(d), abs_b(d);
    FillUniform(a, rng, -1, 1);
    FillUniform(b, rng, -1, 1);
    for (size_t i = 0; i < d; ++i) abs_a[i] = std::fabs(a[i]), abs_b[i] = std::fabs(b[i]);
    const float l2 = oracle().l2_f32(a.data(), b.data(), d);
    ExpectClose(simd().l2_f32(a.data(), b.data(), d), l2, l2, Context("l2_f32", d));
    ExpectClose(simd().dot_f32(a.data(), b.data(), d), oracle().dot_f32(a.data(), b.data(), d),
                oracle().dot_f32(abs_a.data(), abs_b.data(), d), Context("dot_f32", d));
  }
}

TEST_P(DistanceKernelsTest, HalfPairs) {
  std::mt19937 rng(2);
  for (size_t d = 0; d <= kMaxDimension; ++d) {
    GuardedArray<float> q(d), abs_q(d);
    GuardedArray<uint16_t> x(d), abs_x(d);
    FillUniform(q, rng, -1, 1);
    std::uniform_real_distribution<float> dist(-2, 2);
    for (size_t i = 0; i < d; ++i) {
      x[i] = FloatToHalf(dist(rng));
      abs_q[i] = std::fabs(q[i]);
      abs_x[i] = x[i] & 0x7fff;
    }
    const float l2 = oracle().l2_f16(q.data(), x.data(), d);
    ExpectClose(simd().l2_f16(q.data(), x.data(), d), l2, l2, Context("l2_f16", d));
    ExpectClose(simd().dot_f16(q.data(), x.data(), d), oracle().dot_f16(q.data(), x.data(), d),
                oracle().dot_f16(abs_q.data(), abs_x.data(), d), Context("dot_f16", d));
  }
}

TEST_P(DistanceKernelsTest, BytePairs) {
  std::mt19937 rng(3);
  for (size_t d = 0; d <= kMaxDimension; ++d) {
    GuardedArray<float> q(d), abs_q(d);
    GuardedArray<uint8_t> x(d);
    FillUniform(q, rng, -300, 300);
    FillBytes(x, rng);
    for (size_t i = 0; i < d; ++i) abs_q[i] = std::fabs(q[i]);
    const float l2 = oracle().l2_u8(q.data(), x.data(), d);
    ExpectClose(simd().l2_u8(q.data(), x.data(), d), l2, l2, Context("l2_u8", d));
    ExpectClose(simd().dot_u8(q.data(), x.data(), d), oracle().dot_u8(q.data(), x.data(), d),
                oracle().dot_u8(abs_q.data(), x.data(), d), Context("dot_u8", d));
  }
}

TEST_P(DistanceKernelsTest, HammingIsExact) {
  std::mt19937 rng(4);
  for (size_t bytes = 0; bytes <= 2 * kMaxDimension; ++bytes) {
    GuardedArray<uint8_t> a(bytes), b(bytes);
    FillBytes(a, rng);
    FillBytes(b, rng);
    EXPECT_EQ(simd().hamming(a.data(), b.data(), bytes),
              oracle().hamming(a.data(), b.data(), bytes))
        << bytes << " bytes";
    EXPECT_EQ(simd().hamming(a.data(), a.data(), bytes), 0u);
  }
  GuardedArray<uint8_t> zeros(100), ones(100);
  for (size_t i = 0; i < 100; ++i) zeros[i] = 0, ones[i] = 0xff;
  EXPECT_EQ(simd().hamming(zeros.data(), ones.data(), 100), 800u);
}

TEST_P(DistanceKernelsTest, FloatBatches) {
  std::mt19937 rng(5);
  for (size_t d : kBatchDimensions) {
    for (size_t n : kBatchSizes) {
      GuardedArray<float> q(d), x(n * d), abs_q(d), abs_x(n * d);
      FillUniform(q, rng, -1, 1);
      FillUniform(x, rng, -1, 1);
      for (size_t i = 0; i < d; ++i) abs_q[i] = std::fabs(q[i]);
      for (size_t i = 0; i < n * d; ++i) abs_x[i] = std::fabs(x[i]);
      std::vector<float> got(n + 1, -1), want(n), scale(n);
      simd().l2_f32_batch(q.data(), x.data(), n, d, got.data());
      oracle().l2_f32_batch(q.data(), x.data(), n, d, want.data());
      for (size_t i = 0; i < n; ++i)
        ExpectClose(got[i], want[i], want[i], Context("l2 batch", d, n));
      EXPECT_EQ(got[n], -1) << "wrote past out[n - 1]";

      simd().dot_f32_batch(q.data(), x.data(), n, d, got.data());
      oracle().dot_f32_batch(q.data(), x.data(), n, d, want.data());
      oracle().dot_f32_batch(abs_q.data(), abs_x.data(), n, d, scale.data());
      for (size_t i = 0; i < n; ++i)
        ExpectClose(got[i], want[i], scale[i], Context("dot batch", d, n));
      EXPECT_EQ(got[n], -1) << "wrote past out[n - 1]";
      // Each batch entry is the single-pair distance of the same table.
      for (size_t i = 0; i < n; ++i) {
        const float single = simd().dot_f32(q.data(), x.data() + i * d, d);
        ExpectClose(got[i], single, scale[i], Context("dot batch vs pair", d, n));
      }
    }
  }
}

TEST_P(DistanceKernelsTest, TransposedBatchesEqualRowMajorBatches) {
  std::mt19937 rng(7);
  for (size_t d : {size_t{1}, size_t{2}, size_t{4}, size_t{8}, size_t{9}, size_t{32}}) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{17}, size_t{256}}) {
      GuardedArray<float> q(d), x(n * d), xt(n * d), abs_q(d), abs_x(n * d);
      FillUniform(q, rng, -1, 1);
      FillUniform(x, rng, -1, 1);
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < d; ++j) xt[j * n + i] = x[i * d + j];
      }
      for (size_t i = 0; i < d; ++i) abs_q[i] = std::fabs(q[i]);
      for (size_t i = 0; i < n * d; ++i) abs_x[i] = std::fabs(x[i]);
      std::vector<float> got(n + 1, -1), want(n), scale(n);
      simd().l2_f32_transposed(q.data(), xt.data(), n, d, got.data());
      oracle().l2_f32_batch(q.data(), x.data(), n, d, want.data());
      for (size_t i = 0; i < n; ++i)
        ExpectClose(got[i], want[i], want[i], Context("l2 transposed", d, n));
      EXPECT_EQ(got[n], -1) << "wrote past out[n - 1]";

      simd().dot_f32_transposed(q.data(), xt.data(), n, d, got.data());
      oracle().dot_f32_batch(q.data(), x.data(), n, d, want.data());
      oracle().dot_f32_batch(abs_q.data(), abs_x.data(), n, d, scale.data());
      for (size_t i = 0; i < n; ++i)
        ExpectClose(got[i], want[i], scale[i], Context("dot transposed", d, n));
      EXPECT_EQ(got[n], -1) << "wrote past out[n - 1]";
    }
  }
}

TEST_P(DistanceKernelsTest, UnalignedInputs) {
  std::mt19937 rng(6);
  const size_t d = 37;
  GuardedArray<float> a(d + 1), b(d + 3);
  FillUniform(a, rng, -1, 1);
  FillUniform(b, rng, -1, 1);
  const float want = oracle().l2_f32(a.data() + 1, b.data() + 3, d);
  ExpectClose(simd().l2_f32(a.data() + 1, b.data() + 3, d), want, want, "unaligned l2");
}

INSTANTIATE_TEST_SUITE_P(Simd, DistanceKernelsTest, ::testing::ValuesIn(testing::SimdTables()),
                         testing::TableName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DistanceKernelsTest);

// ---- Dispatch ------------------------------------------------------------------

TEST(DistanceDispatchTest, TablesMatchTheCpu) {
  const CpuFeatures& cpu = GetCpuFeatures();
  EXPECT_EQ(Avx2Kernels() != nullptr, cpu.avx2 && cpu.fma && cpu.f16c);
  if (Avx512Kernels() != nullptr) {
    EXPECT_TRUE(cpu.avx512f && cpu.avx512bw && cpu.avx512vl);
    EXPECT_STREQ(Avx512Kernels()->name, "avx512");
  }
  if (Avx2Kernels() != nullptr) {
    EXPECT_STREQ(Avx2Kernels()->name, "avx2");
  }
}

TEST(DistanceDispatchTest, PicksTheWidestUnlessCapped) {
  const DistanceKernels* best = Avx512Kernels();
  if (best == nullptr) best = Avx2Kernels();
  if (best == nullptr) best = &ScalarKernels();
  const char* requested = std::getenv("IXRAY_SIMD");
  const std::string level = requested == nullptr ? "" : requested;
  if (level == "scalar") {
    EXPECT_EQ(&Kernels(), &ScalarKernels());
  } else if (level == "avx2" && Avx2Kernels() != nullptr) {
    EXPECT_EQ(&Kernels(), Avx2Kernels());
  } else {
    EXPECT_EQ(&Kernels(), best);
    if (requested == nullptr) {
      EXPECT_EQ(SimdTarget(), best->name);
    }
  }
  EXPECT_EQ(&Kernels(), &Kernels());  // chosen once
}

TEST(DistanceDispatchTest, EveryMemberIsSet) {
  std::vector<const DistanceKernels*> tables = testing::SimdTables();
  tables.push_back(&ScalarKernels());
  for (const DistanceKernels* table : tables) {
    SCOPED_TRACE(table->name);
    EXPECT_NE(table->l2_f32, nullptr);
    EXPECT_NE(table->dot_f32, nullptr);
    EXPECT_NE(table->l2_f16, nullptr);
    EXPECT_NE(table->dot_f16, nullptr);
    EXPECT_NE(table->l2_u8, nullptr);
    EXPECT_NE(table->dot_u8, nullptr);
    EXPECT_NE(table->hamming, nullptr);
    EXPECT_NE(table->l2_f32_batch, nullptr);
    EXPECT_NE(table->dot_f32_batch, nullptr);
    EXPECT_NE(table->l2_f32_transposed, nullptr);
    EXPECT_NE(table->dot_f32_transposed, nullptr);
    EXPECT_NE(table->pq_scan_8bit, nullptr);
    EXPECT_NE(table->pq_scan_4bit, nullptr);
    EXPECT_NE(table->sq8_l2_batch, nullptr);
    EXPECT_NE(table->sq8_dot_batch, nullptr);
    EXPECT_NE(table->f16_to_f32, nullptr);
    EXPECT_NE(table->f32_to_f16, nullptr);
  }
}

}  // namespace
}  // namespace ixray::vector
