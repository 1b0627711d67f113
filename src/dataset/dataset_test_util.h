// Helpers shared by the dataset tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dataset/dataset_impl.h"
#include "format/data_file_test_util.h"
#include "ixray/builder.h"
#include "ixray/dataset.h"
#include "testing/sample_data.h"

namespace ixray::testing {

// A fresh directory under the system's temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ixray-dataset-XXXXXX");
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes `batches` with `mode` and the given rows per file.
inline Result<std::shared_ptr<Dataset>> WriteBatches(const std::vector<RecordBatchPtr>& batches,
                                                     const std::string& uri,
                                                     std::shared_ptr<FileSystem> fs,
                                                     WriteMode mode = WriteMode::kCreate,
                                                     int64_t max_rows_per_file = 1 << 20) {
  auto reader = MakeVectorReader(batches.at(0)->schema(), batches);
  WriteOptions options;
  options.mode = mode;
  options.max_rows_per_file = max_rows_per_file;
  options.file_system = std::move(fs);
  return Dataset::Write(*reader, uri, options);
}

// Every live row of `dataset` (all columns), as one batch.
inline Result<RecordBatchPtr> ReadAllRows(const Dataset& dataset, ScanOptions options = {}) {
  IXRAY_ASSIGN_OR_RAISE(auto scanner, dataset.Scan(options));
  IXRAY_ASSIGN_OR_RAISE(auto reader, scanner->ToReader());
  IXRAY_ASSIGN_OR_RAISE(auto batches, reader->ReadAll());
  return ConcatenateBatches(scanner->schema(), batches);
}

// A batch with an int64 column "id" = first, first + 1, ... and a string
// column "name" = "row<id>".
inline RecordBatchPtr MakeIdBatch(int64_t first, int64_t rows) {
  ArrayBuilder ids(int64());
  ArrayBuilder names(utf8());
  for (int64_t i = first; i < first + rows; ++i) {
    ids.Append<int64_t>(i);
    names.AppendString("row" + std::to_string(i));
  }
  auto schema = std::make_shared<const Schema>(
      std::vector<FieldPtr>{field("id", int64(), false), field("name", utf8())});
  return std::make_shared<const RecordBatch>(schema, rows,
                                             std::vector<ArrayPtr>{*ids.Finish(), *names.Finish()});
}

// The "id" column of a batch.
inline std::vector<int64_t> Ids(const RecordBatch& batch) {
  std::vector<int64_t> out;
  const ArrayPtr column = batch.GetColumnByName("id");
  for (int64_t i = 0; i < column->length(); ++i) out.push_back(column->Value<int64_t>(i));
  return out;
}

}  // namespace ixray::testing
