// Tests of value rendering (text and JSON) and of the text value parsers.

#include "ingest/value_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ingest/value_parse.h"
#include "ixray/builder.h"

namespace ixray::ingest {
namespace {

ArrayPtr Build(const TypePtr& type, const std::function<void(ArrayBuilder&)>& fill) {
  ArrayBuilder builder(type);
  fill(builder);
  return *builder.Finish();
}

std::string Json(const Array& array, int64_t i) {
  std::string out;
  AppendValueJson(array, i, &out);
  return out;
}

std::string Text(const Array& array, int64_t i, int max_items = -1) {
  std::string out;
  AppendValueText(array, i, &out, max_items);
  return out;
}

TEST(IngestValueFormatTest, DatesAndTimestamps) {
  EXPECT_EQ(FormatDate32(0), "1970-01-01");
  EXPECT_EQ(FormatDate32(-1), "1969-12-31");
  EXPECT_EQ(FormatDate32(19753), "2024-01-31");
  EXPECT_EQ(FormatDate32(11016), "2000-02-29");
  EXPECT_EQ(FormatTimestamp(0, ""), "1970-01-01T00:00:00");
  EXPECT_EQ(FormatTimestamp(-1, ""), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(FormatTimestamp(1500000, "UTC"), "1970-01-01T00:00:01.500Z");
  EXPECT_EQ(FormatTimestamp(0, "+05:30"), "1970-01-01T05:30:00+05:30");
  EXPECT_EQ(FormatTimestamp(0, "-0800"), "1969-12-31T16:00:00-08:00");
  EXPECT_EQ(FormatTimestamp(0, "Europe/Paris"), "1970-01-01T00:00:00Z");
  for (int64_t days : {-719162, -1, 0, 59, 365, 11016, 2932896}) {
    const std::string text = FormatDate32(static_cast<int32_t>(days));
    ASSERT_EQ(ParseDate32(text), days) << text;
  }
}

TEST(IngestValueFormatTest, ParsesTextValues) {
  EXPECT_EQ(ParseInt64("+42"), 42);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(ParseInt64("9223372036854775808"));
  EXPECT_FALSE(ParseInt64("1.0"));
  EXPECT_FALSE(ParseInt64(""));
  EXPECT_EQ(ParseDouble("1e3"), 1000.0);
  EXPECT_EQ(ParseDouble("+.5"), 0.5);
  EXPECT_TRUE(std::isinf(*ParseDouble("-inf")));
  EXPECT_FALSE(ParseDouble("1,5"));
  EXPECT_EQ(ParseBool("TRUE"), true);
  EXPECT_FALSE(ParseBool("yes"));
  EXPECT_FALSE(ParseDate32("2023-02-29"));
  EXPECT_FALSE(ParseDate32("2024-1-01"));
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:01.0000019")->micros, 1000001);
  EXPECT_EQ(ParseTimestamp("1970-01-01T01:00+01:00")->micros, 0);
  EXPECT_TRUE(ParseTimestamp("1970-01-01 00:00:00Z")->has_zone);
  EXPECT_FALSE(ParseTimestamp("1970-01-01T25:00:00"));
  EXPECT_FALSE(ParseTimestamp("1970-01-01T00:00:00 junk"));
  EXPECT_EQ(HalfToFloat(FloatToHalf(0.1f)), HalfToFloat(0x2e66));
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);  // rounds to infinity
  EXPECT_EQ(FloatToHalf(5.9604645e-08f), 0x0001);
}

TEST(IngestValueFormatTest, RendersEveryType) {
  ArrayPtr floats = Build(float64(), [](ArrayBuilder& b) {
    b.Append<double>(0.1);
    b.Append<double>(std::numeric_limits<double>::quiet_NaN());
    b.AppendNull();
  });
  EXPECT_EQ(Json(*floats, 0), "0.1");
  EXPECT_EQ(Json(*floats, 1), "null");
  EXPECT_EQ(Text(*floats, 1), "nan");
  EXPECT_EQ(Text(*floats, 2), "null");

  ArrayPtr halves = Build(float16(), [](ArrayBuilder& b) { b.Append<uint16_t>(0x3555); });
  EXPECT_EQ(Json(*halves, 0), "0.33325195");

  ArrayPtr strings = Build(utf8(), [](ArrayBuilder& b) { b.AppendString("a\"b\n\x01"); });
  EXPECT_EQ(Json(*strings, 0), R"("a\"b\n\u0001")");
  EXPECT_EQ(Text(*strings, 0), "a\"b\\n\x01");

  ArrayPtr bytes = Build(binary(), [](ArrayBuilder& b) {
    b.AppendString(std::string("\x00\xff\x10", 3));
    b.AppendString("ab");
  });
  EXPECT_EQ(Json(*bytes, 0), R"("AP8Q")");
  EXPECT_EQ(Text(*bytes, 1), "YWI=");

  ArrayPtr vectors = Build(fixed_size_list(float32(), 3), [](ArrayBuilder& b) {
    for (int row = 0; row < 2; ++row) {
      b.StartList();
      for (int k = 0; k < 3; ++k) b.child().Append<float>(static_cast<float>(row * 3 + k));
    }
  });
  EXPECT_EQ(Json(*vectors->Slice(1, 1), 0), "[3,4,5]");
  EXPECT_EQ(Text(*vectors, 1, 2), "[3, 4, ... (3 items)]");

  ArrayPtr lists = Build(list(utf8()), [](ArrayBuilder& b) {
    b.StartList();
    b.child().AppendString("x");
    b.child().AppendNull();
    b.AppendNull();
  });
  EXPECT_EQ(Json(*lists, 0), R"(["x",null])");
  EXPECT_EQ(Json(*lists, 1), "null");
  EXPECT_EQ(DisplayWidth("h\xC3\xA9llo"), 5);
}

}  // namespace
}  // namespace ixray::ingest
