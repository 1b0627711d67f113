#include "index/vector/kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "index/vector/assign.h"
#include "index/vector/metric.h"

namespace ixray::vector {
namespace {

// n rows of dimension d around `centers` random centers (spread `scale`),
// each row centered at center (i % centers) with gaussian noise `sigma`.
std::vector<float> Blobs(size_t n, size_t d, size_t centers, float scale, float sigma,
                         uint32_t seed, std::vector<float>* center_out = nullptr) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> c(centers * d);
  for (float& v : c) v = scale * normal(rng);
  std::vector<float> x(n * d);
  for (size_t i = 0; i < n; ++i) {
    for (size_t t = 0; t < d; ++t) x[i * d + t] = c[(i % centers) * d + t] + sigma * normal(rng);
  }
  if (center_out != nullptr) *center_out = c;
  return x;
}

float L2(const float* a, const float* b, size_t d) {
  double s = 0;
  for (size_t t = 0; t < d; ++t) s += (double{a[t]} - b[t]) * (double{a[t]} - b[t]);
  return static_cast<float>(s);
}

float Dot(const float* a, const float* b, size_t d) {
  double s = 0;
  for (size_t t = 0; t < d; ++t) s += double{a[t]} * b[t];
  return static_cast<float>(s);
}

TEST(MetricTest, ParsesNamesAndNormalizes) {
  EXPECT_EQ(*ParseMetric("l2"), Metric::kL2);
  EXPECT_EQ(*ParseMetric("Euclidean"), Metric::kL2);
  EXPECT_EQ(*ParseMetric("COSINE"), Metric::kCosine);
  EXPECT_EQ(*ParseMetric("dot"), Metric::kDot);
  EXPECT_EQ(*ParseMetric("hamming"), Metric::kHamming);
  auto bad = ParseMetric("manhattan");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("cosine"), std::string::npos);
  EXPECT_EQ(MetricName(Metric::kDot), "dot");
  EXPECT_EQ(*ParseMetric(MetricName(Metric::kCosine)), Metric::kCosine);

  std::vector<float> x = {3, 4, 0, 0, 0, 0};
  NormalizeRows(x.data(), 2, 3);
  EXPECT_FLOAT_EQ(x[0], 0.6f);
  EXPECT_FLOAT_EQ(x[1], 0.8f);
  EXPECT_EQ(x[3], 0.0f);  // a zero row stays zero
}

// Checks labels against brute force, tolerating ties within rounding.
void ExpectNearest(const std::vector<float>& x, const std::vector<float>& c, size_t d,
                   Metric metric, const std::vector<int32_t>& labels,
                   const std::vector<float>& distances) {
  const size_t n = x.size() / d, k = c.size() / d;
  for (size_t i = 0; i < n; ++i) {
    float best = INFINITY;
    for (size_t j = 0; j < k; ++j) {
      const float v =
          metric == Metric::kDot ? 1 - Dot(&x[i * d], &c[j * d], d) : L2(&x[i * d], &c[j * d], d);
      best = std::min(best, v);
    }
    const float* own = &c[labels[i] * d];
    const float got = metric == Metric::kDot ? 1 - Dot(&x[i * d], own, d) : L2(&x[i * d], own, d);
    ASSERT_NEAR(got, best, 1e-4f * (1 + std::abs(best))) << "row " << i;
    ASSERT_NEAR(distances[i], got, 1e-4f * (1 + std::abs(got))) << "row " << i;
  }
}

TEST(AssignTest, GemmPathMatchesBruteForce) {
  const size_t d = 24, n = 700, k = 1100;  // two centroid blocks
  const auto x = Blobs(n, d, 50, 1.0f, 0.5f, 1);
  const auto c = Blobs(k, d, 1100, 1.0f, 0.0f, 2);
  auto pool = MakeThreadPoolExecutor(3);
  for (Metric metric : {Metric::kL2, Metric::kDot}) {
    std::vector<int32_t> labels(n);
    std::vector<float> distances(n);
    ASSERT_TRUE(
        AssignNearest(x.data(), n, c.data(), k, d, metric, *pool, labels.data(), distances.data())
            .ok());
    ExpectNearest(x, c, d, metric, labels, distances);
  }
}

