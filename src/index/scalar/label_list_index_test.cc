// LABEL_LIST index: array_has_any / array_has_all and IS [NOT] NULL must be
// answered exactly, with the evaluator's treatment of null lists, null
// items, empty lists and empty argument lists.
#include <gtest/gtest.h>

#include "index/scalar/bitmap_test_util.h"
#include "query/filter_test_util.h"

namespace ixray::scalar::test {
namespace {

using query::test::MakeBatch;
using query::test::StringList;
using query::test::StringListArray;

std::vector<StringList> RandomLists(std::mt19937& rng, int64_t n) {
  const std::vector<std::string> labels = {"x", "y", "z", "", "red", "blue", "xy"};
  std::vector<StringList> rows;
  for (int64_t i = 0; i < n; ++i) {
    const int kind = static_cast<int>(rng() % 10);
    if (kind == 0) {
      rows.push_back(std::nullopt);  // a null list
      continue;
    }
    std::vector<std::optional<std::string>> items;
    const int length = kind == 1 ? 0 : static_cast<int>(rng() % 5);  // empty lists too
    for (int k = 0; k < length; ++k) {
      if (rng() % 8 == 0) {
        items.push_back(std::nullopt);  // a null item
      } else {
        items.push_back(labels[rng() % labels.size()]);  // duplicates within a list too
      }
    }
    rows.push_back(std::move(items));
  }
  return rows;
}

const std::vector<std::string> kFilters = {
    "array_has_any(c, ['x', 'y'])",
    "array_has_any(c, ['x'])",
    "array_has_any(c, ['absent'])",
    "array_has_any(c, ['absent', 'red'])",
    "array_has_any(c, [''])",
    "array_has_any(c, [])",
    "array_has_all(c, ['x'])",
    "array_has_all(c, ['x', 'y'])",
    "array_has_all(c, ['x', 'x', 'blue'])",
    "array_has_all(c, ['x', 'absent'])",
    "array_has_all(c, [''])",
    "array_has_all(c, [])",
    "c IS NULL",
    "c IS NOT NULL",
};

TEST(LabelListIndexTest, MatchesTheEvaluator) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    const int64_t n = 1200;
    Fixture f;
    ASSERT_TRUE(BuildFixture("label_list", MakeBatch({{"c", StringListArray(RandomLists(rng, n))}}),
                             SparseAddresses(n, rng), &f, seed)
                    .ok());
    EXPECT_EQ(f.segment->num_rows(), n);
    for (const auto& filter : kFilters) EXPECT_EQ(CheckFilter(f, filter), AnswerKind::kExact);
  }
}

TEST(LabelListIndexTest, LargeStringAndBinaryItems) {
  std::mt19937 rng(4);
  for (const TypePtr& item : {large_utf8(), binary()}) {
    SCOPED_TRACE(item->ToString());
    ArrayBuilder builder(list(item));
    const auto rows = RandomLists(rng, 400);
    for (const auto& row : rows) {
      if (!row) {
        builder.AppendNull();
        continue;
      }
      builder.StartList();
      for (const auto& label : *row) {
        if (label) {
          builder.child().AppendString(*label);
        } else {
          builder.child().AppendNull();
        }
      }
    }
    Fixture f;
    ASSERT_TRUE(BuildFixture("LABEL_LIST", MakeBatch({{"c", *builder.Finish()}}),
                             SparseAddresses(400, rng), &f)
                    .ok());
    for (const auto& filter : kFilters) EXPECT_EQ(CheckFilter(f, filter), AnswerKind::kExact);
  }
}

TEST(LabelListIndexTest, OtherPredicatesAreNotAnswered) {
  std::mt19937 rng(5);
  Fixture f;
  ASSERT_TRUE(BuildFixture("LABEL_LIST", MakeBatch({{"c", StringListArray(RandomLists(rng, 50))}}),
                           SparseAddresses(50, rng), &f)
                  .ok());
  query::ColumnPredicate p;
  p.column = "c";
  p.type = list(utf8());
  p.op = query::PredicateOp::kEq;
  p.values = {query::Literal::String("x")};
  auto answer = f.segment->Search(p);
  ASSERT_TRUE(answer.ok());
  EXPECT_FALSE(answer->has_value());
}

TEST(LabelListIndexTest, ChecksColumnsAndParameters) {
  const ScalarIndexPlugin* plugin = *ScalarIndexRegistry::BuiltIn().Find("label_list");
  EXPECT_EQ(plugin->name(), "LABEL_LIST");
  for (const TypePtr& type : {utf8(), list(int32()), fixed_size_list(float32(), 4)}) {
    const Status status = plugin->CheckColumn(*field("name", type));
    EXPECT_EQ(status.code(), StatusCode::kTypeError) << type->ToString();
    EXPECT_NE(status.message().find("'name'"), std::string::npos) << status.ToString();
    EXPECT_NE(status.message().find(type->ToString()), std::string::npos) << status.ToString();
  }
  EXPECT_TRUE(plugin->CheckColumn(*field("tags", list(utf8()))).ok());
  auto bad = plugin->NormalizeConfig({{"with_position", "true"}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("with_position"), std::string::npos);
}

TEST(LabelListIndexTest, DamagedBlobsAreCorruption) {
  std::mt19937 rng(6);
  Fixture f;
  ASSERT_TRUE(BuildFixture("LABEL_LIST", MakeBatch({{"c", StringListArray(RandomLists(rng, 600))}}),
                           SparseAddresses(600, rng), &f)
                  .ok());
  std::vector<query::ColumnPredicate> predicates;
  for (const std::string filter :
       {"c IS NULL", "array_has_any(c, ['x', 'red', 'z'])", "array_has_all(c, ['y', 'blue'])"}) {
    predicates.push_back(
        *query::AsColumnPredicate(**query::ParseFilter(filter, *f.batch->schema())));
  }
  CheckDamage(f, predicates);
}

}  // namespace
}  // namespace ixray::scalar::test
