#include "distributed/coordinator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "dataset/dataset_impl.h"
#include "distributed/distributed_test_util.h"
#include "distributed/work_unit.h"
#include "index/vector/ivf_model.h"
#include "search/vector_search.h"

namespace ixray::distributed {
namespace {

using ::ixray::testing::TempDir;

std::set<std::string> SegmentDirs(const std::string& uri) {
  std::set<std::string> out;
  const auto dir = std::filesystem::path(uri) / "_indices";
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.insert(e.path().filename());
  return out;
}

VectorIndexParams Params(const std::string& type, const std::string& metric) {
  VectorIndexParams p;
  p.index_type = type;
  p.metric = metric;
  p.num_partitions = 6;
  p.num_sub_vectors = 2;
  p.sample_rate = 64;
  p.max_iters = 20;
  return p;
}

struct Rows {
  std::vector<uint64_t> ids;
  std::vector<float> distances;
};

Rows Collect(const RecordBatch& batch) {
  Rows r;
  const auto ids = batch.GetColumnByName("_rowid");
  const auto d = batch.GetColumnByName("_distance");
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    r.ids.push_back(ids->Value<uint64_t>(i));
    r.distances.push_back(d->Value<float>(i));
  }
  return r;
}

// The single-process answer: Dataset::Scan with `nearest`.
Rows Local(const Dataset& ds, const ScanOptions& options) {
  auto batch = ixray::testing::ReadAllRows(ds, options);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return Collect(**batch);
}

class CoordinatorTest : public ::testing::Test {
 protected:
  std::shared_ptr<Executor> pool_ = MakeThreadPoolExecutor(2);
  WorkerCache cache_;
  LocalRunner runner_{*pool_, cache_};
};

TEST_F(CoordinatorTest, OneShareTrainsTheSameModelAsLocalTraining) {
  TempDir dir;
  auto ds = testing::WriteVectors(dir.path(), 0, 1200, 300, WriteMode::kCreate, 3);
  for (const char* metric : {"l2", "cosine", "dot"}) {
    for (const char* type : {"IVF_FLAT", "IVF_PQ", "IVF_SQ"}) {
      const auto params = Params(type, metric);
      auto local = TrainVectorIndex(*ds, "vec", params, *pool_);
      ASSERT_TRUE(local.ok()) << local.status().ToString();
      auto one = TrainVectorIndexDistributed(*ds, "vec", params, 1, runner_, *pool_);
      ASSERT_TRUE(one.ok()) << one.status().ToString();
      EXPECT_EQ(*one, *local) << type << " " << metric;
      // Several shares: the same centroids up to the rounding of the sums.
      auto four = TrainVectorIndexDistributed(*ds, "vec", params, 4, runner_, *pool_);
      ASSERT_TRUE(four.ok()) << four.status().ToString();
      auto a = vector::IvfModel::Deserialize(*local);
      auto b = vector::IvfModel::Deserialize(*four);
      ASSERT_TRUE(a.ok() && b.ok());
      ASSERT_EQ(a->centroids.size(), b->centroids.size());
      for (size_t i = 0; i < a->centroids.size(); ++i) {
        EXPECT_NEAR(a->centroids[i], b->centroids[i], 1e-3) << type << " " << metric;
      }
    }
  }
}

TEST_F(CoordinatorTest, UserCentroidsAreUsedAsGiven) {
  TempDir dir;
  auto ds = testing::WriteVectors(dir.path(), 0, 600, 200, WriteMode::kCreate, 4);
  auto params = Params("IVF_FLAT", "l2");
  params.num_partitions.reset();
  for (int c = 0; c < 3; ++c) {
    for (int j = 0; j < testing::kDim; ++j) params.ivf_centroids.push_back(float(c + j));
  }
  auto model = TrainVectorIndexDistributed(*ds, "vec", params, 3, runner_, *pool_);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto m = vector::IvfModel::Deserialize(*model);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->centroids, params.ivf_centroids);
}

