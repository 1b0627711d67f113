// Data files: round trips of every type, paging, range reads, takes, scans,
// dictionaries, codecs and concurrency. Damaged files are tested in
// data_file_corruption_test.cc.

#include "format/data_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "format/data_file_test_util.h"
#include "ixray/builder.h"
#include "testing/sample_data.h"

namespace ixray {
namespace {

using testing::AllColumns;
using testing::BatchesEqual;
using testing::HasCode;
using testing::IsOk;
using testing::MakeSampleBatch;
using testing::WriteDataFile;

// A sample batch of every type whose fields carry ids.
RecordBatchPtr SampleBatchWithIds(int64_t rows, int null_every, uint64_t seed) {
  auto batch = MakeSampleBatch(rows, null_every, seed);
  int32_t next_id = 10;
  return std::make_shared<const RecordBatch>(batch->schema()->WithAssignedIds(&next_id), rows,
                                             batch->columns());
}

// Splits `batch` into slices of uneven sizes, as a stream of writes would.
std::vector<RecordBatchPtr> Split(const RecordBatchPtr& batch) {
  std::vector<RecordBatchPtr> out;
  int64_t at = 0, size = 1;
  while (at < batch->num_rows()) {
    const int64_t n = std::min(size, batch->num_rows() - at);
    out.push_back(batch->Slice(at, n));
    at += n;
    size = size * 3 + 1;
  }
  return out;
}

std::shared_ptr<DataFileReader> OpenOrDie(const std::shared_ptr<FileSystem>& fs,
                                          const std::string& path) {
  auto reader = DataFileReader::Open(fs, path);
  EXPECT_TRUE(IsOk(reader));
  return reader.ok() ? *reader : nullptr;
}

class DataFileCodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(DataFileCodecTest, RoundTripsEveryTypeWithNullsAcrossManyPages) {
  auto fs = MakeMemoryFileSystem();
  auto batch = SampleBatchWithIds(700, 5, 42);
  DataFileWriterOptions options;
  options.compression = GetParam();
  options.max_page_bytes = 600;
  options.max_rows_per_page = 90;
  auto info = WriteDataFile(fs, "d/f.ixd", batch->schema(), Split(batch), options);
  ASSERT_TRUE(IsOk(info));
  EXPECT_EQ(info->num_rows, 700);
  EXPECT_EQ(info->path, "d/f.ixd");
  EXPECT_EQ(info->file_size, fs->Stat("d/f.ixd")->size);

