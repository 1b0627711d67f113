// Test helpers for the ingest readers: writing fixture files and reading a
// whole file back as one batch rendered as JSON rows.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/value_format.h"
#include "ixray/file_system.h"
#include "ixray/ingest.h"
#include "ixray/record_batch.h"

namespace ixray::ingest::testing {

inline ::testing::AssertionResult IsOk(const Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
}
template <typename T>
::testing::AssertionResult IsOk(const Result<T>& result) {
  return IsOk(result.status());
}

inline void WriteFile(FileSystem& fs, const std::string& path, std::string_view bytes) {
  Result<std::unique_ptr<WritableFile>> file = fs.OpenForWrite(path);
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk((*file)->Append(bytes)));
  ASSERT_TRUE(IsOk((*file)->Close()));
}

// What a reader produced: the schema, the batch sizes, and every row as a
// compact JSON object.
struct ReadOutcome {
  SchemaPtr schema;
  std::vector<int64_t> batch_sizes;
  std::vector<std::string> rows;
};

using OpenFunction = std::function<Result<std::unique_ptr<IngestReader>>(
    FileSystem&, const std::string&, const IngestOptions&)>;

// Opens `path` with `open` and drains the reader.
inline Result<ReadOutcome> ReadThrough(const OpenFunction& open, FileSystem& fs,
                                       const std::string& path, const IngestOptions& options) {
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<IngestReader> reader, open(fs, path, options));
  ReadOutcome outcome;
  outcome.schema = reader->schema();
  while (true) {
    IXRAY_ASSIGN_OR_RAISE(RecordBatchPtr batch, reader->Next());
    if (batch == nullptr) break;
    if (!batch->schema()->Equals(*outcome.schema)) {
      return Status::Internal("a batch's schema differs from the reader's");
    }
    outcome.batch_sizes.push_back(batch->num_rows());
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      std::string row;
      AppendRowJson(*batch, r, &row);
      outcome.rows.push_back(std::move(row));
    }
  }
  if (reader->bytes_read() != reader->total_bytes()) {
    return Status::Internal("the reader did not report reading the whole file");
  }
  return outcome;
}

// The schema's fields as "name: type" lines joined by "; ".
inline std::string SchemaSummary(const Schema& schema) {
  std::string out;
  for (const FieldPtr& f : schema.fields()) {
    if (!out.empty()) out += "; ";
    out += f->name + ": " + f->type->ToString();
  }
  return out;
}

}  // namespace ixray::ingest::testing
