#include "index/scalar/btree.h"

#include <gtest/gtest.h>

#include <thread>

#include "index/scalar/btree_page.h"
#include "index/scalar/ordered_index_test_util.h"

namespace ixray::scalar {
namespace {

using test::BuildSegment;
using test::CheckFilter;
using test::Expect;
using test::MakeContext;
using test::MakeTestTable;

const ScalarIndexPlugin& BTree() { return **ScalarIndexRegistry::BuiltIn().Find("btree"); }

TEST(BTreeTest, ConfigRoundTripAndParameters) {
  auto config = BTree().NormalizeConfig({});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->index_type, "BTREE");
  EXPECT_EQ(*config->GetInt("batch_size"), 4096);
  auto back = ScalarIndexConfig::Deserialize(config->Serialize());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->index_type, "BTREE");
  EXPECT_EQ(back->params, config->params);
  EXPECT_EQ(back->Digest(), config->Digest());

  auto custom = BTree().NormalizeConfig({{"batch_size", "100"}});
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(*custom->GetInt("batch_size"), 100);
  EXPECT_NE(custom->Digest(), config->Digest());

  for (const char* bad : {"abc", "0", "-5", "99999999999"}) {
    auto status = BTree().NormalizeConfig({{"batch_size", bad}}).status();
    EXPECT_TRUE(status.code() == StatusCode::kInvalidArgument) << bad << ": " << status.ToString();
  }
  auto unknown = BTree().NormalizeConfig({{"page_rows", "10"}}).status();
  EXPECT_TRUE(unknown.code() == StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("page_rows"), std::string::npos) << unknown.ToString();
  EXPECT_NE(unknown.message().find("batch_size"), std::string::npos) << unknown.ToString();
}

TEST(BTreeTest, RejectsColumnsWithoutOrder) {
  for (const FieldPtr& f :
       {field("embedding", fixed_size_list(float32(), 4)), field("labels", list(utf8()))}) {
    Status status = BTree().CheckColumn(*f);
    EXPECT_TRUE(status.code() == StatusCode::kTypeError) << status.ToString();
    EXPECT_NE(status.message().find(f->name), std::string::npos) << status.ToString();
    EXPECT_NE(status.message().find(f->type->ToString()), std::string::npos) << status.ToString();
    auto fs = MakeMemoryFileSystem();
    auto builder = BTree().MakeBuilder(*BTree().NormalizeConfig({}), *f, MakeContext(fs, "tmp"));
    EXPECT_TRUE(builder.status().code() == StatusCode::kTypeError);
  }
  for (const auto& type : {int8(), uint64(), float16(), float64(), utf8(), large_utf8(), binary(),
                           date32(), timestamp("UTC"), boolean()}) {
    EXPECT_TRUE(BTree().CheckColumn(*field("x", type)).ok()) << type->ToString();
  }
}

// Every column type, small pages (many per segment, duplicates spanning
// pages) and the default: answers equal the evaluator's.
TEST(BTreeTest, MatchesEvaluatorOnEveryColumn) {
  const test::TestTable table = MakeTestTable(7);
  auto fs = MakeMemoryFileSystem();
  for (const std::string batch_size : {"5", "4096"}) {
    for (const auto& column : test::TestColumns()) {
      SCOPED_TRACE(column + " batch_size=" + batch_size);
      auto segment = BuildSegment(BTree(), {{"batch_size", batch_size}}, table, column,
                                  MakeContext(fs, "tmp/" + column),
                                  "idx/" + column + "-" + batch_size + ".seg");
      ASSERT_TRUE(segment.ok()) << segment.status().ToString();
      EXPECT_EQ((*segment)->num_rows(), static_cast<int64_t>(table.addresses.size()));
      for (const auto& filter : test::FiltersFor(column)) {
        CheckFilter(**segment, table, filter, Expect::kExact);
      }
    }
  }
}

TEST(BTreeTest, LikeUsesTheLiteralPrefix) {
  const test::TestTable table = MakeTestTable(11);
  auto fs = MakeMemoryFileSystem();
  auto segment =
      BuildSegment(BTree(), {{"batch_size", "8"}}, table, "s", MakeContext(fs, "tmp"), "s.seg");
  ASSERT_TRUE(segment.ok()) << segment.status().ToString();
  CheckFilter(**segment, table, "s LIKE 'ab%'", Expect::kExact);
  CheckFilter(**segment, table, "s LIKE 'ab%%'", Expect::kExact);
  CheckFilter(**segment, table, "s LIKE 'abc'", Expect::kExact);
  CheckFilter(**segment, table, "s LIKE '%'", Expect::kExact);
  CheckFilter(**segment, table, "s LIKE NULL", Expect::kExact);
  CheckFilter(**segment, table, "s LIKE 'a_c'", Expect::kSuperset);
  CheckFilter(**segment, table, "s LIKE 'a%b'", Expect::kSuperset);
  CheckFilter(**segment, table, "s LIKE '%b'", Expect::kSuperset);
  CheckFilter(**segment, table, "s NOT LIKE 'ab%'", Expect::kNoAnswer);
  CheckFilter(**segment, table, "contains(s, 'b')", Expect::kNoAnswer);
}