  auto reader = OpenOrDie(fs, "d/f.ixd");
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->num_rows(), 700);
  EXPECT_TRUE(reader->schema()->Equals(*batch->schema(), /*check_ids=*/true))
      << reader->schema()->ToString();
  for (int c = 0; c < reader->schema()->num_fields(); ++c) {
    const auto& pages = reader->metadata().columns[c].pages;
    EXPECT_GE(pages.size(), 8u) << reader->schema()->field(c)->ToString();
    for (const auto& page : pages) {
      EXPECT_LE(page.num_rows, 90);
      if (GetParam() != Compression::kNone && page.compression != Compression::kNone) {
        EXPECT_EQ(page.compression, GetParam());
      }
    }
  }
  auto all = reader->ReadRange(AllColumns(*batch->schema()), 0, 700);
  ASSERT_TRUE(IsOk(all));
  EXPECT_TRUE(BatchesEqual(**all, *batch));
}

INSTANTIATE_TEST_SUITE_P(Codecs, DataFileCodecTest,
                         ::testing::Values(Compression::kNone, Compression::kZstd,
                                           Compression::kLz4),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

TEST(DataFileTest, PagesStayNearTheByteLimit) {
  auto fs = MakeMemoryFileSystem();
  auto batch = MakeSampleBatch(2000, 0, 7);
  DataFileWriterOptions options;
  options.max_page_bytes = 4096;
  options.max_rows_per_page = 1 << 20;
  ASSERT_TRUE(IsOk(WriteDataFile(fs, "f", batch->schema(), Split(batch), options)));
  auto reader = OpenOrDie(fs, "f");
  for (const auto& column : reader->metadata().columns) {
    for (const auto& page : column.pages) {
      // Segment framing adds at most 16 bytes per buffer.
      EXPECT_LE(page.uncompressed_length, 4096 + 128);
    }
  }
}

TEST(DataFileTest, EmptyFile) {
  auto fs = MakeMemoryFileSystem();
  auto schema = MakeSampleBatch(0, 0, 1)->schema();
  auto info = WriteDataFile(fs, "empty", schema, {});
  ASSERT_TRUE(IsOk(info));
  EXPECT_EQ(info->num_rows, 0);
  auto reader = OpenOrDie(fs, "empty");
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->num_rows(), 0);
  EXPECT_TRUE(reader->schema()->Equals(*schema));
  auto range = reader->ReadRange(AllColumns(*schema), 0, 0);
  ASSERT_TRUE(IsOk(range));
  EXPECT_EQ((*range)->num_rows(), 0);
  EXPECT_EQ((*range)->num_columns(), schema->num_fields());
  auto take = reader->Take({0, 3}, {});
  ASSERT_TRUE(IsOk(take));
  EXPECT_EQ((*take)->num_rows(), 0);
  auto batches = reader->Scan(AllColumns(*schema), 10)->ReadAll();
  ASSERT_TRUE(IsOk(batches));
  EXPECT_TRUE(batches->empty());
  EXPECT_TRUE(HasCode(reader->ReadRange({0}, 0, 1), StatusCode::kInvalidArgument));
}

TEST(DataFileTest, SchemaWithoutColumns) {
  auto fs = MakeMemoryFileSystem();
  auto schema = std::make_shared<const Schema>();
  auto batch = std::make_shared<const RecordBatch>(schema, 5, std::vector<ArrayPtr>{});
  ASSERT_TRUE(IsOk(WriteDataFile(fs, "f", schema, {batch})));
  auto reader = OpenOrDie(fs, "f");
  EXPECT_EQ(reader->num_rows(), 5);
  auto range = reader->ReadRange({}, 1, 3);
  ASSERT_TRUE(IsOk(range));
  EXPECT_EQ((*range)->num_rows(), 3);
}

// A batch of int64 ids, strings and vectors, small pages.
struct PagedFile {
  std::shared_ptr<FileSystem> fs = MakeMemoryFileSystem();
  RecordBatchPtr batch;
  std::shared_ptr<DataFileReader> reader;

