#include "index/scalar/inverted/fts_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "index/scalar/inverted/fts_search_internal.h"
#include "index/scalar/inverted/inverted_test_util.h"
#include "index/scalar/inverted/tokenizer.h"

namespace ixray::scalar::inverted {
namespace {

using testing::BuildSegment;
using testing::MakeConfig;
using testing::Rows;
using testing::Strings;
using Docs = std::vector<std::optional<std::string>>;

// Words w0..w{vocabulary-1} with Zipf-like frequencies, 0..max_length per
// document, a few nulls.
Docs RandomCorpus(uint32_t seed, size_t n, int vocabulary = 60, int max_length = 25) {
  std::mt19937 rng(seed);
  std::vector<double> weights;
  for (int i = 0; i < vocabulary; ++i) weights.push_back(1.0 / (i + 1));
  std::discrete_distribution<int> word(weights.begin(), weights.end());
  std::uniform_int_distribution<int> length(0, max_length);
  Docs docs;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 31 == 0) {
      docs.push_back(std::nullopt);
      continue;
    }
    std::string doc;
    for (int j = length(rng); j > 0; --j) doc += "w" + std::to_string(word(rng)) + " ";
    docs.push_back(doc);
  }
  return docs;
}

std::string RandomQuery(std::mt19937& rng, int vocabulary = 70) {
  std::string query;
  for (int j = 1 + static_cast<int>(rng() % 4); j > 0; --j) {
    query += "w" + std::to_string(rng() % vocabulary) + " ";
  }
  return query;
}

FtsQuery Match(std::string text) { return {FtsQuery::Kind::kMatch, std::move(text)}; }
FtsQuery Phrase(std::string text) { return {FtsQuery::Kind::kPhrase, std::move(text)}; }

std::vector<const InvertedSegment*> Pointers(
    const std::vector<std::unique_ptr<InvertedSegment>>& segments) {
  std::vector<const InvertedSegment*> out;
  for (const auto& segment : segments) out.push_back(segment.get());
  return out;
}

// BM25 of every matching document computed from the token lists alone.
std::map<RowAddress, double> BruteForceBm25(const ScalarIndexConfig& config, const Docs& docs,
                                            const std::vector<RowAddress>& addresses,
                                            std::string_view query) {
  auto tokenizer = *Tokenizer::Make(ParseInvertedConfig(config)->tokenizer);
  std::vector<std::map<std::string, int>> counts(docs.size());
  std::vector<int> lengths(docs.size(), 0);
  std::map<std::string, int> df;
  double num_docs = 0, total = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (!docs[i]) continue;
    num_docs += 1;
    for (const std::string& token : tokenizer->TokenStrings(*docs[i])) {
      if (counts[i][token]++ == 0) ++df[token];
      ++lengths[i];
      total += 1;
    }
  }
  const double avgdl = total / num_docs;
  auto terms = tokenizer->TokenStrings(query);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  std::map<RowAddress, double> scores;
  for (size_t i = 0; i < docs.size(); ++i) {
    for (const std::string& term : terms) {
      auto it = counts[i].find(term);
      if (it == counts[i].end()) continue;
      const double n = df[term];
      const double idf = std::log(1 + (num_docs - n + 0.5) / (n + 0.5));
      const double tf = it->second;
      scores[addresses[i]] += idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * lengths[i] / avgdl));
    }
  }
  return scores;
}

void ExpectRanked(const std::vector<ScoredRow>& rows) {
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(rows[i - 1].score > rows[i].score ||
                (rows[i - 1].score == rows[i].score && rows[i - 1].address < rows[i].address))
        << i;
  }
}

TEST(FtsSearchTest, ScoresAreBm25) {
  const auto config = MakeConfig();
  const Docs docs = RandomCorpus(7, 700);
  const auto addresses = Rows(docs.size(), 3);
  auto segment = BuildSegment(config, *Strings(docs), addresses);
  const InvertedSegment* segments[] = {segment.get()};
  std::mt19937 rng(11);
  for (int q = 0; q < 10; ++q) {
    const std::string query = RandomQuery(rng) + " w2 the Unknown";
    const auto want = BruteForceBm25(config, docs, addresses, query);
    auto got = SearchFullText(segments, Match(query), 100000);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), want.size()) << query;
    ExpectRanked(*got);
    for (const ScoredRow& row : *got) {
      ASSERT_TRUE(want.count(row.address));
      EXPECT_NEAR(row.score, want.at(row.address), 1e-5 * want.at(row.address)) << query;
    }
  }
}

TEST(FtsSearchTest, WandTopKEqualsExhaustiveTopK) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    const auto config = MakeConfig({{"stem", "false"}});
    const Docs docs = RandomCorpus(seed, 3000, 40 + 20 * seed, 10 * seed);
    auto segment = BuildSegment(config, *Strings(docs), Rows(docs.size()));
    const InvertedSegment* segments[] = {segment.get()};
    std::mt19937 rng(seed);
    const std::function<bool(RowAddress)> some = [](RowAddress a) { return a % 3 != 1; };
    for (int q = 0; q < 30; ++q) {
      const FtsQuery query = Match(RandomQuery(rng, 40 + 20 * seed));
      for (int64_t k : {1, 3, 10, 50, 500}) {
        for (const auto& allowed : {std::function<bool(RowAddress)>(), some}) {
          auto wand = SearchFullText(segments, query, k, allowed);
          auto exhaustive = SearchFullTextExhaustive(segments, query, k, allowed);
          ASSERT_TRUE(wand.ok() && exhaustive.ok());
          ASSERT_EQ(*wand, *exhaustive) << query.text << " k=" << k;
          ExpectRanked(*wand);
        }
      }
    }
  }
}