// A tiny memory limit makes the builder spill a run every few rows; the
// merged segment answers the same, and no run file outlives Finish.
TEST(BTreeTest, SpillsSortedRunsAndMergesThem) {
  const test::TestTable table = MakeTestTable(3);
  auto fs = MakeMemoryFileSystem();
  for (const std::string column : {"i64", "f64", "s", "b"}) {
    SCOPED_TRACE(column);
    const std::string temp_dir = "spill/" + column;
    size_t runs_seen = 0;
    auto segment = BuildSegment(BTree(), {{"batch_size", "16"}}, table, column,
                                MakeContext(fs, temp_dir, 512), column + ".seg", [&] {
                                  auto files = fs->ListDir(temp_dir);
                                  ASSERT_TRUE(files.ok());
                                  runs_seen = files->size();
                                  for (const auto& file : *files) {
                                    EXPECT_EQ(file.path.rfind(temp_dir + "/btree-run-", 0), 0u)
                                        << file.path;
                                  }
                                });
    ASSERT_TRUE(segment.ok()) << segment.status().ToString();
    EXPECT_GT(runs_seen, 5u);
    auto left = fs->ListDir(temp_dir);
    ASSERT_TRUE(left.ok());
    EXPECT_TRUE(left->empty()) << left->size() << " spill files remain";
    for (const auto& filter : test::FiltersFor(column)) {
      CheckFilter(**segment, table, filter, Expect::kExact);
    }
  }
}

TEST(BTreeTest, EmptyAndAllNullSegments) {
  auto fs = MakeMemoryFileSystem();
  const Field f("x", int32());
  auto config = *BTree().NormalizeConfig({});
  for (const bool all_null : {false, true}) {
    auto builder = *BTree().MakeBuilder(config, f, MakeContext(fs, "tmp"));
    std::vector<RowAddress> addresses = {MakeRowAddress(2, 0), MakeRowAddress(2, 5)};
    if (all_null) ASSERT_TRUE(builder->Add(*MakeNullArray(int32(), 2), addresses).ok());
    const std::string path = all_null ? "null.seg" : "empty.seg";
    auto writer = *index::SegmentFileWriter::Open(fs, path);
    ASSERT_TRUE(builder->Finish(*writer).ok());
    ASSERT_TRUE(writer->Finish().ok());
    auto segment = BTree().Open(*index::SegmentFileReader::Open(fs, path), config, f);
    ASSERT_TRUE(segment.ok()) << segment.status().ToString();
    EXPECT_EQ((*segment)->num_rows(), all_null ? 2 : 0);
    query::ColumnPredicate predicate;
    predicate.column = "x";
    predicate.type = int32();
    predicate.op = query::PredicateOp::kNe;
    predicate.values = {query::Literal::Int64(1)};
    auto answer = (*segment)->Search(predicate);
    ASSERT_TRUE(answer.ok() && answer->has_value());
    EXPECT_TRUE((*answer)->exact);
    EXPECT_TRUE((*answer)->rows.isEmpty());
    predicate.op = query::PredicateOp::kIsNull;
    predicate.values.clear();
    answer = (*segment)->Search(predicate);
    ASSERT_TRUE(answer.ok() && answer->has_value());
    EXPECT_EQ((*answer)->rows.cardinality(), all_null ? 2u : 0u);
  }
}

TEST(BTreeTest, RejectsBadInput) {
  auto fs = MakeMemoryFileSystem();
  auto builder = *BTree().MakeBuilder(*BTree().NormalizeConfig({}), Field("x", int32()),
                                      MakeContext(fs, "tmp"));
  const std::vector<RowAddress> two = {5, 9};
  EXPECT_TRUE(builder->Add(*MakeNullArray(int64(), 2), two).code() == StatusCode::kTypeError);
  EXPECT_TRUE(builder->Add(*MakeNullArray(int32(), 3), two).code() == StatusCode::kInvalidArgument);
  const std::vector<RowAddress> descending = {9, 5};
  EXPECT_TRUE(builder->Add(*MakeNullArray(int32(), 2), descending).code() ==
              StatusCode::kInvalidArgument);
}

