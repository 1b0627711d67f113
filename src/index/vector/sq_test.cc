#include "index/vector/sq.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "index/vector/kernels/distance.h"

namespace ixray::vector {
namespace {

TEST(SqTest, RoundTripIsWithinHalfAStep) {
  const size_t d = 10, n = 5000;
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n * d);
  for (size_t i = 0; i < n * d; ++i) x[i] = normal(rng) * static_cast<float>(1 + i % d);
  for (size_t i = 0; i < n; ++i) x[i * d + 3] = 2.5f;  // a constant dimension
  auto sq = ScalarQuantizer::Train(x.data(), n, d, *MakeThreadPoolExecutor(3));
  ASSERT_TRUE(sq.ok());
  EXPECT_EQ(sq->code_size(), d);
  std::vector<uint8_t> codes(n * d);
  ASSERT_TRUE(sq->Encode(x.data(), n, codes.data(), *MakeThreadPoolExecutor(2)).ok());
  std::vector<float> decoded(n * d);
  sq->Decode(codes.data(), n, decoded.data());
  for (size_t i = 0; i < n * d; ++i) {
    const size_t j = i % d;
    ASSERT_LE(std::abs(decoded[i] - x[i]), 0.5f * sq->vscale()[j] * 1.001f + 1e-6f) << i;
  }
  EXPECT_EQ(decoded[3], 2.5f);

  // The sq8 kernels read the same layout.
  const DistanceKernels& kernels = Kernels();
  std::vector<float> out(n);
  kernels.sq8_l2_batch(&x[0], codes.data(), sq->vmin().data(), sq->vscale().data(), n, d,
                       out.data());
  for (size_t i = 0; i < n; i += 97) {
    const float want = kernels.l2_f32(&x[0], &decoded[i * d], d);
    EXPECT_NEAR(out[i], want, 1e-3f * (1 + want));
  }
}

TEST(SqTest, ClampsOutOfRangeValues) {
  const std::vector<float> x = {0, 1, 10, 2};  // two rows, d = 2: [0, 10] and [1, 2]
  auto sq = ScalarQuantizer::Train(x.data(), 2, 2, *SerialExecutor());
  ASSERT_TRUE(sq.ok());
  const std::vector<float> probe = {-5, 100, NAN, 1.5f};
  std::vector<uint8_t> codes(4);
  ASSERT_TRUE(sq->Encode(probe.data(), 2, codes.data(), *SerialExecutor()).ok());
  EXPECT_EQ(codes[0], 0);
  EXPECT_EQ(codes[1], 255);
  EXPECT_EQ(codes[2], 0);
  EXPECT_EQ(codes[3], 128);
}

TEST(SqTest, SerializesAndValidates) {
  auto sq = ScalarQuantizer::FromRanges({0, -1, 5}, {0.5f, 0.25f, 0});
  ASSERT_TRUE(sq.ok());
  const std::string bytes = sq->Serialize();
  auto copy = ScalarQuantizer::Deserialize(bytes);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->vmin(), sq->vmin());
  EXPECT_EQ(copy->vscale(), sq->vscale());
  EXPECT_EQ(ScalarQuantizer::Deserialize(bytes.substr(0, bytes.size() - 2)).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ScalarQuantizer::FromRanges({0, 1}, {1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ScalarQuantizer::FromRanges({0}, {-1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ScalarQuantizer::Train(nullptr, 0, 4, *SerialExecutor()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ixray::vector
