// Full-text search through Dataset::Scan: the same rows and scores however
// the index is split or how much of the data it covers, filters, deletions,
// phrases, fast_search and errors.
#include "search/full_text_search.h"

#include <gtest/gtest.h>

#include <random>

#include "dataset/dataset_test_util.h"
#include "ixray/builder.h"
#include "ixray/index.h"

namespace ixray::search {
namespace {

using testing::TempDir;

RecordBatchPtr MakeDocs(int64_t first, int64_t rows, uint64_t seed) {
  static const char* kWords[] = {"the",   "quick", "brown", "fox",   "jumps",   "over",
                                 "lazy",  "dog",   "river", "stone", "running", "runs",
                                 "Cafés", "green", "hills", "far",   "away",    "music"};
  std::mt19937_64 rng(seed);
  ArrayBuilder ids(int64()), text(utf8()), group(int32());
  for (int64_t i = first; i < first + rows; ++i) {
    ids.Append<int64_t>(i);
    group.Append<int32_t>(static_cast<int32_t>(i % 5));
    if (rng() % 23 == 0) {
      text.AppendNull();
      continue;
    }
    std::string doc;
    const int n = static_cast<int>(rng() % 12);
    for (int w = 0; w < n; ++w) doc += std::string(w ? " " : "") + kWords[rng() % 18];
    text.AppendString(doc);
  }
  auto schema = std::make_shared<const Schema>(std::vector<FieldPtr>{
      field("id", int64(), false), field("text", utf8()), field("group", int32(), false)});
  return std::make_shared<const RecordBatch>(
      schema, rows, std::vector<ArrayPtr>{*ids.Finish(), *text.Finish(), *group.Finish()});
}

struct Hit {
  int64_t id;
  float score;
  bool operator==(const Hit&) const = default;
};

std::vector<Hit> Search(const Dataset& ds, FullTextQuery query, std::optional<int64_t> limit,
                        std::string filter = "", bool fast_search = false) {
  ScanOptions options;
  options.columns = {"id"};
  options.full_text_query = std::move(query);
  options.limit = limit;
  options.filter = std::move(filter);
  options.fast_search = fast_search;
  auto rows = testing::ReadAllRows(ds, options);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok()) return {};
  std::vector<Hit> out;
  const auto& batch = **rows;
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    out.push_back({batch.column(0)->Value<int64_t>(i), batch.column(1)->Value<float>(i)});
  }
  return out;
}

FullTextQuery Match(std::string text) { return FullTextQuery{std::move(text), {}, false}; }

class FullTextSearchTest : public ::testing::Test {
 protected:
  void SetUp() override { base_ = Fresh(); }

  // The same 4 fragments in a new directory.
  std::shared_ptr<Dataset> Fresh() {
    dirs_.push_back(std::make_unique<TempDir>());
    auto written = testing::WriteBatches(
        {MakeDocs(0, 400, 1), MakeDocs(400, 400, 2), MakeDocs(800, 400, 3), MakeDocs(1200, 400, 4)},
        dirs_.back()->path(), LocalFileSystem(), WriteMode::kCreate, 400);
    EXPECT_TRUE(written.ok()) << written.status().ToString();
    return written.ok() ? *written : nullptr;
  }

  // An INVERTED index on "text" of a fresh copy, built as `segments` segments.
  std::shared_ptr<Dataset> Index(int segments, ScalarIndexParams params = {}, bool train = true) {
    const auto ds = Fresh();
    auto pool = MakeThreadPoolExecutor(2);
    if (segments <= 1 || !train) {
      auto out = CreateScalarIndex(*ds, "text", "INVERTED", params, "", true, train, {}, *pool);
      EXPECT_TRUE(out.ok()) << out.status().ToString();
      return out.ok() ? *out : nullptr;
    }
    auto model = TrainScalarIndex(*ds, "text", "INVERTED", params);
    EXPECT_TRUE(model.ok());
    std::vector<std::string> parts;
    const auto fragments = ds->Fragments();
    for (int s = 0; s < segments; ++s) {
      std::vector<FragmentId> ids;
      for (size_t f = s; f < fragments.size(); f += segments) ids.push_back(fragments[f].id);
      auto part = ExecuteUncommitted(*ds, "text", *model, ids, *pool);
      EXPECT_TRUE(part.ok()) << part.status().ToString();
      parts.push_back(*part);
    }
    auto out = CommitIndex(*ds, "text_idx", "text", parts, true);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : nullptr;
  }