// PQ sub-quantizers trained on any number of workers: the codebook local
// training makes (with IVF centroids given, the residuals are the same).
TEST_F(CoordinatorTest, PqTrainedOnWorkersEqualsLocalTraining) {
  TempDir dir;
  auto ds = testing::WriteVectors(dir.path(), 0, 900, 300, WriteMode::kCreate, 5);
  for (const char* metric : {"l2", "cosine"}) {
    auto params = Params("IVF_PQ", metric);
    params.num_partitions.reset();
    params.num_sub_vectors = 4;
    params.num_bits = 4;
    for (int c = 0; c < 3; ++c) {
      for (int j = 0; j < testing::kDim; ++j) params.ivf_centroids.push_back(float(c - j) / 8);
    }
    auto local = TrainVectorIndex(*ds, "vec", params, *pool_);
    ASSERT_TRUE(local.ok()) << local.status().ToString();
    for (int workers : {1, 2, 3, 4, 9}) {
      auto got = TrainVectorIndexDistributed(*ds, "vec", params, workers, runner_, *pool_);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, *local) << metric << " " << workers << " workers";
    }
  }
}

// A distributed build (several segments) searched shard by shard gives the
// rows and distances of the single-process index and search.
TEST_F(CoordinatorTest, DistributedBuildAndSearchMatchSingleProcess) {
  for (const char* metric : {"l2", "cosine", "dot"}) {
    TempDir local_dir, dist_dir;
    auto local = testing::WriteVectors(local_dir.path(), 0, 1500, 250, WriteMode::kCreate, 5);
    auto dist = testing::WriteVectors(dist_dir.path(), 0, 1500, 250, WriteMode::kCreate, 5);
    const auto params = Params("IVF_PQ", metric);
    auto indexed_local = CreateVectorIndex(*local, "vec", params, "", true, {}, *pool_);
    ASSERT_TRUE(indexed_local.ok()) << indexed_local.status().ToString();
    auto indexed_dist =
        CreateVectorIndexDistributed(*dist, "vec", params, "", true, {}, 3, runner_, *pool_);
    ASSERT_TRUE(indexed_dist.ok()) << indexed_dist.status().ToString();
    const auto info = DescribeIndices(**indexed_dist);
    ASSERT_EQ(info.size(), 1u);
    EXPECT_EQ(info[0].name, "vec_idx");
    EXPECT_EQ(info[0].segments.size(), 3u);
    // Unindexed rows too: one appended fragment in each.
    local = testing::WriteVectors(local_dir.path(), 1500, 200, 250, WriteMode::kAppend, 6);
    dist = testing::WriteVectors(dist_dir.path(), 1500, 200, 250, WriteMode::kAppend, 6);
    for (uint64_t seed = 0; seed < 4; ++seed) {
      for (bool fast : {false, true}) {
        ScanOptions scan;
        scan.nearest = VectorQuery{};
        scan.nearest->column = "vec";
        scan.nearest->q = testing::Query(seed);
        scan.nearest->k = 15;
        scan.with_row_id = true;
        scan.fast_search = fast;
        if (seed == 3) scan.nearest->refine_factor = 2;
        VectorSearchOptions options;
        options.scan = scan;
        options.num_workers = 2;
        auto got = VectorSearchDistributed(*dist, options, runner_);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        // The same index searched in one process...
        const Rows same = Local(*dist, scan);
        const Rows have = Collect(**got);
        EXPECT_EQ(have.ids, same.ids) << metric << " seed " << seed << " fast " << fast;
        EXPECT_EQ(have.distances, same.distances) << metric << " seed " << seed;
        EXPECT_EQ(have.ids.size(), 15u);
        // ...and the single-segment local index (same model, same codes). With
        // refine_factor, more segments mean more candidates re-ranked, so
        // results may only get better there.
        const Rows want = Local(*local, scan);
        if (!scan.nearest->refine_factor) {
          EXPECT_EQ(have.ids, want.ids) << metric << " seed " << seed << " fast " << fast;
          EXPECT_EQ(have.distances, want.distances) << metric << " seed " << seed;
        } else {
          for (size_t i = 0; i < have.distances.size(); ++i) {
            EXPECT_LE(have.distances[i], want.distances[i]);
          }
        }
      }
    }
  }
}

