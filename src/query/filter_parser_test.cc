#include "query/filter_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <limits>
#include <random>

#include "ixray/record_batch.h"
#include "query/expression.h"
#include "query/filter_eval.h"
#include "testing/sample_data.h"

namespace ixray::query {
namespace {

Schema TestSchema() {
  return Schema({field("i8", int8()),
                 field("i32", int32()),
                 field("i64", int64()),
                 field("u64", uint64()),
                 field("f16", float16()),
                 field("f32", float32()),
                 field("f64", float64()),
                 field("s", utf8()),
                 field("ls", large_utf8()),
                 field("bin", binary()),
                 field("flag", boolean()),
                 field("d", date32()),
                 field("ts", timestamp()),
                 field("tags", list(utf8())),
                 field("vec", fixed_size_list(float32(), 4)),
                 field("my col", int32()),
                 field("select", utf8()),
                 field("date", date32()),
                 field("contains", utf8()),
                 field("a`b\"c", int32())});
}

ExprPtr Parse(std::string_view text) {
  auto result = ParseFilter(text, TestSchema());
  EXPECT_TRUE(result.ok()) << text << ": " << result.status().ToString();
  return result.ok() ? *result : nullptr;
}

// The canonical form, checking that it parses back to an equal tree.
std::string Canonical(std::string_view text) {
  const ExprPtr expr = Parse(text);
  if (!expr) return "<error>";
  const std::string canonical = expr->ToString();
  const ExprPtr again = Parse(canonical);
  EXPECT_TRUE(again && again->Equals(*expr)) << text << " -> " << canonical;
  if (again) {
    EXPECT_EQ(again->ToString(), canonical);
  }
  return canonical;
}

Status ParseStatus(std::string_view text) { return ParseFilter(text, TestSchema()).status(); }

TEST(FilterParserTest, ComparisonOperators) {
  EXPECT_EQ(Canonical("i32 = 1"), "i32 = 1");
  EXPECT_EQ(Canonical("i32 == 1"), "i32 = 1");
  EXPECT_EQ(Canonical("i32 != 1"), "i32 != 1");
  EXPECT_EQ(Canonical("i32 <> 1"), "i32 != 1");
  EXPECT_EQ(Canonical("i32<1"), "i32 < 1");
  EXPECT_EQ(Canonical("i32 <= 1"), "i32 <= 1");
  EXPECT_EQ(Canonical("i32 > 1"), "i32 > 1");
  EXPECT_EQ(Canonical("i32 >= 1"), "i32 >= 1");
  // A literal on the left moves to the right.
  EXPECT_EQ(Canonical("5 < i32"), "i32 > 5");
  EXPECT_EQ(Canonical("5 >= i32"), "i32 <= 5");
  EXPECT_EQ(Canonical("'x' = s"), "s = 'x'");
  EXPECT_EQ(Canonical("i32 < i64"), "i32 < i64");
}

TEST(FilterParserTest, OtherOperators) {
  EXPECT_EQ(Canonical("i32 in (1, 2, NULL)"), "i32 IN (1, 2, NULL)");
  EXPECT_EQ(Canonical("i32 not in (1)"), "i32 NOT IN (1)");
  EXPECT_EQ(Canonical("i32 between 1 and 5"), "i32 BETWEEN 1 AND 5");
  EXPECT_EQ(Canonical("i32 NOT BETWEEN -1 AND 1"), "i32 NOT BETWEEN -1 AND 1");
  EXPECT_EQ(Canonical("s like 'a%'"), "s LIKE 'a%'");
  EXPECT_EQ(Canonical("s not like '_b'"), "s NOT LIKE '_b'");
  EXPECT_EQ(Canonical("s is null"), "s IS NULL");
  EXPECT_EQ(Canonical("vec IS NOT NULL"), "vec IS NOT NULL");
  EXPECT_EQ(Canonical("tags is null"), "tags IS NULL");
  EXPECT_EQ(Canonical("ARRAY_HAS_ANY(tags, ['a', 'b'])"), "array_has_any(tags, ['a', 'b'])");
  EXPECT_EQ(Canonical("array_has_all(tags, [])"), "array_has_all(tags, [])");
  EXPECT_EQ(Canonical("contains(s, 'ab')"), "contains(s, 'ab')");
  EXPECT_EQ(Canonical("flag"), "flag");
  EXPECT_EQ(Canonical("NOT flag"), "NOT flag");
  EXPECT_EQ(Canonical("flag = false"), "flag = FALSE");
  EXPECT_EQ(Canonical("TRUE"), "TRUE");
  EXPECT_EQ(Canonical("null"), "NULL");
  EXPECT_EQ(Canonical("(i32 > 1) IS NULL"), "(i32 > 1) IS NULL");
  EXPECT_EQ(Canonical("s = NULL"), "s = NULL");
}

TEST(FilterParserTest, Precedence) {
  // AND binds tighter than OR, NOT tighter than AND, comparisons tightest.
  EXPECT_EQ(Canonical("i32 = 1 OR i32 = 2 AND i32 = 3"), "i32 = 1 OR i32 = 2 AND i32 = 3");
  auto e = Parse("i32 = 1 OR i32 = 2 AND i32 = 3");
  ASSERT_EQ(e->kind(), ExprKind::kOr);
  EXPECT_EQ(e->arg(1).kind(), ExprKind::kAnd);

  EXPECT_EQ(Canonical("(i32 = 1 OR i32 = 2) AND i32 = 3"), "(i32 = 1 OR i32 = 2) AND i32 = 3");
  e = Parse("(i32 = 1 OR i32 = 2) AND i32 = 3");
  ASSERT_EQ(e->kind(), ExprKind::kAnd);
  EXPECT_EQ(e->arg(0).kind(), ExprKind::kOr);

  e = Parse("NOT i32 = 1 AND flag");
  ASSERT_EQ(e->kind(), ExprKind::kAnd);
  EXPECT_EQ(e->arg(0).kind(), ExprKind::kNot);
  EXPECT_EQ(e->ToString(), "NOT (i32 = 1) AND flag");

  EXPECT_EQ(Canonical("NOT (i32 = 1 AND flag)"), "NOT (i32 = 1 AND flag)");
  EXPECT_EQ(Canonical("NOT NOT flag"), "NOT (NOT flag)");
  // AND / OR chains flatten, also across parentheses.
  e = Parse("flag AND (i32 = 1 AND (i32 = 2 AND i32 = 3))");
  EXPECT_EQ(e->args().size(), 4u);
  EXPECT_EQ(e->ToString(), "flag AND i32 = 1 AND i32 = 2 AND i32 = 3");
  // BETWEEN's AND belongs to BETWEEN.
  e = Parse("i32 BETWEEN 1 AND 2 AND flag");
  ASSERT_EQ(e->kind(), ExprKind::kAnd);
  EXPECT_EQ(e->arg(0).kind(), ExprKind::kBetween);
  EXPECT_EQ(Canonical("((((flag))))"), "flag");
  EXPECT_EQ(Canonical("i32 = 1 AND (flag OR i32 = 2) OR NOT flag"),
            "i32 = 1 AND (flag OR i32 = 2) OR NOT flag");
}

TEST(FilterParserTest, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(Canonical("i32 In (1) aNd NoT s LiKe 'x' Or s iS nOt NuLl"),
            "i32 IN (1) AND NOT (s LIKE 'x') OR s IS NOT NULL");
  EXPECT_EQ(Canonical("flag = True OR flag = fAlSe"), "flag = TRUE OR flag = FALSE");
  EXPECT_EQ(Canonical("d = DATE '2024-01-31'"), "d = date '2024-01-31'");
}

TEST(FilterParserTest, QuotedIdentifiers) {
  EXPECT_EQ(Canonical("`my col` = 1"), "`my col` = 1");
  EXPECT_EQ(Canonical("\"my col\" = 1"), "`my col` = 1");
  EXPECT_EQ(Canonical("`select` = 'x'"), "select = 'x'");
  EXPECT_EQ(Canonical("`a``b\"c` = 1"), "`a``b\"c` = 1");
  EXPECT_EQ(Canonical("\"a`b\"\"c\" = 1"), "`a``b\"c` = 1");
  // DATE is a keyword only before a string; `contains` a function only before '('.
  EXPECT_EQ(Canonical("date = date '2024-01-01'"), "date = date '2024-01-01'");
  EXPECT_EQ(Canonical("contains = 'x' AND contains(contains, 'y')"),
            "contains = 'x' AND contains(contains, 'y')");
  // Names are case-sensitive.
  EXPECT_EQ(ParseStatus("I32 = 1").code(), StatusCode::kInvalidArgument);
}

TEST(FilterParserTest, StringLiterals) {
  auto e = Parse("s = 'it''s'");
  EXPECT_EQ(e->arg(1).literal().string_value(), "it's");
  EXPECT_EQ(e->ToString(), "s = 'it''s'");
  EXPECT_EQ(Parse("s = ''")->arg(1).literal().string_value(), "");
  EXPECT_EQ(Parse("s = 'a\"b`c'")->arg(1).literal().string_value(), "a\"b`c");
  EXPECT_EQ(Parse("s = 'héllo'")->arg(1).literal().string_value(), "héllo");
  EXPECT_EQ(Canonical("bin = 'x'"), "bin = 'x'");
}

TEST(FilterParserTest, NumericLiterals) {
  const auto literal = [](std::string_view text) { return Parse(text)->arg(1).literal(); };
  EXPECT_EQ(literal("i64 = 42"), Literal::Int64(42));
  EXPECT_EQ(literal("i64 = -42"), Literal::Int64(-42));
  EXPECT_EQ(literal("i64 = +42"), Literal::Int64(42));
  EXPECT_EQ(literal("i64 = - 42"), Literal::Int64(-42));
  EXPECT_EQ(literal("i64 = -9223372036854775808"),
            Literal::Int64(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(literal("i64 = 9223372036854775808").kind(), LiteralKind::kUInt64);
  EXPECT_EQ(literal("u64 = 18446744073709551615"),
            Literal::UInt64(std::numeric_limits<uint64_t>::max()));
  // Beyond the 64-bit integers: a float.
  EXPECT_EQ(literal("u64 = 18446744073709551616"), Literal::Float64(18446744073709551616.0));
  EXPECT_EQ(literal("i64 = -9223372036854775809"), Literal::Float64(-9223372036854775809.0));
  EXPECT_EQ(literal("f64 = 2.5"), Literal::Float64(2.5));
  EXPECT_EQ(literal("f64 = -.5"), Literal::Float64(-0.5));
  EXPECT_EQ(literal("f64 = 1e3"), Literal::Float64(1000));
  EXPECT_EQ(literal("f64 = 1.5E-3"), Literal::Float64(1.5e-3));
  EXPECT_EQ(literal("f64 = 3."), Literal::Float64(3));
  EXPECT_EQ(Canonical("f64 = 2.0"), "f64 = 2.0");
  EXPECT_EQ(Canonical("f64 = 1e300"), "f64 = 1e+300");
  EXPECT_EQ(Canonical("f64 = -0.1"), "f64 = -0.1");
  EXPECT_EQ(Canonical("i32 < 2.5"), "i32 < 2.5");
  EXPECT_EQ(ParseStatus("f64 = 1e999").code(), StatusCode::kInvalidArgument);
}

TEST(FilterParserTest, DateAndTimestampLiterals) {
  const auto literal = [](std::string_view text) { return Parse(text)->arg(1).literal(); };
  EXPECT_EQ(literal("d = date '1970-01-01'"), Literal::Date32(0));
  EXPECT_EQ(literal("d = date '2024-01-31'"), Literal::Date32(19753));
  EXPECT_EQ(literal("d = date '1969-12-31'"), Literal::Date32(-1));
  EXPECT_EQ(literal("d = date '2000-02-29'"), Literal::Date32(11016));
  EXPECT_EQ(literal("ts = timestamp '1970-01-01 00:00:01'"), Literal::Timestamp(1000000));
  EXPECT_EQ(
      literal("ts = timestamp '2024-01-31T12:30:15.25'"),
      Literal::Timestamp(19753 * kMicrosPerDay + (12 * 3600 + 30 * 60 + 15) * 1000000LL + 250000));
  EXPECT_EQ(literal("ts = timestamp '2024-01-31 12:30:15.000001Z'"),
            Literal::Timestamp(19753 * kMicrosPerDay + (12 * 3600 + 30 * 60 + 15) * 1000000LL + 1));
  EXPECT_EQ(literal("ts = timestamp '1969-12-31 23:59:59.5'"), Literal::Timestamp(-500000));
  EXPECT_EQ(literal("ts = timestamp '2024-01-31'"), Literal::Timestamp(19753 * kMicrosPerDay));
  EXPECT_EQ(Canonical("ts = timestamp '2024-01-31T12:30:15.25'"),
            "ts = timestamp '2024-01-31 12:30:15.250000'");
  EXPECT_EQ(Canonical("ts = timestamp '1969-12-31 23:59:59.5'"),
            "ts = timestamp '1969-12-31 23:59:59.500000'");
  EXPECT_EQ(Canonical("ts < timestamp '2024-01-31 00:00:00'"),
            "ts < timestamp '2024-01-31 00:00:00'");
  // Strings compared with temporal columns become dates or timestamps.
  EXPECT_EQ(literal("d >= '2024-01-31'"), Literal::Date32(19753));
  EXPECT_EQ(literal("d < '2024-01-31 06:00:00'"),
            Literal::Timestamp(19753 * kMicrosPerDay + 6 * 3600 * 1000000LL));
  EXPECT_EQ(literal("ts > '1970-01-02'"), Literal::Timestamp(kMicrosPerDay));
  EXPECT_EQ(Canonical("d IN ('2024-01-31', date '2024-02-01')"),
            "d IN (date '2024-01-31', date '2024-02-01')");

  for (const char* bad :
       {"d = date '2023-02-29'", "d = date '2024-13-01'", "d = date '2024-1-01'",
        "d = date 'yesterday'", "ts = timestamp '2024-01-31 24:00:00'",
        "ts = timestamp '2024-01-31 12:00'", "ts = timestamp '2024-01-31 1:00:00'",
        "ts = timestamp '2024-01-31 12:00:00.1234567'", "d = 'tomorrow'"}) {
    const Status st = ParseStatus(bad);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad << ": " << st.ToString();
  }
}

TEST(FilterParserTest, UnknownColumn) {
  const Status st = ParseStatus("i32 = 1 AND nope > 2");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'nope'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("i8, i32, i64"), std::string::npos) << st.message();
  EXPECT_EQ(ParseStatus("`nope` IS NULL").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseStatus("array_has_any(nope, ['a'])").code(), StatusCode::kInvalidArgument);
}

TEST(FilterParserTest, SyntaxErrorsNamePositionAndExpectation) {
  struct Case {
    const char* text;
    const char* message_part;
  };
  const Case cases[] = {
      {"", "position 0: expected a column, a literal or '(', found end of input"},
      {"i32 = ", "position 6: expected a column, a literal or '('"},
      {"i32 = 1 i32", "position 8: expected AND, OR or the end of the filter, found 'i32'"},
      {"(i32 = 1", "position 8: expected ')'"},
      {"i32 = 1)", "position 7: expected AND, OR or the end of the filter, found ')'"},
      {"i32 IN ()", "position 8: expected a literal"},
      {"i32 IN 1", "position 7: expected '(' after IN"},
      {"i32 IN (1 2)", "position 10: expected ',' or ')' in the IN list"},
      {"i32 BETWEEN 1 OR 2", "position 14: expected AND between the bounds of BETWEEN"},
      {"i32 NOT 5", "position 8: expected IN, BETWEEN or LIKE after NOT"},
      {"s IS 5", "position 5: expected NULL or NOT NULL"},
      {"s = 'abc", "position 4: unterminated string literal"},
      {"`abc = 1", "position 0: unterminated quoted identifier"},
      {"i32 = 1 ; drop", "position 8: unexpected character ';'"},
      {"i32 = -", "position 7: expected a number after the sign"},
      {"AND = 1", "position 0: expected a column, a literal or '('"},
      {"nope(s, 'a')", "position 0: unknown function 'nope'"},
      {"array_has_any(tags, 'a')", "position 20: expected a list such as ['a', 'b']"},
      {"array_has_any(tags ['a'])", "position 19: expected ',' after the first argument"},
      {"array_has_any(tags, ['a' 'b'])", "position 25: expected ',' or ']' in the list"},
      {"i32 BETWEEN i64 AND 5", "position 12: expected a literal"},
  };
  for (const auto& c : cases) {
    const Status st = ParseStatus(c.text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.text << ": " << st.ToString();
    EXPECT_NE(st.message().find(c.message_part), std::string::npos)
        << c.text << ": " << st.message();
  }
}

TEST(FilterParserTest, TypeErrors) {
  for (const char* text : {"s = 1",
                           "s < 2.5",
                           "i32 = 'a'",
                           "i32 = TRUE",
                           "flag = 1",
                           "f64 > 'x'",
                           "d = 5",
                           "ts < 1.5",
                           "i32 LIKE 'a%'",
                           "flag LIKE 'a'",
                           "s LIKE 5",
                           "contains(i32, 'a')",
                           "contains(s, 1)",
                           "array_has_any(s, ['a'])",
                           "array_has_all(vec, ['a'])",
                           "array_has_any(tags, [1])",
                           "vec = 1",
                           "vec IN (1)",
                           "vec BETWEEN 1 AND 2",
                           "tags = 'a'",
                           "tags IN ('a')",
                           "s IN ('a', 1)",
                           "i32 BETWEEN 1 AND 'z'",
                           "i32",
                           "s",
                           "5",
                           "'abc'",
                           "NOT i32",
                           "flag AND i32",
                           "flag OR s",
                           "i32 = s",
                           "d < i32",
                           "flag = s",
                           "vec = vec",
                           "d = date '2024-01-01' AND i32 BETWEEN date '2024-01-01' AND 2"}) {
    const Status st = ParseStatus(text);
    EXPECT_EQ(st.code(), StatusCode::kTypeError) << text << ": " << st.ToString();
  }
  const Status st = ParseStatus("vec < 1");
  EXPECT_NE(st.message().find("column 'vec' (fixed_size_list<float32, 4>)"), std::string::npos)
      << st.message();
  const Status like = ParseStatus("i32 LIKE 'a%'");
  EXPECT_NE(like.message().find("LIKE needs a string column, got column 'i32' (int32)"),
            std::string::npos)
      << like.message();
}

TEST(FilterParserTest, OtherInvalidArguments) {
  EXPECT_EQ(ParseStatus("1 = 1").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseStatus("array_has_any(tags, ['a', NULL])").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseStatus("(i32 > 1) = TRUE").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseStatus("5 IN (1)").code(), StatusCode::kInvalidArgument);
  // Deep nesting is refused instead of overflowing the stack.
  std::string deep(5000, '(');
  deep += "flag" + std::string(5000, ')');
  EXPECT_EQ(ParseStatus(deep).code(), StatusCode::kInvalidArgument);
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  EXPECT_EQ(ParseStatus(nots + "flag").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseFilter(std::string(50, '(') + "flag" + std::string(50, ')'), TestSchema()).ok());
}

// Random token soup never crashes the parser, and whatever parses prints a
// canonical form that parses back to the same tree.
TEST(FilterParserTest, RandomInputNeverCrashes) {
  const char* vocabulary[] = {"i32",       "s",
                              "flag",      "tags",
                              "vec",       "d",
                              "ts",        "f16",
                              "u64",       "`my col`",
                              "(",         ")",
                              "[",         "]",
                              ",",         "=",
                              "!=",        "<",
                              ">=",        "AND",
                              "OR",        "NOT",
                              "IN",        "BETWEEN",
                              "LIKE",      "IS",
                              "NULL",      "TRUE",
                              "1",         "-2.5",
                              "'a%'",      "'x'",
                              "date",      "'2024-01-01'",
                              "timestamp", "array_has_any",
                              "contains",  "18446744073709551615",
                              "\"",        "'",
                              "`",         "-",
                              "+",         ";"};
  std::mt19937 rng(1234);
  const Schema schema = TestSchema();
  // Whatever parses also evaluates, on data of every column type.
  std::vector<ArrayPtr> columns;
  for (int i = 0; i < schema.num_fields(); ++i) {
    columns.push_back(ixray::testing::MakeSampleArray(schema.field(i)->type, 64, 3, i));
  }
  auto batch = *RecordBatch::Make(std::make_shared<const Schema>(schema), 64, columns);
  int parsed = 0;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string text;
    const int length = 1 + static_cast<int>(rng() % 10);
    for (int i = 0; i < length; ++i) {
      text += vocabulary[rng() % std::size(vocabulary)];
      if (rng() % 4 != 0) text += ' ';
    }
    auto result = ParseFilter(text, schema);
    if (!result.ok()) {
      EXPECT_FALSE(result.status().message().empty());
      continue;
    }
    ++parsed;
    auto again = ParseFilter((*result)->ToString(), schema);
    ASSERT_TRUE(again.ok()) << text << " -> " << (*result)->ToString();
    EXPECT_TRUE((*again)->Equals(**result)) << text;
    auto mask = query::Evaluate(**result, *batch);
    ASSERT_TRUE(mask.ok()) << text << ": " << mask.status().ToString();
    EXPECT_EQ((*mask)->length(), 64);
  }
  EXPECT_GT(parsed, 10);
}

TEST(ExprTest, SplitConjunction) {
  auto e = Parse("i32 > 1 AND (s = 'a' OR flag) AND i8 IS NULL");
  auto terms = SplitConjunction(e);
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0]->ToString(), "i32 > 1");
  EXPECT_EQ(terms[1]->ToString(), "s = 'a' OR flag");
  EXPECT_EQ(terms[2]->ToString(), "i8 IS NULL");
  EXPECT_EQ(SplitConjunction(Parse("i32 > 1 OR flag")).size(), 1u);
}

TEST(ExprTest, AsColumnPredicate) {
  auto p = AsColumnPredicate(*Parse("3 > i32"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->column, "i32");
  EXPECT_EQ(p->field_index, 1);
  EXPECT_TRUE(p->type->Equals(*int32()));
  EXPECT_EQ(p->op, PredicateOp::kLt);
  EXPECT_FALSE(p->negated);
  EXPECT_EQ(p->values, std::vector<Literal>{Literal::Int64(3)});

  p = AsColumnPredicate(*Parse("s NOT IN ('a', 'b')"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->op, PredicateOp::kIn);
  EXPECT_TRUE(p->negated);
  EXPECT_EQ(p->values.size(), 2u);

  p = AsColumnPredicate(*Parse("NOT (i64 BETWEEN 1 AND 9)"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->op, PredicateOp::kBetween);
  EXPECT_TRUE(p->negated);
  EXPECT_EQ(p->values, (std::vector<Literal>{Literal::Int64(1), Literal::Int64(9)}));

  p = AsColumnPredicate(*Parse("NOT s IS NOT NULL"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->op, PredicateOp::kIsNull);
  EXPECT_FALSE(p->negated);

  p = AsColumnPredicate(*Parse("flag"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->op, PredicateOp::kEq);
  EXPECT_EQ(p->values, std::vector<Literal>{Literal::Bool(true)});
  p = AsColumnPredicate(*Parse("NOT flag"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->values, std::vector<Literal>{Literal::Bool(false)});

  p = AsColumnPredicate(*Parse("array_has_all(tags, ['x'])"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->op, PredicateOp::kArrayHasAll);
  p = AsColumnPredicate(*Parse("d < '2024-01-01'"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->values, std::vector<Literal>{Literal::Date32(19723)});
  EXPECT_EQ(AsColumnPredicate(*Parse("s LIKE 'a%'"))->op, PredicateOp::kLike);
  EXPECT_EQ(AsColumnPredicate(*Parse("contains(s, 'a')"))->op, PredicateOp::kContains);

  EXPECT_FALSE(AsColumnPredicate(*Parse("i32 > 1 AND flag")));
  EXPECT_FALSE(AsColumnPredicate(*Parse("i32 > 1 OR flag")));
  EXPECT_FALSE(AsColumnPredicate(*Parse("i32 < i64")));
  // NOT (x < 1) is not x >= 1 for NaN, so it is not folded.
  EXPECT_FALSE(AsColumnPredicate(*Parse("NOT f64 < 1")));
  EXPECT_FALSE(AsColumnPredicate(*Parse("TRUE")));
}

TEST(ExprTest, ReferencedColumns) {
  EXPECT_EQ(ReferencedColumns(*Parse("i32 > 1 AND (s = 'a' OR i32 < i64) AND NOT flag")),
            (std::vector<std::string>{"i32", "s", "i64", "flag"}));
  EXPECT_TRUE(ReferencedColumns(*Parse("TRUE")).empty());
}

TEST(ExprTest, FactoriesCheckTypes) {
  const Schema schema = TestSchema();
  auto i32 = *MakeColumn(schema, "i32");
  auto s = *MakeColumn(schema, "s");
  EXPECT_EQ(MakeColumn(schema, "zzz").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(MakeCompare(CompareOp::kLt, i32, MakeLiteral(Literal::Float64(2.5))).ok());
  EXPECT_EQ(MakeCompare(CompareOp::kLt, s, MakeLiteral(Literal::Int64(1))).status().code(),
            StatusCode::kTypeError);
  EXPECT_EQ(MakeAnd({i32}).status().code(), StatusCode::kTypeError);
  EXPECT_EQ(MakeIn(i32, {}, false).status().code(), StatusCode::kInvalidArgument);
  auto cmp = *MakeCompare(CompareOp::kEq, i32, MakeLiteral(Literal::Int64(1)));
  auto both = *MakeAnd({cmp, *MakeAnd({cmp, cmp})});
  EXPECT_EQ(both->args().size(), 3u);
  EXPECT_TRUE(both->Equals(*Parse("i32 = 1 AND i32 = 1 AND i32 = 1")));
  EXPECT_FALSE(both->Equals(*Parse("i32 = 1 AND i32 = 1 AND i32 = 2")));
}

TEST(ExprTest, LiteralToString) {
  EXPECT_EQ(Literal::Null().ToString(), "NULL");
  EXPECT_EQ(Literal::Float64(std::nan("")).ToString(), "nan");
  EXPECT_EQ(Literal::Float64(-INFINITY).ToString(), "-inf");
  EXPECT_EQ(Literal::Float64(0.1).ToString(), "0.1");
  EXPECT_EQ(Literal::UInt64(5), Literal::Int64(5));
  EXPECT_EQ(Literal::Date32(-719528).ToString(), "date '0000-01-01'");
  EXPECT_EQ(Literal::Timestamp(-1).ToString(), "timestamp '1969-12-31 23:59:59.999999'");
  EXPECT_EQ(FormatDate(2932896), "9999-12-31");
  EXPECT_EQ(*ParseDate("9999-12-31"), 2932896);
  EXPECT_EQ(*ParseDate("0000-01-01"), -719528);
}

}  // namespace
}  // namespace ixray::query
