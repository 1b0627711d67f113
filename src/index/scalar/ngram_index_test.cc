// NGRAM index: substring filters get a superset of the evaluator's rows
// (exact where the index can know), filters it cannot narrow get nullopt.
#include "index/scalar/ngram_index.h"

#include <gtest/gtest.h>

#include "index/scalar/bitmap_test_util.h"
#include "query/filter_test_util.h"

namespace ixray::scalar::test {
namespace {

using query::test::Column;
using query::test::MakeBatch;
using query::test::TypedArray;

Column<std::string> RandomStrings(std::mt19937& rng, int64_t n) {
  // Few letters, so trigrams repeat; case variants and multi-byte UTF-8.
  const std::vector<std::string> letters = {"a", "b", "c", "d", "A", "\xc3\xa9", "\xe6\x97\xa5"};
  Column<std::string> out;
  for (int64_t i = 0; i < n; ++i) {
    if (rng() % 10 == 0) {
      out.push_back(std::nullopt);
      continue;
    }
    std::string s;
    const int length = static_cast<int>(rng() % 13);  // "" and short values too
    for (int k = 0; k < length; ++k) s += letters[rng() % letters.size()];
    out.push_back(s);
  }
  return out;
}

const std::vector<std::string> kNarrowing = {
    "contains(c, 'abc')",   "contains(c, 'abca')",    "contains(c, 'ABC')",
    "contains(c, 'aAb')",   "contains(c, 'ddddddd')", "contains(c, '\xc3\xa9\xe6\x97\xa5')",
    "c LIKE '%abc%'",       "c LIKE '%abc%dab%'",     "c LIKE 'abc%'",
    "c LIKE '%cab'",        "c LIKE 'ab_cda%'",       "c LIKE '%\xe6\x97\xa5_a%bcd'",
    "c LIKE 'abc'",         "c LIKE '%_abc_%'",       "c = 'abcab'",
    "c IN ('abc', 'bcda')", "c IN ('abc', NULL)",     "contains(c, 'zzz')",
};
const std::vector<std::string> kExact = {
    "c IS NULL",   "c IS NOT NULL", "contains(c, '')", "c LIKE '%'",
    "c LIKE '%%'", "c = NULL",      "c LIKE NULL",
};
const std::vector<std::string> kUnanswered = {
    "contains(c, 'ab')", "c LIKE '%ab%'",     "c LIKE 'a_b_c'",     "c LIKE '_'",
    "c LIKE ''",         "c LIKE 'ab%cd'",    "c NOT LIKE '%abc%'", "c != 'abc'",
    "c < 'abc'",         "c IN ('abc', 'b')", "c NOT IN ('abc')",
};

void CheckAll(const Fixture& f) {
  for (const auto& filter : kNarrowing) EXPECT_NE(CheckFilter(f, filter), AnswerKind::kNone);
  for (const auto& filter : kExact) EXPECT_EQ(CheckFilter(f, filter), AnswerKind::kExact);
  for (const auto& filter : kUnanswered) EXPECT_EQ(CheckFilter(f, filter), AnswerKind::kNone);
}

TEST(NGramIndexTest, AnswersAreSupersets) {
  for (const TypePtr& type : {utf8(), large_utf8(), binary()}) {
    SCOPED_TRACE(type->ToString());
    std::mt19937 rng(1);
    const int64_t n = 1500;
    Fixture f;
    ASSERT_TRUE(BuildFixture("ngram", MakeBatch({{"c", TypedArray(type, RandomStrings(rng, n))}}),
                             SparseAddresses(n, rng), &f)
                    .ok());
    EXPECT_EQ(f.segment->num_rows(), n);
    CheckAll(f);
  }
}

TEST(NGramIndexTest, NarrowsToTheRowsHoldingTheTrigrams) {
  std::mt19937 rng(2);
  Column<std::string> values = {"hello world", "help",  "yellow", std::nullopt, "",
                                "HELLO",       "shell", "hel lo"};
  Fixture f;
  ASSERT_TRUE(BuildFixture("NGRAM", MakeBatch({{"c", TypedArray(utf8(), values)}}),
                           SparseAddresses(static_cast<int64_t>(values.size()), rng), &f)
                  .ok());
  auto search = [&](const std::string& filter) {
    auto expr = query::ParseFilter(filter, *f.batch->schema());
    auto answer = f.segment->Search(*query::AsColumnPredicate(**expr));
    EXPECT_TRUE(answer.ok() && answer->has_value());
    std::vector<uint64_t> rows;
    for (uint64_t a : (*answer)->rows) {
      rows.push_back(std::find(f.addresses.begin(), f.addresses.end(), a) - f.addresses.begin());
    }
    return rows;
  };
  EXPECT_EQ(search("contains(c, 'hello')"), (std::vector<uint64_t>{0}));
  EXPECT_EQ(search("contains(c, 'ell')"), (std::vector<uint64_t>{0, 2, 6}));
  // 'el' and 'lo' are too short to narrow: the 'hel' trigram decides.
  EXPECT_EQ(search("c LIKE 'hel_lo%'"), (std::vector<uint64_t>{0, 1, 6, 7}));
  EXPECT_EQ(search("c LIKE '%xyz%'"), (std::vector<uint64_t>{}));
  for (const auto& filter : kNarrowing) CheckFilter(f, filter);
  for (const auto& filter : kExact) CheckFilter(f, filter);
}

TEST(NGramIndexTest, LikeLiteralRuns) {
  using Runs = std::vector<std::string_view>;
  EXPECT_EQ(LikeLiteralRuns("%abc%def%"), (Runs{"abc", "def"}));
  EXPECT_EQ(LikeLiteralRuns("ab_cd"), (Runs{"ab", "cd"}));
  EXPECT_EQ(LikeLiteralRuns("abc"), (Runs{"abc"}));
  EXPECT_EQ(LikeLiteralRuns(""), (Runs{}));
  EXPECT_EQ(LikeLiteralRuns("%_%"), (Runs{}));
  EXPECT_EQ(LikeLiteralRuns("a\\%b"), (Runs{"a\\", "b"}));  // no escape character
}

TEST(NGramIndexTest, ChecksColumnsAndParameters) {
  const ScalarIndexPlugin* plugin = *ScalarIndexRegistry::BuiltIn().Find("NGRAM");
  for (const TypePtr& type : {int32(), list(utf8()), date32()}) {
    const Status status = plugin->CheckColumn(*field("col", type));
    EXPECT_EQ(status.code(), StatusCode::kTypeError) << type->ToString();
    EXPECT_NE(status.message().find("'col'"), std::string::npos) << status.ToString();
  }
  EXPECT_TRUE(plugin->CheckColumn(*field("s", large_utf8())).ok());
  auto bad = plugin->NormalizeConfig({{"ngram_length", "3"}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("ngram_length"), std::string::npos);
}

TEST(NGramIndexTest, DamagedBlobsAreCorruption) {
  std::mt19937 rng(3);
  Fixture f;
  ASSERT_TRUE(BuildFixture("NGRAM", MakeBatch({{"c", TypedArray(utf8(), RandomStrings(rng, 800))}}),
                           SparseAddresses(800, rng), &f)
                  .ok());
  std::vector<query::ColumnPredicate> predicates;
  for (const std::string filter : {"c IS NULL", "contains(c, 'abc')", "c LIKE '%dab%cda%'"}) {
    predicates.push_back(
        *query::AsColumnPredicate(**query::ParseFilter(filter, *f.batch->schema())));
  }
  CheckDamage(f, predicates);
}

}  // namespace
}  // namespace ixray::scalar::test
