// The index-aware planner gives exactly the rows of an unindexed scan:
// several fragments, an unindexed appended fragment, deletions, nulls, NaN,
// inexact (ZONEMAP) and exact (BTREE) answers, offset/limit and counts.
#include "search/filter_planner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dataset/dataset_test_util.h"
#include "ixray/builder.h"
#include "ixray/index.h"

namespace ixray::search {
namespace {

using testing::ReadAllRows;
using testing::TempDir;

RecordBatchPtr MakeBatch(int64_t first, int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ArrayBuilder ids(int64()), xs(int32()), ss(utf8()), fs(float64());
  const char* names[] = {"a", "b", "c", "d", ""};
  for (int64_t i = first; i < first + rows; ++i) {
    ids.Append<int64_t>(i);
    if (rng() % 7 == 0) {
      xs.AppendNull();
    } else {
      xs.Append<int32_t>(static_cast<int32_t>(rng() % 50));
    }
    if (rng() % 9 == 0) {
      ss.AppendNull();
    } else {
      ss.AppendString(names[rng() % 5]);
    }
    const uint64_t r = rng() % 20;
    if (r == 0) {
      fs.Append<double>(std::nan(""));
    } else if (r == 1) {
      fs.AppendNull();
    } else {
      fs.Append<double>(static_cast<double>(r) / 20.0);
    }
  }
  auto schema = std::make_shared<const Schema>(std::vector<FieldPtr>{
      field("id", int64(), false), field("x", int32()), field("s", utf8()), field("f", float64())});
  return std::make_shared<const RecordBatch>(
      schema, rows, std::vector<ArrayPtr>{*ids.Finish(), *xs.Finish(), *ss.Finish(), *fs.Finish()});
}

std::vector<int64_t> ScanIds(const Dataset& ds, const std::string& filter,
                             std::optional<int64_t> limit = std::nullopt, int64_t offset = 0) {
  ScanOptions options;
  options.columns = {"id", "x"};
  options.filter = filter;
  options.limit = limit;
  options.offset = offset;
  options.batch_size = 97;
  auto rows = ReadAllRows(ds, options);
  EXPECT_TRUE(rows.ok()) << filter << ": " << rows.status().ToString();
  if (!rows.ok()) return {};
  return testing::Ids(**rows);
}

class FilterPlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fs = LocalFileSystem();
    std::vector<RecordBatchPtr> batches = {MakeBatch(0, 700, 1), MakeBatch(700, 700, 2),
                                           MakeBatch(1400, 600, 3)};
    auto written = testing::WriteBatches(batches, dir_.path(), fs, WriteMode::kCreate, 500);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    std::shared_ptr<Dataset> ds = *written;
    auto deleted = ds->Delete("id < 40 OR (id > 650 AND id < 760) OR id = 1999");
    ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
    ds = *deleted;
    auto pool = MakeThreadPoolExecutor(2);
    struct Spec {
      const char* column;
      const char* type;
      ScalarIndexParams params;
    };
    const Spec specs[] = {{"x", "BTREE", {{"batch_size", "64"}}},
                          {"s", "BTREE", {}},
                          {"id", "ZONEMAP", {{"rows_per_zone", "100"}}},
                          {"f", "ZONEMAP", {{"rows_per_zone", "50"}}}};
    for (const auto& spec : specs) {
      auto indexed =
          CreateScalarIndex(*ds, spec.column, spec.type, spec.params, "", true, true, {}, *pool);
      ASSERT_TRUE(indexed.ok()) << spec.column << ": " << indexed.status().ToString();
      ds = *indexed;
    }
    // A fragment no index covers.
    auto appended =
        testing::WriteBatches({MakeBatch(2000, 300, 4)}, dir_.path(), fs, WriteMode::kAppend, 500);
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
    indexed_ = *appended;
    // The same data without indices.
    plain_ = indexed_;
    for (const char* name : {"x_idx", "s_idx", "id_idx", "f_idx"}) {
      auto dropped = DropIndex(*plain_, name);
      ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
      plain_ = *dropped;
    }
  }

  TempDir dir_;
  std::shared_ptr<Dataset> indexed_, plain_;
};

