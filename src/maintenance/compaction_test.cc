// CompactFiles: fewer fragments, the same rows, and the same answers from
// every kind of index (filters through BTREE / BITMAP, full-text search,
// IVF nearest neighbours with their distances), deletions dropped, old
// versions still readable, and index builds racing a compaction refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "dataset/dataset_impl.h"
#include "dataset/dataset_test_util.h"
#include "ixray/builder.h"
#include "ixray/index.h"
#include "ixray/maintenance.h"

namespace ixray {
namespace {

using testing::TempDir;

constexpr int kDim = 8;
constexpr int64_t kRowsPerFragment = 60;

RecordBatchPtr MakeRows(int64_t first, int64_t rows, uint64_t seed) {
  static const char* kWords[] = {"fox", "river", "stone", "green", "hills", "music",
                                 "dog", "quick", "brown", "lazy",  "far",   "away"};
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  ArrayBuilder ids(int64()), group(int32()), text(utf8());
  ArrayBuilder vecs(fixed_size_list(float32(), kDim));
  for (int64_t i = first; i < first + rows; ++i) {
    ids.Append<int64_t>(i);
    group.Append<int32_t>(static_cast<int32_t>(i % 7));
    std::string doc;
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int w = 0; w < n; ++w) doc += std::string(w ? " " : "") + kWords[rng() % 12];
    text.AppendString(doc);
    vecs.StartList();
    const int cluster = static_cast<int>(i % 5);
    for (int j = 0; j < kDim; ++j) {
      vecs.child().Append<float>(static_cast<float>((cluster * (j + 1)) % 4) + noise(rng));
    }
  }
  auto schema =
      *Schema::Make({field("id", int64(), false), field("group", int32(), false),
                     field("text", utf8()), field("vec", fixed_size_list(float32(), kDim))});
  return *RecordBatch::Make(schema, rows,
                            {*ids.Finish(), *group.Finish(), *text.Finish(), *vecs.Finish()});
}

// What the queries of a version return, to compare across compaction.
struct Answers {
  std::vector<std::vector<int64_t>> filters;  // ids, sorted
  std::vector<std::pair<int64_t, float>> fts;
  std::vector<std::pair<int64_t, float>> nearest;
  std::vector<int64_t> all_ids;
};

std::vector<std::pair<int64_t, float>> IdsAndScores(const RecordBatch& batch,
                                                    const std::string& score) {
  std::vector<std::pair<int64_t, float>> out;
  const auto ids = batch.GetColumnByName("id");
  const auto scores = batch.GetColumnByName(score);
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    out.emplace_back(ids->Value<int64_t>(i), scores->Value<float>(i));
  }
  return out;
}

Answers Ask(const Dataset& ds) {
  Answers a;
  for (const char* filter :
       {"id >= 100 AND id < 300", "group = 3", "group IN (1, 2) AND id < 250", "id = 17"}) {
    ScanOptions options;
    options.columns = {"id"};
    options.filter = filter;
    auto rows = testing::ReadAllRows(ds, options);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    auto ids = testing::Ids(**rows);
    std::sort(ids.begin(), ids.end());
    a.filters.push_back(ids);
  }
  {
    ScanOptions options;
    options.columns = {"id"};
    options.full_text_query = FullTextQuery{"fox river", {}, false};
    auto rows = testing::ReadAllRows(ds, options);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    a.fts = IdsAndScores(**rows, "_score");
    // Equal scores rank by row address, which compaction changes.
    std::sort(a.fts.begin(), a.fts.end());
  }
  {
    ScanOptions options;
    options.columns = {"id"};
    VectorQuery q;
    q.column = "vec";
    q.q = {1.1f, 0.2f, 2.9f, 1.0f, 0.1f, 2.2f, 3.1f, 0.4f};
    q.k = 15;
    options.nearest = q;
    auto rows = testing::ReadAllRows(ds, options);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    a.nearest = IdsAndScores(**rows, "_distance");
  }
  auto all = testing::ReadAllRows(ds);
  EXPECT_TRUE(all.ok());
  a.all_ids = testing::Ids(**all);
  std::sort(a.all_ids.begin(), a.all_ids.end());
  return a;
}

std::set<FragmentId> Covered(const Dataset& ds, const std::string& name) {
  std::set<FragmentId> out;
  for (const auto& index : DescribeIndices(ds)) {
    if (index.name != name) continue;
    for (const auto& s : index.segments) out.insert(s.fragment_ids.begin(), s.fragment_ids.end());
  }
  return out;
}

class CompactionTest : public ::testing::Test {
 protected:
  void SetUp() override { pool_ = MakeThreadPoolExecutor(2); }