  explicit PagedFile(int64_t rows, int64_t rows_per_page = 10) {
    std::vector<FieldPtr> fields = {field("id", int64(), false), field("name", utf8()),
                                    field("vec", fixed_size_list(float32(), 3)),
                                    field("tags", list(utf8()))};
    std::vector<ArrayPtr> columns;
    for (size_t i = 0; i < fields.size(); ++i) {
      columns.push_back(testing::MakeSampleArray(fields[i]->type, rows, i == 0 ? 0 : 4, i));
    }
    batch = *RecordBatch::Make(*Schema::Make(fields), rows, columns);
    DataFileWriterOptions options;
    options.max_rows_per_page = rows_per_page;
    EXPECT_TRUE(IsOk(WriteDataFile(fs, "paged", batch->schema(), Split(batch), options)));
    reader = OpenOrDie(fs, "paged");
  }
};

TEST(DataFileTest, ReadRangeAcrossPageBoundaries) {
  PagedFile file(95);
  const auto columns = AllColumns(*file.batch->schema());
  for (int64_t start : {0, 1, 9, 10, 11, 19, 20, 47, 90, 94, 95}) {
    for (int64_t length : {0, 1, 2, 9, 10, 11, 21, 50, 95}) {
      if (start + length > 95) continue;
      auto range = file.reader->ReadRange(columns, start, length);
      ASSERT_TRUE(IsOk(range));
      EXPECT_TRUE(BatchesEqual(**range, *file.batch->Slice(start, length)))
          << "start " << start << " length " << length;
    }
  }
  auto projected = file.reader->ReadRange({3, 1}, 5, 30);
  ASSERT_TRUE(IsOk(projected));
  EXPECT_EQ((*projected)->schema()->field(0)->name, "tags");
  EXPECT_TRUE(BatchesEqual(**projected, **file.batch->Slice(5, 30)->Project({"tags", "name"})));

  EXPECT_TRUE(HasCode(file.reader->ReadRange(columns, 90, 6), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(file.reader->ReadRange(columns, -1, 1), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(file.reader->ReadRange({4}, 0, 1), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(file.reader->ReadRange({1, 1}, 0, 1), StatusCode::kInvalidArgument));
}

TEST(DataFileTest, TakeOfScatteredRowsEqualsReadRangeThenPick) {
  PagedFile file(95);
  const auto columns = AllColumns(*file.batch->schema());
  const std::vector<uint64_t> rows = {0, 1, 2, 9, 10, 11, 11, 37, 50, 51, 52, 53, 94};
  auto taken = file.reader->Take(columns, rows);
  ASSERT_TRUE(IsOk(taken));
  auto all = *file.reader->ReadRange(columns, 0, 95);
  std::vector<ArrayPtr> expected;
  for (const auto& column : all->columns()) {
    ArrayBuilder builder(column->type());
    for (uint64_t row : rows) ASSERT_TRUE(IsOk(builder.AppendFrom(*column, row, 1)));
    expected.push_back(*builder.Finish());
  }
  auto expected_batch =
      *RecordBatch::Make(all->schema(), static_cast<int64_t>(rows.size()), expected);
  EXPECT_TRUE(BatchesEqual(**taken, *expected_batch));

  const std::vector<uint64_t> unsorted = {5, 3};
  EXPECT_TRUE(HasCode(file.reader->Take(columns, unsorted), StatusCode::kInvalidArgument));
  const std::vector<uint64_t> past_end = {3, 95};
  EXPECT_TRUE(HasCode(file.reader->Take(columns, past_end), StatusCode::kInvalidArgument));
}

TEST(DataFileTest, OneRowTakeReadsOnePagePerColumn) {
  PagedFile file(1000, 50);
  EXPECT_LE(file.reader->stats().read_calls, 2);  // trailer + metadata
  const IoStats before = file.reader->stats();
  const std::vector<uint64_t> row = {517};
  auto taken = file.reader->Take({0, 2, 3}, row);
  ASSERT_TRUE(IsOk(taken));
  const IoStats after = file.reader->stats();
  EXPECT_EQ(after.pages_read - before.pages_read, 3);
  EXPECT_EQ(after.read_calls - before.read_calls, 3);
  int64_t page_bytes = 0;
  for (int c : {0, 2, 3}) {
    const auto& pages = file.reader->metadata().columns[c].pages;
    page_bytes += pages[file.reader->FindPage(c, 517)].length;
  }
  EXPECT_EQ(after.bytes_read - before.bytes_read, page_bytes);
  EXPECT_LT(page_bytes, file.reader->file_size() / 10);
  EXPECT_TRUE(BatchesEqual(**taken, **file.batch->Slice(517, 1)->Project({"id", "vec", "tags"})));
}

RecordBatchPtr LabelBatch(int64_t rows, int distinct, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ArrayBuilder labels(utf8()), tags(list(utf8())), unique(utf8());
  for (int64_t i = 0; i < rows; ++i) {
    if (i % 11 == 3) {
      labels.AppendNull();
    } else {
      labels.AppendString("category-" + std::to_string(rng() % distinct));
    }
    tags.StartList();
    for (uint64_t k = rng() % 4; k > 0; --k) {
      tags.child().AppendString("tag-" + std::to_string(rng() % distinct));
    }
    unique.AppendString("unique-value-" + std::to_string(rng()));
  }
  auto schema =
      *Schema::Make({field("label", utf8()), field("tags", list(utf8())), field("unique", utf8())});
  return *RecordBatch::Make(schema, rows, {*labels.Finish(), *tags.Finish(), *unique.Finish()});
}

TEST(DataFileTest, DictionaryEncodingForLowCardinalityStrings) {
  auto fs = MakeMemoryFileSystem();
  auto batch = LabelBatch(3000, 6, 3);
  DataFileWriterOptions options;
  options.max_rows_per_page = 500;
  ASSERT_TRUE(IsOk(WriteDataFile(fs, "dict", batch->schema(), Split(batch), options)));
  auto reader = OpenOrDie(fs, "dict");
  auto count = [&](int column, format::PageEncoding encoding) {
    int n = 0;
    for (const auto& p : reader->metadata().columns[column].pages) n += p.encoding == encoding;
    return n;
  };
  const int pages = static_cast<int>(reader->metadata().columns[0].pages.size());
  EXPECT_EQ(count(0, format::PageEncoding::kDictionary), pages);
  EXPECT_EQ(count(1, format::PageEncoding::kDictionary), pages);
  EXPECT_EQ(count(2, format::PageEncoding::kDictionary), 0);
  auto all = reader->ReadRange({0, 1, 2}, 0, 3000);
  ASSERT_TRUE(IsOk(all));
  EXPECT_TRUE(BatchesEqual(**all, *batch));
  const std::vector<uint64_t> rows = {3, 4, 1499, 2999};
  auto taken = reader->Take({0, 1}, rows);
  ASSERT_TRUE(IsOk(taken));
  EXPECT_EQ((*taken)->column(0)->IsNull(0), true);
  EXPECT_EQ((*taken)->column(0)->StringValue(1), batch->column(0)->StringValue(4));

  options.dictionary_encode_strings = false;
  ASSERT_TRUE(IsOk(WriteDataFile(fs, "plain", batch->schema(), {batch}, options)));
  auto plain = OpenOrDie(fs, "plain");
  for (const auto& column : plain->metadata().columns) {
    for (const auto& p : column.pages) EXPECT_EQ(p.encoding, format::PageEncoding::kPlain);
  }
  EXPECT_TRUE(BatchesEqual(**plain->ReadRange({0, 1, 2}, 0, 3000), *batch));
}

TEST(DataFileTest, IncompressiblePagesAreStoredRaw) {
  auto fs = MakeMemoryFileSystem();
  std::mt19937_64 rng(5);
  ArrayBuilder noise(uint64()), zeros(uint64());
  for (int i = 0; i < 5000; ++i) {
    noise.Append<uint64_t>(rng());
    zeros.Append<uint64_t>(0);
  }
  auto schema = *Schema::Make({field("noise", uint64()), field("zeros", uint64())});
  auto batch = *RecordBatch::Make(schema, 5000, {*noise.Finish(), *zeros.Finish()});
  for (Compression codec : {Compression::kZstd, Compression::kLz4}) {
    DataFileWriterOptions options;
    options.compression = codec;
    ASSERT_TRUE(IsOk(WriteDataFile(fs, "f", schema, {batch}, options)));
    auto reader = OpenOrDie(fs, "f");
    for (const auto& p : reader->metadata().columns[0].pages) {
      EXPECT_EQ(p.compression, Compression::kNone);
    }
    for (const auto& p : reader->metadata().columns[1].pages) {
      EXPECT_EQ(p.compression, codec);
      EXPECT_LT(p.length * 10, p.uncompressed_length);
    }
    EXPECT_TRUE(BatchesEqual(**reader->ReadRange({0, 1}, 0, 5000), *batch));
  }
}

TEST(DataFileTest, ScanWithSmallBatchesEqualsTheSource) {
  PagedFile file(203, 17);
  const auto columns = AllColumns(*file.batch->schema());
  for (int64_t batch_size : {1, 7, 17, 64, 1000}) {
    auto scan = file.reader->Scan(columns, batch_size);
    EXPECT_TRUE(scan->schema()->Equals(*file.batch->schema()));
    auto batches = scan->ReadAll();
    ASSERT_TRUE(IsOk(batches));
    int64_t at = 0;
    for (const auto& b : *batches) {
      EXPECT_LE(b->num_rows(), batch_size);
      EXPECT_TRUE(BatchesEqual(*b, *file.batch->Slice(at, b->num_rows())));
      at += b->num_rows();
    }
    EXPECT_EQ(at, 203);
  }
  EXPECT_TRUE(HasCode(file.reader->Scan(columns, 0)->Next(), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(file.reader->Scan({9}, 10)->Next(), StatusCode::kInvalidArgument));
}

TEST(DataFileTest, LargeRowsGetPagesOfTheirOwn) {
  auto fs = MakeMemoryFileSystem();
  ArrayBuilder blobs(binary());
  for (int i = 0; i < 6; ++i) blobs.AppendString(std::string(i % 2 ? 10 : 5000, 'x'));
  auto schema = *Schema::Make({field("blob", binary())});
  auto batch = *RecordBatch::Make(schema, 6, {*blobs.Finish()});
  DataFileWriterOptions options;
  options.max_page_bytes = 1000;
  ASSERT_TRUE(IsOk(WriteDataFile(fs, "f", schema, {batch}, options)));
  auto reader = OpenOrDie(fs, "f");
  EXPECT_EQ(reader->metadata().columns[0].pages.size(), 6u);
  EXPECT_TRUE(BatchesEqual(**reader->ReadRange({0}, 0, 6), *batch));
}

TEST(DataFileTest, WriterRejectsBadInput) {
  auto fs = MakeMemoryFileSystem();
  auto schema = *Schema::Make({field("id", int64(), /*nullable=*/false)});
  DataFileWriterOptions bad;
  bad.max_page_bytes = 0;
  EXPECT_TRUE(HasCode(DataFileWriter::Open(fs, "f", schema, bad), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(DataFileWriter::Open(fs, "f", nullptr), StatusCode::kInvalidArgument));
  DataFileWriterOptions bad_vector_pages;
  bad_vector_pages.max_vector_page_bytes = 0;
  EXPECT_TRUE(HasCode(DataFileWriter::Open(fs, "f", schema, bad_vector_pages),
                      StatusCode::kInvalidArgument));

  auto writer = *DataFileWriter::Open(fs, "f", schema);
  ArrayBuilder ids(int64());
  ids.Append<int64_t>(1);
  ids.AppendNull();
  auto with_null = *RecordBatch::Make(schema, 2, {*ids.Finish()});
  EXPECT_TRUE(HasCode(writer->Write(*with_null), StatusCode::kInvalidArgument));
  auto other = MakeSampleBatch(3, 0, 1);
  EXPECT_TRUE(HasCode(writer->Write(*other), StatusCode::kInvalidArgument));
  ASSERT_TRUE(IsOk(writer->Finish()));
  EXPECT_TRUE(HasCode(writer->Finish(), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(writer->Write(*other), StatusCode::kInvalidArgument));
}

TEST(DataFileTest, VectorColumnsGetSmallerPages) {
  auto fs = MakeMemoryFileSystem();
  const int64_t rows = 4000;
  auto schema =
      *Schema::Make({field("id", int64(), false), field("vec", fixed_size_list(float32(), 16))});
  auto batch =
      *RecordBatch::Make(schema, rows,
                         {testing::MakeSampleArray(int64(), rows, 0, 1),
                          testing::MakeSampleArray(fixed_size_list(float32(), 16), rows, 0, 2)});
  DataFileWriterOptions options;
  options.max_page_bytes = 32 << 10;
  options.max_vector_page_bytes = 8 << 10;  // 128 vectors of 64 bytes
  ASSERT_TRUE(IsOk(WriteDataFile(fs, "f", schema, Split(batch), options)));
  auto reader = OpenOrDie(fs, "f");
  const auto& ids = reader->metadata().columns[0].pages;
  const auto& vectors = reader->metadata().columns[1].pages;
  EXPECT_EQ(ids.size(), 1u);  // 32,000 bytes
  EXPECT_EQ(vectors.size(), 32u);
  for (const auto& page : vectors) EXPECT_LE(page.num_rows, 128);
  EXPECT_TRUE(BatchesEqual(**reader->ReadRange({0, 1}, 0, rows), *batch));

  // The smaller limit wins.
  options.max_page_bytes = 4 << 10;
  ASSERT_TRUE(IsOk(WriteDataFile(fs, "g", schema, {batch}, options)));
  EXPECT_EQ(OpenOrDie(fs, "g")->metadata().columns[1].pages.size(), 63u);
}

TEST(DataFileTest, ConcurrentReadsAgree) {
  PagedFile file(500, 13);
  const auto columns = AllColumns(*file.batch->schema());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; i < 20; ++i) {
        const int64_t start = static_cast<int64_t>(rng() % 450);
        const int64_t length = static_cast<int64_t>(rng() % 50);
        auto range = file.reader->ReadRange(columns, start, length);
        if (!range.ok() || !BatchesEqual(**range, *file.batch->Slice(start, length))) ++failures;
        const std::vector<uint64_t> rows = {static_cast<uint64_t>(start)};
        auto taken = file.reader->Take(columns, rows);
        if (!taken.ok() || !BatchesEqual(**taken, *file.batch->Slice(start, 1))) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(DataFileTest, LocalFileSystemRoundTrip) {
  char dir_template[] = "/tmp/ixray_data_file_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  auto fs = LocalFileSystem();
  auto batch = MakeSampleBatch(300, 3, 9);
  DataFileWriterOptions options;
  options.max_page_bytes = 1024;
  auto info = WriteDataFile(fs, dir + "/data/part-0.ixd", batch->schema(), Split(batch), options);
  ASSERT_TRUE(IsOk(info));
  EXPECT_EQ(fs->Stat(dir + "/data/part-0.ixd")->size, info->file_size);
  auto reader = OpenOrDie(fs, dir + "/data/part-0.ixd");
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(BatchesEqual(**reader->ReadRange(AllColumns(*batch->schema()), 0, 300), *batch));
  EXPECT_TRUE(IsOk(fs->DeleteDirRecursive(dir)));
}

}  // namespace
}  // namespace ixray
