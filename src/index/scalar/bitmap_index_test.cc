// BITMAP index: every answer must be exactly the rows the filter evaluator
// finds TRUE, for every supported type, over random data with nulls,
// duplicates and row addresses spread over fragments.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "index/scalar/bitmap_test_util.h"
#include "query/filter_test_util.h"
#include "query/half_float.h"

namespace ixray::scalar::test {
namespace {

using query::test::Column;
using query::test::MakeBatch;
using query::test::TypedArray;

constexpr int64_t kRows = 1500;

template <typename T, typename Gen>
Column<T> RandomColumn(std::mt19937& rng, Gen gen, int null_percent = 10) {
  Column<T> out;
  for (int64_t i = 0; i < kRows; ++i) {
    if (static_cast<int>(rng() % 100) < null_percent) {
      out.push_back(std::nullopt);
    } else {
      out.push_back(gen());
    }
  }
  return out;
}

// Builds a BITMAP segment over `column` (named c) and checks every filter.
void CheckAll(const ArrayPtr& column, const std::vector<std::string>& filters, uint32_t seed) {
  std::mt19937 rng(seed);
  Fixture f;
  ASSERT_TRUE(BuildFixture("bitmap", MakeBatch({{"c", column}}),
                           SparseAddresses(column->length(), rng), &f, seed)
                  .ok());
  EXPECT_EQ(f.segment->num_rows(), column->length());
  for (const auto& filter : filters) {
    EXPECT_EQ(CheckFilter(f, filter), AnswerKind::kExact) << filter;
  }
}

const std::vector<std::string> kNullFilters = {"c IS NULL", "c IS NOT NULL", "NOT c IS NULL"};

std::vector<std::string> With(std::vector<std::string> filters) {
  filters.insert(filters.end(), kNullFilters.begin(), kNullFilters.end());
  return filters;
}

TEST(BitmapIndexTest, Strings) {
  std::mt19937 rng(1);
  const std::vector<std::string> palette = {"red", "green", "blue", "", "r", "reed", "Red", "zz"};
  auto values = RandomColumn<std::string>(rng, [&] { return palette[rng() % palette.size()]; });
  const auto filters = With({"c = 'red'",
                             "c = ''",
                             "c = 'absent'",
                             "c != 'red'",
                             "c != ''",
                             "c < 'm'",
                             "c <= 'red'",
                             "c > 'r'",
                             "c >= 'blue'",
                             "c IN ('a', 'red', 'zz')",
                             "c IN ('red', NULL)",
                             "c NOT IN ('red', 'blue')",
                             "c NOT IN ('red', NULL)",
                             "c BETWEEN 'b' AND 'r'",
                             "c NOT BETWEEN 'b' AND 'r'",
                             "c BETWEEN NULL AND 'r'",
                             "c NOT BETWEEN NULL AND 'r'",
                             "c LIKE 'r%'",
                             "c LIKE '%e%'",
                             "c NOT LIKE '_ed'",
                             "c LIKE ''",
                             "contains(c, 'ee')",
                             "contains(c, '')",
                             "c = NULL",
                             "c != NULL",
                             "NOT c IN ('green')",
                             "c LIKE NULL"});
  CheckAll(TypedArray(utf8(), values), filters, 1);
  CheckAll(TypedArray(large_utf8(), values), filters, 2);
  CheckAll(TypedArray(binary(), values), filters, 3);
}

TEST(BitmapIndexTest, SignedIntegers) {
  std::mt19937 rng(2);
  const auto filters = With({"c = 3",
                             "c = -5",
                             "c != 3",
                             "c < 0",
                             "c <= -2",
                             "c > 2.5",
                             "c >= 1000",
                             "c = 2.5",
                             "c != 2.5",
                             "c < -1000",
                             "c > 127",
                             "c IN (1, 2, NULL)",
                             "c IN (1, 2.5, 300)",
                             "c NOT IN (1, 2)",
                             "c NOT IN (1, NULL)",
                             "c BETWEEN -2 AND 2",
                             "c NOT BETWEEN -2 AND 2",
                             "c BETWEEN 2 AND -2",
                             "c BETWEEN NULL AND 2",
                             "c NOT BETWEEN NULL AND 2",
                             "c = NULL",
                             "c >= -1.5",
                             "c BETWEEN -2.5 AND 1.5",
                             "NOT c IN (0)"});
  auto small = RandomColumn<int8_t>(rng, [&] { return static_cast<int8_t>(rng() % 11) - 5; });
  CheckAll(TypedArray(int8(), small), filters, 4);
  auto wide = RandomColumn<int64_t>(rng, [&] { return static_cast<int64_t>(rng() % 11) - 5; });
  CheckAll(TypedArray(int64(), wide), filters, 5);
  // Every value distinct but a few: the dictionary is as long as the data.
  auto many = RandomColumn<int32_t>(rng, [&] { return static_cast<int32_t>(rng() % 4000) - 2000; });
  CheckAll(TypedArray(int32(), many), filters, 6);
}

TEST(BitmapIndexTest, UnsignedIntegers) {
  std::mt19937 rng(3);
  const std::vector<uint64_t> palette = {
      0, 1, 5, uint64_t{1} << 63, ~uint64_t{0}, (uint64_t{1} << 63) - 1};
  auto values = RandomColumn<uint64_t>(rng, [&] { return palette[rng() % palette.size()]; });
  CheckAll(TypedArray(uint64(), values),
           With({"c > 9223372036854775807", "c = 18446744073709551615", "c < 0", "c >= 0", "c != 5",
                 "c <= 1", "c = -1", "c IN (0, 18446744073709551615)",
                 "c NOT IN (5, 9223372036854775808)", "c BETWEEN 1 AND 9223372036854775808"}),
           7);
  auto bytes = RandomColumn<uint8_t>(rng, [&] { return static_cast<uint8_t>(rng() % 256); });
  CheckAll(TypedArray(uint8(), bytes),
           With({"c = 255", "c > 200", "c < 300", "c != 0", "c IN (1, 2, 3)", "c < -1"}), 8);
}

TEST(BitmapIndexTest, Floats) {
  std::mt19937 rng(4);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> palette = {0.0, -0.0, 1.5, -1.5, 0.1, nan, inf, -inf, 1e300};
  const auto filters = With({"c = 0", "c != 0", "c = 1.5", "c != 1.5", "c < 0", "c <= 0", "c > 0.1",
                             "c >= 0.1", "c = 0.1", "c IN (0.1, 1.5)", "c IN (0, NULL)",
                             "c NOT IN (1.5)", "c NOT IN (1.5, NULL)", "c BETWEEN -1 AND 1",
                             "c NOT BETWEEN -1 AND 1", "c > 1e308", "c < -1e308", "c = 1e300"});
  auto doubles = RandomColumn<double>(rng, [&] { return palette[rng() % palette.size()]; });
  CheckAll(TypedArray(float64(), doubles), filters, 9);
  auto floats = RandomColumn<float>(rng, [&] { return static_cast<float>(palette[rng() % 8]); });
  CheckAll(TypedArray(float32(), floats), filters, 10);
  auto halves =
      RandomColumn<uint16_t>(rng, [&] { return query::DoubleToHalf(palette[rng() % 8]); });
  CheckAll(TypedArray(float16(), halves), filters, 11);
}

TEST(BitmapIndexTest, BoolDatesAndTimestamps) {
  std::mt19937 rng(5);
  auto bools = RandomColumn<bool>(
      rng, [&] { return rng() % 3 == 0; }, 20);
  CheckAll(TypedArray(boolean(), bools),
           With({"c", "NOT c", "c = FALSE", "c != TRUE", "c IN (TRUE, NULL)", "c NOT IN (FALSE)",
                 "c < TRUE"}),
           12);
  // 2024-01-01 is day 19723.
  auto days = RandomColumn<int32_t>(rng, [&] { return 19723 + static_cast<int32_t>(rng() % 5); });
  CheckAll(TypedArray(date32(), days),
           With({"c = date '2024-01-02'", "c < '2024-01-03'", "c >= date '2024-01-04'",
                 "c > timestamp '2024-01-02 12:00:00'", "c = timestamp '2024-01-02 12:00:00'",
                 "c IN (date '2024-01-01', date '2023-01-01')",
                 "c BETWEEN '2024-01-02' AND '2024-01-03'", "c != date '2024-01-05'"}),
           13);
  const int64_t day = query::kMicrosPerDay;
  auto micros = RandomColumn<int64_t>(
      rng, [&] { return 19723 * day + static_cast<int64_t>(rng() % 4) * day / 2; });
  CheckAll(TypedArray(timestamp(), micros),
           With({"c = date '2024-01-01'", "c >= timestamp '2024-01-01 12:00:00'",
                 "c < '2024-01-02'", "c NOT IN (timestamp '2024-01-01 12:00:00')"}),
           14);
}

TEST(BitmapIndexTest, EmptyAndAllNull) {
  std::mt19937 rng(6);
  Column<std::string> nulls(50);
  Fixture f;
  ASSERT_TRUE(BuildFixture("BITMAP", MakeBatch({{"c", TypedArray(utf8(), nulls)}}),
                           SparseAddresses(50, rng), &f)
                  .ok());
  for (const std::string filter :
       {"c = 'a'", "c != 'a'", "c IS NULL", "c IS NOT NULL", "c NOT IN ('a')", "c LIKE '%'"}) {
    EXPECT_EQ(CheckFilter(f, filter), AnswerKind::kExact);
  }
  Fixture empty;
  ASSERT_TRUE(
      BuildFixture("BITMAP", MakeBatch({{"c", TypedArray(int32(), Column<int32_t>{})}}), {}, &empty)
          .ok());
  EXPECT_EQ(empty.segment->num_rows(), 0);
  EXPECT_EQ(CheckFilter(empty, "c != 1"), AnswerKind::kExact);
}

TEST(BitmapIndexTest, ChecksColumnsAndParameters) {
  const ScalarIndexPlugin* plugin = *ScalarIndexRegistry::BuiltIn().Find("bitmap");
  EXPECT_EQ(plugin->name(), "BITMAP");
  const Status status = plugin->CheckColumn(*field("tags", list(utf8())));
  EXPECT_EQ(status.code(), StatusCode::kTypeError);
  EXPECT_NE(status.message().find("tags"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("list<"), std::string::npos) << status.ToString();
  EXPECT_TRUE(plugin->CheckColumn(*field("d", date32())).ok());
  auto bad = plugin->NormalizeConfig({{"rows_per_zone", "5"}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("rows_per_zone"), std::string::npos);
  auto config = plugin->NormalizeConfig({});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->index_type, "BITMAP");
}

TEST(BitmapIndexTest, RejectsDescendingAddresses) {
  const ScalarIndexPlugin* plugin = *ScalarIndexRegistry::BuiltIn().Find("BITMAP");
  auto executor = MakeThreadPoolExecutor(1);
  BuildContext context{MakeMemoryFileSystem(), "/tmp", 1 << 20, executor.get()};
  auto builder = plugin->MakeBuilder(*plugin->NormalizeConfig({}), *field("c", int32()), context);
  ASSERT_TRUE(builder.ok());
  auto values = TypedArray(int32(), Column<int32_t>{1, 2});
  const std::vector<RowAddress> addresses = {5, 4};
  EXPECT_EQ((*builder)->Add(*values, addresses).code(), StatusCode::kInvalidArgument);
  auto strings = TypedArray(utf8(), Column<std::string>{"a", "b"});
  const std::vector<RowAddress> fine = {7, 8};
  EXPECT_EQ((*builder)->Add(*strings, fine).code(), StatusCode::kTypeError);
}

TEST(BitmapIndexTest, DamagedBlobsAreCorruption) {
  std::mt19937 rng(8);
  auto values = RandomColumn<std::string>(rng, [&] { return std::string(1, 'a' + rng() % 20); });
  Fixture f;
  ASSERT_TRUE(BuildFixture("BITMAP", MakeBatch({{"c", TypedArray(utf8(), values)}}),
                           SparseAddresses(kRows, rng), &f)
                  .ok());
  std::vector<query::ColumnPredicate> predicates;
  for (const std::string filter : {"c IS NULL", "c != 'b'", "c IN ('a', 'q')", "c LIKE '%'"}) {
    predicates.push_back(
        *query::AsColumnPredicate(**query::ParseFilter(filter, *f.batch->schema())));
  }
  CheckDamage(f, predicates);
  // A segment of another index type is refused.
  auto ngram = ScalarIndexRegistry::BuiltIn().Find("NGRAM");
  ASSERT_TRUE(ngram.ok());
  auto other = (*ngram)->Open(f.file, f.config, *f.batch->schema()->field(0));
  EXPECT_EQ(other.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace ixray::scalar::test