  // 8 fragments of 60 rows; indices: BTREE on id, INVERTED on text (all
  // fragments), BITMAP on group (fragments 0-5), IVF_FLAT on vec as two
  // segments (fragments 0-3 and 4-7).
  std::shared_ptr<Dataset> MakeIndexed() {
    auto written = testing::WriteBatches({MakeRows(0, 8 * kRowsPerFragment, 7)}, dir_.path(),
                                         LocalFileSystem(), WriteMode::kCreate, kRowsPerFragment);
    EXPECT_TRUE(written.ok()) << written.status().ToString();
    std::shared_ptr<Dataset> ds = *written;
    auto scalar = [&](const char* column, const char* type, std::vector<FragmentId> fragments) {
      auto out = CreateScalarIndex(*ds, column, type, {}, "", true, true, fragments, *pool_);
      EXPECT_TRUE(out.ok()) << out.status().ToString();
      ds = *out;
    };
    scalar("id", "BTREE", {});
    scalar("text", "INVERTED", {});
    scalar("group", "BITMAP", {0, 1, 2, 3, 4, 5});
    VectorIndexParams params;
    params.index_type = "IVF_FLAT";
    params.num_partitions = 4;
    auto model = TrainVectorIndex(*ds, "vec", params, *pool_);
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    std::vector<std::string> segments;
    for (std::vector<FragmentId> part : {std::vector<FragmentId>{0, 1, 2, 3}, {4, 5, 6, 7}}) {
      auto meta = ExecuteUncommitted(*ds, "vec", *model, part, *pool_);
      EXPECT_TRUE(meta.ok()) << meta.status().ToString();
      segments.push_back(*meta);
    }
    auto committed = CommitIndex(*ds, "vec_idx", "vec", segments, true);
    EXPECT_TRUE(committed.ok()) << committed.status().ToString();
    return *committed;
  }

  TempDir dir_;
  std::shared_ptr<Executor> pool_;
};

TEST_F(CompactionTest, SameAnswersFromEveryIndexWithFewerFragments) {
  auto ds = MakeIndexed();
  const Answers before = Ask(*ds);
  ASSERT_FALSE(before.fts.empty());
  ASSERT_EQ(before.nearest.size(), 15u);

  CompactionOptions options;
  options.target_rows_per_fragment = 200;
  auto compacted = CompactFiles(*ds, options, *pool_);
  ASSERT_TRUE(compacted.ok()) << compacted.status().ToString();
  const auto& after_ds = *compacted->dataset;
  // Groups: 0-2 (IVF segment A, 180 rows: 3 would pass the target), 4-5
  // (segment B, BITMAP), 6-7 (segment B, no BITMAP); 3 stays alone.
  EXPECT_EQ(compacted->metrics.fragments_removed, 7);
  EXPECT_EQ(compacted->metrics.fragments_added, 3);
  EXPECT_EQ(compacted->metrics.files_added, 3);
  EXPECT_EQ(compacted->metrics.files_removed, 7);
  EXPECT_EQ(compacted->metrics.segments_rewritten, 5);  // BTREE, INVERTED, BITMAP, IVF x2
  EXPECT_EQ(after_ds.Fragments().size(), 4u);
  EXPECT_EQ(after_ds.version(), ds->version() + 2);  // ReserveFragments + Rewrite

  const Answers after = Ask(after_ds);
  EXPECT_EQ(after.all_ids, before.all_ids);
  EXPECT_EQ(after.filters, before.filters);
  EXPECT_EQ(after.fts, before.fts);  // no deletions: the same BM25 statistics
  EXPECT_EQ(after.nearest, before.nearest);

  // Every new fragment is indexed where its rows were.
  std::set<FragmentId> all;
  for (const auto& f : after_ds.Fragments()) all.insert(f.id);
  EXPECT_EQ(Covered(after_ds, "id_idx"), all);
  EXPECT_EQ(Covered(after_ds, "text_idx"), all);
  EXPECT_EQ(Covered(after_ds, "vec_idx"), all);
  EXPECT_EQ(Covered(after_ds, "group_idx").size(), 3u);  // the rows of fragments 0-5

  // The old version still reads, with its indices.
  auto old = after_ds.CheckoutVersion(ds->version());
  ASSERT_TRUE(old.ok());
  const Answers old_answers = Ask(**old);
  EXPECT_EQ(old_answers.filters, before.filters);
  EXPECT_EQ(old_answers.nearest, before.nearest);

  // Nothing left to do.
  auto again = CompactFiles(after_ds, options, *pool_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->metrics.fragments_removed, 0);
  EXPECT_EQ(again->dataset->version(), after_ds.version());
}

