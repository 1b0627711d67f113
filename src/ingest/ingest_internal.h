// Helpers shared by the ingest readers.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ixray/buffer.h"
#include "ixray/builder.h"
#include "ixray/file_system.h"
#include "ixray/ingest.h"
#include "ixray/record_batch.h"
#include "ixray/status.h"

namespace ixray::ingest {

// InvalidArgument unless batch_size, chunk_size and inference_rows are
// positive.
Status ValidateOptions(const IngestOptions& options);

// Finishes one builder per schema column into a batch of `num_rows` rows.
Result<RecordBatchPtr> FinishBatch(const SchemaPtr& schema, int64_t num_rows,
                                   std::vector<std::unique_ptr<ArrayBuilder>>& builders);

// Reads bytes [offset, offset + num_records * record_size) of `file` in
// reads of about `chunk_size` bytes (whole records, at least one) and
// appends them to `out`.
Status ReadRecords(const RandomAccessFile& file, int64_t offset, int64_t num_records,
                   int64_t record_size, int64_t chunk_size, BufferBuilder* out);

// Wraps `values` (num_rows * list_size elements of `value_type`) as one
// column: the values themselves when `list_size` is 0, else a
// fixed_size_list<value_type, list_size> column. Bool values are one byte
// each (0 = false) and get bit-packed.
Result<ArrayPtr> MakeVectorColumn(const TypePtr& value_type, int32_t list_size, int64_t num_rows,
                                  BufferPtr values);

}  // namespace ixray::ingest
