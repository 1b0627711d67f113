// Selection kernels on arrays and record batches.
//
// Thread safety: pure functions of their inputs.
#pragma once

#include <cstdint>
#include <span>

#include "ixray/array.h"
#include "ixray/record_batch.h"
#include "ixray/status.h"

namespace ixray {

// The slots of `array` at `indices`, in that order (repeats allowed).
// InvalidArgument if an index is out of range.
Result<ArrayPtr> Take(const Array& array, std::span<const int64_t> indices);
Result<RecordBatchPtr> Take(const RecordBatch& batch, std::span<const int64_t> indices);

// The slots where `mask` (a bool array) is true and not null.
// REQUIRES: mask.length() == array length.
Result<ArrayPtr> Filter(const Array& array, const Array& mask);

// Positions where `mask` is true and not null.
std::vector<int64_t> SelectedIndices(const Array& mask);

}  // namespace ixray
