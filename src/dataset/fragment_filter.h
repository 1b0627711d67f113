// Evaluating a filter over the rows of one fragment, for Delete and for
// the simple read paths (dataset_read.cc).
//
// Thread safety: pure functions over thread-safe readers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataset/fragment_reader.h"
#include "ixray/status.h"
#include "query/expression.h"

namespace ixray::dataset {

// Rows read per batch when evaluating filters.
inline constexpr int64_t kFilterBatchRows = 8192;

// The positions in `schema` of the columns `predicate` reads; when it reads
// none (e.g. "TRUE"), the first column, so batches still carry a row count.
std::vector<int> FilterColumns(const query::Expr& predicate, const Schema& schema);

// The row offsets of the fragment where `predicate` is TRUE, ascending,
// deleted rows included. Reads only the columns the predicate needs.
// REQUIRES: `predicate` is bound to the fragment's dataset schema `schema`.
Result<std::vector<uint32_t>> MatchingRows(const FragmentReader& fragment,
                                           const query::Expr& predicate, const Schema& schema);

}  // namespace ixray::dataset
