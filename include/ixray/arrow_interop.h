// Zero-copy exchange with any Arrow implementation (pyarrow, Arrow C++,
// DuckDB, Polars, ...) through the Arrow C Data and C Stream interfaces.
//
// Export: the produced structs keep the exported buffers alive until the
// consumer calls their release callback; nothing is copied.
// Import: ownership of the C struct moves to ixray (its release callback is
// taken over and the caller's struct is marked released); the imported
// buffers point into the producer's memory and release it when the last
// ixray array using them is gone. Unsupported types are refused with
// NotImplemented naming the Arrow format string; inconsistent input is
// refused with InvalidArgument, never read out of bounds.
//
// Field ids travel in Arrow field metadata under the key "ixray:field_id".
//
// Thread safety: every function is reentrant. An exported stream, like any
// ArrowArrayStream, is used by one thread at a time.
#pragma once

#include <memory>

#include "ixray/array.h"
#include "ixray/arrow_c_abi.h"
#include "ixray/record_batch.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray {

// The Arrow format string of a type, e.g. "i", "tsu:UTC", "+w:128".
Result<std::string> ArrowFormat(const DataType& type);

Status ExportType(const DataType& type, ArrowSchema* out);
Status ExportField(const Field& field, ArrowSchema* out);
// A schema is exported as a struct type ("+s") with one child per field.
Status ExportSchema(const Schema& schema, ArrowSchema* out);
Status ExportArray(const Array& array, ArrowArray* out);
// A batch is exported as a struct array; `out_schema` may be null.
Status ExportRecordBatch(const RecordBatch& batch, ArrowArray* out,
                         ArrowSchema* out_schema = nullptr);
// Exports a reader as a stream; the stream owns the reader.
Status ExportBatchReader(std::shared_ptr<BatchReader> reader, ArrowArrayStream* out);

// The Import functions take ownership of `*in` in all cases (also on error).
Result<TypePtr> ImportType(ArrowSchema* in);
Result<FieldPtr> ImportField(ArrowSchema* in);
Result<SchemaPtr> ImportSchema(ArrowSchema* in);
Result<ArrayPtr> ImportArray(ArrowArray* in, const TypePtr& type);
Result<ArrayPtr> ImportArray(ArrowArray* in, ArrowSchema* schema);
// REQUIRES: `in` is a struct array whose children match `schema`.
Result<RecordBatchPtr> ImportRecordBatch(ArrowArray* in, const SchemaPtr& schema);
Result<RecordBatchPtr> ImportRecordBatch(ArrowArray* in, ArrowSchema* schema);
Result<std::unique_ptr<BatchReader>> ImportBatchReader(ArrowArrayStream* in);

}  // namespace ixray