TEST_F(CoordinatorTest, FiltersMatchSingleProcess) {
  TempDir dir;
  auto ds = testing::WriteVectors(dir.path(), 0, 1000, 200, WriteMode::kCreate, 7);
  auto indexed = CreateVectorIndexDistributed(*ds, "vec", Params("IVF_FLAT", "l2"), "", true, {}, 2,
                                              runner_, *pool_);
  ASSERT_TRUE(indexed.ok());
  ds = testing::WriteVectors(dir.path(), 1000, 300, 300, WriteMode::kAppend, 8);
  for (bool prefilter : {false, true}) {
    ScanOptions scan;
    scan.nearest = VectorQuery{};
    scan.nearest->column = "vec";
    scan.nearest->q = testing::Query(11);
    scan.nearest->k = 20;
    scan.filter = "id >= 400 AND id < 1200";
    scan.prefilter = prefilter;
    scan.with_row_id = true;
    scan.columns = {"id"};
    VectorSearchOptions options;
    options.scan = scan;
    options.num_workers = 3;
    options.oversample_factor = 1.5;
    auto got = VectorSearchDistributed(*ds, options, runner_);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    const Rows want = Local(*ds, scan);
    EXPECT_EQ(Collect(**got).ids, want.ids) << "prefilter " << prefilter;
    EXPECT_EQ((*got)->schema()->field(0)->name, "id");
    if (prefilter) EXPECT_EQ(want.ids.size(), 20u);
  }
}

TEST_F(CoordinatorTest, SearchPlanKeepsSegmentsWhole) {
  TempDir dir;
  auto ds = testing::WriteVectors(dir.path(), 0, 1200, 200, WriteMode::kCreate, 9);
  auto indexed = CreateVectorIndexDistributed(*ds, "vec", Params("IVF_FLAT", "dot"), "my_idx", true,
                                              {}, 3, runner_, *pool_);
  ASSERT_TRUE(indexed.ok());
  ds = testing::WriteVectors(dir.path(), 1200, 400, 200, WriteMode::kAppend, 10);
  VectorSearchOptions options;
  options.scan.nearest = VectorQuery{};
  options.scan.nearest->column = "vec";
  options.scan.nearest->q = testing::Query(1);
  options.scan.nearest->k = 10;
  options.num_workers = 2;
  options.oversample_factor = 2.5;
  auto plan = PlanVectorSearch(*ds, options);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->index_name, "my_idx");
  EXPECT_EQ(plan->metric, "dot");
  EXPECT_EQ(plan->shard_k, 25);
  std::set<std::string> segments;
  std::set<FragmentId> flat;
  int indexed_shards = 0;
  for (const auto& shard : plan->shards) {
    if (shard.indexed) {
      ++indexed_shards;
      for (const auto& u : shard.segment_uuids) EXPECT_TRUE(segments.insert(u).second);
    } else {
      flat.insert(shard.fragment_ids.begin(), shard.fragment_ids.end());
    }
  }
  EXPECT_EQ(indexed_shards, 2);
  EXPECT_EQ(segments.size(), 3u);  // three segments in two shards, none split
  EXPECT_EQ(flat, (std::set<FragmentId>{6, 7}));
  options.include_unindexed = false;
  EXPECT_EQ(PlanVectorSearch(*ds, options)->shards.size(), 2u);
  options.include_unindexed = true;
  options.scan.fast_search = true;
  EXPECT_EQ(PlanVectorSearch(*ds, options)->shards.size(), 2u);
  // Errors.
  options.oversample_factor = 0.5;
  EXPECT_EQ(PlanVectorSearch(*ds, options).status().code(), StatusCode::kInvalidArgument);
  options.oversample_factor = 1;
  options.index_name = "nope";
  EXPECT_EQ(PlanVectorSearch(*ds, options).status().code(), StatusCode::kInvalidArgument);
  options.index_name = "";
  options.scan.nearest->metric = "l2";
  EXPECT_EQ(PlanVectorSearch(*ds, options).status().code(), StatusCode::kInvalidArgument);
  options.scan.nearest->metric = "";
  auto analysis = AnalyzeVectorSearch(*ds, options, runner_);
  ASSERT_TRUE(analysis.ok());
  EXPECT_NE(analysis->find("shard 1: indexed"), std::string::npos) << *analysis;
}