TEST_F(FilterPlannerTest, SameRowsAsAnUnindexedScan) {
  const char* filters[] = {
      "x < 10", "x = 7", "x IN (1, 2, 3, 49)", "x IS NULL", "x IS NOT NULL", "x != 5",
      "x NOT IN (1, 2)", "x BETWEEN 3 AND 8 AND s = 'b'", "x < 10 AND id > 700", "s >= 'c'",
      "s = ''", "s IS NULL", "x > 40 OR s = 'a'", "NOT (x < 10)", "id < 100",
      "id BETWEEN 950 AND 2100", "id >= 1990 AND x <= 3", "f > 0.5", "f != 0.5", "f IS NULL",
      "x < 2.5", "x = 1000", "s LIKE 'a%'", "x > 10 AND x < 5", "x < 5 OR id > 2100",
      "(x < 5 AND s = 'b') OR f > 0.9", "x = 3 OR x = 4 OR s IS NULL",
      "(x < 5 OR s = 'c') AND (id < 500 OR id > 1500)", "x < 5 OR (id > 100 AND f < 0.2)",
      // Bounds on one column, asked as one range (exclusive ones rechecked).
      "x >= 10 AND x <= 12", "x > 10 AND x < 13", "x >= 10 AND x < 13 AND x > 4",
      "x < 13 AND s = 'a' AND x > 10", "x > 2.5 AND x <= 7.5", "x >= 12 AND x < 12",
      "s > 'a' AND s < 'c'", "x > NULL AND x < 10", "f >= 0.2 AND f < 0.4",
      "id >= 100 AND id < 900", "x > 9 AND x <= 11", "x > 48 AND x < 50",
      "x > 2147483647 AND x < 3"};
  for (const char* filter : filters) {
    SCOPED_TRACE(filter);
    const auto expected = ScanIds(*plain_, filter);
    EXPECT_EQ(ScanIds(*indexed_, filter), expected);
    EXPECT_EQ(ScanIds(*indexed_, filter, 17, 5), ScanIds(*plain_, filter, 17, 5));
    auto count = indexed_->CountRows(filter);
    ASSERT_TRUE(count.ok()) << count.status().ToString();
    EXPECT_EQ(*count, static_cast<int64_t>(expected.size()));
  }
}

TEST_F(FilterPlannerTest, BoundsOnOneColumnAreAskedAsOneRange) {
  auto explain = [&](const std::string& filter) {
    ScanOptions options;
    options.filter = filter;
    auto scanner = indexed_->Scan(options);
    EXPECT_TRUE(scanner.ok());
    auto text = (*scanner)->ExplainPlan();
    EXPECT_TRUE(text.ok());
    return text.ok() ? *text : std::string();
  };
  // Integer bounds, exclusive or not, give an exact range.
  for (const char* filter : {"x >= 10 AND x < 12", "x > 9 AND x <= 11", "x >= 10 AND x <= 11"}) {
    const std::string text = explain(filter);
    EXPECT_NE(text.find(std::string("answers ") + filter + " exactly"), std::string::npos) << text;
  }
  // A fractional exclusive bound: a superset, rechecked.
  const std::string text = explain("x > 2.5 AND x <= 7");
  EXPECT_NE(text.find("answers x > 2.5 AND x <= 7 (rechecked)"), std::string::npos) << text;
}

TEST_F(FilterPlannerTest, ExplainNamesTheIndicesUsed) {
  ScanOptions options;
  options.filter = "x < 10 AND id > 100 AND s IS NOT NULL";
  auto scanner = indexed_->Scan(options);
  ASSERT_TRUE(scanner.ok());
  auto explain = (*scanner)->ExplainPlan();
  ASSERT_TRUE(explain.ok());
  EXPECT_NE(explain->find("index 'x_idx' (BTREE) answers"), std::string::npos) << *explain;
  EXPECT_NE(explain->find("index 'id_idx' (ZONEMAP)"), std::string::npos) << *explain;
  EXPECT_NE(explain->find("(rechecked)"), std::string::npos) << *explain;

  options.filter = "x < 10";
  auto plain = plain_->Scan(options);
  ASSERT_TRUE(plain.ok());
  EXPECT_NE((*plain)->ExplainPlan()->find("no index used"), std::string::npos);
}

TEST_F(FilterPlannerTest, DamagedIndexFileIsAnError) {
  // Truncate x_idx's segment file: a filter on x reports Corruption.
  int damaged = 0;
  for (const auto& info : DescribeIndices(*indexed_)) {
    if (info.name != "x_idx") continue;
    const std::string path = dir_.path() + "/_indices/" + info.segments[0].uuid + "/index.ixi";
    std::filesystem::resize_file(path, 40);
    ++damaged;
  }
  ASSERT_EQ(damaged, 1);
  OpenOptions at;
  at.version = indexed_->version();
  auto reopened = Dataset::Open(dir_.path(), at);
  ASSERT_TRUE(reopened.ok());
  ScanOptions options;
  options.filter = "x < 10";
  auto scanner = (*reopened)->Scan(options);
  ASSERT_FALSE(scanner.ok()) << *(*scanner)->ExplainPlan();
  EXPECT_EQ(scanner.status().code(), StatusCode::kCorruption) << scanner.status().ToString();
}

}  // namespace
}  // namespace ixray::search