TEST(AssignTest, RowSubsetReportsSecondNearest) {
  const size_t d = 8, n = 300, k = 20;
  const auto x = Blobs(n, d, 7, 2.0f, 0.5f, 3);
  const auto c = Blobs(k, d, 20, 2.0f, 0.0f, 4);
  std::vector<uint32_t> rows = {299, 5, 17, 120};
  std::vector<int32_t> labels(n, -1);
  std::vector<float> distances(n), second(n);
  AssignRequest request;
  request.data = x.data();
  request.n = n;
  request.rows = rows.data();
  request.num_rows = rows.size();
  request.centroids = c.data();
  request.k = k;
  request.d = d;
  AssignOutput output{labels.data(), distances.data(), second.data()};
  ASSERT_TRUE(AssignNearestRows(request, *SerialExecutor(), output).ok());
  EXPECT_EQ(labels[0], -1);  // not requested
  for (uint32_t r : rows) {
    std::vector<float> all;
    for (size_t j = 0; j < k; ++j) all.push_back(L2(&x[r * d], &c[j * d], d));
    std::sort(all.begin(), all.end());
    EXPECT_NEAR(distances[r], all[0], 1e-3f);
    EXPECT_NEAR(second[r], all[1], 1e-3f);
  }
}

TEST(AssignTest, NearestNMatchesBruteForce) {
  const size_t d = 16, k = 64;
  const int nprobe = 5;
  const auto c = Blobs(k, d, k, 1.0f, 0.0f, 5);
  for (size_t n : {3, 200}) {  // kernel path, GEMM path
    const auto x = Blobs(n, d, 10, 1.0f, 0.3f, 6);
    for (Metric metric : {Metric::kL2, Metric::kDot}) {
      std::vector<int32_t> labels(n * nprobe);
      std::vector<float> distances(n * nprobe);
      ASSERT_TRUE(AssignNearestN(x.data(), n, c.data(), k, d, metric, nprobe, *SerialExecutor(),
                                 labels.data(), distances.data())
                      .ok());
      for (size_t i = 0; i < n; ++i) {
        std::vector<float> all;
        for (size_t j = 0; j < k; ++j) {
          all.push_back(metric == Metric::kDot ? 1 - Dot(&x[i * d], &c[j * d], d)
                                               : L2(&x[i * d], &c[j * d], d));
        }
        std::vector<float> sorted = all;
        std::sort(sorted.begin(), sorted.end());
        for (int p = 0; p < nprobe; ++p) {
          EXPECT_NEAR(all[labels[i * nprobe + p]], sorted[p], 1e-4f * (1 + std::abs(sorted[p])));
          EXPECT_NEAR(distances[i * nprobe + p], sorted[p], 1e-4f * (1 + std::abs(sorted[p])));
        }
      }
    }
  }
}

TEST(AssignTest, RejectsBadArguments) {
  std::vector<float> x(8), c(8);
  std::vector<int32_t> labels(8);
  Executor& serial = *SerialExecutor();
  EXPECT_EQ(AssignNearest(x.data(), 2, c.data(), 0, 4, Metric::kL2, serial, labels.data(), nullptr)
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      AssignNearest(x.data(), 2, c.data(), 2, 4, Metric::kHamming, serial, labels.data(), nullptr)
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(
      AssignNearestN(x.data(), 2, c.data(), 2, 4, Metric::kL2, 3, serial, labels.data(), nullptr)
          .code(),
      StatusCode::kInvalidArgument);
}

TEST(KMeansTest, RecoversSeparatedClusters) {
  const size_t d = 16, n = 1600, centers = 8;
  std::vector<float> truth;
  const auto x = Blobs(n, d, centers, 10.0f, 0.1f, 7, &truth);
  double optimum = 0;
  for (size_t i = 0; i < n; ++i) optimum += L2(&x[i * d], &truth[(i % centers) * d], d);
  for (Metric metric : {Metric::kL2, Metric::kCosine, Metric::kDot}) {
    KMeansOptions options;
    options.k = centers;
    options.metric = metric;
    auto result = TrainKMeans(x.data(), n, d, options, *MakeThreadPoolExecutor(2));
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->centroids.size(), centers * d);
    for (int64_t size : result->cluster_sizes) EXPECT_EQ(size, static_cast<int64_t>(n / centers));
    std::vector<float> normalized = x;
    if (metric != Metric::kL2) NormalizeRows(normalized.data(), n, d);
    std::vector<int32_t> labels(n);
    ASSERT_TRUE(AssignNearest(normalized.data(), n, result->centroids.data(), centers, d,
                              metric == Metric::kDot ? Metric::kDot : Metric::kL2,
                              *SerialExecutor(), labels.data(), nullptr)
                    .ok());
    std::set<int32_t> used;
    for (size_t c = 0; c < centers; ++c) {
      used.insert(labels[c]);
      for (size_t i = c; i < n; i += centers) ASSERT_EQ(labels[i], labels[c]) << MetricName(metric);
    }
    EXPECT_EQ(used.size(), centers);
    if (metric == Metric::kL2) {
      EXPECT_LT(result->objective, 1.05 * optimum);
      EXPECT_LT(result->iterations, options.max_iters);  // converged early
    }
    if (metric == Metric::kDot) {
      for (size_t c = 0; c < centers; ++c) {
        EXPECT_NEAR(Dot(&result->centroids[c * d], &result->centroids[c * d], d), 1.0f, 1e-5f);
      }
    }
  }
}

