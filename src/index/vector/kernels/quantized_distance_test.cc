// PQ and SQ8 kernel tests: every SIMD table against the scalar oracle, with
// codes that end flush against a guard page (the 4-bit scan gathers whole
// 32-bit words, so its tail handling is what these catch). Tolerance as
// documented in kernel_test_util.h, S = the sum of |table entries| looked up.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "index/vector/kernels/distance.h"
#include "index/vector/kernels/kernel_test_util.h"

namespace ixray::vector {
namespace {

using testing::ExpectClose;
using testing::FillBytes;
using testing::FillUniform;
using testing::GuardedArray;

// 300: 4-bit codes too long for the SIMD tail buffer (the plain-loop tail).
const size_t kSubQuantizers[] = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 32, 64, 200, 255, 300};
const size_t kCodeCounts[] = {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 100};

std::string Context(const char* kernel, size_t m, size_t n) {
  return std::string(kernel) + " m=" + std::to_string(m) + " n=" + std::to_string(n);
}

// ---- The scalar oracle itself ------------------------------------------------------

TEST(ScalarQuantizedDistanceKernelTest, PqCodeLayout) {
  const DistanceKernels& k = ScalarKernels();
  // table[j][c] = 100 * j + c makes every lookup visible in the sum.
  std::vector<float> table8(3 * 256), table4(3 * 16);
  for (size_t j = 0; j < 3; ++j) {
    for (size_t c = 0; c < 256; ++c) table8[j * 256 + c] = 100.0f * j + c;
    for (size_t c = 0; c < 16; ++c) table4[j * 16 + c] = 100.0f * j + c;
  }
  const uint8_t codes8[] = {1, 2, 3, 255, 0, 9};
  float out[2];
  k.pq_scan_8bit(table8.data(), codes8, 2, 3, out);
  EXPECT_EQ(out[0], 1 + 102 + 203);
  EXPECT_EQ(out[1], 255 + 100 + 209);
  // Sub-quantizer 2j in the low nibble of byte j, 2j + 1 in the high nibble.
  const uint8_t codes4[] = {0x21, 0x03, 0xf0, 0x0e};
  k.pq_scan_4bit(table4.data(), codes4, 2, 3, out);
  EXPECT_EQ(out[0], 1 + 102 + 203);
  EXPECT_EQ(out[1], 0 + 115 + 214);
}

TEST(ScalarQuantizedDistanceKernelTest, Sq8Decoding) {
  const DistanceKernels& k = ScalarKernels();
  const float q[] = {1, -2};
  const uint8_t codes[] = {0, 255};
  const float vmin[] = {0, -1};
  const float vscale[] = {2, 0.5f};
  // Decoded: {0 + 0.5 * 2, -1 + 255.5 * 0.5} = {1, 126.75}.
  float out;
  k.sq8_l2_batch(q, codes, vmin, vscale, 1, 2, &out);
  EXPECT_FLOAT_EQ(out, 0 + 128.75f * 128.75f);
  k.sq8_dot_batch(q, codes, vmin, vscale, 1, 2, &out);
  EXPECT_FLOAT_EQ(out, 1 - 2 * 126.75f);
}

// ---- Every SIMD table against the oracle ---------------------------------------

class QuantizedDistanceKernelsTest : public ::testing::TestWithParam<const DistanceKernels*> {
 protected:
  const DistanceKernels& simd() const { return *GetParam(); }
  const DistanceKernels& oracle() const { return ScalarKernels(); }

