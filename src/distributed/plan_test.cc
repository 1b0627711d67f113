#include "distributed/plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "distributed/distributed_test_util.h"
#include "distributed/work_unit.h"

namespace ixray::distributed {
namespace {

using ::ixray::testing::TempDir;

std::vector<std::pair<FragmentId, int64_t>> Items(const std::vector<int64_t>& rows) {
  std::vector<std::pair<FragmentId, int64_t>> out;
  for (size_t i = 0; i < rows.size(); ++i) out.emplace_back(static_cast<FragmentId>(i), rows[i]);
  return out;
}

int64_t Load(const std::vector<FragmentId>& group, const std::vector<int64_t>& rows) {
  int64_t total = 0;
  for (FragmentId f : group) total += rows[f];
  return total;
}

TEST(DistributedPlanTest, BalanceByRowsLargestFirstOntoLeastLoaded) {
  const std::vector<int64_t> rows = {10, 100, 40, 90, 30, 50};
  const auto groups = BalanceByRows(Items(rows), 3);
  ASSERT_EQ(groups.size(), 3u);
  std::vector<int64_t> loads;
  std::set<FragmentId> seen;
  for (const auto& g : groups) {
    EXPECT_FALSE(g.empty());
    EXPECT_TRUE(std::is_sorted(g.begin(), g.end()));
    loads.push_back(Load(g, rows));
    for (FragmentId f : g) EXPECT_TRUE(seen.insert(f).second) << "fragment twice: " << f;
  }
  EXPECT_EQ(seen.size(), rows.size());
  // Greedy by hand: 100 | 90 | 50; 40 -> the 50 group; 30 -> the first 90 group; 10 -> 90.
  EXPECT_EQ(groups[0], (std::vector<FragmentId>{1}));
  EXPECT_EQ(groups[1], (std::vector<FragmentId>{3, 4}));
  EXPECT_EQ(groups[2], (std::vector<FragmentId>{0, 2, 5}));
  EXPECT_EQ(loads, (std::vector<int64_t>{100, 120, 100}));
  EXPECT_EQ(std::accumulate(loads.begin(), loads.end(), int64_t{0}), 320);
}

TEST(DistributedPlanTest, BalanceByRowsClampsWorkers) {
  const std::vector<int64_t> rows = {5, 5, 5};
  EXPECT_EQ(BalanceByRows(Items(rows), 10).size(), 3u);  // at most one per fragment
  EXPECT_EQ(BalanceByRows(Items(rows), 0).size(), 1u);   // at least one
  EXPECT_EQ(BalanceByRows(Items(rows), -4).size(), 1u);
  EXPECT_EQ(BalanceByRows(Items(rows), 1)[0], (std::vector<FragmentId>{0, 1, 2}));
  EXPECT_TRUE(BalanceByRows({}, 4).empty());
  // Equal rows: ties go by id onto the lowest group.
  const auto groups = BalanceByRows(Items({7, 7, 7, 7}), 2);
  EXPECT_EQ(groups[0], (std::vector<FragmentId>{0, 2}));
  EXPECT_EQ(groups[1], (std::vector<FragmentId>{1, 3}));
}

TEST(DistributedPlanTest, PlanIndexBuildPinsTheVersion) {
  TempDir dir;
  auto v1 = testing::WriteVectors(dir.path(), 0, 500, 100, WriteMode::kCreate, 1);
  auto plan = PlanIndexBuild(*v1, {}, 8);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->version, v1->version());
  EXPECT_EQ(plan->workers.size(), 5u);  // clamped to the fragment count
  EXPECT_EQ(std::accumulate(plan->rows.begin(), plan->rows.end(), int64_t{0}), 500);
  // A later append does not change what a plan at v1 covers.
  auto v2 = testing::WriteVectors(dir.path(), 500, 100, 100, WriteMode::kAppend, 2);
  ASSERT_GT(v2->version(), v1->version());
  auto again = PlanIndexBuild(*v1, {}, 2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, v1->version());
  size_t fragments = 0;
  for (const auto& w : again->workers) fragments += w.size();
  EXPECT_EQ(fragments, 5u);
  // A fragment subset, and bad subsets.
  auto subset = PlanIndexBuild(*v2, {5, 1}, 4);
  ASSERT_TRUE(subset.ok());
  EXPECT_EQ(subset->workers.size(), 2u);
  EXPECT_EQ(PlanIndexBuild(*v1, {5}, 2).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanIndexBuild(*v1, {1, 1}, 2).status().code(), StatusCode::kInvalidArgument);
}

TEST(DistributedPlanTest, WorkUnitsRoundTrip) {
  WorkUnit train;
  train.uri = "/data/x";
  train.version = 7;
  train.index = 3;
  train.kind = UnitKind::kTrainShare;
  train.train = {"vec", 2, {1, 5, 9}};
  auto decoded = DecodeWorkUnit(EncodeWorkUnit(train));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->uri, "/data/x");
  EXPECT_EQ(decoded->version, 7u);
  EXPECT_EQ(decoded->index, 3u);
  EXPECT_EQ(decoded->kind, UnitKind::kTrainShare);
  EXPECT_EQ(decoded->train.positions, (std::vector<uint64_t>{1, 5, 9}));
  EXPECT_EQ(decoded->train.metric, 2);

