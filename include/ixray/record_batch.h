// RecordBatch: equal-length columns under a schema; BatchReader: a stream
// of record batches.
//
// Thread safety: a RecordBatch is immutable and may be shared across threads.
// A BatchReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ixray/array.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray {

class RecordBatch;
using RecordBatchPtr = std::shared_ptr<const RecordBatch>;

class RecordBatch {
 public:
  RecordBatch(SchemaPtr schema, int64_t num_rows, std::vector<ArrayPtr> columns);

  // Checks column count, lengths and types against the schema.
  static Result<RecordBatchPtr> Make(SchemaPtr schema, int64_t num_rows,
                                     std::vector<ArrayPtr> columns);

  const SchemaPtr& schema() const { return schema_; }
  int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  const ArrayPtr& column(int i) const { return columns_[i]; }
  const std::vector<ArrayPtr>& columns() const { return columns_; }
  // The column called `name`, or null.
  ArrayPtr GetColumnByName(std::string_view name) const;

  RecordBatchPtr Slice(int64_t offset, int64_t length) const;
  // The named columns, in the order given (InvalidArgument for unknown names).
  Result<RecordBatchPtr> Project(const std::vector<std::string>& names) const;

  bool Equals(const RecordBatch& other) const;
  std::string ToString() const;

 private:
  SchemaPtr schema_;
  int64_t num_rows_;
  std::vector<ArrayPtr> columns_;
};

// Pulls record batches one at a time. Next() returns null at the end.
class BatchReader {
 public:
  virtual ~BatchReader() = default;
  virtual const SchemaPtr& schema() const = 0;
  virtual Result<RecordBatchPtr> Next() = 0;

  // Reads every remaining batch.
  Result<std::vector<RecordBatchPtr>> ReadAll();
};

// A reader over batches already in memory.
std::unique_ptr<BatchReader> MakeVectorReader(SchemaPtr schema,
                                              std::vector<RecordBatchPtr> batches);

// Concatenates batches of one schema into a single batch.
Result<RecordBatchPtr> ConcatenateBatches(const SchemaPtr& schema,
                                          const std::vector<RecordBatchPtr>& batches);

}  // namespace ixray