TEST(KMeansTest, DeterministicWhateverTheParallelism) {
  const size_t d = 12, n = 9000;
  const auto x = Blobs(n, d, 40, 1.0f, 0.6f, 8);
  for (auto hierarchy : {KMeansHierarchy::kFlat, KMeansHierarchy::kTwoLevel}) {
    for (KMeansInit init : {KMeansInit::kPlusPlus, KMeansInit::kRandom}) {
      KMeansOptions options;
      options.k = 50;
      options.max_iters = 8;
      options.init = init;
      options.hierarchical = hierarchy;
      auto one = TrainKMeans(x.data(), n, d, options, *MakeThreadPoolExecutor(1));
      auto four = TrainKMeans(x.data(), n, d, options, *MakeThreadPoolExecutor(4));
      ASSERT_TRUE(one.ok() && four.ok());
      EXPECT_EQ(one->centroids, four->centroids);
      EXPECT_EQ(one->objective, four->objective);
      EXPECT_EQ(one->cluster_sizes, four->cluster_sizes);
      options.seed = 43;
      auto other = TrainKMeans(x.data(), n, d, options, *MakeThreadPoolExecutor(4));
      ASSERT_TRUE(other.ok());
      EXPECT_NE(one->centroids, other->centroids);
    }
  }
}

