#include "index/vector/hnsw.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "format/byte_coding.h"
#include "format/data_file_format.h"
#include "ixray/executor.h"

namespace ixray::vector {
namespace {

// n vectors of `dim` floats around `clusters` random centers, row-major.
std::vector<float> ClusteredVectors(size_t n, size_t dim, size_t clusters, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> center(-1.0f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 0.25f);
  std::vector<float> centers(clusters * dim);
  for (float& c : centers) c = center(rng);
  std::vector<float> data(n * dim);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = rng() % clusters;
    for (size_t j = 0; j < dim; ++j) data[i * dim + j] = centers[c * dim + j] + noise(rng);
  }
  return data;
}

// The exact top k by plain loops, the oracle for the graph.
std::vector<Neighbor> BruteForce(const std::vector<float>& data, size_t dim, const float* query,
                                 FlatMetric metric, size_t k,
                                 const std::function<bool(uint32_t)>& pass = nullptr) {
  std::vector<Neighbor> all;
  for (uint32_t i = 0; i < data.size() / dim; ++i) {
    if (pass && !pass(i)) continue;
    float d = 0;
    for (size_t j = 0; j < dim; ++j) {
      const float a = query[j], b = data[i * dim + j];
      d += metric == FlatMetric::kL2 ? (a - b) * (a - b) : a * b;
    }
    all.push_back({metric == FlatMetric::kL2 ? d : 1.0f - d, i});
  }
  std::sort(all.begin(), all.end());
  all.resize(std::min(k, all.size()));
  return all;
}

struct Workload {
  size_t dim;
  std::vector<float> data;
  std::vector<float> queries;
};

// `n` data vectors and `queries` other vectors from the same clusters.
Workload MakeWorkload(size_t n, size_t dim, size_t queries) {
  std::vector<float> all = ClusteredVectors(n + queries, dim, 50, 7);
  const auto split = all.begin() + static_cast<ptrdiff_t>(n * dim);
  return {dim, std::vector<float>(all.begin(), split), std::vector<float>(split, all.end())};
}

double Recall(const HnswGraph& graph, const FlatDistance& distance, const Workload& w,
              FlatMetric metric, size_t k, size_t ef) {
  size_t hits = 0, total = 0;
  std::vector<Neighbor> found;
  for (size_t q = 0; q < w.queries.size() / w.dim; ++q) {
    const float* query = &w.queries[q * w.dim];
    graph.Search(*distance.FromQuery(query), k, ef, nullptr, &found);
    EXPECT_EQ(found.size(), k);
    EXPECT_TRUE(std::is_sorted(found.begin(), found.end()));
    std::set<uint32_t> truth;
    for (const auto& [d, id] : BruteForce(w.data, w.dim, query, metric, k)) truth.insert(id);
    for (const auto& [d, id] : found) hits += truth.count(id);
    total += k;
  }
  return static_cast<double>(hits) / static_cast<double>(total);
}

HnswParams TestParams() {
  HnswParams params;
  params.m = 16;
  params.ef_construction = 100;
  return params;
}

TEST(HnswTest, RecallL2AndDot) {
  const Workload w = MakeWorkload(5000, 32, 200);
  for (const FlatMetric metric : {FlatMetric::kL2, FlatMetric::kDot}) {
    FlatDistance distance(w.data.data(), 5000, 32, metric);
    auto graph = HnswGraph::Build(distance, TestParams());
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    EXPECT_EQ(graph->size(), 5000u);
    const double recall = Recall(*graph, distance, w, metric, 10, 64);
    EXPECT_GE(recall, 0.95) << (metric == FlatMetric::kL2 ? "l2" : "dot");
  }
}

TEST(HnswTest, GraphInvariants) {
  const Workload w = MakeWorkload(2000, 8, 0);
  FlatL2Distance distance(w.data.data(), 2000, 8);
  auto graph = HnswGraph::Build(distance, TestParams());
  ASSERT_TRUE(graph.ok());
  ASSERT_GE(graph->max_level(), 1);
  EXPECT_EQ(graph->level(graph->entry_point()), graph->max_level());
  for (uint32_t node = 0; node < graph->size(); ++node) {
    for (int level = 0; level <= graph->level(node); ++level) {
      const auto list = graph->Neighbors(node, level);
      EXPECT_LE(list.size(), level == 0 ? 32u : 16u);
      if (level == 0) {
        EXPECT_FALSE(list.empty()) << node;
      }
      std::set<uint32_t> unique(list.begin(), list.end());
      EXPECT_EQ(unique.size(), list.size());
      for (const uint32_t id : list) {
        EXPECT_NE(id, node);
        EXPECT_GE(graph->level(id), level);
      }
    }
  }
}

TEST(HnswTest, FilteredSearch) {
  const Workload w = MakeWorkload(5000, 32, 50);
  FlatL2Distance distance(w.data.data(), 5000, 32);
  auto graph = HnswGraph::Build(distance, TestParams());
  ASSERT_TRUE(graph.ok());
  const std::function<bool(uint32_t)> half = [](uint32_t id) { return id % 2 == 0; };
  const std::function<bool(uint32_t)> rare = [](uint32_t id) { return id % 125 == 3; };  // 40
  const std::function<bool(uint32_t)> few = [](uint32_t id) { return id % 1000 == 1; };  // 5
  std::vector<Neighbor> found;
  size_t hits = 0;
  for (size_t q = 0; q < 50; ++q) {
    const float* query = &w.queries[q * 32];
    const auto qd = distance.FromQuery(query);

    graph->Search(*qd, 10, 64, &half, &found);
    ASSERT_EQ(found.size(), 10u);
    const auto half_truth = BruteForce(w.data, 32, query, FlatMetric::kL2, 10, half);
    for (const auto& [d, id] : found) {
      EXPECT_TRUE(half(id));
      hits += std::count_if(half_truth.begin(), half_truth.end(),
                            [&](const Neighbor& t) { return t.second == id; });
    }

    // Selective filters: exactly the filtered top-k, or all passing nodes.
    graph->Search(*qd, 10, 64, &rare, &found);
    const auto rare_truth = BruteForce(w.data, 32, query, FlatMetric::kL2, 10, rare);
    ASSERT_EQ(found.size(), 10u);
    for (size_t i = 0; i < 10; ++i) EXPECT_EQ(found[i].second, rare_truth[i].second);

    graph->Search(*qd, 10, 64, &few, &found);
    const auto few_truth = BruteForce(w.data, 32, query, FlatMetric::kL2, 10, few);
    ASSERT_EQ(found.size(), 5u);
    for (size_t i = 0; i < 5; ++i) EXPECT_EQ(found[i].second, few_truth[i].second);
  }
  EXPECT_GE(static_cast<double>(hits) / 500.0, 0.95);

  // A filter passing everything changes nothing.
  const std::function<bool(uint32_t)> all = [](uint32_t) { return true; };
  std::vector<Neighbor> unfiltered;
  for (size_t q = 0; q < 50; ++q) {
    const auto qd = distance.FromQuery(&w.queries[q * 32]);
    graph->Search(*qd, 10, 64, &all, &found);
    graph->Search(*qd, 10, 64, nullptr, &unfiltered);
    EXPECT_EQ(found, unfiltered);
  }

  const std::function<bool(uint32_t)> none = [](uint32_t) { return false; };
  graph->Search(*distance.FromQuery(&w.queries[0]), 10, 64, &none, &found);
  EXPECT_TRUE(found.empty());
}

TEST(HnswTest, TinyGraphs) {
  const std::vector<float> data = {0, 0, 1, 0, 5, 5};
  const float query[2] = {0.9f, 0.1f};
  std::vector<Neighbor> found;
  for (size_t n = 0; n <= 3; ++n) {
    FlatL2Distance distance(data.data(), n, 2);
    auto graph = HnswGraph::Build(distance, HnswParams());
    ASSERT_TRUE(graph.ok());
    EXPECT_EQ(graph->size(), n);
    EXPECT_EQ(graph->max_level(), n == 0 ? -1 : graph->level(graph->entry_point()));
    graph->Search(*distance.FromQuery(query), 5, 10, nullptr, &found);
    ASSERT_EQ(found.size(), n);
    if (n >= 2) {
      EXPECT_EQ(found[0].second, 1u);
      EXPECT_EQ(found[1].second, 0u);
      EXPECT_FLOAT_EQ(found[0].first, 0.01f + 0.01f);
    }
    graph->Search(*distance.FromQuery(query), 0, 10, nullptr, &found);
    EXPECT_TRUE(found.empty());

    std::string bytes;
    graph->Serialize(&bytes);
    auto copy = HnswGraph::Deserialize(bytes);
    ASSERT_TRUE(copy.ok()) << copy.status().ToString();
    EXPECT_EQ(copy->size(), n);
    copy->Search(*distance.FromQuery(query), 5, 10, nullptr, &found);
    EXPECT_EQ(found.size(), n);
  }
}

TEST(HnswTest, InvalidParams) {
  const std::vector<float> data(8);
  FlatL2Distance distance(data.data(), 4, 2);
  HnswParams params;
  params.m = 1;
  EXPECT_EQ(HnswGraph::Build(distance, params).status().code(), StatusCode::kInvalidArgument);
  params.m = 16;
  params.ef_construction = 0;
  EXPECT_EQ(HnswGraph::Build(distance, params).status().code(), StatusCode::kInvalidArgument);
}

TEST(HnswTest, MaxLevelCap) {
  const Workload w = MakeWorkload(1000, 4, 0);
  FlatL2Distance distance(w.data.data(), 1000, 4);
  HnswParams params = TestParams();
  params.m = 2;  // tall graphs: P(level >= l) = 2^-l
  params.max_level = 1;
  auto graph = HnswGraph::Build(distance, params);
  ASSERT_TRUE(graph.ok());
  EXPECT_EQ(graph->max_level(), 1);
}

TEST(HnswTest, SerialBuildIsDeterministic) {
  const Workload w = MakeWorkload(1000, 16, 0);
  FlatL2Distance distance(w.data.data(), 1000, 16);
  std::string a, b;
  auto first = HnswGraph::Build(distance, TestParams());
  auto second = HnswGraph::Build(distance, TestParams(), SerialExecutor().get());
  ASSERT_TRUE(first.ok() && second.ok());
  first->Serialize(&a);
  second->Serialize(&b);
  EXPECT_EQ(a, b);
}

TEST(HnswTest, ParallelBuildMatchesSerialRecall) {
  const Workload w = MakeWorkload(5000, 32, 200);
  FlatL2Distance distance(w.data.data(), 5000, 32);
  auto serial = HnswGraph::Build(distance, TestParams());
  auto pool = MakeThreadPoolExecutor(4);
  auto parallel = HnswGraph::Build(distance, TestParams(), pool.get());
  ASSERT_TRUE(serial.ok() && parallel.ok());
  const double serial_recall = Recall(*serial, distance, w, FlatMetric::kL2, 10, 64);
  const double parallel_recall = Recall(*parallel, distance, w, FlatMetric::kL2, 10, 64);
  EXPECT_NEAR(parallel_recall, serial_recall, 0.02);
  EXPECT_GE(parallel_recall, 0.95);
}

TEST(HnswTest, ConcurrentSearchesMatchSerial) {
  const Workload w = MakeWorkload(2000, 16, 64);
  FlatL2Distance distance(w.data.data(), 2000, 16);
  auto graph = HnswGraph::Build(distance, TestParams());
  ASSERT_TRUE(graph.ok());
  const std::function<bool(uint32_t)> third = [](uint32_t id) { return id % 3 == 0; };
  std::vector<std::vector<Neighbor>> serial(64), parallel(64);
  for (size_t q = 0; q < 64; ++q) {
    graph->Search(*distance.FromQuery(&w.queries[q * 16]), 10, 32, q % 2 ? &third : nullptr,
                  &serial[q]);
  }
  auto pool = MakeThreadPoolExecutor(4);
  ASSERT_TRUE(pool->ParallelFor(64,
                                [&](int64_t q) {
                                  graph->Search(*distance.FromQuery(&w.queries[q * 16]), 10, 32,
                                                q % 2 ? &third : nullptr, &parallel[q]);
                                  return Status::OK();
                                })
                  .ok());
  EXPECT_EQ(parallel, serial);
}

TEST(HnswTest, SerializeRoundTrip) {
  const Workload w = MakeWorkload(3000, 16, 50);
  FlatL2Distance distance(w.data.data(), 3000, 16);
  auto graph = HnswGraph::Build(distance, TestParams());
  ASSERT_TRUE(graph.ok());
  std::string bytes = "prefix";  // Serialize appends
  graph->Serialize(&bytes);
  auto copy = HnswGraph::Deserialize(std::string_view(bytes).substr(6));
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(copy->size(), graph->size());
  EXPECT_EQ(copy->m(), 16u);
  EXPECT_EQ(copy->ef_construction(), 100u);
  EXPECT_EQ(copy->max_level(), graph->max_level());
  EXPECT_EQ(copy->entry_point(), graph->entry_point());
  std::string again;
  copy->Serialize(&again);
  EXPECT_EQ(again, bytes.substr(6));

  HnswGraph moved = std::move(*copy);
  EXPECT_EQ(copy->size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
  std::vector<Neighbor> none;
  copy->Search(*distance.FromQuery(w.queries.data()), 10, 32, nullptr, &none);
  EXPECT_TRUE(none.empty());
  *copy = std::move(moved);

  std::vector<Neighbor> a, b;
  const std::function<bool(uint32_t)> odd = [](uint32_t id) { return id % 2 == 1; };
  for (size_t q = 0; q < 50; ++q) {
    const auto qd = distance.FromQuery(&w.queries[q * 16]);
    graph->Search(*qd, 10, 32, nullptr, &a);
    copy->Search(*qd, 10, 32, nullptr, &b);
    EXPECT_EQ(a, b);
    graph->Search(*qd, 10, 32, &odd, &a);
    copy->Search(*qd, 10, 32, &odd, &b);
    EXPECT_EQ(a, b);
  }
}

// Every damaged byte string must give Corruption or a graph that searches
// safely: with the checksum left stale (caught by it), and recomputed (so
// the structural checks alone must catch the damage).
TEST(HnswTest, CorruptBytes) {
  const Workload w = MakeWorkload(40, 4, 1);
  FlatL2Distance distance(w.data.data(), 40, 4);
  HnswParams params;
  params.m = 3;
  auto graph = HnswGraph::Build(distance, params);
  ASSERT_TRUE(graph.ok());
  std::string bytes;
  graph->Serialize(&bytes);
  ASSERT_GT(graph->max_level(), 0);

  const auto reseal = [](std::string* b) {
    const size_t body = b->size() - 8;
    format::StoreLittleEndian(reinterpret_cast<uint8_t*>(b->data() + body),
                              format::Checksum(std::string_view(*b).substr(0, body)));
  };
  const auto check = [&](const std::string& damaged, bool expect_error) {
    auto result = HnswGraph::Deserialize(damaged);
    if (!result.ok()) {
      EXPECT_EQ(result.status().code(), StatusCode::kCorruption) << result.status().ToString();
      return;
    }
    EXPECT_FALSE(expect_error);
    std::vector<Neighbor> found;
    result->Search(*distance.FromQuery(w.queries.data()), 5, 8, nullptr, &found);
    EXPECT_LE(found.size(), 5u);
  };
  size_t structural_errors = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (const uint8_t flip : {0x01, 0x80, 0xff}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ flip);
      check(damaged, /*expect_error=*/true);
      if (i + 8 < bytes.size()) {
        reseal(&damaged);
        check(damaged, /*expect_error=*/false);
        structural_errors += !HnswGraph::Deserialize(damaged).ok();
      }
    }
  }
  EXPECT_GT(structural_errors, bytes.size());  // most damage is caught without the checksum
  for (size_t size = 0; size < bytes.size(); ++size) check(bytes.substr(0, size), true);
  check(bytes + "x", true);
}

TEST(HnswTest, FlatDistanceMatchesPlainLoops) {
  const Workload w = MakeWorkload(64, 19, 1);
  for (const FlatMetric metric : {FlatMetric::kL2, FlatMetric::kDot}) {
    FlatDistance distance(w.data.data(), 64, 19, metric);
    const auto truth = BruteForce(w.data, 19, &w.data[5 * 19], metric, 64);
    for (const auto& [d, id] : truth) {
      EXPECT_NEAR(distance.Between(5, id), d, 1e-4);
      EXPECT_NEAR(distance.FromNode(5)->To(id), d, 1e-4);
    }
    std::vector<uint32_t> ids = {0, 63, 5, 17};
    std::vector<float> out(4);
    distance.BetweenMany(5, ids.data(), ids.size(), out.data());
    for (size_t i = 0; i < ids.size(); ++i) EXPECT_FLOAT_EQ(out[i], distance.Between(5, ids[i]));
  }
}

}  // namespace
}  // namespace ixray::vector
