// Tests of the CSV reader: type inference, nulls, RFC 4180 quoting, errors
// with line numbers, explicit schemas, and records straddling chunks.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"
#include "ixray/ingest.h"

namespace ixray {
namespace {

using ingest::testing::IsOk;
using ingest::testing::ReadOutcome;
using ingest::testing::ReadThrough;
using ingest::testing::SchemaSummary;
using ingest::testing::WriteFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CsvReaderTest : public ::testing::Test {
 protected:
  Result<ReadOutcome> Read(std::string_view contents, IngestOptions options = {}) {
    WriteFile(*fs_, "data.csv", contents);
    return ReadThrough(OpenCsvReader, *fs_, "data.csv", options);
  }
  Status ReadError(std::string_view contents, IngestOptions options = {}) {
    Result<ReadOutcome> outcome = Read(contents, options);
    return outcome.ok() ? Status::OK() : outcome.status();
  }

  std::shared_ptr<FileSystem> fs_ = MakeMemoryFileSystem();
};

TEST_F(CsvReaderTest, InfersEachType) {
  Result<ReadOutcome> out = Read(
      "i,f,b,d,t,s\n"
      "1,1.5,true,2024-01-31,2024-01-31T12:00:00,hello\n"
      "-7,2,FALSE,1969-12-31,2024-02-01 08:30:15.25,world\n");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema),
            "i: int64; f: float64; b: bool; d: date32; t: timestamp[us]; s: string");
  EXPECT_THAT(out->rows,
              ElementsAre(R"({"i":1,"f":1.5,"b":true,"d":"2024-01-31","t":"2024-01-31T12:00:00",)"
                          R"("s":"hello"})",
                          R"({"i":-7,"f":2,"b":false,"d":"1969-12-31",)"
                          R"("t":"2024-02-01T08:30:15.250","s":"world"})"));
}

TEST_F(CsvReaderTest, WidensAcrossRows) {
  Result<ReadOutcome> out = Read(
      "a,b,c,d\n"
      "1,2024-01-01,1,x\n"
      "2.5,2024-01-01T10:00:00,true,1\n");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "a: float64; b: timestamp[us]; c: string; d: string");
}

TEST_F(CsvReaderTest, TimestampsWithZonesBecomeUtc) {
  Result<ReadOutcome> out = Read("t\n2024-01-01T12:00:00+02:00\n2024-01-01T00:00:00Z\n");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "t: timestamp[us, tz=UTC]");
  EXPECT_THAT(out->rows,
              ElementsAre(R"({"t":"2024-01-01T10:00:00Z"})", R"({"t":"2024-01-01T00:00:00Z"})"));
}

TEST_F(CsvReaderTest, EmptyFieldsAreNull) {
  Result<ReadOutcome> out = Read(
      "n,s,q,all_null\n"
      "1,,\"\",\n"
      ",x,\"y\",\n");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "n: int64; s: string; q: string; all_null: string");
  // A quoted empty field is an empty string in a string column.
  EXPECT_THAT(out->rows, ElementsAre(R"({"n":1,"s":null,"q":"","all_null":null})",
                                     R"({"n":null,"s":"x","q":"y","all_null":null})"));
}

TEST_F(CsvReaderTest, QuotingFollowsRfc4180) {
  Result<ReadOutcome> out = Read(
      "id,text\r\n"
      "1,\"a, b\"\r\n"
      "2,\"say \"\"hi\"\"\"\r\n"
      "3,\"two\nlines\"\r\n"
      "4,plain \"quote\" inside\r\n");
  ASSERT_TRUE(IsOk(out));
  EXPECT_THAT(out->rows, ElementsAre(R"({"id":1,"text":"a, b"})", R"({"id":2,"text":"say \"hi\""})",
                                     R"({"id":3,"text":"two\nlines"})",
                                     R"({"id":4,"text":"plain \"quote\" inside"})"));
}

TEST_F(CsvReaderTest, SkipsBlankLinesAndByteOrderMark) {
  Result<ReadOutcome> out = Read("\xEF\xBB\xBFx,y\n\n1,2\n\n3,4");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "x: int64; y: int64");
  EXPECT_THAT(out->rows, ElementsAre(R"({"x":1,"y":2})", R"({"x":3,"y":4})"));
}