TEST(KMeansTest, RepairsEmptyClustersAndRejectsTooFewRows) {
  const size_t d = 4;
  // 30 rows but only 3 distinct points: 5 centroids must still come out.
  std::vector<float> x;
  for (int i = 0; i < 30; ++i) {
    for (size_t t = 0; t < d; ++t) x.push_back(static_cast<float>((i % 3) * 10 + t));
  }
  KMeansOptions options;
  options.k = 5;
  options.init = KMeansInit::kRandom;
  auto result = TrainKMeans(x.data(), 30, d, options, *SerialExecutor());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  int64_t total = 0;
  for (int64_t s : result->cluster_sizes) total += s;
  EXPECT_EQ(total, 30);
  for (float v : result->centroids) EXPECT_TRUE(std::isfinite(v));
  EXPECT_LT(result->objective, 1.0);  // the split centroids sit a perturbation apart

  options.k = 31;
  EXPECT_EQ(TrainKMeans(x.data(), 30, d, options, *SerialExecutor()).status().code(),
            StatusCode::kInvalidArgument);
  options.k = 2;
  options.metric = Metric::kHamming;
  EXPECT_EQ(TrainKMeans(x.data(), 30, d, options, *SerialExecutor()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(KMeansTest, CentroidsFromPartialsSplitsTheLargestCluster) {
  const size_t k = 3, d = 2;
  KMeansPartial partial;
  partial.sums = {0, 0, 20, 40, 4, 4};
  partial.counts = {0, 10, 4};
  const std::vector<float> previous = {9, 9, 9, 9, 9, 9};
  auto centroids = CentroidsFromPartials({partial}, previous, k, d, Metric::kL2, 1);
  ASSERT_TRUE(centroids.ok());
  const auto& c = *centroids;
  EXPECT_FLOAT_EQ(c[4], 1.0f);  // untouched mean
  for (size_t t = 0; t < d; ++t) {
    const float mean = t == 0 ? 2.0f : 4.0f;
    EXPECT_NEAR(c[t], mean, 0.02f);  // the split: mean +/- a small perturbation
    EXPECT_NEAR(c[d + t], mean, 0.02f);
    EXPECT_FLOAT_EQ(c[t] + c[d + t], 2 * mean);  // symmetric
    EXPECT_NE(c[t], c[d + t]);
  }
  // Too few rows to share: the previous centroid is kept.
  partial.counts = {0, 1, 1};
  centroids = CentroidsFromPartials({partial}, previous, k, d, Metric::kL2, 1);
  ASSERT_TRUE(centroids.ok());
  EXPECT_EQ((*centroids)[0], 9.0f);
  EXPECT_FALSE(CentroidsFromPartials({partial}, {1, 2}, k, d, Metric::kL2, 1).ok());
}

TEST(KMeansTest, DistributedRoundsEqualLocalTraining) {
  const size_t d = 10, n = 3000, k = 16;
  const auto x = Blobs(n, d, 16, 3.0f, 1.0f, 9);
  for (Metric metric : {Metric::kL2, Metric::kCosine, Metric::kDot}) {
    KMeansOptions options;
    options.k = k;
    options.metric = metric;
    options.tolerance = 0;
    options.max_iters = 0;
    auto init = TrainKMeans(x.data(), n, d, options, *SerialExecutor());
    ASSERT_TRUE(init.ok());
    options.max_iters = 4;
    auto local = TrainKMeans(x.data(), n, d, options, *MakeThreadPoolExecutor(2));
    ASSERT_TRUE(local.ok());

    // The coordinator's loop, over one split and over two.
    std::vector<float> one = init->centroids, two = init->centroids;
    auto executor = MakeThreadPoolExecutor(3);
    Executor& pool = *executor;
    for (int round = 0; round < 4; ++round) {
      KMeansPartial all, first, second;
      ASSERT_TRUE(AccumulatePartial(x.data(), n, d, one.data(), k, metric, pool, &all).ok());
      ASSERT_TRUE(AccumulatePartial(x.data(), 1800, d, two.data(), k, metric, pool, &first).ok());
      ASSERT_TRUE(
          AccumulatePartial(x.data() + 1800 * d, n - 1800, d, two.data(), k, metric, pool, &second)
              .ok());
      // Partials travel as bytes.
      auto first_copy = DeserializeKMeansPartial(SerializeKMeansPartial(first));
      ASSERT_TRUE(first_copy.ok());
      EXPECT_EQ(first_copy->sums, first.sums);
      EXPECT_EQ(first_copy->counts, first.counts);
      EXPECT_EQ(first_copy->objective, first.objective);
      one = *CentroidsFromPartials({all}, one, k, d, metric, 7);
      two = *CentroidsFromPartials({*first_copy, second}, two, k, d, metric, 7);
      EXPECT_NEAR(all.objective, first.objective + second.objective,
                  1e-9 * std::abs(all.objective));
    }
    EXPECT_EQ(one, local->centroids) << MetricName(metric);  // same split: identical
    for (size_t i = 0; i < one.size(); ++i) EXPECT_NEAR(two[i], one[i], 1e-5f);
  }
}

TEST(KMeansTest, PartialBytesRejectCorruption) {
  KMeansPartial partial;
  partial.sums = {1, 2, 3, 4};
  partial.counts = {1, 1};
  partial.objective = 2.5;
  std::string bytes = SerializeKMeansPartial(partial);
  EXPECT_TRUE(DeserializeKMeansPartial(bytes).ok());
  EXPECT_EQ(DeserializeKMeansPartial(bytes.substr(0, bytes.size() - 1)).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DeserializeKMeansPartial(bytes + "x").status().code(), StatusCode::kCorruption);
  bytes[0] ^= 1;
  EXPECT_EQ(DeserializeKMeansPartial(bytes).status().code(), StatusCode::kCorruption);
}

TEST(KMeansTest, TwoLevelIsCloseToFlat) {
  const size_t d = 16, n = 20000;
  const auto x = Blobs(n, d, 300, 2.0f, 1.0f, 10);
  KMeansOptions options;
  options.k = 200;
  options.max_iters = 10;
  options.hierarchical = KMeansHierarchy::kFlat;
  auto pool = MakeThreadPoolExecutor(2);
  auto flat = TrainKMeans(x.data(), n, d, options, *pool);
  options.hierarchical = KMeansHierarchy::kTwoLevel;
  auto two_level = TrainKMeans(x.data(), n, d, options, *pool);
  ASSERT_TRUE(flat.ok() && two_level.ok());
  ASSERT_EQ(two_level->centroids.size(), 200 * d);
  ASSERT_EQ(two_level->cluster_sizes.size(), 200u);
  int64_t total = 0;
  for (int64_t s : two_level->cluster_sizes) total += s;
  EXPECT_EQ(total, static_cast<int64_t>(n));
  EXPECT_LT(two_level->objective, 1.1 * flat->objective);
}

TEST(KMeansTest, BalancedEvensOutClusterSizes) {
  // One dense blob holding most rows next to sparse ones.
  const size_t d = 8;
  auto x = Blobs(4000, d, 1, 0.0f, 1.0f, 11);
  const auto sparse = Blobs(1000, d, 4, 3.0f, 1.0f, 12);
  x.insert(x.end(), sparse.begin(), sparse.end());
  const size_t n = x.size() / d;
  auto spread = [](const KMeansResult& r) {
    auto [lo, hi] = std::minmax_element(r.cluster_sizes.begin(), r.cluster_sizes.end());
    return static_cast<double>(*hi) / std::max<int64_t>(1, *lo);
  };
  KMeansOptions options;
  options.k = 10;
  options.max_iters = 30;
  auto plain = TrainKMeans(x.data(), n, d, options, *SerialExecutor());
  options.balanced = true;
  auto balanced = TrainKMeans(x.data(), n, d, options, *SerialExecutor());
  ASSERT_TRUE(plain.ok() && balanced.ok());
  EXPECT_LT(spread(*balanced), spread(*plain));
  EXPECT_LT(balanced->objective, 1.5 * plain->objective);
}

}  // namespace
}  // namespace ixray::vector