  // Runs `scan` of both tables over n codes of code_bytes each and compares.
  template <typename Scan>
  void CheckScan(Scan scan, const char* kernel, size_t ksub, size_t code_bytes, size_t m,
                 std::mt19937& rng) {
    for (size_t n : kCodeCounts) {
      GuardedArray<float> table(m * ksub), abs_table(m * ksub);
      GuardedArray<uint8_t> codes(n * code_bytes);
      FillUniform(table, rng, -1, 1);
      for (size_t i = 0; i < table.size(); ++i) abs_table[i] = std::fabs(table[i]);
      FillBytes(codes, rng);
      std::vector<float> got(n + 1, -1), want(n), scale(n);
      (simd().*scan)(table.data(), codes.data(), n, m, got.data());
      (oracle().*scan)(table.data(), codes.data(), n, m, want.data());
      (oracle().*scan)(abs_table.data(), codes.data(), n, m, scale.data());
      for (size_t i = 0; i < n; ++i) ExpectClose(got[i], want[i], scale[i], Context(kernel, m, n));
      EXPECT_EQ(got[n], -1) << Context(kernel, m, n) << ": wrote past out[n - 1]";
    }
  }
};

TEST_P(QuantizedDistanceKernelsTest, Pq8BitScan) {
  std::mt19937 rng(11);
  for (size_t m : kSubQuantizers) CheckScan(&DistanceKernels::pq_scan_8bit, "pq8", 256, m, m, rng);
}

TEST_P(QuantizedDistanceKernelsTest, Pq4BitScan) {
  std::mt19937 rng(12);
  for (size_t m : kSubQuantizers) {
    CheckScan(&DistanceKernels::pq_scan_4bit, "pq4", 16, (m + 1) / 2, m, rng);
  }
}

TEST_P(QuantizedDistanceKernelsTest, Pq4BitScanIgnoresTheUnusedNibble) {
  // Odd m: the high nibble of the last byte is padding and must not count.
  std::mt19937 rng(13);
  const size_t m = 5, n = 40;
  GuardedArray<float> table(m * 16);
  GuardedArray<uint8_t> codes(n * 3), codes_padded(n * 3);
  FillUniform(table, rng, 0, 1);
  FillBytes(codes, rng);
  for (size_t i = 0; i < codes.size(); ++i) {
    codes_padded[i] = (i % 3 == 2) ? (codes[i] & 0x0f) : codes[i];
  }
  std::vector<float> got(n), want(n);
  simd().pq_scan_4bit(table.data(), codes.data(), n, m, got.data());
  simd().pq_scan_4bit(table.data(), codes_padded.data(), n, m, want.data());
  EXPECT_EQ(got, want);
}

TEST_P(QuantizedDistanceKernelsTest, Sq8Batches) {
  std::mt19937 rng(14);
  const size_t dimensions[] = {1,  2,  3,  7,   8,   9,   15,  16,  17,  31,
                               32, 33, 64, 100, 128, 255, 256, 257, 300, 600};
  for (size_t d : dimensions) {
    for (size_t n : {0, 1, 7, 100}) {
      GuardedArray<float> q(d), vmin(d), vscale(d);
      GuardedArray<uint8_t> codes(n * d);
      FillUniform(q, rng, -1, 1);
      FillUniform(vmin, rng, -1, 0);
      FillUniform(vscale, rng, 0, 2.0f / 255);
      FillBytes(codes, rng);
      std::vector<float> got(n + 1, -1), want(n);
      simd().sq8_l2_batch(q.data(), codes.data(), vmin.data(), vscale.data(), n, d, got.data());
      oracle().sq8_l2_batch(q.data(), codes.data(), vmin.data(), vscale.data(), n, d, want.data());
      for (size_t i = 0; i < n; ++i) {
        double scale = 0;  // sum of (|q| + |value|)^2 bounds every rounded term
        for (size_t j = 0; j < d; ++j) {
          const double value = vmin[j] + (codes[i * d + j] + 0.5) * vscale[j];
          scale += (std::fabs(q[j]) + std::fabs(value)) * (std::fabs(q[j]) + std::fabs(value));
        }
        ExpectClose(got[i], want[i], scale, Context("sq8 l2", d, n));
      }
      EXPECT_EQ(got[n], -1) << "wrote past out[n - 1]";

      simd().sq8_dot_batch(q.data(), codes.data(), vmin.data(), vscale.data(), n, d, got.data());
      oracle().sq8_dot_batch(q.data(), codes.data(), vmin.data(), vscale.data(), n, d, want.data());
      for (size_t i = 0; i < n; ++i) {
        double scale = 0;  // the rewrite sums q * vmin, q * scale / 2 and q * code * scale
        for (size_t j = 0; j < d; ++j) {
          scale += std::fabs(q[j]) * (std::fabs(vmin[j]) + (codes[i * d + j] + 1.0) * vscale[j]);
        }
        ExpectClose(got[i], want[i], scale, Context("sq8 dot", d, n));
      }
      EXPECT_EQ(got[n], -1) << "wrote past out[n - 1]";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Simd, QuantizedDistanceKernelsTest,
                         ::testing::ValuesIn(testing::SimdTables()), testing::TableName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QuantizedDistanceKernelsTest);

}  // namespace
}  // namespace ixray::vector
