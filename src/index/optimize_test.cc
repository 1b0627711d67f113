// OptimizeIndices: delta segments over appended fragments with the index's
// own model, merges that equal a one-segment build, deletions dropped,
// retrain, empty indices filled, nothing-to-do and errors.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dataset/dataset_test_util.h"
#include "distributed/distributed_test_util.h"
#include "index/segment_file.h"
#include "index/segment_metadata.h"
#include "ixray/builder.h"
#include "ixray/index.h"

namespace ixray {
namespace {

using distributed::testing::MakeVectorBatch;
using distributed::testing::Query;
using ::ixray::testing::TempDir;

VectorIndexParams Params(const std::string& type) {
  VectorIndexParams p;
  p.index_type = type;
  p.num_partitions = 4;
  p.num_sub_vectors = 2;
  p.sample_rate = 64;
  p.max_iters = 10;
  return p;
}

struct Hits {
  std::vector<int64_t> ids;
  std::vector<float> scores;
  bool operator==(const Hits&) const = default;
};

void PrintTo(const Hits& hits, std::ostream* out) {
  for (size_t i = 0; i < hits.ids.size(); ++i) *out << hits.ids[i] << ":" << hits.scores[i] << " ";
}

Hits Nearest(const Dataset& ds, const std::vector<float>& q, bool fast_search = false) {
  ScanOptions options;
  options.columns = {"id"};
  options.nearest = VectorQuery{};
  options.nearest->column = "vec";
  options.nearest->q = q;
  options.nearest->k = 12;
  options.nearest->nprobes = 2;
  options.fast_search = fast_search;
  auto batch = testing::ReadAllRows(ds, options);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  Hits out;
  if (!batch.ok()) return out;
  for (int64_t i = 0; i < (*batch)->num_rows(); ++i) {
    out.ids.push_back((*batch)->GetColumnByName("id")->Value<int64_t>(i));
    out.scores.push_back((*batch)->GetColumnByName("_distance")->Value<float>(i));
  }
  return out;
}

IndexInfo OnlyIndex(const std::vector<IndexInfo>& indices) {
  EXPECT_EQ(indices.size(), 1u);
  return indices.at(0);
}

std::vector<FragmentId> FragmentIds(const Dataset& ds) {
  std::vector<FragmentId> out;
  for (const auto& f : ds.Fragments()) out.push_back(f.id);
  return out;
}

// Every blob of segment `uuid` of the dataset at `uri`, by name.
std::map<std::string, std::string> SegmentBlobs(const std::string& uri, const std::string& uuid,
                                                int partitions) {
  std::map<std::string, std::string> out;
  auto file =
      index::SegmentFileReader::Open(LocalFileSystem(), uri + "/_indices/" + uuid + "/index.ixi");
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return out;
  std::vector<std::string> names = {"model", "partitions"};
  for (int p = 0; p < partitions; ++p) {
    for (const char* kind : {"ids/", "codes/", "graph/"}) names.push_back(kind + std::to_string(p));
  }
  for (const auto& name : names) {
    if (!(*file)->Has(name)) continue;
    auto blob = (*file)->Read(name);
    EXPECT_TRUE(blob.ok()) << blob.status().ToString();
    if (blob.ok()) out[name] = std::string((*blob)->view());
  }
  return out;
}

class OptimizeTest : public ::testing::Test {
 protected:
  // 3 fragments of 100 vectors at a fresh directory.
  std::shared_ptr<Dataset> Base(TempDir& dir) {
    auto ds = testing::WriteBatches({MakeVectorBatch(0, 300, 1)}, dir.path(), LocalFileSystem(),
                                    WriteMode::kCreate, 100);
    EXPECT_TRUE(ds.ok()) << ds.status().ToString();
    return *ds;
  }
  // Appends rows id = first.. as one fragment.
  std::shared_ptr<Dataset> Append(const std::string& uri, int64_t first, int64_t rows) {
    auto ds = testing::WriteBatches({MakeVectorBatch(first, rows, first + 7)}, uri,
                                    LocalFileSystem(), WriteMode::kAppend, 1000);
    EXPECT_TRUE(ds.ok()) << ds.status().ToString();
    return *ds;
  }
  std::shared_ptr<Dataset> Optimize(const Dataset& ds, int merge, bool retrain = false,
                                    std::vector<std::string> names = {}) {
    auto out = OptimizeIndices(ds, OptimizeOptions{std::move(names), merge, retrain}, *pool_);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return *out;
  }
  // Index "vec_idx" over all fragments of `ds` as one segment with `model`.
  std::shared_ptr<Dataset> OneSegment(const Dataset& ds, const std::string& model) {
    auto segment = ExecuteUncommitted(ds, "vec", model, {}, *pool_);
    EXPECT_TRUE(segment.ok()) << segment.status().ToString();
    auto out = CommitIndex(ds, "vec_idx", "vec", {*segment}, true);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return *out;
  }

