#include <gtest/gtest.h>

#include "ixray/arrow_interop.h"
#include "ixray/builder.h"
#include "testing/sample_data.h"

namespace ixray {
namespace {

TEST(ArrowFormatTest, FormatStrings) {
  EXPECT_EQ(*ArrowFormat(*float16()), "e");
  EXPECT_EQ(*ArrowFormat(*timestamp()), "tsu:");
  EXPECT_EQ(*ArrowFormat(*timestamp("Europe/Paris")), "tsu:Europe/Paris");
  EXPECT_EQ(*ArrowFormat(*fixed_size_list(uint8(), 32)), "+w:32");
  EXPECT_EQ(*ArrowFormat(*date32()), "tdD");
  EXPECT_EQ(*ArrowFormat(*large_utf8()), "U");
}

TEST(CDataTest, SchemaRoundTripKeepsFieldIdsAndNullability) {
  auto schema = *Schema::Make({field("id", int64(), /*nullable=*/false, 0),
                               field("vec", fixed_size_list(float32(), 8), true, 1),
                               field("labels", list(field("element", utf8(), false)), true, 2),
                               field("ts", timestamp("UTC"))});
  ArrowSchema c{};
  ASSERT_TRUE(ExportSchema(*schema, &c).ok());
  EXPECT_STREQ(c.format, "+s");
  ASSERT_EQ(c.n_children, 4);
  EXPECT_EQ(c.children[0]->flags & ARROW_FLAG_NULLABLE, 0);
  auto back = ImportSchema(&c);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(c.release, nullptr);  // import takes ownership
  EXPECT_TRUE((*back)->Equals(*schema, /*check_ids=*/true));
  EXPECT_EQ((*back)->field(2)->type->value_field()->name, "element");
  EXPECT_FALSE((*back)->field(2)->type->value_field()->nullable);
  EXPECT_EQ((*back)->field(3)->id, -1);
}

// Export, then import, every type: with and without nulls, sliced, empty.
TEST(CDataTest, ArrayRoundTripEveryType) {
  for (const auto& type : testing::AllSupportedTypes()) {
    for (int null_every : {0, 1, 3}) {
      SCOPED_TRACE(type->ToString() + " null_every=" + std::to_string(null_every));
      auto source = testing::MakeSampleArray(type, 77, null_every, 5);
      for (auto array : {source, source->Slice(13, 40), source->Slice(77, 0)}) {
        ArrowArray c{};
        ArrowSchema cs{};
        ASSERT_TRUE(ExportArray(*array, &c).ok());
        ASSERT_TRUE(ExportType(*type, &cs).ok());
        auto back = ImportArray(&c, &cs);
        ASSERT_TRUE(back.ok()) << back.status().ToString();
        EXPECT_TRUE((*back)->Equals(*array)) << (*back)->ToString() << " vs " << array->ToString();
        EXPECT_EQ((*back)->null_count(), array->null_count());
        EXPECT_EQ(c.release, nullptr);
        EXPECT_EQ(cs.release, nullptr);
      }
    }
  }
}

TEST(CDataTest, ImportIsZeroCopyAndReleasesOnce) {
  auto source = testing::MakeSampleArray(float32(), 1000, 0, 3);
  ArrowArray c{};
  ASSERT_TRUE(ExportArray(*source, &c).ok());
  // Count releases by wrapping the exporter's release callback.
  static int releases = 0;
  static void (*inner)(ArrowArray*) = nullptr;
  inner = c.release;
  c.release = [](ArrowArray* a) {
    ++releases;
    a->release = inner;
    inner(a);
  };
  const void* values = c.buffers[1];
  releases = 0;
  {
    auto imported = *ImportArray(&c, float32());
    EXPECT_EQ(imported->data<float>(), static_cast<const float*>(values));
    auto slice = imported->Slice(10, 10);
    imported.reset();
    EXPECT_EQ(releases, 0);  // the slice still holds the memory
    EXPECT_EQ(slice->Value<float>(0), source->Value<float>(10));
  }
  EXPECT_EQ(releases, 1);
}

TEST(CDataTest, RecordBatchRoundTrip) {
  auto batch = testing::MakeSampleBatch(64, 4, 9);
  for (auto b : {batch, batch->Slice(5, 30), batch->Slice(0, 0)}) {
    ArrowArray c{};
    ArrowSchema cs{};
    ASSERT_TRUE(ExportRecordBatch(*b, &c, &cs).ok());
    EXPECT_STREQ(cs.format, "+s");
    auto back = ImportRecordBatch(&c, &cs);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE((*back)->Equals(*b));
  }
}

TEST(CDataTest, StreamRoundTrip) {
  auto batch = testing::MakeSampleBatch(50, 2, 21);
  std::shared_ptr<BatchReader> reader = MakeVectorReader(
      batch->schema(), {batch->Slice(0, 20), batch->Slice(20, 0), batch->Slice(20, 30)});
  ArrowArrayStream stream{};
  ASSERT_TRUE(ExportBatchReader(reader, &stream).ok());
  auto imported = ImportBatchReader(&stream);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(stream.release, nullptr);
  EXPECT_TRUE((*imported)->schema()->Equals(*batch->schema()));
  auto parts = *(*imported)->ReadAll();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE((*ConcatenateBatches(batch->schema(), parts))->Equals(*batch));
  // Reading past the end keeps returning null.
  EXPECT_EQ(*(*imported)->Next(), nullptr);
}

TEST(CDataTest, StreamErrorsCarryTheMessage) {
  class FailingReader : public BatchReader {
   public:
    const SchemaPtr& schema() const override { return schema_; }
    Result<RecordBatchPtr> Next() override { return Status::Corruption("page 3 checksum"); }
    SchemaPtr schema_ = *Schema::Make({field("a", int32())});
  };
  ArrowArrayStream stream{};
  ASSERT_TRUE(ExportBatchReader(std::make_shared<FailingReader>(), &stream).ok());
  auto reader = *ImportBatchReader(&stream);
  auto next = reader->Next();
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("page 3 checksum"), std::string::npos);
}

TEST(CDataTest, RejectsMalformedImports) {
  // Unsupported format.
  ArrowSchema cs{};
  ASSERT_TRUE(ExportType(*int32(), &cs).ok());
  cs.format = "tsn:";
  auto type = ImportType(&cs);
  EXPECT_EQ(type.status().code(), StatusCode::kNotImplemented);
  EXPECT_NE(type.status().message().find("tsn:"), std::string::npos);
  EXPECT_EQ(cs.release, nullptr);

  // Decreasing offsets in a string array are refused, not read.
  auto strings = testing::MakeSampleArray(utf8(), 4, 0, 1);
  std::vector<int32_t> offsets = {0, 5, 2, 6, 7};
  auto bad_offsets = Buffer::CopyFrom(offsets.data(), offsets.size() * 4);
  Array tampered(utf8(), 4, {nullptr, bad_offsets, strings->buffer(2)}, {}, 0, 0);
  ArrowArray c{};
  ASSERT_TRUE(ExportArray(tampered, &c).ok());
  auto imported = ImportArray(&c, utf8());
  EXPECT_EQ(imported.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.release, nullptr);  // released even on error

  // Wrong buffer count for the declared type.
  auto ints = testing::MakeSampleArray(int32(), 4, 0, 1);
  ASSERT_TRUE(ExportArray(*ints, &c).ok());
  EXPECT_FALSE(ImportArray(&c, utf8()).ok());

  // Nulls claimed without a bitmap.
  ASSERT_TRUE(ExportArray(*ints, &c).ok());
  c.null_count = 2;
  EXPECT_FALSE(ImportArray(&c, int32()).ok());
}

}  // namespace
}  // namespace ixray
