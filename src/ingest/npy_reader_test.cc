// Tests of the .npy reader on files written byte by byte here: header
// versions 1.0/2.0/3.0, several dtypes, byte order, 1-D and 2-D shapes,
// batches and chunks, and malformed or unsupported headers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

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

// The bytes of a .npy file: magic, version, header length, the dict padded
// with spaces and a newline to a multiple of 64 bytes, then `data`.
std::string NpyFile(int major, std::string_view descr, std::string_view shape,
                    std::string_view data, bool fortran_order = false) {
  std::string dict = "{'descr': '" + std::string(descr) +
                     "', 'fortran_order': " + (fortran_order ? "True" : "False") +
                     ", 'shape': " + std::string(shape) + ", }";
  const size_t prelude = major == 1 ? 10 : 12;
  while ((prelude + dict.size() + 1) % 64 != 0) dict.push_back(' ');
  dict.push_back('\n');
  std::string file = "\x93NUMPY";
  file.push_back(static_cast<char>(major));
  file.push_back('\0');
  const uint32_t length = static_cast<uint32_t>(dict.size());
  file.push_back(static_cast<char>(length & 0xff));
  file.push_back(static_cast<char>(length >> 8));
  if (major != 1) {
    file.push_back(static_cast<char>(length >> 16));
    file.push_back(static_cast<char>(length >> 24));
  }
  return file + dict + std::string(data);
}

template <typename T>
std::string Bytes(std::initializer_list<T> values) {
  std::string out;
  for (T value : values) out.append(reinterpret_cast<const char*>(&value), sizeof(T));
  return out;
}

class NpyReaderTest : public ::testing::Test {
 protected:
  Result<ReadOutcome> Read(std::string_view file, IngestOptions options = {}) {
    WriteFile(*fs_, "array.npy", file);
    return ReadThrough(OpenNpyReader, *fs_, "array.npy", options);
  }
  Status ReadError(std::string_view file) {
    Result<ReadOutcome> outcome = Read(file);
    return outcome.ok() ? Status::OK() : outcome.status();
  }

  std::shared_ptr<FileSystem> fs_ = MakeMemoryFileSystem();
};

TEST_F(NpyReaderTest, Version1Float32MatrixBecomesVectorColumn) {
  Result<ReadOutcome> out =
      Read(NpyFile(1, "<f4", "(3, 2)", Bytes<float>({1, 2, 3.5f, 4, -5, 0.25f})));
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "vector: fixed_size_list<float32, 2>");
  EXPECT_THAT(out->rows, ElementsAre(R"({"vector":[1,2]})", R"({"vector":[3.5,4]})",
                                     R"({"vector":[-5,0.25]})"));
}

TEST_F(NpyReaderTest, Version2Int64VectorBecomesPlainColumn) {
  IngestOptions options;
  options.column_name = "id";
  Result<ReadOutcome> out =
      Read(NpyFile(2, "<i8", "(3,)", Bytes<int64_t>({7, -1, 1LL << 40})), options);
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "id: int64");
  EXPECT_THAT(out->rows, ElementsAre(R"({"id":7})", R"({"id":-1})", R"({"id":1099511627776})"));
}

TEST_F(NpyReaderTest, Version3Uint8AndFloat16AndFloat64) {
  Result<ReadOutcome> out = Read(NpyFile(3, "|u1", "(2, 3)", Bytes<uint8_t>({0, 1, 255, 9, 8, 7})));
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "vector: fixed_size_list<uint8, 3>");
  EXPECT_THAT(out->rows, ElementsAre(R"({"vector":[0,1,255]})", R"({"vector":[9,8,7]})"));

  // float16 bits: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, 65504 = 0x7bff.
  out = Read(NpyFile(1, "<f2", "(2, 2)", Bytes<uint16_t>({0x3c00, 0xc000, 0x3800, 0x7bff})));
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "vector: fixed_size_list<float16, 2>");
  EXPECT_THAT(out->rows, ElementsAre(R"({"vector":[1,-2]})", R"({"vector":[0.5,65504]})"));

  out = Read(NpyFile(1, "<f8", "(2,)", Bytes<double>({0.1, -1e300})));
  ASSERT_TRUE(IsOk(out));
  EXPECT_THAT(out->rows, ElementsAre(R"({"vector":0.1})", R"({"vector":-1e+300})"));
}

