#include "index/scalar/inverted/inverted_segment.h"

#include <gtest/gtest.h>

#include <map>

#include "index/scalar/inverted/fts_search.h"
#include "index/scalar/inverted/fts_search_internal.h"
#include "index/scalar/inverted/inverted_builder.h"
#include "index/scalar/inverted/inverted_test_util.h"
#include "ixray/builder.h"

namespace ixray::scalar::inverted {
namespace {

using testing::BuildSegment;
using testing::MakeConfig;
using testing::Rows;
using testing::Strings;
using Blobs = std::map<std::string, std::string, std::less<>>;

BuildContext SerialContext() {
  static auto executor = SerialExecutor();
  BuildContext context;
  context.executor = executor.get();
  return context;
}

Blobs BuildBlobs(const ScalarIndexConfig& config, const Array& values,
                 const std::vector<RowAddress>& addresses, BuildContext context) {
  auto builder = InvertedSegmentBuilder::Make(config, Field{"text", values.type()}, context);
  EXPECT_TRUE(builder.ok());
  EXPECT_TRUE((*builder)->Add(values, addresses).ok());
  Blobs blobs;
  EXPECT_TRUE((*builder)
                  ->FinishTo([&](std::string_view name, std::string_view bytes) {
                    blobs[std::string(name)] = std::string(bytes);
                    return Status::OK();
                  })
                  .ok());
  return blobs;
}

Result<std::unique_ptr<InvertedSegment>> OpenBlobs(const Blobs& blobs,
                                                   const ScalarIndexConfig& config) {
  auto copy = std::make_shared<Blobs>(blobs);
  return InvertedSegment::Open(
      [copy](std::string_view name) -> Result<BufferPtr> {
        auto it = copy->find(name);
        if (it == copy->end()) return Status::NotFound(std::string(name));
        return Buffer::CopyFrom(it->second.data(), static_cast<int64_t>(it->second.size()));
      },
      config);
}

std::vector<RowAddress> Addresses(const std::vector<ScoredRow>& rows) {
  std::vector<RowAddress> out;
  for (const ScoredRow& row : rows) out.push_back(row.address);
  return out;
}

Result<std::vector<ScoredRow>> Match(const InvertedSegment& segment, std::string text,
                                     int64_t k = 100) {
  const InvertedSegment* segments[] = {&segment};
  return SearchFullText(segments, {FtsQuery::Kind::kMatch, std::move(text)}, k);
}

TEST(InvertedPluginTest, IsRegisteredAndChecksColumns) {
  auto plugin = ScalarIndexRegistry::BuiltIn().Find("fts");
  ASSERT_TRUE(plugin.ok());
  EXPECT_EQ((*plugin)->name(), "INVERTED");
  EXPECT_TRUE((*plugin)->CheckColumn(Field{"a", utf8()}).ok());
  EXPECT_TRUE((*plugin)->CheckColumn(Field{"a", large_utf8()}).ok());
  EXPECT_TRUE((*plugin)->CheckColumn(Field{"a", list(utf8())}).ok());
  for (const TypePtr& type : {int32(), binary(), list(int64())}) {
    const Status status = (*plugin)->CheckColumn(Field{"score", type});
    EXPECT_EQ(status.code(), StatusCode::kTypeError);
    EXPECT_NE(status.message().find("'score'"), std::string::npos);
    EXPECT_NE(status.message().find(type->ToString()), std::string::npos);
  }
  EXPECT_EQ((*plugin)->NormalizeConfig({{"bogus", "1"}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(InvertedPluginTest, BuildsAndOpensASegmentFile) {
  auto plugin = *ScalarIndexRegistry::BuiltIn().Find("INVERTED");
  auto config = *plugin->NormalizeConfig({{"with_position", "true"}});
  const Field field{"text", utf8()};
  auto fs = MakeMemoryFileSystem();
  auto executor = MakeThreadPoolExecutor(2);
  BuildContext context;
  context.fs = fs;
  context.executor = executor.get();
  auto builder = *plugin->MakeBuilder(config, field, context);
  auto first = Strings({"the quick brown fox", std::nullopt, "a lazy dog"});
  auto second = Strings({"", "quick quick fox"});
  ASSERT_TRUE(builder->Add(*first, Rows(3, 1)).ok());
  ASSERT_TRUE(builder->Add(*second, Rows(2, 4)).ok());
  EXPECT_EQ(builder->Add(*second, Rows(2, 4)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(builder->Add(*Strings({"x"}), Rows(2, 5)).code(), StatusCode::kInvalidArgument);
  auto writer = *index::SegmentFileWriter::Open(fs, "segment.idx");
  ASSERT_TRUE(builder->Finish(*writer).ok());
  ASSERT_TRUE(writer->Finish().ok());

  auto reader = *index::SegmentFileReader::Open(fs, "segment.idx");
  auto opened = plugin->Open(reader, config, field);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ((*opened)->num_rows(), 5);
  const InvertedSegment* segment = AsInvertedSegment(**opened);
  ASSERT_NE(segment, nullptr);
  EXPECT_EQ(segment->num_docs(), 4u);  // the null row is no document
  EXPECT_EQ(segment->total_tokens(), 3u + 2u + 0u + 3u);
  EXPECT_TRUE(segment->with_positions());
  EXPECT_EQ(segment->address(3), MakeRowAddress(4, 1));
  EXPECT_EQ(segment->doc_length(2), 0u);
  std::vector<std::string> terms;
  for (uint64_t i = 0; i < segment->num_terms(); ++i) terms.emplace_back(segment->term(i));
  EXPECT_EQ(terms, (std::vector<std::string>{"brown", "dog", "fox", "lazi", "quick"}));
  EXPECT_EQ(segment->FindTerm("quick")->df, 2u);
  EXPECT_FALSE(segment->FindTerm("the").has_value());

  auto rows = Match(*segment, "Quick!");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(Addresses(*rows),
            (std::vector<RowAddress>{MakeRowAddress(4, 1), MakeRowAddress(1, 0)}));
  EXPECT_TRUE(Match(*segment, "")->empty());
  EXPECT_TRUE(Match(*segment, "unicorn")->empty());
  query::ColumnPredicate predicate;
  predicate.column = "text";
  EXPECT_FALSE((*segment->Search(predicate)).has_value());
}

TEST(InvertedSegmentTest, ParallelBuildEqualsSerialBuild) {
  std::vector<std::optional<std::string>> values;
  for (int i = 0; i < 5000; ++i) {
    values.push_back(i % 97 == 0 ? std::optional<std::string>()
                                 : "doc " + std::to_string(i % 37) + " word" +
                                       std::to_string(i % 11) + " word" + std::to_string(i % 5));
  }
  auto array = Strings(values);
  const auto config = MakeConfig({{"with_position", "true"}});
  auto pool = MakeThreadPoolExecutor(3);
  BuildContext parallel = SerialContext();
  parallel.executor = pool.get();
  EXPECT_EQ(BuildBlobs(config, *array, Rows(values.size()), SerialContext()),
            BuildBlobs(config, *array, Rows(values.size()), parallel));
}

TEST(InvertedSegmentTest, IndexesListsOfStrings) {
  const auto config = MakeConfig({{"with_position", "true"}});
  ArrayBuilder builder(list(utf8()));
  builder.StartList();
  builder.child().AppendString("hello world");
  builder.child().AppendNull();
  builder.child().AppendString("foo");
  builder.AppendNull();
  builder.StartList();
  builder.StartList();
  builder.child().AppendString("foo foo");
  auto values = *builder.Finish();
  auto segment = BuildSegment(config, *values, Rows(4));
  ASSERT_NE(segment, nullptr);
  EXPECT_EQ(segment->num_rows(), 4);
  EXPECT_EQ(segment->num_docs(), 3u);
  EXPECT_EQ(segment->doc_length(0), 3u);
  EXPECT_EQ(segment->doc_length(1), 0u);

  auto rows = Match(*segment, "foo");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(Addresses(*rows), (std::vector<RowAddress>{3, 0}));
  const InvertedSegment* segments[] = {segment.get()};
  auto phrase = SearchFullText(segments, {FtsQuery::Kind::kPhrase, "hello world"}, 10);
  EXPECT_EQ(Addresses(*phrase), (std::vector<RowAddress>{0}));
  // A phrase does not span two values of one list.
  EXPECT_TRUE(SearchFullText(segments, {FtsQuery::Kind::kPhrase, "world foo"}, 10)->empty());
  EXPECT_EQ(Addresses(*SearchFullText(segments, {FtsQuery::Kind::kPhrase, "foo foo"}, 10)),
            (std::vector<RowAddress>{3}));

  // The builder checks the values' type against the column's.
  auto text_builder =
      *InvertedSegmentBuilder::Make(config, Field{"tags", list(utf8())}, SerialContext());
  EXPECT_EQ(text_builder->Add(*Strings({"a"}), Rows(1)).code(), StatusCode::kTypeError);
  EXPECT_EQ(
      InvertedSegmentBuilder::Make(config, Field{"n", int64()}, SerialContext()).status().code(),
      StatusCode::kTypeError);
}

TEST(InvertedSegmentTest, NullAndEmptyDocuments) {
  const auto config = MakeConfig();
  auto only_nulls = BuildSegment(config, *Strings({std::nullopt, std::nullopt}), Rows(2));
  EXPECT_EQ(only_nulls->num_rows(), 2);
  EXPECT_EQ(only_nulls->num_docs(), 0u);
  EXPECT_TRUE(Match(*only_nulls, "anything")->empty());
  auto empty = BuildSegment(config, *Strings({}), {});
  EXPECT_EQ(empty->num_rows(), 0);
  EXPECT_EQ(empty->num_terms(), 0u);
  auto stop_words_only = BuildSegment(config, *Strings({"the", "", "of the"}), Rows(3));
  EXPECT_EQ(stop_words_only->num_docs(), 3u);
  EXPECT_EQ(stop_words_only->total_tokens(), 0u);
  EXPECT_TRUE(Match(*stop_words_only, "the")->empty());
}

TEST(InvertedSegmentTest, DamagedBlobsAreCorruption) {
  const auto config = MakeConfig({{"with_position", "true"}});
  std::vector<std::optional<std::string>> values;
  for (int i = 0; i < 400; ++i) {
    values.push_back("alpha beta" + std::string(i % 3 == 0 ? " gamma" : "") + " w" +
                     std::to_string(i % 13));
  }
  const Blobs good = BuildBlobs(config, *Strings(values), Rows(values.size()), SerialContext());
  ASSERT_TRUE(OpenBlobs(good, config).ok());
  ASSERT_TRUE(good.count("postings.0") && good.count("positions.0"));

  auto expect_open_corrupt = [&](const Blobs& blobs) {
    EXPECT_EQ(OpenBlobs(blobs, config).status().code(), StatusCode::kCorruption);
  };
  for (const char* name : {"meta", "terms", "docs"}) {
    Blobs truncated = good;
    truncated[name].pop_back();
    expect_open_corrupt(truncated);
    Blobs extended = good;
    extended[name].push_back('\0');
    expect_open_corrupt(extended);
  }
  Blobs bad_magic = good;
  bad_magic["meta"][0] = 'X';
  expect_open_corrupt(bad_magic);
  Blobs unsorted = good;  // swap two term bytes: "alpha" -> "lapha"
  std::swap(unsorted["terms"][4 * (1 + 16)], unsorted["terms"][4 * (1 + 16) + 1]);
  expect_open_corrupt(unsorted);
  Blobs unordered_docs = good;
  std::swap(unordered_docs["docs"][0], unordered_docs["docs"][8]);
  expect_open_corrupt(unordered_docs);

  // Postings are read on first use: damage shows at search time.
  auto query_status = [&](const Blobs& blobs, FtsQuery::Kind kind) {
    auto segment = OpenBlobs(blobs, config);
    if (!segment.ok()) return segment.status();
    const InvertedSegment* segments[] = {segment->get()};
    Status status = SearchFullText(segments, {kind, "alpha beta gamma w1"}, 10).status();
    if (status.ok()) {
      status = SearchFullTextExhaustive(segments, {kind, "alpha beta gamma w1"}, 10).status();
    }
    return status;
  };
  Blobs short_postings = good;
  short_postings["postings.0"].resize(good.at("postings.0").size() / 2);
  EXPECT_EQ(query_status(short_postings, FtsQuery::Kind::kMatch).code(), StatusCode::kCorruption);
  Blobs short_positions = good;
  short_positions["positions.0"].resize(good.at("positions.0").size() / 2);
  EXPECT_EQ(query_status(short_positions, FtsQuery::Kind::kPhrase).code(), StatusCode::kCorruption);
  Blobs missing = good;
  missing.erase("postings.0");
  EXPECT_FALSE(query_status(missing, FtsQuery::Kind::kMatch).ok());

  // Any single damaged byte gives an error or a result, never a crash.
  for (const auto& [name, bytes] : good) {
    for (size_t i = 0; i < bytes.size(); i += 1 + bytes.size() / 100) {
      Blobs damaged = good;
      damaged[name][i] = static_cast<char>(damaged[name][i] ^ 0x5a);
      for (auto kind : {FtsQuery::Kind::kMatch, FtsQuery::Kind::kPhrase}) {
        const Status status = query_status(damaged, kind);
        EXPECT_TRUE(status.ok() || status.code() == StatusCode::kCorruption ||
                    status.code() == StatusCode::kInvalidArgument)
            << name << " byte " << i << ": " << status.ToString();
      }
    }
  }
}

TEST(InvertedSegmentTest, DamagedSegmentFileIsCorruption) {
  auto plugin = *ScalarIndexRegistry::BuiltIn().Find("INVERTED");
  const auto config = MakeConfig();
  const Field field{"text", utf8()};
  auto fs = MakeMemoryFileSystem();
  auto builder = *plugin->MakeBuilder(config, field, SerialContext());
  ASSERT_TRUE(builder->Add(*Strings({"one fish", "two fish"}), Rows(2)).ok());
  auto writer = *index::SegmentFileWriter::Open(fs, "seg");
  ASSERT_TRUE(builder->Finish(*writer).ok());
  ASSERT_TRUE(writer->Finish().ok());
  auto file = *fs->OpenForRead("seg");
  std::string bytes(file->ReadAt(0, *file->Size()).ValueOrDie()->view());
  bytes[20] = static_cast<char>(bytes[20] ^ 1);  // inside the first blob
  auto out = *fs->OpenForWrite("seg");
  ASSERT_TRUE(out->Append(bytes).ok());
  ASSERT_TRUE(out->Close().ok());
  auto reader = index::SegmentFileReader::Open(fs, "seg");
  ASSERT_TRUE(reader.ok());
  Status status = plugin->Open(*reader, config, field).status();
  if (status.ok()) {
    auto segment = *plugin->Open(*reader, config, field);
    status = Match(*AsInvertedSegment(*segment), "fish").status();
  }
  EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
}

}  // namespace
}  // namespace ixray::scalar::inverted