  std::vector<std::unique_ptr<TempDir>> dirs_;
  std::shared_ptr<Dataset> base_;
};

TEST_F(FullTextSearchTest, ScoresDoNotDependOnSegmentsOrCoverage) {
  const auto one = Index(1);
  const auto four = Index(4);
  const auto empty = Index(1, {}, /*train=*/false);  // every fragment searched flat
  ASSERT_TRUE(one && four && empty);
  for (const char* q : {"fox", "quick brown dog", "run", "cafe music", "the", "nothing"}) {
    SCOPED_TRACE(q);
    const auto expected = Search(*one, Match(q), 25);
    // "the" is a stop word: no tokens, no matches.
    if (std::string(q) != "nothing" && std::string(q) != "the") EXPECT_FALSE(expected.empty());
    EXPECT_EQ(Search(*four, Match(q), 25), expected);
    EXPECT_EQ(Search(*empty, Match(q), 25), expected);
    for (size_t i = 1; i < expected.size(); ++i) {
      EXPECT_GE(expected[i - 1].score, expected[i].score);
    }
  }
  // All matches without a limit; stemming: "running" and "runs" match "run".
  const auto all = Search(*one, Match("run"), std::nullopt);
  EXPECT_GT(all.size(), 25u);
  EXPECT_EQ(Search(*empty, Match("run"), std::nullopt), all);
}

TEST_F(FullTextSearchTest, FilterDeletionsAndUnindexedFragments) {
  auto indexed = Index(2);
  ASSERT_TRUE(indexed);
  auto appended = testing::WriteBatches({MakeDocs(1600, 300, 5)}, indexed->uri(), LocalFileSystem(),
                                        WriteMode::kAppend, 400);
  ASSERT_TRUE(appended.ok());
  auto deleted = (*appended)->Delete("id < 100 OR id >= 1850");
  ASSERT_TRUE(deleted.ok());
  const auto ds = *deleted;
  const auto hits = Search(*ds, Match("fox dog"), std::nullopt, "group = 2");
  ASSERT_FALSE(hits.empty());
  bool saw_unindexed = false;
  for (const auto& h : hits) {
    EXPECT_EQ(h.id % 5, 2);
    EXPECT_TRUE(h.id >= 100 && h.id < 1850) << h.id;
    saw_unindexed = saw_unindexed || h.id >= 1600;
  }
  EXPECT_TRUE(saw_unindexed);
  // The filtered results are the unfiltered ones that pass the filter, in order.
  std::vector<Hit> expected;
  for (const auto& h : Search(*ds, Match("fox dog"), std::nullopt)) {
    if (h.id % 5 == 2) expected.push_back(h);
  }
  EXPECT_EQ(hits, expected);
  // fast_search leaves the appended fragment out.
  for (const auto& h : Search(*ds, Match("fox dog"), std::nullopt, "", true)) {
    EXPECT_LT(h.id, 1600);
  }
}