// Many threads searching one segment share its page cache.
TEST(BTreeTest, ConcurrentSearches) {
  const test::TestTable table = MakeTestTable(5);
  auto fs = MakeMemoryFileSystem();
  auto segment =
      BuildSegment(BTree(), {{"batch_size", "4"}}, table, "i32", MakeContext(fs, "tmp"), "i32.seg");
  ASSERT_TRUE(segment.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (const auto& filter : test::FiltersFor("i32")) {
        if ((filter.size() + t) % 2 == 0) CheckFilter(**segment, table, filter, Expect::kExact);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

Result<std::string> ReadBlobString(const index::SegmentFileReader& reader, std::string_view name) {
  IXRAY_ASSIGN_OR_RAISE(BufferPtr blob, reader.Read(name));
  return std::string(reinterpret_cast<const char*>(blob->data()), blob->size());
}

// Damaged files give Corruption from Open or Search, never a crash or a
// silent answer.
TEST(BTreeTest, CorruptSegmentsAreCorruption) {
  const test::TestTable table = MakeTestTable(13);
  auto fs = MakeMemoryFileSystem();
  auto config = *BTree().NormalizeConfig({{"batch_size", "8"}});
  const Field f("s", utf8());
  ASSERT_TRUE(
      BuildSegment(BTree(), config.params, table, "s", MakeContext(fs, "tmp"), "good.seg").ok());
  const std::string good = *ReadWholeFile(*fs, "good.seg");
  const std::vector<std::string> filters = {"s = 'abc'", "s != 'abc'", "s < 'b'", "s IS NULL"};

  // Flipped bytes: caught by the segment file's checksums.
  int detected = 0;
  for (size_t at = 0; at < good.size(); at += 1 + good.size() / 40) {
    std::string bad = good;
    bad[at] ^= 0x5a;
    ASSERT_TRUE(WriteFileAtomicNoReplace(*fs, "bad" + std::to_string(at), bad).ok());
    auto reader = index::SegmentFileReader::Open(fs, "bad" + std::to_string(at));
    if (!reader.ok()) {
      EXPECT_TRUE(reader.status().code() == StatusCode::kCorruption) << reader.status().ToString();
      ++detected;
      continue;
    }
    auto segment = BTree().Open(*reader, config, f);
    if (!segment.ok()) {
      EXPECT_TRUE(segment.status().code() == StatusCode::kCorruption)
          << segment.status().ToString();
      ++detected;
      continue;
    }
    for (const auto& filter : filters) {
      auto expr = *query::ParseFilter(filter, *table.batch->schema());
      auto answer = (*segment)->Search(*query::AsColumnPredicate(*expr));
      if (!answer.ok()) {
        EXPECT_TRUE(answer.status().code() == StatusCode::kCorruption)
            << answer.status().ToString();
        ++detected;
        break;
      }
    }
  }
  EXPECT_GT(detected, 20);  // the rest hit padding or pages no filter reads

  // Well-checksummed blobs with bad contents: caught by the decoders.
  auto reader = *index::SegmentFileReader::Open(fs, "good.seg");
  const auto rewrite = [&](const std::string& path, std::string_view replaced,
                           const std::string& bytes) {
    auto writer = *index::SegmentFileWriter::Open(fs, path);
    std::vector<std::string> names = {std::string(btree::kLookupBlob),
                                      std::string(btree::kNullsBlob),
                                      std::string(btree::kRowsBlob)};
    for (int64_t i = 0; reader->Has(btree::PageBlobName(i)); ++i) {
      names.push_back(btree::PageBlobName(i));
    }
    for (const auto& name : names) {
      ASSERT_TRUE(
          writer->Add(name, name == replaced ? bytes : *ReadBlobString(*reader, name)).ok());
    }
    ASSERT_TRUE(writer->Finish().ok());
  };
  const std::string lookup = *ReadBlobString(*reader, btree::kLookupBlob);
  rewrite("short-lookup.seg", btree::kLookupBlob, lookup.substr(0, lookup.size() - 3));
  rewrite("bad-rows.seg", btree::kRowsBlob, std::string("\x01\x00\x00\x00garbage", 11));
  for (const char* path : {"short-lookup.seg", "bad-rows.seg"}) {
    auto segment = BTree().Open(*index::SegmentFileReader::Open(fs, path), config, f);
    EXPECT_TRUE(segment.status().code() == StatusCode::kCorruption)
        << path << ": " << segment.status().ToString();
  }
  // A page whose keys are out of order.
  btree::Page<StringKeys> page;
  page.keys = {"b", "a"};
  page.addresses = {1, 2};
  rewrite("bad-page.seg", btree::PageBlobName(0),
          btree::EncodePage<StringKeys>(page.keys, page.addresses));
  auto segment = BTree().Open(*index::SegmentFileReader::Open(fs, "bad-page.seg"), config, f);
  ASSERT_TRUE(segment.ok()) << segment.status().ToString();  // pages are read lazily
  auto expr = *query::ParseFilter("s IS NOT NULL AND s <= ''", *table.batch->schema());
  auto answer = (*segment)->Search(*query::AsColumnPredicate(*query::SplitConjunction(expr)[1]));
  EXPECT_TRUE(answer.status().code() == StatusCode::kCorruption) << answer.status().ToString();
}

}  // namespace
}  // namespace ixray::scalar