  // Serial: HNSW graphs built on several threads differ from build to
  // build, which would hide what is compared here.
  std::shared_ptr<Executor> pool_ = SerialExecutor();
};

TEST_F(OptimizeTest, DeltaSegmentUsesTheModelAndMergesEqualOneBuild) {
  for (const std::string type : {"IVF_FLAT", "IVF_PQ", "IVF_HNSW_SQ"}) {
    SCOPED_TRACE(type);
    TempDir dir, ref_dir;
    auto ds = Base(dir);
    auto ref = Base(ref_dir);
    auto model = TrainVectorIndex(*ds, "vec", Params(type), *pool_);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    ds = OneSegment(*ds, *model);
    // Three appends, each optimized into its own delta segment.
    for (int i = 0; i < 3; ++i) {
      const int64_t first = 300 + 40 * i;
      ds = Append(dir.path(), first, i == 2 ? 1 : 40);
      ref = Append(ref_dir.path(), first, i == 2 ? 1 : 40);
      const FragmentId appended = FragmentIds(*ds).back();
      ds = Optimize(*ds, 0);
      const auto index = OnlyIndex(DescribeIndices(*ds));
      ASSERT_EQ(index.segments.size(), static_cast<size_t>(i + 2));
      EXPECT_EQ(index.segments.back().fragment_ids, std::vector<FragmentId>{appended});
    }
    auto reference = OneSegment(*ref, *model);
    // The appended rows are found through the index alone.
    auto last = MakeVectorBatch(380, 1, 380 + 7);
    std::vector<float> q(distributed::testing::kDim);
    for (int j = 0; j < distributed::testing::kDim; ++j) {
      q[j] = last->column(1)->values()->Value<float>(j);
    }
    auto hits = Nearest(*ds, q, /*fast_search=*/true);
    ASSERT_FALSE(hits.ids.empty());
    EXPECT_EQ(hits.ids[0], 380);
    // Four segments answer as one segment built with the same model (the
    // same rows; distances up to the rounding of kernels over partitions
    // split differently).
    for (uint64_t seed : {1, 2, 3}) {
      const Hits got = Nearest(*ds, Query(seed)), want = Nearest(*reference, Query(seed));
      EXPECT_EQ(got.ids, want.ids);
      ASSERT_EQ(got.scores.size(), want.scores.size());
      for (size_t i = 0; i < got.scores.size(); ++i) {
        EXPECT_NEAR(got.scores[i], want.scores[i], 1e-4f * std::max(1.0f, want.scores[i]));
      }
    }
    ds = Optimize(*ds, 4);
    const auto merged = OnlyIndex(DescribeIndices(*ds));
    ASSERT_EQ(merged.segments.size(), 1u);
    EXPECT_EQ(merged.segments[0].fragment_ids, FragmentIds(*ds));
    EXPECT_EQ(merged.segments[0].num_rows, 381);
    // Merged posting by posting, it is the segment a build writes.
    const auto blobs = SegmentBlobs(dir.path(), merged.segments[0].uuid, 4);
    EXPECT_EQ(blobs.size(), type == "IVF_HNSW_SQ" ? 14u : 10u);
    const auto want =
        SegmentBlobs(ref_dir.path(), OnlyIndex(DescribeIndices(*reference)).segments[0].uuid, 4);
    for (const auto& [name, bytes] : want) EXPECT_TRUE(blobs.at(name) == bytes) << name;
    for (uint64_t seed : {1, 2, 3}) {
      EXPECT_EQ(Nearest(*ds, Query(seed), true), Nearest(*reference, Query(seed), true));
    }
  }
}

TEST_F(OptimizeTest, MergesTheNewestSegmentsWithTheDelta) {
  TempDir dir;
  auto ds = Base(dir);
  auto built = CreateVectorIndex(*ds, "vec", Params("IVF_PQ"), "", true, {0}, *pool_);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ds = Optimize(**built, 0);  // fragments 1 and 2 as a delta
  ds = Append(dir.path(), 300, 10);
  ds = Optimize(*ds, 0);
  ASSERT_EQ(OnlyIndex(DescribeIndices(*ds)).segments.size(), 3u);
  ds = Append(dir.path(), 310, 10);
  ds = Optimize(*ds, 2);  // the two newest (fragments 1, 2 and 3) with the delta (4)
  const auto index = OnlyIndex(DescribeIndices(*ds));
  ASSERT_EQ(index.segments.size(), 2u);
  EXPECT_EQ(index.segments[0].fragment_ids, std::vector<FragmentId>{0});
  EXPECT_EQ(index.segments[1].fragment_ids, (std::vector<FragmentId>{1, 2, 3, 4}));
}

TEST_F(OptimizeTest, MergeDropsDeletedRows) {
  TempDir dir;
  auto ds = Base(dir);
  auto built = CreateVectorIndex(*ds, "vec", Params("IVF_HNSW_PQ"), "", true, {0, 1}, *pool_);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ds = Optimize(**built, 0);
  auto deleted = ds->Delete("id < 20 OR id >= 290 OR id = 150");  // fragments 0, 1 and 2
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  ds = Optimize(**deleted, 2);
  const auto index = OnlyIndex(DescribeIndices(*ds));
  ASSERT_EQ(index.segments.size(), 1u);
  EXPECT_EQ(index.segments[0].num_rows, 269);
  // The same blobs as a build over the live rows with the same model.
  auto blobs = SegmentBlobs(dir.path(), index.segments[0].uuid, 4);
  auto rebuilt = ExecuteUncommitted(*ds, "vec", blobs["model"], {}, *pool_);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  auto meta = index::SegmentMetadata::Decode(*rebuilt);
  ASSERT_TRUE(meta.ok());
  EXPECT_TRUE(blobs == SegmentBlobs(dir.path(), meta->uuid, 4));
  for (uint64_t seed : {4, 5}) {
    for (int64_t id : Nearest(*ds, Query(seed), true).ids) EXPECT_TRUE(id >= 20 && id < 290) << id;
  }
}

TEST_F(OptimizeTest, NothingToDoKeepsTheVersion) {
  TempDir dir;
  auto ds = Base(dir);
  auto built = CreateVectorIndex(*ds, "vec", Params("IVF_FLAT"), "", true, {}, *pool_);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  auto again = Optimize(**built, 1);
  EXPECT_EQ(again->version(), (*built)->version());
}

TEST_F(OptimizeTest, RetrainRebuildsEverySegment) {
  TempDir dir;
  auto ds = Base(dir);
  auto built = CreateVectorIndex(*ds, "vec", Params("IVF_PQ"), "", true, {0}, *pool_);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ds = Optimize(**built, 0);
  ds = Append(dir.path(), 300, 50);
  const auto before = OnlyIndex(DescribeIndices(*ds));
  ds = Optimize(*ds, 0, /*retrain=*/true);
  const auto index = OnlyIndex(DescribeIndices(*ds));
  ASSERT_EQ(index.segments.size(), 1u);
  EXPECT_EQ(index.segments[0].fragment_ids, FragmentIds(*ds));
  for (const auto& old : before.segments) EXPECT_NE(old.uuid, index.segments[0].uuid);
  EXPECT_EQ(index.index_type, "IVF_PQ");
  EXPECT_EQ(Nearest(*ds, Query(1), true).ids.size(), 12u);
}

TEST_F(OptimizeTest, FillsEmptyIndices) {
  TempDir dir;
  auto ds = Base(dir);
  auto params = Params("IVF_SQ");
  params.train = false;
  auto vec = CreateVectorIndex(*ds, "vec", params, "", true, {}, *pool_);
  ASSERT_TRUE(vec.ok()) << vec.status().ToString();
  auto ids = CreateScalarIndex(**vec, "id", "BTREE", {}, "", true, /*train=*/false, {}, *pool_);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ds = Optimize(**ids, 1);
  const auto indices = DescribeIndices(*ds);
  ASSERT_EQ(indices.size(), 2u);
  for (const auto& index : indices) {
    ASSERT_EQ(index.segments.size(), 1u) << index.name;
    EXPECT_EQ(index.segments[0].fragment_ids, FragmentIds(*ds));
  }
  EXPECT_EQ(indices[0].index_type, "IVF_SQ");
  auto count = ds->CountRows("id >= 250");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 50);
}

TEST_F(OptimizeTest, OnlyTheNamedIndices) {
  TempDir dir;
  auto ds = Base(dir);
  auto a = CreateScalarIndex(*ds, "id", "BTREE", {}, "a", true, true, {}, *pool_);
  ASSERT_TRUE(a.ok());
  auto b = CreateScalarIndex(**a, "id", "BITMAP", {}, "b", true, true, {}, *pool_);
  ASSERT_TRUE(b.ok());
  ds = Append(dir.path(), 300, 5);
  ds = Optimize(*ds, 0, false, {"b"});
  for (const auto& index : DescribeIndices(*ds)) {
    EXPECT_EQ(index.segments.size(), index.name == "b" ? 2u : 1u) << index.name;
  }
  auto rows = ds->CountRows("id = 302");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 1);
}

