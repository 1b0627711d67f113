// Reading vector columns (fixed_size_list<float32|float16|uint8, dim>) as
// float32 rows, the form training, encoding and flat search work on.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "dataset/dataset_impl.h"
#include "index/vector/metric.h"
#include "ixray/array.h"
#include "ixray/status.h"

namespace ixray::vector {

// Checks that `type` is a vector type usable with `metric`: a
// fixed_size_list of float32, float16 or uint8 (uint8 only for hamming or
// as plain numbers). TypeError naming `column` otherwise.
Status CheckVectorType(const std::string& column, const DataType& type, Metric metric);

// Appends the non-null rows of `vectors` as float32 to `out` (dim floats
// each, or dim * 8 bits as 0/1 floats when `expand_bits`), and their row
// indices to `rows`. InvalidArgument for a NaN or infinite value.
Status AppendFloatRows(const Array& vectors, bool expand_bits, std::vector<float>* out,
                       std::vector<int64_t>* rows);

// Live rows of `fragment_ids` (all when empty), `column` only, with row
// addresses; calls fn(batch_vectors_array, addresses) per batch.
Status ForEachVectorBatch(const dataset::DatasetImpl& dataset, const std::string& column,
                          const std::vector<FragmentId>& fragment_ids,
                          const std::function<Status(const Array&, const uint64_t*)>& fn);

}  // namespace ixray::vector
