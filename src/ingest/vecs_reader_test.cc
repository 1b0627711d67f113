// Tests of the .fvecs / .bvecs / .ivecs reader: round trips, batches and
// chunk sizes, inconsistent dimensions and truncated files.

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

// Encodes vectors in the TEXMEX layout: int32 dimension, then the values.
template <typename T>
std::string EncodeVecs(const std::vector<std::vector<T>>& vectors) {
  std::string out;
  for (const auto& vector : vectors) {
    const int32_t dimension = static_cast<int32_t>(vector.size());
    out.append(reinterpret_cast<const char*>(&dimension), 4);
    out.append(reinterpret_cast<const char*>(vector.data()), vector.size() * sizeof(T));
  }
  return out;
}

class FvecsReaderTest : public ::testing::Test {
 protected:
  Result<ReadOutcome> Read(const std::string& path, std::string_view file,
                           IngestOptions options = {}) {
    WriteFile(*fs_, path, file);
    return ReadThrough(OpenIngestReader, *fs_, path, options);
  }

  std::shared_ptr<FileSystem> fs_ = MakeMemoryFileSystem();
};

TEST_F(FvecsReaderTest, RoundTripsFloatVectors) {
  std::vector<std::vector<float>> vectors;
  for (int i = 0; i < 10; ++i) vectors.push_back({i * 1.0f, i + 0.5f, -i * 2.0f});
  IngestOptions options;
  options.column_name = "emb";
  options.batch_size = 4;
  Result<std::unique_ptr<IngestReader>> reader = [&] {
    WriteFile(*fs_, "base.fvecs", EncodeVecs(vectors));
    return OpenIngestReader(*fs_, "base.fvecs", options);
  }();
  ASSERT_TRUE(IsOk(reader));
  EXPECT_EQ(SchemaSummary(*(*reader)->schema()), "emb: fixed_size_list<float32, 3>");
  std::vector<std::vector<float>> decoded;
  while (true) {
    Result<RecordBatchPtr> batch = (*reader)->Next();
    ASSERT_TRUE(IsOk(batch));
    if (*batch == nullptr) break;
    const Array& values = *(*batch)->column(0)->values();
    for (int64_t r = 0; r < (*batch)->num_rows(); ++r) {
      decoded.emplace_back(values.data<float>() + r * 3, values.data<float>() + r * 3 + 3);
    }
  }
  EXPECT_EQ(decoded, vectors);
}

TEST_F(FvecsReaderTest, BvecsAndIvecs) {
  Result<ReadOutcome> out = Read("q.bvecs", EncodeVecs<uint8_t>({{1, 2, 255, 0}, {4, 5, 6, 7}}));
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "vector: fixed_size_list<uint8, 4>");
  EXPECT_THAT(out->rows, ElementsAre(R"({"vector":[1,2,255,0]})", R"({"vector":[4,5,6,7]})"));

  out = Read("gt.ivecs", EncodeVecs<int32_t>({{100, -1}, {7, 8}, {9, 10}}));
  ASSERT_TRUE(IsOk(out));
  EXPECT_EQ(SchemaSummary(*out->schema), "vector: fixed_size_list<int32, 2>");
  EXPECT_EQ(out->rows[0], R"({"vector":[100,-1]})");
}

TEST_F(FvecsReaderTest, SmallChunksAndBatchesGiveTheSameVectors) {
  std::vector<std::vector<float>> vectors;
  for (int i = 0; i < 9; ++i) vectors.push_back({static_cast<float>(i), 1.0f / (i + 1)});
  Result<ReadOutcome> expected = Read("v.fvecs", EncodeVecs(vectors));
  ASSERT_TRUE(IsOk(expected));
  for (int64_t chunk_size : {1, 7, 12, 13, 100}) {
    IngestOptions options;
    options.chunk_size = chunk_size;
    options.batch_size = 4;
    Result<ReadOutcome> out = Read("v.fvecs", EncodeVecs(vectors), options);
    ASSERT_TRUE(IsOk(out));
    EXPECT_EQ(out->rows, expected->rows);
    EXPECT_THAT(out->batch_sizes, ElementsAre(4, 4, 1));
  }
}

TEST_F(FvecsReaderTest, InconsistentDimensionsAreInvalid) {
  Result<ReadOutcome> out = Read("bad.fvecs", EncodeVecs<float>({{1, 2}, {3, 4}, {5, 6, 7}}));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("vector 2 (at byte 24) has dimension 3"));

  // A different dimension in the middle misaligns the rest.
  out = Read("bad.fvecs", EncodeVecs<float>({{1, 2}, {3}, {5, 6}, {7, 8}}));
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("vector 1 (at byte 12) has dimension 1"));
}

TEST_F(FvecsReaderTest, TruncatedAndEmptyFilesAreInvalid) {
  std::string file = EncodeVecs<float>({{1, 2}, {3, 4}});
  file.resize(file.size() - 3);
  Result<ReadOutcome> out = Read("t.fvecs", file);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("truncated .fvecs file"));

  out = Read("e.fvecs", "");
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("empty .fvecs file"));

  out = Read("n.fvecs", EncodeVecs<float>({{}}));
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("dimension 0"));
}

}  // namespace
}  // namespace ixray