TEST_F(FullTextSearchTest, ScoreAndRowIdOnlyProjection) {
  const auto ds = Index(1);
  ASSERT_TRUE(ds);
  ScanOptions with_ids;
  with_ids.columns = {"id"};
  with_ids.with_row_id = true;
  with_ids.full_text_query = Match("fox dog");
  with_ids.limit = 20;
  auto expected = testing::ReadAllRows(*ds, with_ids);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  ASSERT_GT((*expected)->num_rows(), 0);

  // Naming only _rowid (and _score) reads no column, with the same rows.
  ScanOptions only = with_ids;
  only.columns = {"_rowid", "_score"};
  only.with_row_id = false;
  auto got = testing::ReadAllRows(*ds, only);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ((*got)->schema()->names(), (std::vector<std::string>{"_score", "_rowid"}));
  ASSERT_EQ((*got)->num_rows(), (*expected)->num_rows());
  for (int64_t i = 0; i < (*got)->num_rows(); ++i) {
    EXPECT_EQ((*got)->column(0)->Value<float>(i), (*expected)->column(1)->Value<float>(i));
    EXPECT_EQ((*got)->column(1)->Value<uint64_t>(i), (*expected)->column(2)->Value<uint64_t>(i));
  }
  only.columns = {"_score"};
  auto scores = testing::ReadAllRows(*ds, only);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  EXPECT_EQ((*scores)->schema()->names(), (std::vector<std::string>{"_score"}));
  EXPECT_EQ((*scores)->num_rows(), (*expected)->num_rows());

  // A scan of some fragments returns only their rows (the index covers all).
  only.columns = {"_rowid"};
  only.fragment_ids = {ds->Fragments()[1].id};
  only.limit.reset();
  auto part = testing::ReadAllRows(*ds, only);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  ASSERT_GT((*part)->num_rows(), 0);
  for (int64_t i = 0; i < (*part)->num_rows(); ++i) {
    EXPECT_EQ(AddressFragment((*part)->column(1)->Value<uint64_t>(i)), only.fragment_ids[0]);
  }
}

TEST_F(FullTextSearchTest, Phrases) {
  auto ds = Index(2, {{"with_position", "true"}, {"remove_stop_words", "false"}});
  ASSERT_TRUE(ds);
  const auto phrase = Search(*ds, FullTextQuery{"quick brown", {"text"}, true}, std::nullopt);
  ScanOptions options;
  options.columns = {"id", "text"};
  auto all = testing::ReadAllRows(*ds, options);
  ASSERT_TRUE(all.ok());
  std::set<int64_t> expected;
  for (int64_t i = 0; i < (*all)->num_rows(); ++i) {
    const auto& text = (*all)->column(1);
    if (text->IsNull(i)) continue;
    const std::string doc(text->StringValue(i));
    if ((" " + doc + " ").find(" quick brown ") != std::string::npos) {
      expected.insert((*all)->column(0)->Value<int64_t>(i));
    }
  }
  std::set<int64_t> got;
  for (const auto& h : phrase) got.insert(h.id);
  EXPECT_EQ(got, expected);
  EXPECT_FALSE(expected.empty());

  auto no_positions = Index(1);
  ScanOptions bad;
  bad.full_text_query = FullTextQuery{"quick brown", {}, true};
  auto scanner = no_positions->Scan(bad);
  ASSERT_TRUE(scanner.ok());
  auto reader = (*scanner)->ToReader();
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument) << reader.status().ToString();
}

TEST_F(FullTextSearchTest, Errors) {
  ScanOptions options;
  options.full_text_query = Match("fox");
  auto scanner = base_->Scan(options);  // no index
  ASSERT_TRUE(scanner.ok());
  EXPECT_EQ((*scanner)->ToReader().status().code(), StatusCode::kInvalidArgument);
  options.full_text_query = FullTextQuery{"fox", {"id"}, false};
  EXPECT_EQ((*base_->Scan(options))->ToReader().status().code(), StatusCode::kInvalidArgument);

  auto pool = MakeThreadPoolExecutor(1);
  auto wrong = CreateScalarIndex(*base_, "id", "INVERTED", {}, "", true, true, {}, *pool);
  EXPECT_EQ(wrong.status().code(), StatusCode::kTypeError) << wrong.status().ToString();
}

}  // namespace
}  // namespace ixray::search
