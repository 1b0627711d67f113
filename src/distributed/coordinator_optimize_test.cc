// OptimizeIndicesDistributed: the same index as OptimizeIndices, one build
// unit per optimized index, nothing left behind on failure.
#include <gtest/gtest.h>

#include <filesystem>

#include "distributed/coordinator.h"
#include "distributed/distributed_test_util.h"

namespace ixray::distributed {
namespace {

using ::ixray::testing::TempDir;

class CountingRunner final : public UnitRunner {
 public:
  explicit CountingRunner(UnitRunner& inner) : inner_(inner) {}
  Result<std::vector<std::string>> Run(const std::string& step,
                                       const std::vector<std::string>& units,
                                       const std::string& shared) override {
    units_ += static_cast<int>(units.size());
    if (fail_) return Status::IOError("worker lost");
    return inner_.Run(step, units, shared);
  }
  int units_ = 0;
  bool fail_ = false;

 private:
  UnitRunner& inner_;
};

std::vector<std::vector<FragmentId>> Coverage(const Dataset& ds) {
  std::vector<std::vector<FragmentId>> out;
  for (const auto& index : DescribeIndices(ds)) {
    for (const auto& s : index.segments) out.push_back(s.fragment_ids);
  }
  return out;
}

std::vector<uint64_t> Ids(const Dataset& ds) {
  ScanOptions scan;
  scan.columns = {"id"};
  scan.nearest = VectorQuery{};
  scan.nearest->column = "vec";
  scan.nearest->q = testing::Query(3);
  scan.nearest->k = 10;
  scan.fast_search = true;
  auto batch = ixray::testing::ReadAllRows(ds, scan);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  std::vector<uint64_t> out;
  for (int64_t i = 0; batch.ok() && i < (*batch)->num_rows(); ++i) {
    out.push_back((*batch)->column(0)->Value<int64_t>(i));
  }
  return out;
}

TEST(CoordinatorOptimizeTest, MatchesOptimizeIndices) {
  auto pool = MakeThreadPoolExecutor(2);
  WorkerCache cache;
  LocalRunner local(*pool, cache);
  VectorIndexParams params;
  params.index_type = "IVF_PQ";
  params.num_partitions = 4;
  params.num_sub_vectors = 2;
  params.sample_rate = 64;
  std::shared_ptr<Dataset> results[2];
  for (int distributed = 0; distributed < 2; ++distributed) {
    TempDir dir;
    auto ds = testing::WriteVectors(dir.path(), 0, 300, 100, WriteMode::kCreate, 1);
    auto built = CreateVectorIndex(*ds, "vec", params, "", true, {0}, *pool);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    auto scalar = CreateScalarIndex(**built, "id", "BTREE", {}, "", true, true, {0, 1}, *pool);
    ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
    ds = testing::WriteVectors(dir.path(), 300, 20, 100, WriteMode::kAppend, 2);
    const OptimizeOptions options{{}, 0, false};
    CountingRunner runner(local);
    auto optimized = distributed ? OptimizeIndicesDistributed(*ds, options, runner, *pool)
                                 : OptimizeIndices(*ds, options, *pool);
    ASSERT_TRUE(optimized.ok()) << optimized.status().ToString();
    if (distributed) EXPECT_EQ(runner.units_, 2);  // one new segment per index
    EXPECT_EQ(Coverage(**optimized),
              (std::vector<std::vector<FragmentId>>{{0}, {1, 2, 3}, {0, 1}, {2, 3}}));
    results[distributed] = *optimized;
    EXPECT_EQ(Ids(*results[distributed]).size(), 10u);
    if (distributed) EXPECT_EQ(Ids(*results[0]), Ids(*results[1]));

    // A failed unit leaves the dataset and its index directories as they were.
    ds = testing::WriteVectors(dir.path(), 320, 20, 100, WriteMode::kAppend, 3);
    const auto dirs = std::distance(std::filesystem::directory_iterator(dir.path() + "/_indices"),
                                    std::filesystem::directory_iterator());
    runner.fail_ = true;
    auto failed = OptimizeIndicesDistributed(*ds, options, runner, *pool);
    EXPECT_FALSE(failed.ok());
    auto latest = ds->CheckoutLatest();
    ASSERT_TRUE(latest.ok());
    EXPECT_EQ((*latest)->version(), ds->version());
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path() + "/_indices"),
                            std::filesystem::directory_iterator()),
              dirs);
  }
}

}  // namespace
}  // namespace ixray::distributed
