#include "dataset/fragment_filter.h"

#include "query/filter_eval.h"

namespace ixray::dataset {

std::vector<int> FilterColumns(const query::Expr& predicate, const Schema& schema) {
  std::vector<int> columns;
  for (const std::string& name : query::ReferencedColumns(predicate)) {
    const int index = schema.FieldIndex(name);
    if (index >= 0) columns.push_back(index);
  }
  if (columns.empty() && schema.num_fields() > 0) columns.push_back(0);
  return columns;
}

Result<std::vector<uint32_t>> MatchingRows(const FragmentReader& fragment,
                                           const query::Expr& predicate, const Schema& schema) {
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<DataFileReader> file, fragment.data_file());
  std::unique_ptr<BatchReader> batches =
      file->Scan(FilterColumns(predicate, schema), kFilterBatchRows);
  std::vector<uint32_t> matching;
  uint32_t batch_start = 0;
  while (true) {
    IXRAY_ASSIGN_OR_RAISE(RecordBatchPtr batch, batches->Next());
    if (batch == nullptr) break;
    IXRAY_ASSIGN_OR_RAISE(std::vector<uint32_t> rows, query::FilterIndices(predicate, *batch));
    for (uint32_t row : rows) matching.push_back(batch_start + row);
    batch_start += static_cast<uint32_t>(batch->num_rows());
  }
  return matching;
}

}  // namespace ixray::dataset