TEST_F(CsvReaderTest, OtherDelimiters) {
  IngestOptions options;
  options.delimiter = ';';
  Result<ReadOutcome> out = Read("a;b\n1,5;x\n", options);
  ASSERT_TRUE(IsOk(out));
  EXPECT_THAT(out->rows, ElementsAre(R"({"a":"1,5","b":"x"})"));

  WriteFile(*fs_, "data.tsv", "a\tb\n1\tx y\n");
  out = ReadThrough(OpenIngestReader, *fs_, "data.tsv", {});
  ASSERT_TRUE(IsOk(out));
  EXPECT_THAT(out->rows, ElementsAre(R"({"a":1,"b":"x y"})"));
}

TEST_F(CsvReaderTest, HeaderOnlyAndEmptyFiles) {
  Result<ReadOutcome> out = Read("a,b\n");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "a: string; b: string");
  EXPECT_TRUE(out->rows.empty());

  Status duplicate = ReadError("a,b,a\n1,2,3\n");
  EXPECT_EQ(duplicate.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(duplicate.message(), HasSubstr("header"));

  Status empty = ReadError("");
  EXPECT_EQ(empty.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.message(), HasSubstr("no header"));
}

TEST_F(CsvReaderTest, ValueThatDoesNotFitTheInferredTypeNamesLineAndColumn) {
  IngestOptions options;
  options.inference_rows = 2;
  Status status = ReadError("id,name\n1,a\n2,b\n\"3\ncontinued\",c\nx4,d\n", options);
  // The first row after the two inference rows starts on line 4 and spans two.
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 4, column 'id'"));
  EXPECT_THAT(status.message(), HasSubstr("cannot parse '3\ncontinued' as int64"));

  status = ReadError("id,name\n1,a\n2,b\n3,c\n\nx4,d\n", options);
  EXPECT_THAT(status.message(), HasSubstr("line 6, column 'id' (#1)"));
  EXPECT_THAT(status.message(), HasSubstr("first 2 rows"));
}

TEST_F(CsvReaderTest, WrongFieldCountNamesTheLine) {
  Status status = ReadError("a,b\n1,2\n3\n");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 3: expected 2 fields"));
  IngestOptions options;
  options.inference_rows = 1;
  status = ReadError("a,b\n1,2\n3,4\n5,6,7\n", options);
  EXPECT_THAT(status.message(), HasSubstr("line 4: expected 2 fields (as in the header), found 3"));
}

TEST_F(CsvReaderTest, MalformedQuotingNamesTheLine) {
  Status status = ReadError("a,b\n1,\"open\n2,3\n");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 2: unterminated quoted field"));
  status = ReadError("a,b\n1,2\n3,\"x\"y\n");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 3: unexpected character 'y'"));
}

TEST_F(CsvReaderTest, ExplicitSchemaSkipsInferenceAndSelectsColumns) {
  IngestOptions options;
  options.schema = std::make_shared<Schema>(std::vector<FieldPtr>{
      field("c", float16()), field("a", int32()), field("d", timestamp("UTC"))});
  Result<ReadOutcome> out =
      Read("a,b,c,d\n007,x,1.5,2024-01-01\n-2,y,,2024-01-01T00:00:01Z\n", options);
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "c: float16; a: int32; d: timestamp[us, tz=UTC]");
  EXPECT_THAT(out->rows, ElementsAre(R"({"c":1.5,"a":7,"d":"2024-01-01T00:00:00Z"})",
                                     R"({"c":null,"a":-2,"d":"2024-01-01T00:00:01Z"})"));

  Status status = ReadError("a,b,c,d\n99999999999,x,1,2024-01-01\n", options);
  EXPECT_THAT(status.message(), HasSubstr("line 2, column 'a' (#1): cannot parse '99999999999' "
                                          "as int32"));

  options.schema = std::make_shared<Schema>(std::vector<FieldPtr>{field("zzz", int32())});
  status = ReadError("a,b\n1,2\n", options);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("'zzz' is not in the CSV header (a, b)"));
}

