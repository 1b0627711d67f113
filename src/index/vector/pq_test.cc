#include "index/vector/pq.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "index/vector/kernels/distance.h"

namespace ixray::vector {
namespace {

std::vector<float> Clustered(size_t n, size_t d, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> centers(32 * d);
  for (float& v : centers) v = 2 * normal(rng);
  std::vector<float> x(n * d);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = rng() % 32;
    for (size_t t = 0; t < d; ++t) x[i * d + t] = centers[c * d + t] + 0.5f * normal(rng);
  }
  return x;
}

double ReconstructionError(const ProductQuantizer& pq, const std::vector<float>& x) {
  const size_t d = pq.dimension(), n = x.size() / d;
  std::vector<uint8_t> codes(n * pq.code_size());
  EXPECT_TRUE(pq.Encode(x.data(), n, codes.data(), *SerialExecutor()).ok());
  std::vector<float> decoded(n * d);
  pq.Decode(codes.data(), n, decoded.data());
  double error = 0;
  for (size_t i = 0; i < n * d; ++i) error += (x[i] - decoded[i]) * (x[i] - decoded[i]);
  return error / n;
}

TEST(PqTest, TrainedCodebookBeatsRandomOne) {
  const size_t d = 16, n = 2000;
  const auto x = Clustered(n, d, 1);
  for (int nbits : {8, 4}) {
    auto pq = ProductQuantizer::Train(x.data(), n, d, 4, nbits, 20, *MakeThreadPoolExecutor(2), 7);
    ASSERT_TRUE(pq.ok()) << pq.status().ToString();
    EXPECT_EQ(pq->code_size(), nbits == 8 ? 4u : 2u);
    EXPECT_EQ(pq->codebook().size(), pq->ksub() * d);
    std::mt19937 rng(3);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    std::vector<float> random_codebook(pq->ksub() * d);
    for (float& v : random_codebook) v = normal(rng);
    auto random = ProductQuantizer::FromCodebook(d, 4, nbits, random_codebook);
    ASSERT_TRUE(random.ok());
    const double trained_error = ReconstructionError(*pq, x);
    EXPECT_LT(trained_error, 0.5 * ReconstructionError(*random, x)) << nbits;
    if (nbits == 8) {
      EXPECT_LT(trained_error, 0.5 * d * 0.25);  // well under the noise
    }
  }
}

TEST(PqTest, DistanceTableSumsEqualDecodedDistances) {
  const size_t d = 24, n = 600;
  const auto x = Clustered(n, d, 2);
  const auto queries = Clustered(3, d, 3);
  const DistanceKernels& kernels = Kernels();
  for (int nbits : {8, 4}) {
    for (int m : {6, 3}) {  // odd m: a half-used last byte with 4 bits
      auto pq = ProductQuantizer::Train(x.data(), n, d, m, nbits, 10, *SerialExecutor(), 1);
      ASSERT_TRUE(pq.ok()) << pq.status().ToString();
      std::vector<uint8_t> codes(n * pq->code_size());
      ASSERT_TRUE(pq->Encode(x.data(), n, codes.data(), *MakeThreadPoolExecutor(2)).ok());
      std::vector<float> decoded(n * d);
      pq->Decode(codes.data(), n, decoded.data());
      for (Metric metric : {Metric::kL2, Metric::kDot}) {
        for (size_t q = 0; q < 3; ++q) {
          const float* query = &queries[q * d];
          std::vector<float> table(m * pq->ksub()), scanned(n);
          ASSERT_TRUE(pq->ComputeDistanceTable(query, metric, table.data()).ok());
          (nbits == 8 ? kernels.pq_scan_8bit : kernels.pq_scan_4bit)(
              table.data(), codes.data(), n, static_cast<size_t>(m), scanned.data());
          for (size_t i = 0; i < n; ++i) {
            const float want = metric == Metric::kL2 ? kernels.l2_f32(query, &decoded[i * d], d)
                                                     : kernels.dot_f32(query, &decoded[i * d], d);
            ASSERT_NEAR(scanned[i], want, 1e-3f * (1 + std::abs(want)));
          }
        }
      }
    }
  }
}

TEST(PqTest, EncodesToTheNearestCentroid) {
  const size_t d = 8, n = 300;
  const auto x = Clustered(n, d, 4);
  auto pq = ProductQuantizer::Train(x.data(), n, d, 2, 4, 10, *SerialExecutor(), 1);
  ASSERT_TRUE(pq.ok());
  std::vector<uint8_t> codes(n * pq->code_size());
  ASSERT_TRUE(pq->Encode(x.data(), n, codes.data(), *SerialExecutor()).ok());
  const auto& cb = pq->codebook();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < 2; ++j) {
      float best = INFINITY;
      for (size_t c = 0; c < 16; ++c) {
        best = std::min(best, ScalarKernels().l2_f32(&x[i * d + j * 4], &cb[(j * 16 + c) * 4], 4));
      }
      const size_t code = (codes[i] >> (4 * j)) & 0xf;
      EXPECT_NEAR(ScalarKernels().l2_f32(&x[i * d + j * 4], &cb[(j * 16 + code) * 4], 4), best,
                  1e-4f);
    }
  }
}

