// Helpers shared by the data file tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "format/data_file.h"
#include "ixray/array.h"
#include "ixray/record_batch.h"
#include "ixray/status.h"

namespace ixray::testing {

inline ::testing::AssertionResult IsOk(const Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
}

template <typename T>
::testing::AssertionResult IsOk(const Result<T>& result) {
  return IsOk(result.status());
}

inline ::testing::AssertionResult HasCode(const Status& status, StatusCode code) {
  if (status.code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << StatusCodeName(code) << ", got " << status.ToString();
}

template <typename T>
::testing::AssertionResult HasCode(const Result<T>& result, StatusCode code) {
  if (result.ok()) return ::testing::AssertionFailure() << "expected an error, got a value";
  return HasCode(result.status(), code);
}

// A compact copy (offset 0, children from 0): Array::Equals compares the
// children of sliced fixed_size_list arrays without their offset, so tests
// compare compact copies.
inline RecordBatchPtr Compact(const RecordBatch& batch) {
  std::vector<ArrayPtr> columns;
  for (const auto& c : batch.columns()) columns.push_back(*Concatenate({c}));
  return std::make_shared<const RecordBatch>(batch.schema(), batch.num_rows(), std::move(columns));
}

inline ::testing::AssertionResult BatchesEqual(const RecordBatch& actual,
                                               const RecordBatch& expected) {
  auto a = Compact(actual);
  auto e = Compact(expected);
  if (a->Equals(*e)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "actual:\n"
                                       << a->ToString() << "\nexpected:\n"
                                       << e->ToString();
}

// Writes `batches` to a new data file at `path`.
inline Result<DataFileInfo> WriteDataFile(std::shared_ptr<FileSystem> fs, const std::string& path,
                                          const SchemaPtr& schema,
                                          const std::vector<RecordBatchPtr>& batches,
                                          const DataFileWriterOptions& options = {}) {
  IXRAY_ASSIGN_OR_RAISE(auto writer, DataFileWriter::Open(std::move(fs), path, schema, options));
  for (const auto& batch : batches) IXRAY_RETURN_NOT_OK(writer->Write(*batch));
  return writer->Finish();
}

// All column indices of `schema`.
inline std::vector<int> AllColumns(const Schema& schema) {
  std::vector<int> out;
  for (int i = 0; i < schema.num_fields(); ++i) out.push_back(i);
  return out;
}

}  // namespace ixray::testing
