// Plugin helpers shared by the ordered scalar indices (BTREE, ZONEMAP):
// the column check and parameter handling of scalar_index.h's contract.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "index/scalar/scalar_index.h"

namespace ixray::scalar {

// OK if `field` has a type with an order the filter language compares by
// (integers, floats, strings, binary, date32, timestamp, bool); otherwise
// TypeError naming the index, the column and its type.
Status CheckOrderedColumn(std::string_view index_type, const Field& field);

// Overrides the defaults in config->params with `params`; InvalidArgument
// naming an unknown parameter and listing the accepted ones (the defaults').
Status MergeParams(std::string_view index_type, const IndexParams& params,
                   ScalarIndexConfig* config);

// InvalidArgument unless `config` is of `index_type`.
Status CheckConfigType(std::string_view index_type, const ScalarIndexConfig& config);

// The integer parameter `name`, InvalidArgument unless in [min, max].
Result<int64_t> GetIntInRange(const ScalarIndexConfig& config, std::string_view name, int64_t min,
                              int64_t max);

}  // namespace ixray::scalar