TEST_F(OptimizeTest, RebasesOverAppendsAndConflictsWithItself) {
  TempDir dir;
  auto ds = Base(dir);
  auto built = CreateScalarIndex(*ds, "id", "BTREE", {}, "ids", true, true, {0}, *pool_);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ds = *built;
  auto plan = PlanOptimizeIndices(*ds, {}, *pool_);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->steps.size(), 1u);
  auto segment = ExecuteOptimizeStep(*ds, plan->steps[0], *pool_);
  ASSERT_TRUE(segment.ok()) << segment.status().ToString();
  // Someone appends meanwhile: the commit rebases, the new fragment stays unindexed.
  auto appended = Append(dir.path(), 300, 10);
  auto committed = CommitOptimizedIndices(*ds, *plan, {*segment});
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ((*committed)->version(), appended->version() + 1);
  const auto index = OnlyIndex(DescribeIndices(**committed));
  ASSERT_EQ(index.segments.size(), 1u);
  EXPECT_EQ(index.segments[0].fragment_ids, (std::vector<FragmentId>{0, 1, 2}));
  auto rows = (*committed)->CountRows("id >= 295");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 15);
  // A second optimize computed from the same version changes the same index.
  auto again = ExecuteOptimizeStep(*ds, plan->steps[0], *pool_);
  ASSERT_TRUE(again.ok());
  auto conflict = CommitOptimizedIndices(*ds, *plan, {*again});
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status().ToString();
}

