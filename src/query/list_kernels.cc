// array_has_any / array_has_all over list<string> columns.
//
// A null list gives UNKNOWN. Null elements inside a list never match (the
// functions then ignore them), so a non-null list always gives TRUE or
// FALSE: array_has_any(x, []) is FALSE, array_has_all(x, []) is TRUE.
#include <algorithm>

#include "query/filter_kernels.h"

namespace ixray::query {

void EvaluateArrayHas(const Array& column, const std::vector<Literal>& values, bool require_all,
                      TriMask* out) {
  std::vector<std::string_view> needles;
  for (const auto& v : values) needles.push_back(v.string_value());
  std::sort(needles.begin(), needles.end());
  needles.erase(std::unique(needles.begin(), needles.end()), needles.end());

  const Array& items = *column.values();
  const int64_t n = column.length();
  uint8_t* t = out->is_true.data();
  // Which needles the current list holds, and how many distinct ones.
  std::vector<uint8_t> seen(needles.size());
  for (int64_t row = 0; row < n; ++row) {
    const int64_t end = column.ValueOffset(row + 1);
    size_t found = 0;
    std::fill(seen.begin(), seen.end(), 0);
    for (int64_t j = column.ValueOffset(row); j < end; ++j) {
      if (items.IsNull(j)) continue;
      const std::string_view item = items.StringValue(j);
      const auto it = std::lower_bound(needles.begin(), needles.end(), item);
      if (it == needles.end() || *it != item) continue;
      const size_t k = static_cast<size_t>(it - needles.begin());
      found += seen[k] == 0;
      seen[k] = 1;
      if (!require_all) break;
    }
    t[row] = require_all ? found == needles.size() : found > 0;
  }
  FinishComparison(column, out);
}

}  // namespace ixray::query
