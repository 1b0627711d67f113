// Evaluation of string, LIKE, contains and list predicates, checked against
// references computed here.
#include <gtest/gtest.h>

#include "query/filter_eval.h"
#include "query/filter_test_util.h"

namespace ixray::query {
namespace {

using test::Column;
using test::EvalFilter;
using test::kUnknown;
using test::MakeBatch;
using test::StringList;
using test::StringListArray;
using test::Tri;
using test::TriString;
using test::TypedArray;

constexpr Tri T = true;
constexpr Tri F = false;
constexpr Tri U = kUnknown;

#define EXPECT_FILTER(batch, filter, ...)                                                 \
  do {                                                                                    \
    auto _result = EvalFilter(filter, *(batch));                                          \
    ASSERT_TRUE(_result.ok()) << (filter) << ": " << _result.status().ToString();         \
    EXPECT_EQ(TriString(*_result), TriString(std::vector<Tri>(__VA_ARGS__))) << (filter); \
  } while (false)

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

TEST(FilterEvalStringTest, ComparisonsAreBytewise) {
  const Column<std::string> values = {"", "a", "ab", "b", "Z", "é", "z", std::nullopt};
  for (const TypePtr& type : {utf8(), large_utf8(), binary()}) {
    SCOPED_TRACE(type->ToString());
    auto batch = MakeBatch({{"s", TypedArray<std::string>(type, values)}});
    for (std::string_view lit : {"", "a", "ab", "b", "é", "zz"}) {
      for (auto [op, symbol] :
           {std::pair{0, "="}, {1, "!="}, {2, "<"}, {3, "<="}, {4, ">"}, {5, ">="}}) {
        std::vector<Tri> expected;
        for (const auto& v : values) {
          if (!v) {
            expected.push_back(U);
            continue;
          }
          // memcmp order: unsigned bytes, so "é" (0xC3 0xA9) sorts after "z".
          const int c = v->compare(lit);
          const bool r[] = {c == 0, c != 0, c<0, c <= 0, c> 0, c >= 0};
          expected.push_back(r[op]);
        }
        const std::string filter = std::string("s ") + symbol + " " + Quote(lit);
        EXPECT_FILTER(batch, filter, expected);
      }
    }
    EXPECT_FILTER(batch, "s IN ('a', 'é', NULL)", {U, T, U, U, U, T, U, U});
    EXPECT_FILTER(batch, "s IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'é', 'Z')",
                  {F, T, F, T, T, T, F, U});
    EXPECT_FILTER(batch, "s NOT IN ('', 'z')", {F, T, T, T, T, T, F, U});
    EXPECT_FILTER(batch, "s BETWEEN 'a' AND 'b'", {F, T, T, T, F, F, F, U});
    EXPECT_FILTER(batch, "s = NULL", {U, U, U, U, U, U, U, U});
  }
}

TEST(FilterEvalStringTest, BinaryWithZeroBytes) {
  const std::string with_zero("a\0b", 3);
  auto batch = MakeBatch({{"b", TypedArray<std::string>(binary(), {with_zero, "a", "a\x01"})}});
  EXPECT_FILTER(batch, "b > 'a'", {T, F, T});
  EXPECT_FILTER(batch, "b < 'a' OR b = 'a'", {F, T, F});
  EXPECT_FILTER(batch, "b LIKE 'a_b'", {T, F, F});
}

// The code points of s (or its bytes when !utf8), as separate strings.
std::vector<std::string> Characters(std::string_view s, bool utf8) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = 1;
    const auto lead = static_cast<unsigned char>(s[i]);
    if (utf8 && lead >= 0xF0) {
      n = 4;
    } else if (utf8 && lead >= 0xE0) {
      n = 3;
    } else if (utf8 && lead >= 0xC0) {
      n = 2;
    }
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// LIKE by dynamic programming over characters: matches[i][j] says whether
// value[i:] matches pattern[j:].
bool ReferenceLike(std::string_view value, std::string_view pattern, bool utf8) {
  const auto s = Characters(value, utf8);
  const auto p = Characters(pattern, utf8);
  std::vector<std::vector<char>> matches(s.size() + 1, std::vector<char>(p.size() + 1, 0));
  matches[s.size()][p.size()] = 1;
  for (size_t i = s.size() + 1; i-- > 0;) {
    for (size_t j = p.size(); j-- > 0;) {
      if (p[j] == "%") {
        matches[i][j] = matches[i][j + 1] || (i < s.size() && matches[i + 1][j]);
      } else if (i < s.size() && (p[j] == "_" || p[j] == s[i])) {
        matches[i][j] = matches[i + 1][j + 1];
      }
    }
  }
  return matches[0][0];
}

TEST(FilterEvalStringTest, LikeMatchesReference) {
  const Column<std::string> values = {"",      "a",     "abc",    "abcabc",    "ab",        "bc",
                                      "xabcx", "héllo", "hello",  "h_llo",     "100%",      "a%c",
                                      "ABC",   "aXc",   "日本語", "aaa",       "abab",      "a\\c",
                                      "acbc",  "cab",   "ac",     "aXbXcXabc", std::nullopt};
  const char* patterns[] = {
      "",     "%",     "_",      "__",    "___",     "abc",  "a%",       "%c",     "%b%",
      "a_c",  "_bc",   "ab_",    "a%c",   "%a%b%c%", "%_%",  "h_llo",    "h%o",    "%%",
      "_%_",  "100%",  "a\\c",   "日_語", "%語",     "a%%c", "%abc%abc", "abc%",   "ABC",
      "%abc", "a%b%c", "%bc%bc", "_é%",   "h__llo",  "%a_",  "a__",      "%ab_c%", "%c%a%"};
  for (const TypePtr& type : {utf8(), large_utf8(), binary()}) {
    SCOPED_TRACE(type->ToString());
    const bool utf8_chars = type->id() != TypeId::kBinary;
    auto batch = MakeBatch({{"s", TypedArray<std::string>(type, values)}});
    for (const char* pattern : patterns) {
      std::vector<Tri> like, not_like;
      for (const auto& v : values) {
        if (!v) {
          like.push_back(U);
          not_like.push_back(U);
          continue;
        }
        const bool m = ReferenceLike(*v, pattern, utf8_chars);
        like.push_back(m);
        not_like.push_back(!m);
      }
      EXPECT_FILTER(batch, "s LIKE " + Quote(pattern), like);
      EXPECT_FILTER(batch, "s NOT LIKE " + Quote(pattern), not_like);
    }
  }
  // Spot checks of the reference itself.
  EXPECT_TRUE(ReferenceLike("héllo", "h_llo", true));
  EXPECT_FALSE(ReferenceLike("héllo", "h_llo", false));
  EXPECT_TRUE(ReferenceLike("héllo", "h__llo", false));
  EXPECT_TRUE(ReferenceLike("", "%", true));
  EXPECT_FALSE(ReferenceLike("", "_", true));
}

TEST(FilterEvalStringTest, LikeSpecialCases) {
  auto batch = MakeBatch(
      {{"s", TypedArray<std::string>(utf8(), {"héllo", "hello", "Hello", "h%llo", std::nullopt})}});
  EXPECT_FILTER(batch, "s LIKE 'h_llo'", {T, T, F, T, U});
  EXPECT_FILTER(batch, "s LIKE 'hello'", {F, T, F, F, U});  // case-sensitive
  EXPECT_FILTER(batch, "s LIKE 'h%llo'", {T, T, F, T, U});  // % is a wildcard everywhere
  EXPECT_FILTER(batch, "s LIKE NULL", {U, U, U, U, U});
  EXPECT_FILTER(batch, "s NOT LIKE NULL", {U, U, U, U, U});
  EXPECT_FILTER(batch, "s LIKE '%' OR s IS NULL", {T, T, T, T, T});
}

TEST(FilterEvalStringTest, Contains) {
  const Column<std::string> values = {"", "abc", "xabcx", "ab", "ABC", std::nullopt};
  for (const TypePtr& type : {utf8(), large_utf8(), binary()}) {
    auto batch = MakeBatch({{"s", TypedArray<std::string>(type, values)}});
    EXPECT_FILTER(batch, "contains(s, 'abc')", {F, T, T, F, F, U});
    EXPECT_FILTER(batch, "contains(s, '')", {T, T, T, T, T, U});
    EXPECT_FILTER(batch, "NOT contains(s, 'b')", {T, F, F, F, T, U});
    EXPECT_FILTER(batch, "contains(s, NULL)", {U, U, U, U, U, U});
  }
}

TEST(FilterEvalStringTest, ArrayHasAnyAndAll) {
  const std::vector<StringList> rows = {
      std::vector<std::optional<std::string>>{"a", "b"},
      std::vector<std::optional<std::string>>{},
      std::nullopt,
      std::vector<std::optional<std::string>>{"a", std::nullopt},
      std::vector<std::optional<std::string>>{"c"},
      std::vector<std::optional<std::string>>{"a", "a"},
      std::vector<std::optional<std::string>>{std::nullopt},
      std::vector<std::optional<std::string>>{"b", "c", "a", "d"},
  };
  auto batch = MakeBatch({{"tags", StringListArray(rows)}});
  const std::vector<std::vector<std::string>> needle_sets = {
      {}, {"a"}, {"a", "b"}, {"z"}, {"a", "a"}, {"c", "a", "d"}, {""}};
  for (const auto& needles : needle_sets) {
    std::string list = "[";
    for (size_t i = 0; i < needles.size(); ++i) list += (i ? ", " : "") + Quote(needles[i]);
    list += "]";
    std::vector<Tri> any, all;
    for (const auto& row : rows) {
      if (!row) {
        any.push_back(U);
        all.push_back(U);
        continue;
      }
      const auto holds = [&](const std::string& needle) {
        for (const auto& item : *row) {
          if (item && *item == needle) return true;
        }
        return false;
      };
      bool has_any = false, has_all = true;
      for (const auto& needle : needles) {
        has_any |= holds(needle);
        has_all &= holds(needle);
      }
      any.push_back(has_any);
      all.push_back(has_all);
    }
    EXPECT_FILTER(batch, "array_has_any(tags, " + list + ")", any);
    EXPECT_FILTER(batch, "array_has_all(tags, " + list + ")", all);
  }
  EXPECT_FILTER(batch, "array_has_any(tags, [])", {F, F, U, F, F, F, F, F});
  EXPECT_FILTER(batch, "array_has_all(tags, [])", {T, T, U, T, T, T, T, T});
  EXPECT_FILTER(batch, "array_has_all(tags, ['a', 'b'])", {T, F, U, F, F, F, F, T});
  EXPECT_FILTER(batch, "tags IS NULL", {F, F, T, F, F, F, F, F});
  EXPECT_FILTER(batch, "NOT array_has_any(tags, ['a']) AND tags IS NOT NULL",
                {F, T, F, F, T, F, T, F});
  // A slice of the list column (offsets into the child) gives the same rows.
  auto sliced = batch->Slice(3, 5);
  EXPECT_FILTER(sliced, "array_has_any(tags, ['a'])", {T, F, T, F, T});
}

TEST(FilterEvalStringTest, ArrayHasOnLargeStringItems) {
  ArrayBuilder builder(list(large_utf8()));
  builder.StartList();
  builder.child().AppendString("x");
  builder.StartList();
  builder.child().AppendString("y");
  auto batch = MakeBatch({{"l", *builder.Finish()}});
  EXPECT_FILTER(batch, "array_has_any(l, ['y', 'q'])", {F, T});
}

}  // namespace
}  // namespace ixray::query
