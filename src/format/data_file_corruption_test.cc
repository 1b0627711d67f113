// Damaged data files: every flipped byte, every truncation, and damage
// behind valid checksums (which reaches the decoders) must yield correct data
// or Status::Corruption, never a crash or an out-of-bounds read (run these
// under ASan/UBSan).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/data_file.h"
#include "format/data_file_format.h"
#include "format/data_file_test_util.h"
#include "format/page_decoder.h"
#include "ixray/builder.h"
#include "testing/sample_data.h"

namespace ixray {
namespace {

using testing::AllColumns;
using testing::BatchesEqual;
using testing::HasCode;
using testing::IsOk;

constexpr int64_t kRows = 24;

// A small file with a column of each encoding family and pages of 8 rows.
struct SmallFile {
  RecordBatchPtr batch;
  std::string bytes;
};

SmallFile MakeSmallFile(Compression codec) {
  ArrayBuilder labels(utf8());
  for (int64_t i = 0; i < kRows; ++i) {
    if (i % 5 == 2) {
      labels.AppendNull();
    } else {
      labels.AppendString(i % 3 ? "red" : "green");
    }
  }
  auto schema =
      *Schema::Make({field("i", int32()), field("label", utf8()), field("tags", list(utf8())),
                     field("vec", fixed_size_list(float16(), 2)), field("b", boolean(), false)});
  std::vector<ArrayPtr> columns = {testing::MakeSampleArray(int32(), kRows, 4, 1), *labels.Finish(),
                                   testing::MakeSampleArray(list(utf8()), kRows, 6, 2),
                                   testing::MakeSampleArray(schema->field(3)->type, kRows, 5, 3),
                                   testing::MakeSampleArray(boolean(), kRows, 0, 4)};
  SmallFile file;
  file.batch = *RecordBatch::Make(schema, kRows, columns);
  auto fs = MakeMemoryFileSystem();
  DataFileWriterOptions options;
  options.compression = codec;
  options.max_rows_per_page = 8;
  EXPECT_TRUE(IsOk(testing::WriteDataFile(fs, "f", schema, {file.batch}, options)));
  file.bytes = *ReadWholeFile(*fs, "f");
  return file;
}

std::shared_ptr<FileSystem> FileSystemWith(const std::string& bytes) {
  auto fs = MakeMemoryFileSystem();
  auto file = *fs->OpenForWrite("f");
  EXPECT_TRUE(IsOk(file->Append(bytes)));
  EXPECT_TRUE(IsOk(file->Close()));
  return fs;
}

// Whether `result` is Corruption, or (when `expected` is given) OK and equal
// to it. Damage behind valid checksums may decode to other values, so
// there `expected` is null and any OK result passes.
::testing::AssertionResult CorrectOrCorruption(const Result<RecordBatchPtr>& result,
                                               const RecordBatchPtr& expected) {
  if (!result.ok()) return HasCode(result, StatusCode::kCorruption);
  if (expected == nullptr) return ::testing::AssertionSuccess();
  return BatchesEqual(**result, *expected);
}

// Opens `bytes` as a data file and reads everything every way.
void ReadEverything(const std::string& bytes, const RecordBatchPtr& expected,
                    const std::string& what) {
  SCOPED_TRACE(what);
  auto reader = DataFileReader::Open(FileSystemWith(bytes), "f");
  if (!reader.ok()) {
    EXPECT_TRUE(HasCode(reader, StatusCode::kCorruption));
    return;
  }
  const auto& r = **reader;
  if (expected != nullptr) {
    ASSERT_EQ(r.num_rows(), expected->num_rows());
    ASSERT_TRUE(r.schema()->Equals(*expected->schema(), /*check_ids=*/true));
  }
  const auto columns = AllColumns(*r.schema());
  EXPECT_TRUE(CorrectOrCorruption(r.ReadRange(columns, 0, r.num_rows()), expected));
  std::vector<uint64_t> rows;
  for (int64_t row = 0; row < r.num_rows(); row += 5) rows.push_back(row);
  auto picked = expected;
  if (expected != nullptr) {
    std::vector<ArrayPtr> arrays;
    for (const auto& column : expected->columns()) {
      ArrayBuilder builder(column->type());
      for (uint64_t row : rows) EXPECT_TRUE(IsOk(builder.AppendFrom(*column, row, 1)));
      arrays.push_back(*builder.Finish());
    }
    picked = *RecordBatch::Make(expected->schema(), static_cast<int64_t>(rows.size()), arrays);
  }
  EXPECT_TRUE(CorrectOrCorruption(r.Take(columns, rows), picked));
  auto batches = r.Scan(columns, 5)->ReadAll();
  if (!batches.ok()) {
    EXPECT_TRUE(HasCode(batches, StatusCode::kCorruption));
  } else if (expected != nullptr) {
    EXPECT_TRUE(CorrectOrCorruption(ConcatenateBatches(expected->schema(), *batches), expected));
  }
}

class DataFileCorruptionTest : public ::testing::TestWithParam<Compression> {};

TEST_P(DataFileCorruptionTest, EveryFlippedByteIsCaughtOrHarmless) {
  const SmallFile file = MakeSmallFile(GetParam());
  ReadEverything(file.bytes, file.batch, "intact");
  ASSERT_LT(file.bytes.size(), 4096u);  // keeps the loop fast
  for (size_t at = 0; at < file.bytes.size(); ++at) {
    for (uint8_t mask : {0x01, 0xff}) {
      std::string bytes = file.bytes;
      bytes[at] = static_cast<char>(bytes[at] ^ mask);
      ReadEverything(bytes, file.batch,
                     "byte " + std::to_string(at) + " ^ " + std::to_string(mask));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST_P(DataFileCorruptionTest, TruncatedFilesAreCorruption) {
  const SmallFile file = MakeSmallFile(GetParam());
  for (size_t length = 0; length < file.bytes.size(); ++length) {
    EXPECT_TRUE(HasCode(DataFileReader::Open(FileSystemWith(file.bytes.substr(0, length)), "f"),
                        StatusCode::kCorruption))
        << length;
  }
  EXPECT_TRUE(HasCode(DataFileReader::Open(FileSystemWith(file.bytes + "junk"), "f"),
                      StatusCode::kCorruption));
}

// The file's trailer and metadata, and a way to write them back with fresh
// checksums, so that damage gets past the checksums to the decoders.
struct Footer {
  format::FileTrailer trailer;
  format::FileMetadata metadata;

  explicit Footer(const std::string& bytes) {
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    trailer = *format::FileTrailer::Decode(
        {data + bytes.size() - format::kFileTrailerSize, format::kFileTrailerSize},
        static_cast<int64_t>(bytes.size()));
    metadata = *format::FileMetadata::Decode(
        {data + trailer.metadata_offset, static_cast<size_t>(trailer.metadata_length)},
        trailer.metadata_offset);
  }

  // `pages` followed by `metadata_bytes` and a matching trailer.
  std::string Reassemble(const std::string& pages, const std::string& metadata_bytes) const {
    format::FileTrailer t = trailer;
    t.metadata_offset = static_cast<int64_t>(pages.size());
    t.metadata_length = static_cast<int64_t>(metadata_bytes.size());
    t.metadata_checksum = format::Checksum(metadata_bytes);
    std::string out = pages + metadata_bytes;
    t.EncodeTo(&out);
    return out;
  }
};

TEST_P(DataFileCorruptionTest, DamagedMetadataWithValidChecksums) {
  const SmallFile file = MakeSmallFile(GetParam());
  const Footer footer(file.bytes);
  const std::string pages = file.bytes.substr(0, footer.trailer.metadata_offset);
  std::string metadata_bytes;
  footer.metadata.EncodeTo(&metadata_bytes);
  ASSERT_EQ(footer.Reassemble(pages, metadata_bytes), file.bytes);
  for (size_t at = 0; at < metadata_bytes.size(); ++at) {
    for (uint8_t mask : {0x01, 0xff}) {
      std::string damaged = metadata_bytes;
      damaged[at] = static_cast<char>(damaged[at] ^ mask);
      ReadEverything(footer.Reassemble(pages, damaged), nullptr,
                     "metadata byte " + std::to_string(at));
    }
  }
  // Cut short or extended metadata.
  for (size_t length = 0; length < metadata_bytes.size(); ++length) {
    ReadEverything(footer.Reassemble(pages, metadata_bytes.substr(0, length)), nullptr, "short");
  }
  ReadEverything(footer.Reassemble(pages, metadata_bytes + std::string(9, '\0')), nullptr, "long");
}

TEST_P(DataFileCorruptionTest, DamagedPagesWithValidChecksums) {
  const SmallFile file = MakeSmallFile(GetParam());
  const Footer footer(file.bytes);
  const std::string pages = file.bytes.substr(0, footer.trailer.metadata_offset);
  for (size_t c = 0; c < footer.metadata.columns.size(); ++c) {
    for (size_t p = 0; p < footer.metadata.columns[c].pages.size(); ++p) {
      const format::PageInfo& page = footer.metadata.columns[c].pages[p];
      for (int64_t at = page.offset; at < page.offset + page.length; ++at) {
        for (uint8_t mask : {0x01, 0xff}) {
          std::string damaged = pages;
          damaged[at] = static_cast<char>(damaged[at] ^ mask);
          format::FileMetadata metadata = footer.metadata;
          metadata.columns[c].pages[p].checksum =
              format::Checksum(std::string_view(damaged).substr(page.offset, page.length));
          std::string metadata_bytes;
          metadata.EncodeTo(&metadata_bytes);
          ReadEverything(footer.Reassemble(damaged, metadata_bytes), nullptr,
                         "column " + std::to_string(c) + " byte " + std::to_string(at));
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, DataFileCorruptionTest,
                         ::testing::Values(Compression::kNone, Compression::kZstd,
                                           Compression::kLz4),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

TEST(DataFileDecodeTest, DecodePageRejectsArbitraryBodies) {
  // Bodies that are not what the page table says: wrong types, wrong row
  // counts, random bytes.
  const std::string noise =
      "\x08\0\0\0\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff"
      "\x10\0\0\0\0\0\0\0abcdefghijklmnop";
  for (const auto& type : testing::AllSupportedTypes()) {
    for (int64_t rows : {int64_t{0}, int64_t{1}, int64_t{3}, int64_t{64}, int64_t{1} << 40}) {
      for (auto encoding : {format::PageEncoding::kPlain, format::PageEncoding::kDictionary}) {
        auto body = Buffer::CopyFrom(noise.data(), static_cast<int64_t>(noise.size()));
        auto decoded = format::DecodePage(type, rows, encoding, body);
        if (!decoded.ok()) {
          EXPECT_TRUE(HasCode(decoded, StatusCode::kCorruption));
        }
      }
    }
  }
}

TEST(DataFileDecodeTest, ForeignAndFutureFiles) {
  EXPECT_TRUE(HasCode(DataFileReader::Open(FileSystemWith(std::string(1000, 'x')), "f"),
                      StatusCode::kCorruption));
  EXPECT_TRUE(
      HasCode(DataFileReader::Open(MakeMemoryFileSystem(), "missing"), StatusCode::kNotFound));
  // A well-formed trailer of a newer version: not corruption, but unsupported.
  const SmallFile file = MakeSmallFile(Compression::kNone);
  Footer footer(file.bytes);
  footer.trailer.format_version = format::kDataFileFormatVersion + 1;
  std::string metadata_bytes;
  footer.metadata.EncodeTo(&metadata_bytes);
  const std::string pages = file.bytes.substr(0, footer.trailer.metadata_offset);
  EXPECT_TRUE(
      HasCode(DataFileReader::Open(FileSystemWith(footer.Reassemble(pages, metadata_bytes)), "f"),
              StatusCode::kNotImplemented));
}

}  // namespace
}  // namespace ixray
