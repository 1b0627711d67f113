#include "ixray/array.h"

#include <gtest/gtest.h>

#include "ixray/builder.h"
#include "ixray/compute.h"
#include "ixray/record_batch.h"
#include "testing/sample_data.h"

namespace ixray {
namespace {

TEST(TypeTest, ToStringAndEquality) {
  EXPECT_EQ(fixed_size_list(float32(), 128)->ToString(), "fixed_size_list<float32, 128>");
  EXPECT_EQ(timestamp("UTC")->ToString(), "timestamp[us, tz=UTC]");
  EXPECT_EQ(list(utf8())->ToString(), "list<string>");
  EXPECT_TRUE(list(utf8())->Equals(*list(field("element", utf8()))));
  EXPECT_FALSE(list(utf8())->Equals(*list(large_utf8())));
  EXPECT_FALSE(fixed_size_list(float32(), 4)->Equals(*fixed_size_list(float32(), 8)));
  EXPECT_FALSE(timestamp()->Equals(*timestamp("UTC")));
  EXPECT_EQ(float16()->bit_width(), 16);
  EXPECT_EQ(boolean()->bit_width(), 1);
}

TEST(TypeTest, RejectsUnsupportedNesting) {
  EXPECT_EQ(ValidateType(*list(list(utf8()))).code(), StatusCode::kNotImplemented);
  EXPECT_EQ(ValidateType(*fixed_size_list(float32(), 0)).code(), StatusCode::kInvalidArgument);
}

TEST(SchemaTest, LookupsAndIds) {
  auto schema = *Schema::Make({field("id", int64()), field("vec", fixed_size_list(float32(), 4))});
  EXPECT_EQ(schema->FieldIndex("vec"), 1);
  EXPECT_EQ(schema->FieldIndex("nope"), -1);
  auto missing = schema->GetField("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("id, vec"), std::string::npos);
  int32_t next = 0;
  auto with_ids = schema->WithAssignedIds(&next);
  EXPECT_EQ(next, 2);
  EXPECT_EQ(with_ids->field(1)->id, 1);
  EXPECT_EQ(with_ids->FieldIndexById(1), 1);
  EXPECT_EQ(with_ids->MaxFieldId(), 1);
  EXPECT_TRUE(with_ids->Equals(*schema));
  EXPECT_FALSE(with_ids->Equals(*schema, /*check_ids=*/true));
  EXPECT_FALSE(Schema::Make({field("a", int8()), field("a", int8())}).ok());
  EXPECT_FALSE(Schema::Make({field("", int8())}).ok());
}

TEST(ArrayBuilderTest, PrimitivesWithNulls) {
  ArrayBuilder b(int32());
  b.Append<int32_t>(1);
  b.Append<int32_t>(2);
  b.AppendNull();
  b.Append<int32_t>(4);
  auto a = *b.Finish();
  ASSERT_EQ(a->length(), 4);
  EXPECT_EQ(a->null_count(), 1);
  EXPECT_TRUE(a->IsValid(0));
  EXPECT_TRUE(a->IsNull(2));
  EXPECT_EQ(a->Value<int32_t>(3), 4);
  EXPECT_EQ(a->ToString(), "[1, 2, null, 4]");
  EXPECT_TRUE(a->Validate().ok());
  // The builder is reusable after Finish.
  b.Append<int32_t>(7);
  auto c = *b.Finish();
  EXPECT_EQ(c->length(), 1);
  EXPECT_EQ(c->null_count(), 0);
  EXPECT_EQ(c->buffer(0), nullptr);
}

TEST(ArrayBuilderTest, StringsBoolsAndLists) {
  ArrayBuilder s(utf8());
  s.AppendString("hello");
  s.AppendNull();
  s.AppendString("");
  auto strings = *s.Finish();
  EXPECT_EQ(strings->StringValue(0), "hello");
  EXPECT_EQ(strings->StringValue(2), "");
  EXPECT_TRUE(strings->IsNull(1));

  ArrayBuilder bools(boolean());
  for (int i = 0; i < 20; ++i) bools.AppendBool(i % 3 == 0);
  auto bits = *bools.Finish();
  EXPECT_TRUE(bits->BoolValue(9));
  EXPECT_FALSE(bits->BoolValue(10));

  ArrayBuilder labels(list(utf8()));
  labels.StartList();
  labels.child().AppendString("a");
  labels.child().AppendString("b");
  labels.AppendNull();
  labels.StartList();  // empty list
  auto l = *labels.Finish();
  EXPECT_EQ(l->ToString(), "[[\"a\", \"b\"], null, []]");
  EXPECT_TRUE(l->Validate().ok());

  ArrayBuilder vectors(fixed_size_list(float32(), 2));
  vectors.StartList();
  vectors.child().Append<float>(1);
  vectors.child().Append<float>(2);
  vectors.AppendNull();
  auto v = *vectors.Finish();
  EXPECT_EQ(v->values()->length(), 4);
  EXPECT_EQ(v->ToString(), "[[1, 2], null]");
}

TEST(ArrayTest, SliceSharesMemoryAndCountsNulls) {
  for (const auto& type : testing::AllSupportedTypes()) {
    SCOPED_TRACE(type->ToString());
    auto a = testing::MakeSampleArray(type, 100, 3, 7);
    auto s = a->Slice(10, 50);
    EXPECT_EQ(s->length(), 50);
    int64_t nulls = 0;
    for (int64_t i = 0; i < 50; ++i) {
      nulls += s->IsNull(i);
      EXPECT_EQ(s->IsNull(i), a->IsNull(i + 10));
    }
    EXPECT_EQ(s->null_count(), nulls);
    EXPECT_TRUE(s->Validate().ok());
    // Concatenating slices gives the original back.
    auto joined = *Concatenate({a->Slice(0, 10), s, a->Slice(60, 40)});
    EXPECT_TRUE(joined->Equals(*a));
    EXPECT_EQ(joined->offset(), 0);
    EXPECT_FALSE(joined->Equals(*a->Slice(0, 99)));
  }
}

TEST(ArrayTest, EqualsLooksAtValuesAndNulls) {
  auto a = testing::MakeSampleArray(utf8(), 50, 4, 1);
  auto b = testing::MakeSampleArray(utf8(), 50, 4, 1);
  auto c = testing::MakeSampleArray(utf8(), 50, 4, 2);
  auto d = testing::MakeSampleArray(utf8(), 50, 5, 1);
  EXPECT_TRUE(a->Equals(*b));
  EXPECT_FALSE(a->Equals(*c));
  EXPECT_FALSE(a->Equals(*d));
}

TEST(ArrayTest, MakeArrayRejectsBadLayouts) {
  // Offsets that decrease.
  int32_t offsets[] = {0, 4, 2};
  auto bad =
      MakeArray(utf8(), 2, {nullptr, Buffer::CopyFrom(offsets, sizeof(offsets)), Buffer::Zeros(4)});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  // Last offset past the data.
  int32_t past[] = {0, 2, 9};
  EXPECT_FALSE(
      MakeArray(utf8(), 2, {nullptr, Buffer::CopyFrom(past, sizeof(past)), Buffer::Zeros(4)}).ok());
  // Values buffer too small.
  EXPECT_FALSE(MakeArray(int64(), 4, {nullptr, Buffer::Zeros(16)}).ok());
  // Wrong buffer count.
  EXPECT_FALSE(MakeArray(int64(), 0, {nullptr}).ok());
  // Fixed-size list whose child is too short.
  auto child = testing::MakeSampleArray(float32(), 7, 0, 1);
  EXPECT_FALSE(MakeArray(fixed_size_list(float32(), 4), 2, {nullptr}, {child}).ok());
  // A wrong null count.
  uint8_t bits[] = {0b101};
  EXPECT_FALSE(
      MakeArray(int8(), 3, {Buffer::CopyFrom(bits, 1), Buffer::Zeros(3)}, {}, /*null_count=*/2)
          .ok());
  EXPECT_EQ((*MakeArray(int8(), 3, {Buffer::CopyFrom(bits, 1), Buffer::Zeros(3)}))->null_count(),
            1);
}

TEST(RecordBatchTest, MakeChecksColumns) {
  auto schema = *Schema::Make({field("a", int32()), field("b", utf8())});
  auto a = testing::MakeSampleArray(int32(), 5, 0, 1);
  auto b = testing::MakeSampleArray(utf8(), 5, 0, 1);
  EXPECT_TRUE(RecordBatch::Make(schema, 5, {a, b}).ok());
  EXPECT_EQ(RecordBatch::Make(schema, 5, {b, a}).status().code(), StatusCode::kTypeError);
  EXPECT_FALSE(RecordBatch::Make(schema, 4, {a, b}).ok());
  EXPECT_FALSE(RecordBatch::Make(schema, 5, {a}).ok());
  auto batch = *RecordBatch::Make(schema, 5, {a, b});
  auto projected = *batch->Project({"b"});
  EXPECT_EQ(projected->num_columns(), 1);
  EXPECT_TRUE(projected->column(0)->Equals(*b));
  EXPECT_FALSE(batch->Project({"zzz"}).ok());
}

TEST(RecordBatchTest, ConcatenateAndReader) {
  auto batch = testing::MakeSampleBatch(40, 3, 11);
  auto reader = MakeVectorReader(batch->schema(), {batch->Slice(0, 15), batch->Slice(15, 25)});
  auto parts = *reader->ReadAll();
  ASSERT_EQ(parts.size(), 2u);
  auto joined = *ConcatenateBatches(batch->schema(), parts);
  EXPECT_TRUE(joined->Equals(*batch));
  auto empty = *ConcatenateBatches(batch->schema(), {});
  EXPECT_EQ(empty->num_rows(), 0);
}

}  // namespace
}  // namespace ixray

namespace ixray {
namespace {

TEST(TakeTest, EveryTypeMatchesSlotwiseCopy) {
  for (const auto& type : testing::AllSupportedTypes()) {
    SCOPED_TRACE(type->ToString());
    auto a = testing::MakeSampleArray(type, 60, 4, 3)->Slice(5, 50);
    std::vector<int64_t> indices = {49, 0, 3, 3, 17, 48, 1};
    auto taken = *Take(*a, indices);
    ASSERT_EQ(taken->length(), 7);
    for (size_t k = 0; k < indices.size(); ++k) {
      EXPECT_TRUE(taken->Slice(k, 1)->Equals(*a->Slice(indices[k], 1)));
    }
    EXPECT_FALSE(Take(*a, std::vector<int64_t>{50}).ok());
  }
}

TEST(TakeTest, FilterKeepsTrueNonNullSlots) {
  auto values = testing::MakeSampleArray(int64(), 6, 0, 1);
  ArrayBuilder mask(boolean());
  for (int v : {1, 0, -1, 1, 1, 0}) {
    if (v < 0) {
      mask.AppendNull();
    } else {
      mask.AppendBool(v == 1);
    }
  }
  auto m = *mask.Finish();
  EXPECT_EQ(SelectedIndices(*m), (std::vector<int64_t>{0, 3, 4}));
  auto filtered = *Filter(*values, *m);
  ASSERT_EQ(filtered->length(), 3);
  EXPECT_EQ(filtered->Value<int64_t>(1), values->Value<int64_t>(3));
}

}  // namespace
}  // namespace ixray