// Fails one build unit after it ran (its segment is on disk), every time.
class FailingRunner final : public UnitRunner {
 public:
  explicit FailingRunner(UnitRunner& inner) : inner_(inner) {}
  Result<std::vector<std::string>> Run(const std::string& step,
                                       const std::vector<std::string>& units,
                                       const std::string& shared) override {
    IXRAY_ASSIGN_OR_RAISE(auto answers, inner_.Run(step, units, shared));
    if (step == "build") return Status::IOError("worker 1 lost");
    return answers;
  }

 private:
  UnitRunner& inner_;
};

TEST_F(CoordinatorTest, FailedBuildLeavesNoTrace) {
  TempDir dir;
  auto ds = testing::WriteVectors(dir.path(), 0, 900, 150, WriteMode::kCreate, 12);
  auto first = CreateVectorIndexDistributed(*ds, "vec", Params("IVF_FLAT", "l2"), "", true, {}, 2,
                                            runner_, *pool_);
  ASSERT_TRUE(first.ok());
  const auto before = SegmentDirs(dir.path());
  ASSERT_EQ(before.size(), 2u);
  FailingRunner failing(runner_);
  auto failed = CreateVectorIndexDistributed(**first, "vec", Params("IVF_FLAT", "l2"), "", true, {},
                                             4, failing, *pool_);
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
  EXPECT_EQ(SegmentDirs(dir.path()), before);  // the new segments are gone, the old kept
  auto latest = Dataset::Open(dir.path());
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version(), (*first)->version());
  EXPECT_EQ(DescribeIndices(**latest)[0].segments.size(), 2u);
  // replace=false on an existing name is refused before any work.
  auto refused = CreateVectorIndexDistributed(**first, "vec", Params("IVF_FLAT", "l2"), "vec_idx",
                                              false, {}, 2, runner_, *pool_);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CoordinatorTest, RetriedBuildUnitReplacesItsEarlierAttempt) {
  TempDir dir;
  auto ds = testing::WriteVectors(dir.path(), 0, 600, 200, WriteMode::kCreate, 13);
  auto model = TrainVectorIndex(*ds, "vec", Params("IVF_FLAT", "l2"), *pool_);
  ASSERT_TRUE(model.ok());
  auto plan = PlanIndexBuild(*ds, {}, 3);
  ASSERT_TRUE(plan.ok());
  std::vector<std::string> uuids;
  auto units = MakeBuildUnits(*plan, "vec", *model, &uuids);
  ASSERT_TRUE(units.ok());
  // The same unit twice (a retry), then the commit of the answers.
  std::vector<std::string> segments;
  for (const auto& unit : *units) {
    ASSERT_TRUE(ExecuteWorkUnit(unit, *model, *pool_, cache_).ok());
    auto again = ExecuteWorkUnit(unit, *model, *pool_, cache_);
    ASSERT_TRUE(again.ok());
    segments.push_back(*again);
  }
  EXPECT_EQ(SegmentDirs(dir.path()), std::set<std::string>(uuids.begin(), uuids.end()));
  auto committed = CommitIndex(*ds, "idx", "vec", segments, true);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  // A unit with another model than the one it names is refused.
  auto other = TrainVectorIndex(*ds, "vec", Params("IVF_FLAT", "dot"), *pool_);
  EXPECT_EQ(ExecuteWorkUnit((*units)[0], *other, *pool_, cache_).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ixray::distributed
