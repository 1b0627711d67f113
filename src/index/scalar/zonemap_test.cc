#include "index/scalar/zonemap.h"

#include <gtest/gtest.h>

#include "index/scalar/ordered_index_test_util.h"

namespace ixray::scalar {
namespace {

using test::BuildSegment;
using test::CheckFilter;
using test::Expect;
using test::MakeContext;
using test::MakeTestTable;

const ScalarIndexPlugin& ZoneMap() { return **ScalarIndexRegistry::BuiltIn().Find("ZoneMap"); }

TEST(ZoneMapTest, ConfigRoundTripAndParameters) {
  auto config = ZoneMap().NormalizeConfig({});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->index_type, "ZONEMAP");
  EXPECT_EQ(*config->GetInt("rows_per_zone"), 8192);
  auto back = ScalarIndexConfig::Deserialize(config->Serialize());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->params, config->params);
  EXPECT_EQ(*ZoneMap().NormalizeConfig({{"rows_per_zone", "17"}})->GetInt("rows_per_zone"), 17);
  for (const char* bad : {"x", "0", "-1"}) {
    EXPECT_EQ(ZoneMap().NormalizeConfig({{"rows_per_zone", bad}}).status().code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
  auto unknown = ZoneMap().NormalizeConfig({{"batch_size", "10"}}).status();
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("rows_per_zone"), std::string::npos) << unknown.ToString();
}

TEST(ZoneMapTest, RejectsColumnsWithoutOrder) {
  const Field f("vec", fixed_size_list(float32(), 8));
  Status status = ZoneMap().CheckColumn(f);
  EXPECT_EQ(status.code(), StatusCode::kTypeError);
  EXPECT_NE(status.message().find("vec"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("fixed_size_list"), std::string::npos) << status.ToString();
  EXPECT_EQ(ZoneMap().CheckColumn(Field("l", list(utf8()))).code(), StatusCode::kTypeError);
  EXPECT_TRUE(ZoneMap().CheckColumn(Field("t", timestamp())).ok());
}

// Answers are supersets of the evaluator's rows, made of indexed rows only;
// IS [NOT] NULL is exact.
TEST(ZoneMapTest, AnswersAreSupersetsOfTheEvaluator) {
  const test::TestTable table = MakeTestTable(21);
  auto fs = MakeMemoryFileSystem();
  for (const std::string rows_per_zone : {"1", "6", "8192"}) {
    for (const auto& column : test::TestColumns()) {
      SCOPED_TRACE(column + " rows_per_zone=" + rows_per_zone);
      auto segment = BuildSegment(ZoneMap(), {{"rows_per_zone", rows_per_zone}}, table, column,
                                  MakeContext(fs, "tmp"), column + rows_per_zone + ".seg");
      ASSERT_TRUE(segment.ok()) << segment.status().ToString();
      EXPECT_EQ((*segment)->num_rows(), static_cast<int64_t>(table.addresses.size()));
      // One row per zone: the statistics are the values, so every answer
      // is exact.
      const Expect expect = rows_per_zone == "1" ? Expect::kExact : Expect::kSuperset;
      for (const auto& filter : test::FiltersFor(column)) {
        const bool null_test = filter.find("IS ") != std::string::npos;
        CheckFilter(**segment, table, filter, null_test ? Expect::kExact : expect);
      }
    }
  }
}

// Zones prune: on sorted data with small zones a narrow range keeps only
// the zones around it; zones never span fragments.
TEST(ZoneMapTest, PrunesZonesOnSortedData) {
  auto fs = MakeMemoryFileSystem();
  const Field f("x", int64());
  auto config = *ZoneMap().NormalizeConfig({{"rows_per_zone", "10"}});
  auto builder = *ZoneMap().MakeBuilder(config, f, MakeContext(fs, "tmp"));
  // Fragment 1: x = 0..94 at offsets 0..94; fragment 2: x = 95..99 at
  // offsets 0..4. With zones of 10, fragment 1 ends in a zone of 5 rows
  // (90..94) and fragment 2 gets its own.
  ArrayBuilder values(int64());
  std::vector<RowAddress> addresses;
  for (int64_t x = 0; x < 100; ++x) {
    values.Append<int64_t>(x);
    addresses.push_back(x < 95 ? MakeRowAddress(1, x) : MakeRowAddress(2, x - 95));
  }
  ASSERT_TRUE(builder->Add(**values.Finish(), addresses).ok());
  auto writer = *index::SegmentFileWriter::Open(fs, "sorted.seg");
  ASSERT_TRUE(builder->Finish(*writer).ok());
  ASSERT_TRUE(writer->Finish().ok());
  auto segment = *ZoneMap().Open(*index::SegmentFileReader::Open(fs, "sorted.seg"), config, f);
  const auto search = [&](query::PredicateOp op, std::vector<query::Literal> values) {
    query::ColumnPredicate predicate{"x", 0, int64(), op, false, std::move(values)};
    auto answer = segment->Search(predicate);
    EXPECT_TRUE(answer.ok() && answer->has_value());
    return **answer;
  };
  using query::Literal;
  IndexAnswer eq = search(query::PredicateOp::kEq, {Literal::Int64(42)});
  EXPECT_EQ(eq.rows.cardinality(), 10u);  // the zone 40..49
  EXPECT_FALSE(eq.exact);
  EXPECT_TRUE(eq.rows.contains(MakeRowAddress(1, 42)));
  IndexAnswer tail = search(query::PredicateOp::kGe, {Literal::Int64(93)});
  EXPECT_EQ(tail.rows.cardinality(), 10u);  // zones 90..94 and 95..99
  EXPECT_FALSE(tail.exact);
  IndexAnswer whole = search(query::PredicateOp::kGe, {Literal::Int64(90)});
  EXPECT_EQ(whole.rows.cardinality(), 10u);
  EXPECT_TRUE(whole.exact);  // both zones match in full
  IndexAnswer none = search(query::PredicateOp::kGt, {Literal::Int64(99)});
  EXPECT_TRUE(none.rows.isEmpty());
  EXPECT_TRUE(none.exact);
}

TEST(ZoneMapTest, CorruptSegmentsAreCorruption) {
  const test::TestTable table = MakeTestTable(23);
  auto fs = MakeMemoryFileSystem();
  auto config = *ZoneMap().NormalizeConfig({{"rows_per_zone", "7"}});
  const Field f("f64", float64());
  ASSERT_TRUE(
      BuildSegment(ZoneMap(), config.params, table, "f64", MakeContext(fs, "tmp"), "good.seg")
          .ok());
  const std::string good = *ReadWholeFile(*fs, "good.seg");
  int detected = 0;
  for (size_t at = 0; at < good.size(); at += 1 + good.size() / 40) {
    std::string bad = good;
    bad[at] ^= 0x21;
    const std::string path = "bad" + std::to_string(at);
    ASSERT_TRUE(WriteFileAtomicNoReplace(*fs, path, bad).ok());
    auto reader = index::SegmentFileReader::Open(fs, path);
    if (!reader.ok()) {
      EXPECT_EQ(reader.status().code(), StatusCode::kCorruption) << reader.status().ToString();
      ++detected;
      continue;
    }
    auto segment = ZoneMap().Open(*reader, config, f);
    if (!segment.ok()) {
      EXPECT_EQ(segment.status().code(), StatusCode::kCorruption) << segment.status().ToString();
      ++detected;
    }
  }
  EXPECT_GT(detected, 30);

  // Checksummed but malformed zone statistics.
  auto reader = *index::SegmentFileReader::Open(fs, "good.seg");
  const auto blob = [&](std::string_view name) {
    BufferPtr b = *reader->Read(name);
    return std::string(reinterpret_cast<const char*>(b->data()), b->size());
  };
  std::string zones = blob(zonemap::kZonesBlob);
  for (const auto& [path, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"short.seg", zones.substr(0, zones.size() - 1)},
           {"magic.seg", "XXZM" + zones.substr(4)}}) {
    auto writer = *index::SegmentFileWriter::Open(fs, path);
    ASSERT_TRUE(writer->Add(zonemap::kZonesBlob, bytes).ok());
    ASSERT_TRUE(writer->Add(zonemap::kNullsBlob, blob(zonemap::kNullsBlob)).ok());
    ASSERT_TRUE(writer->Add(zonemap::kRowsBlob, blob(zonemap::kRowsBlob)).ok());
    ASSERT_TRUE(writer->Finish().ok());
    auto segment = ZoneMap().Open(*index::SegmentFileReader::Open(fs, path), config, f);
    EXPECT_EQ(segment.status().code(), StatusCode::kCorruption) << path;
  }
}

}  // namespace
}  // namespace ixray::scalar