TEST_F(OptimizeTest, MergeBySizeKeepsTheSegmentCountLogarithmic) {
  TempDir dir;
  auto ds = Base(dir);
  auto built = CreateScalarIndex(*ds, "id", "BTREE", {}, "", true, true, {}, *pool_);
  ASSERT_TRUE(built.ok());
  int64_t rows = 300;
  size_t most = 0;
  for (int round = 0; round < 24; ++round) {
    ds = Append(dir.path(), rows, 20);
    rows += 20;
    ds = Optimize(*ds, kMergeBySize);
    const auto index = OnlyIndex(DescribeIndices(*ds));
    most = std::max(most, index.segments.size());
    int64_t indexed = 0;
    for (const auto& segment : index.segments) indexed += segment.num_rows;
    EXPECT_EQ(indexed, rows);  // every row indexed, none twice
    auto found = ds->CountRows(fmt::format("id >= {} AND id < {}", rows - 25, rows));
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(*found, 25);
  }
  // 24 appends of 20 rows onto 300: log2(780 / 20) + 2 segments at most.
  EXPECT_LE(most, 7u);
  EXPECT_GE(most, 2u);  // small deltas are not folded into the big first segment
}

TEST_F(OptimizeTest, Errors) {
  TempDir dir;
  auto ds = Base(dir);
  auto built = CreateScalarIndex(*ds, "id", "BTREE", {}, "", true, true, {}, *pool_);
  ASSERT_TRUE(built.ok());
  auto unknown = OptimizeIndices(**built, OptimizeOptions{{"nope"}, 1, false}, *pool_);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("nope"), std::string::npos);
  auto negative = OptimizeIndices(**built, OptimizeOptions{{}, -2, false}, *pool_);
  EXPECT_EQ(negative.status().code(), StatusCode::kInvalidArgument);
  // A plan for another version is refused.
  auto plan = PlanOptimizeIndices(**built, {}, *pool_);
  ASSERT_TRUE(plan.ok());
  plan->version += 1;
  EXPECT_FALSE(CommitOptimizedIndices(**built, *plan, {}).ok());
}

}  // namespace
}  // namespace ixray