TEST(FtsSearchTest, FourSegmentsScoreLikeOne) {
  const auto config = MakeConfig({{"with_position", "true"}});
  const Docs docs = RandomCorpus(5, 2000);
  // Row i lives in fragment i % 4; one segment per fragment, or one for all.
  std::vector<Docs> parts(4);
  std::vector<std::vector<RowAddress>> part_addresses(4);
  for (size_t i = 0; i < docs.size(); ++i) {
    parts[i % 4].push_back(docs[i]);
    part_addresses[i % 4].push_back(
        MakeRowAddress(static_cast<uint32_t>(i % 4), static_cast<uint32_t>(i / 4)));
  }
  Docs all;
  std::vector<RowAddress> all_addresses;
  std::vector<std::unique_ptr<InvertedSegment>> four;
  for (int f = 3; f >= 0; --f) {  // segment order does not matter either
    four.push_back(BuildSegment(config, *Strings(parts[f]), part_addresses[f]));
  }
  for (int f = 0; f < 4; ++f) {
    all.insert(all.end(), parts[f].begin(), parts[f].end());
    all_addresses.insert(all_addresses.end(), part_addresses[f].begin(), part_addresses[f].end());
  }
  std::vector<std::unique_ptr<InvertedSegment>> one;
  one.push_back(BuildSegment(config, *Strings(all), all_addresses));
  std::mt19937 rng(5);
  for (int q = 0; q < 30; ++q) {
    const std::string text = RandomQuery(rng);
    for (const FtsQuery& query : {Match(text), Phrase(text)}) {
      for (int64_t k : {1, 10, 5000}) {
        auto split = SearchFullText(Pointers(four), query, k);
        auto whole = SearchFullText(Pointers(one), query, k);
        ASSERT_TRUE(split.ok() && whole.ok());
        EXPECT_EQ(*split, *whole) << text;
      }
    }
  }
}

TEST(FtsSearchTest, PhraseQueriesFollowPositions) {
  const auto config = MakeConfig({{"with_position", "true"}});
  const Docs docs = {"the quick brown fox", "quick fox brown",
                     "brown quick fox",     "a quick brown dog jumps over the lazy quick brown fox",
                     "jumps over the fox",  std::nullopt};
  auto segment = BuildSegment(config, *Strings(docs), Rows(docs.size()));
  const InvertedSegment* segments[] = {segment.get()};
  auto rows_of = [&](const std::string& text) {
    auto rows = SearchFullText(segments, Phrase(text), 10);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<RowAddress> out;
    for (const ScoredRow& row : *rows) out.push_back(row.address);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(rows_of("Quick  Brown"), (std::vector<RowAddress>{0, 3}));
  EXPECT_EQ(rows_of("quick brown fox"), (std::vector<RowAddress>{0, 3}));
  EXPECT_EQ(rows_of("brown quick"), (std::vector<RowAddress>{2}));
  EXPECT_EQ(rows_of("fox"), (std::vector<RowAddress>{0, 1, 2, 3, 4}));
  // The dropped stop word keeps its place: "over the fox" needs one token
  // between "over" and "fox".
  EXPECT_EQ(rows_of("over the fox"), (std::vector<RowAddress>{4}));
  EXPECT_EQ(rows_of("over fox"), (std::vector<RowAddress>{}));
  EXPECT_EQ(rows_of("quick unicorn"), (std::vector<RowAddress>{}));
  EXPECT_EQ(rows_of("the"), (std::vector<RowAddress>{}));

  auto plain = BuildSegment(MakeConfig(), *Strings(docs), Rows(docs.size()));
  const InvertedSegment* no_positions[] = {plain.get()};
  auto status = SearchFullText(no_positions, Phrase("quick brown"), 10).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("with_position=true"), std::string::npos);
  EXPECT_TRUE(SearchFullText(no_positions, Match("quick brown"), 10).ok());
}

TEST(FtsSearchTest, AllowedSkipsRowsButKeepsStatistics) {
  const auto config = MakeConfig();
  const Docs docs = RandomCorpus(9, 800);
  auto segment = BuildSegment(config, *Strings(docs), Rows(docs.size()));
  const InvertedSegment* segments[] = {segment.get()};
  auto all = *SearchFullText(segments, Match("w1 w7 w30"), 100000);
  auto even = *SearchFullText(segments, Match("w1 w7 w30"), 100000,
                              [](RowAddress a) { return a % 2 == 0; });
  std::vector<ScoredRow> want;
  for (const ScoredRow& row : all) {
    if (row.address % 2 == 0) want.push_back(row);
  }
  EXPECT_EQ(even, want);
  auto top =
      *SearchFullText(segments, Match("w1 w7 w30"), 5, [](RowAddress a) { return a % 2 == 0; });
  EXPECT_EQ(top, std::vector<ScoredRow>(want.begin(), want.begin() + 5));
}

TEST(FtsSearchTest, RejectsBadArguments) {
  auto a = BuildSegment(MakeConfig(), *Strings({"hello"}), Rows(1));
  auto b = BuildSegment(MakeConfig({{"stem", "false"}}), *Strings({"hello"}), Rows(1, 1));
  const InvertedSegment* mixed[] = {a.get(), b.get()};
  EXPECT_EQ(SearchFullText(mixed, Match("hello"), 10).status().code(),
            StatusCode::kInvalidArgument);
  const InvertedSegment* one[] = {a.get()};
  EXPECT_EQ(SearchFullText(one, Match("hello"), -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(SearchFullText(one, Match("hello"), 0)->empty());
  EXPECT_TRUE(SearchFullText({}, Match("hello"), 10)->empty());
  EXPECT_EQ(SearchFullText(one, Match("HELLO"), 10)->size(), 1u);
}

}  // namespace
}  // namespace ixray::scalar::inverted