TEST_F(NpyReaderTest, BigEndianAndBoolAndSmallInts) {
  // 1.5 as a big-endian double: 3f f8 00 00 00 00 00 00.
  Result<ReadOutcome> out = Read(NpyFile(1, ">f8", "(1,)", std::string("\x3f\xf8\0\0\0\0\0\0", 8)));
  ASSERT_TRUE(IsOk(out));
  EXPECT_THAT(out->rows, ElementsAre(R"({"vector":1.5})"));

  out = Read(NpyFile(1, "|b1", "(3,)", Bytes<uint8_t>({1, 0, 1})));
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "vector: bool");
  EXPECT_THAT(out->rows,
              ElementsAre(R"({"vector":true})", R"({"vector":false})", R"({"vector":true})"));

  out = Read(NpyFile(1, "<i2", "(2, 1)", Bytes<int16_t>({-300, 300})));
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "vector: fixed_size_list<int16, 1>");
  EXPECT_THAT(out->rows, ElementsAre(R"({"vector":[-300]})", R"({"vector":[300]})"));
}

TEST_F(NpyReaderTest, BatchesAndChunksSmallerThanARow) {
  std::vector<float> values;
  for (int i = 0; i < 7 * 4; ++i) values.push_back(static_cast<float>(i));
  const std::string data(reinterpret_cast<const char*>(values.data()), values.size() * 4);
  IngestOptions options;
  options.batch_size = 3;
  options.chunk_size = 5;  // less than one 16-byte row: one row per read
  Result<ReadOutcome> out = Read(NpyFile(1, "<f4", "(7, 4)", data), options);
  ASSERT_TRUE(IsOk(out));
  EXPECT_THAT(out->batch_sizes, ElementsAre(3, 3, 1));
  EXPECT_EQ(out->rows[6], R"({"vector":[24,25,26,27]})");

  out = Read(NpyFile(1, "<f4", "(0, 4)", ""));
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "vector: fixed_size_list<float32, 4>");
  EXPECT_TRUE(out->rows.empty());
}

TEST_F(NpyReaderTest, RejectsMalformedAndUnsupportedFiles) {
  Status status = ReadError(NpyFile(1, "<f4", "(3, 2)", Bytes<float>({1, 2, 3})));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("truncated .npy file"));

  status = ReadError(NpyFile(1, "<f4", "(2, 2)", Bytes<float>({1, 2, 3, 4}), true));
  EXPECT_EQ(status.code(), StatusCode::kNotImplemented);
  EXPECT_THAT(status.message(), HasSubstr("Fortran order"));

  EXPECT_EQ(ReadError(NpyFile(1, "<f4", "(1, 1, 1)", Bytes<float>({1}))).code(),
            StatusCode::kNotImplemented);
  EXPECT_EQ(ReadError(NpyFile(1, "<U8", "(1,)", std::string(32, 'a'))).code(),
            StatusCode::kNotImplemented);
  EXPECT_EQ(ReadError(NpyFile(1, "<f4", "()", Bytes<float>({1}))).code(),
            StatusCode::kNotImplemented);
  EXPECT_EQ(ReadError(NpyFile(1, "<f4", "(2, 0)", "")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadError(NpyFile(4, "<f4", "(1,)", Bytes<float>({1}))).code(),
            StatusCode::kNotImplemented);

  status = ReadError("not a numpy file at all");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not a .npy file"));

  std::string broken = NpyFile(1, "<f4", "(1,)", Bytes<float>({1}));
  broken[12] = '[';  // inside the dict
  EXPECT_EQ(ReadError(broken).code(), StatusCode::kInvalidArgument);

  std::string short_header = NpyFile(1, "<f4", "(1,)", "");
  short_header[9] = '\x7f';  // header length beyond the file
  EXPECT_EQ(ReadError(short_header).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ixray