TEST_F(CsvReaderTest, EmitsBatchesOfBatchSizeRows) {
  std::string csv = "n\n";
  for (int i = 0; i < 10; ++i) csv += std::to_string(i) + "\n";
  IngestOptions options;
  options.batch_size = 4;
  options.inference_rows = 3;
  Result<ReadOutcome> out = Read(csv, options);
  ASSERT_TRUE(IsOk(out));
  EXPECT_THAT(out->batch_sizes, ElementsAre(4, 4, 2));
  EXPECT_EQ(out->rows.back(), R"({"n":9})");
}

TEST_F(CsvReaderTest, RecordsStraddlingChunksParseTheSame) {
  const std::string csv =
      "id,name,score,when\r\n"
      "1,\"Smith, \"\"J\"\"\",1.25,2024-01-01\r\n"
      "2,\"multi\r\nline\",,2024-01-02T03:04:05\r\n"
      "3,,3e2,\r\n"
      "4,\"\",-0.5,2024-01-04\n"
      "5,plain,6,2024-01-05";
  IngestOptions options;
  Result<ReadOutcome> expected = Read(csv, options);
  ASSERT_TRUE(IsOk(expected));
  ASSERT_EQ(expected->rows.size(), 5u);
  EXPECT_EQ(expected->rows[1],
            R"({"id":2,"name":"multi\r\nline","score":null,"when":"2024-01-02T03:04:05"})");
  for (int64_t chunk_size : {1, 2, 3, 5, 7, 16}) {
    for (int64_t batch_size : {1, 2, 8192}) {
      options.chunk_size = chunk_size;
      options.batch_size = batch_size;
      options.inference_rows = 2;
      Result<ReadOutcome> out = Read(csv, options);
      ASSERT_TRUE(IsOk(out)) << "chunk_size " << chunk_size;
      EXPECT_EQ(SchemaSummary(*out->schema), SchemaSummary(*expected->schema));
      EXPECT_EQ(out->rows, expected->rows) << "chunk_size " << chunk_size;
    }
  }
}

TEST_F(CsvReaderTest, ErrorsForBadOptionsAndMissingFiles) {
  IngestOptions options;
  options.batch_size = 0;
  EXPECT_EQ(ReadError("a\n1\n", options).code(), StatusCode::kInvalidArgument);
  options = {};
  options.delimiter = '"';
  EXPECT_EQ(ReadError("a\n1\n", options).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenCsvReader(*fs_, "missing.csv").status().code(), StatusCode::kNotFound);
}

TEST(IngestFormatTest, DetectsFormatsFromExtensions) {
  EXPECT_EQ(*DetectIngestFormat("a/b.CSV"), IngestFormat::kCsv);
  EXPECT_EQ(*DetectIngestFormat("x.tsv"), IngestFormat::kCsv);
  EXPECT_EQ(*DetectIngestFormat("x.ndjson"), IngestFormat::kJsonLines);
  EXPECT_EQ(*DetectIngestFormat("x.jsonl"), IngestFormat::kJsonLines);
  EXPECT_EQ(*DetectIngestFormat("x.npy"), IngestFormat::kNpy);
  EXPECT_EQ(*DetectIngestFormat("sift_base.fvecs"), IngestFormat::kFvecs);
  EXPECT_EQ(*DetectIngestFormat("x.bvecs"), IngestFormat::kBvecs);
  EXPECT_EQ(*DetectIngestFormat("x.ivecs"), IngestFormat::kIvecs);
  EXPECT_EQ(DetectIngestFormat("x.parquet").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DetectIngestFormat("dir.csv/file").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseIngestFormat("JSON"), IngestFormat::kJsonLines);
  EXPECT_EQ(ParseIngestFormat("xml").status().code(), StatusCode::kInvalidArgument);
  for (IngestFormat format : {IngestFormat::kCsv, IngestFormat::kJsonLines, IngestFormat::kNpy,
                              IngestFormat::kFvecs, IngestFormat::kBvecs, IngestFormat::kIvecs}) {
    EXPECT_EQ(*ParseIngestFormat(IngestFormatName(format)), format);
  }
}

}  // namespace
}  // namespace ixray