  WorkUnit build;
  build.kind = UnitKind::kBuildSegment;
  build.build = {"vec", {4, 2}, "01234567-89ab-cdef-0123-456789abcdef", 0xfeedbeefULL};
  decoded = DecodeWorkUnit(EncodeWorkUnit(build));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->kind, UnitKind::kBuildSegment);
  EXPECT_EQ(decoded->build.fragment_ids, (std::vector<FragmentId>{4, 2}));
  EXPECT_EQ(decoded->build.segment_uuid, build.build.segment_uuid);
  EXPECT_EQ(decoded->build.model_digest, 0xfeedbeefULL);

  WorkUnit search;
  search.kind = UnitKind::kSearchShard;
  search.search.query.column = "vec";
  search.search.query.q = {1.5f, -2.0f};
  search.search.query.k = 12;
  search.search.query.metric = "cosine";
  search.search.query.minimum_nprobes = 4;
  search.search.query.distance_upper = 0.5f;
  search.search.indexed = true;
  search.search.segment_uuids = {"a", "b"};
  search.search.filter = "id > 3";
  search.search.prefilter = true;
  decoded = DecodeWorkUnit(EncodeWorkUnit(search));
  ASSERT_TRUE(decoded.ok());
  const auto& q = decoded->search.query;
  EXPECT_EQ(q.q, (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(q.k, 12);
  EXPECT_EQ(q.metric, "cosine");
  EXPECT_EQ(q.minimum_nprobes, 4);
  EXPECT_FALSE(q.nprobes.has_value());
  EXPECT_FALSE(q.distance_lower.has_value());
  EXPECT_EQ(q.distance_upper, 0.5f);
  EXPECT_TRUE(decoded->search.indexed);
  EXPECT_EQ(decoded->search.segment_uuids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(decoded->search.filter, "id > 3");
  EXPECT_TRUE(decoded->search.prefilter);

  WorkUnit pq;
  pq.kind = UnitKind::kTrainPq;
  pq.train_pq = {{2, 3}, 4, 4, 17, 99};
  decoded = DecodeWorkUnit(EncodeWorkUnit(pq));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->kind, UnitKind::kTrainPq);
  EXPECT_EQ(decoded->train_pq.sub_spaces, (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(decoded->train_pq.num_sub_vectors, 4);
  EXPECT_EQ(decoded->train_pq.num_bits, 4);
  EXPECT_EQ(decoded->train_pq.max_iters, 17);
  EXPECT_EQ(decoded->train_pq.seed, 99u);

  uint32_t k = 0, d = 0;
  auto centroids = DecodeCentroids(EncodeCentroids({1, 2, 3, 4, 5, 6}, 3, 2), &k, &d);
  ASSERT_TRUE(centroids.ok());
  EXPECT_EQ(k, 3u);
  EXPECT_EQ(d, 2u);
  EXPECT_EQ(*centroids, (std::vector<float>{1, 2, 3, 4, 5, 6}));

  SearchShardResult result{{3, 1}, {0.25f, 0.5f}, "plan"};
  auto back = DecodeSearchResult(EncodeSearchResult(result));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->addresses, result.addresses);
  EXPECT_EQ(back->distances, result.distances);
  EXPECT_EQ(back->plan, "plan");
}

TEST(DistributedPlanTest, MalformedBytesAreRefused) {
  WorkUnit unit;
  unit.kind = UnitKind::kBuildSegment;
  const std::string bytes = EncodeWorkUnit(unit);
  EXPECT_EQ(DecodeWorkUnit("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeWorkUnit("garbage bytes").status().code(), StatusCode::kInvalidArgument);
  std::string wrong_version = bytes;
  wrong_version[4] = 9;
  EXPECT_EQ(DecodeWorkUnit(wrong_version).status().code(), StatusCode::kInvalidArgument);
  // A work unit is not a search result, and centroids must fit k x d.
  EXPECT_EQ(DecodeSearchResult(bytes).status().code(), StatusCode::kInvalidArgument);
  uint32_t k, d;
  EXPECT_FALSE(DecodeCentroids(EncodeCentroids({1, 2, 3}, 2, 2), &k, &d).ok());
  // Truncated protobuf payload.
  WorkUnit search;
  search.kind = UnitKind::kSearchShard;
  search.search.query.column = "a fairly long column name";
  const std::string full = EncodeWorkUnit(search);
  EXPECT_FALSE(DecodeWorkUnit(full.substr(0, full.size() - 5)).ok());
}

}  // namespace
}  // namespace ixray::distributed
