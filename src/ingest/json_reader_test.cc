// Tests of the JSON lines reader: per-key type inference, vectors, nulls and
// missing keys, malformed input with line numbers, explicit schemas, and
// lines straddling chunks.

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

class JsonLinesReaderTest : public ::testing::Test {
 protected:
  Result<ReadOutcome> Read(std::string_view contents, IngestOptions options = {}) {
    WriteFile(*fs_, "data.jsonl", contents);
    return ReadThrough(OpenJsonLinesReader, *fs_, "data.jsonl", options);
  }
  Status ReadError(std::string_view contents, IngestOptions options = {}) {
    Result<ReadOutcome> outcome = Read(contents, options);
    return outcome.ok() ? Status::OK() : outcome.status();
  }

  std::shared_ptr<FileSystem> fs_ = MakeMemoryFileSystem();
};

TEST_F(JsonLinesReaderTest, InfersTypesPerKey) {
  Result<ReadOutcome> out = Read(
      R"({"id": 1, "score": 1, "ok": true, "name": "a", "tags": ["x", "y"], "vec": [1, 2.5, 3]})"
      "\n"
      R"({"id": 2, "score": 0.5, "ok": false, "name": null, "tags": [], "vec": [0, 0, -1]})"
      "\n");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema),
            "id: int64; score: float64; ok: bool; name: string; tags: list<string>; "
            "vec: fixed_size_list<float32, 3>");
  EXPECT_THAT(out->rows, ElementsAre(R"({"id":1,"score":1,"ok":true,"name":"a",)"
                                     R"("tags":["x","y"],"vec":[1,2.5,3]})",
                                     R"({"id":2,"score":0.5,"ok":false,"name":null,)"
                                     R"("tags":[],"vec":[0,0,-1]})"));
}

TEST_F(JsonLinesReaderTest, MissingKeysAndNullsAreNull) {
  Result<ReadOutcome> out = Read(
      "{\"a\": 1}\n"
      "{\"b\": \"x\", \"c\": null}\n"
      "{\"a\": null, \"b\": \"y\"}\n");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "a: int64; b: string; c: string");
  EXPECT_THAT(out->rows,
              ElementsAre(R"({"a":1,"b":null,"c":null})", R"({"a":null,"b":"x","c":null})",
                          R"({"a":null,"b":"y","c":null})"));
}

TEST_F(JsonLinesReaderTest, MixedAndNestedValuesKeepTheirJsonText) {
  Result<ReadOutcome> out = Read(
      R"({"mixed": 1, "obj": {"k": [1, 2]}, "ragged": [1, 2], "anyarr": [1, "a"], "big": 1})"
      "\n"
      R"({"mixed": "s", "obj": {}, "ragged": [3], "anyarr": [[1]], "big": 18446744073709551615})"
      "\n");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema),
            "mixed: string; obj: string; ragged: list<float64>; anyarr: list<string>; "
            "big: float64");
  EXPECT_THAT(out->rows, ElementsAre(R"({"mixed":"1","obj":"{\"k\":[1,2]}","ragged":[1,2],)"
                                     R"("anyarr":["1","a"],"big":1})",
                                     R"({"mixed":"s","obj":"{}","ragged":[3],"anyarr":["[1]"],)"
                                     R"("big":1.8446744073709552e+19})"));
}

TEST_F(JsonLinesReaderTest, MalformedJsonNamesTheLine) {
  Status status = ReadError("{\"a\": 1}\n\n{\"a\": 2,}\n");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 3: malformed JSON"));

  IngestOptions options;
  options.inference_rows = 1;
  status = ReadError("{\"a\": 1}\n{\"a\": 2}\n{\"a\": [\n", options);
  EXPECT_THAT(status.message(), HasSubstr("line 3: malformed JSON"));

  status = ReadError("{\"a\": 1}\n[1, 2]\n");
  EXPECT_THAT(status.message(), HasSubstr("line 2: expected a JSON object, found an array"));
}

TEST_F(JsonLinesReaderTest, LaterValuesMustFitTheInferredTypes) {
  IngestOptions options;
  options.inference_rows = 2;
  Status status = ReadError("{\"n\": 1}\n{\"n\": 2}\n{\"n\": 2.5}\n", options);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 3, key 'n': expected int64, found a number"));

  status = ReadError("{\"v\": [1, 2]}\n{\"v\": [3, 4]}\n{\"v\": [5]}\n", options);
  EXPECT_THAT(status.message(), HasSubstr("line 3, key 'v': expected 2 values"));

  status = ReadError("{\"v\": [1, 2]}\n{\"v\": [3, 4]}\n{\"v\": [5, \"x\"]}\n", options);
  EXPECT_THAT(status.message(), HasSubstr("item 1: expected float32, found a string"));

  status = ReadError("{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3, \"late\": true}\n", options);
  EXPECT_THAT(status.message(), HasSubstr("line 3: key 'late' did not appear in the first 2"));
}

TEST_F(JsonLinesReaderTest, ExplicitSchemaConvertsAndIgnoresOtherKeys) {
  IngestOptions options;
  options.schema = std::make_shared<Schema>(std::vector<FieldPtr>{
      field("when", timestamp()), field("day", date32()), field("v", fixed_size_list(float16(), 2)),
      field("small", int8()), field("extra", utf8())});
  Result<ReadOutcome> out =
      Read(R"({"when": "2024-03-01T10:00:00", "day": "2024-03-01", "v": [0.5, 2], "small": -3, )"
           R"("ignored": 1})"
           "\n",
           options);
  ASSERT_TRUE(IsOk(out));
  EXPECT_THAT(out->rows, ElementsAre(R"({"when":"2024-03-01T10:00:00","day":"2024-03-01",)"
                                     R"("v":[0.5,2],"small":-3,"extra":null})"));
  Status status = ReadError("{\"small\": 300}\n", options);
  EXPECT_THAT(status.message(), HasSubstr("key 'small': 300 is out of range for int8"));
}

TEST_F(JsonLinesReaderTest, LinesStraddlingChunksParseTheSame) {
  const std::string jsonl =
      "{\"id\": 1, \"text\": \"a\\nb\", \"v\": [1.5, 2]}\r\n"
      "\r\n"
      "  \n"
      "{\"id\": 2, \"text\": \"\\u00e9\", \"v\": [3, 4]}\n"
      "{\"id\": 3, \"v\": [5, 6]}";
  Result<ReadOutcome> expected = Read(jsonl);
  ASSERT_TRUE(IsOk(expected));
  EXPECT_THAT(expected->rows, ElementsAre(R"({"id":1,"text":"a\nb","v":[1.5,2]})",
                                          "{\"id\":2,\"text\":\"\xC3\xA9\",\"v\":[3,4]}",
                                          R"({"id":3,"text":null,"v":[5,6]})"));
  for (int64_t chunk_size : {1, 2, 3, 7, 13}) {
    IngestOptions options;
    options.chunk_size = chunk_size;
    options.batch_size = 2;
    options.inference_rows = 1;
    Result<ReadOutcome> out = Read(jsonl, options);
    ASSERT_TRUE(IsOk(out)) << "chunk_size " << chunk_size;
    EXPECT_EQ(out->rows, expected->rows) << "chunk_size " << chunk_size;
    EXPECT_THAT(out->batch_sizes, ElementsAre(2, 1));
  }
}

TEST_F(JsonLinesReaderTest, EmptyFileHasNoColumns) {
  Result<ReadOutcome> out = Read("");
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(out->schema->num_fields(), 0);
  EXPECT_TRUE(out->rows.empty());
}

}  // namespace
}  // namespace ixray