TEST(PqTest, ValidatesShapes) {
  std::vector<float> x(300 * 10);
  Executor& serial = *SerialExecutor();
  EXPECT_EQ(ProductQuantizer::Train(x.data(), 300, 10, 4, 8, 5, serial, 1).status().code(),
            StatusCode::kInvalidArgument);  // 10 % 4 != 0
  EXPECT_EQ(ProductQuantizer::Train(x.data(), 300, 10, 5, 6, 5, serial, 1).status().code(),
            StatusCode::kInvalidArgument);  // nbits
  EXPECT_EQ(ProductQuantizer::Train(x.data(), 100, 10, 5, 8, 5, serial, 1).status().code(),
            StatusCode::kInvalidArgument);  // fewer rows than 256
  EXPECT_TRUE(ProductQuantizer::FromCodebook(10, 5, 4, std::vector<float>(16 * 10)).ok());
  EXPECT_EQ(
      ProductQuantizer::FromCodebook(10, 5, 4, std::vector<float>(16 * 10 - 1)).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(ProductQuantizer::FromCodebook(10, 4, 4, std::vector<float>(16 * 10)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ProductQuantizer::FromCodebook(10, 5, 8, std::vector<float>(16 * 10)).status().code(),
            StatusCode::kInvalidArgument);
  auto pq = ProductQuantizer::FromCodebook(10, 5, 4, std::vector<float>(16 * 10));
  std::vector<float> table(5 * 16);
  EXPECT_EQ(pq->ComputeDistanceTable(x.data(), Metric::kHamming, table.data()).code(),
            StatusCode::kInvalidArgument);
}

TEST(PqTest, SerializesAndRejectsCorruption) {
  const size_t d = 8, n = 300;
  const auto x = Clustered(n, d, 5);
  auto pq = ProductQuantizer::Train(x.data(), n, d, 4, 8, 5, *SerialExecutor(), 9);
  ASSERT_TRUE(pq.ok());
  const std::string bytes = pq->Serialize();
  auto copy = ProductQuantizer::Deserialize(bytes);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(copy->codebook(), pq->codebook());
  EXPECT_EQ(copy->num_sub_vectors(), 4);
  EXPECT_EQ(copy->nbits(), 8);
  EXPECT_EQ(ProductQuantizer::Deserialize(bytes.substr(0, 30)).status().code(),
            StatusCode::kCorruption);
  std::string bad = bytes;
  bad[16] = 3;  // m = 3 does not divide d = 8
  EXPECT_EQ(ProductQuantizer::Deserialize(bad).status().code(), StatusCode::kCorruption);
  // Same seed, any executor: the same codebook.
  auto again = ProductQuantizer::Train(x.data(), n, d, 4, 8, 5, *MakeThreadPoolExecutor(4), 9);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->codebook(), pq->codebook());
}

}  // namespace
}  // namespace ixray::vector