TEST_F(CompactionTest, DeletedRowsAreDroppedAndStayDeleted) {
  auto ds = MakeIndexed();
  std::string deleted_ids = "17";
  for (int i = 3; i < 8 * kRowsPerFragment; i += 10) deleted_ids += ", " + std::to_string(i);
  auto deleted = ds->Delete("id IN (" + deleted_ids + ")");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  ds = *deleted;
  const Answers before = Ask(*ds);
  EXPECT_TRUE(before.filters[3].empty());

  CompactionOptions options;
  options.target_rows_per_fragment = 1000;
  auto compacted = CompactFiles(*ds, options, *pool_);
  ASSERT_TRUE(compacted.ok()) << compacted.status().ToString();
  const auto& after_ds = *compacted->dataset;
  EXPECT_LT(after_ds.Fragments().size(), ds->Fragments().size());
  for (const auto& f : after_ds.Fragments()) EXPECT_EQ(f.deleted_rows, 0);
  EXPECT_EQ(compacted->metrics.files_removed, 16);  // 8 data + 8 deletion files

  const Answers after = Ask(after_ds);
  EXPECT_EQ(after.all_ids, before.all_ids);
  EXPECT_EQ(after.filters, before.filters);
  EXPECT_EQ(after.nearest, before.nearest);
  // BM25 statistics lose the deleted rows; the matching rows stay the same.
  auto ids = [](std::vector<std::pair<int64_t, float>> hits) {
    std::vector<int64_t> out;
    for (auto& [id, score] : hits) out.push_back(id);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids(after.fts), ids(before.fts));
  auto count = after_ds.CountRows();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 8 * kRowsPerFragment - 48 - 1);
}

TEST_F(CompactionTest, WithoutRemapTheRowsAreScannedUntilReindexed) {
  auto ds = MakeIndexed();
  const Answers before = Ask(*ds);
  CompactionOptions options;
  options.target_rows_per_fragment = 1000;
  options.remap_indices = false;
  auto compacted = CompactFiles(*ds, options, *pool_);
  ASSERT_TRUE(compacted.ok()) << compacted.status().ToString();
  const auto& after_ds = *compacted->dataset;
  EXPECT_EQ(after_ds.version(), ds->version() + 1);
  EXPECT_TRUE(Covered(after_ds, "vec_idx").empty());
  const Answers after = Ask(after_ds);
  EXPECT_EQ(after.all_ids, before.all_ids);
  EXPECT_EQ(after.filters, before.filters);
  // IVF_FLAT and the flat search agree (up to rounding).
  ASSERT_EQ(after.nearest.size(), before.nearest.size());
  for (size_t i = 0; i < after.nearest.size(); ++i) {
    EXPECT_EQ(after.nearest[i].first, before.nearest[i].first);
    EXPECT_NEAR(after.nearest[i].second, before.nearest[i].second, 1e-4);
  }
}

TEST_F(CompactionTest, IndexBuiltOnCompactedFragmentsConflicts) {
  auto written = testing::WriteBatches({MakeRows(0, 4 * kRowsPerFragment, 3)}, dir_.path(),
                                       LocalFileSystem(), WriteMode::kCreate, kRowsPerFragment);
  ASSERT_TRUE(written.ok());
  auto ds = *written;
  // A segment built from the version before the compaction...
  auto config = TrainScalarIndex(*ds, "id", "BTREE", {});
  ASSERT_TRUE(config.ok());
  auto segment = ExecuteUncommitted(*ds, "id", *config, {0, 1}, *pool_);
  ASSERT_TRUE(segment.ok()) << segment.status().ToString();
  // ... while a compaction rewrites its fragments ...
  CompactionOptions options;
  options.target_rows_per_fragment = 1000;
  auto compacted = CompactFiles(*ds, options, *pool_);
  ASSERT_TRUE(compacted.ok()) << compacted.status().ToString();
  // ... may not commit: its row addresses are gone.
  auto committed = CommitIndex(*ds, "id_idx", "id", {*segment}, true);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.status().code(), StatusCode::kConflict) << committed.status().ToString();
  // A segment over fragments the compaction left alone commits fine.
  auto untouched =
      ExecuteUncommitted(**compacted->dataset->CheckoutLatest(), "id", *config, {}, *pool_);
  ASSERT_TRUE(untouched.ok());
  EXPECT_TRUE(CommitIndex(*compacted->dataset, "id_idx", "id", {*untouched}, true).ok());
}

TEST_F(CompactionTest, BadOptions) {
  auto written = testing::WriteBatches({MakeRows(0, 10, 3)}, dir_.path(), LocalFileSystem());
  ASSERT_TRUE(written.ok());
  CompactionOptions options;
  options.target_rows_per_fragment = 0;
  auto out = CompactFiles(**written, options, *pool_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ixray
