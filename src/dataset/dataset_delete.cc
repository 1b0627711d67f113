// Deleting the rows that match a filter: new deletion files for the
// fragments with newly deleted rows, fragments with no row left removed,
// all committed as one Delete transaction. Data files are never rewritten.

#include <fmt/format.h>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "dataset/fragment_filter.h"
#include "query/filter_parser.h"

namespace ixray::dataset {

Result<std::shared_ptr<DatasetImpl>> DeleteMatchingRows(const DatasetImpl& dataset,
                                                        const std::string& filter) {
  if (filter.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("Delete needs a filter (use 'TRUE' to delete every row)");
  }
  IXRAY_ASSIGN_OR_RAISE(query::ExprPtr predicate, query::ParseFilter(filter, *dataset.schema()));
  FileSystem& fs = *dataset.file_system();

  DeleteOperation operation;
  std::vector<std::string> written;  // relative paths of new deletion files
  Status status = [&]() -> Status {
    for (const auto& fragment : dataset.fragment_readers()) {
      IXRAY_ASSIGN_OR_RAISE(DeletionVectorPtr old_deletions, fragment->deletion_vector());
      IXRAY_ASSIGN_OR_RAISE(std::vector<uint32_t> matching,
                            MatchingRows(*fragment, *predicate, *dataset.schema()));
      DeletionVector deletions = *old_deletions;
      deletions.AddMany(matching);
      const uint64_t deleted = deletions.cardinality();
      if (deleted == old_deletions->cardinality()) continue;
      if (deleted == static_cast<uint64_t>(fragment->physical_rows())) {
        operation.removed_fragment_ids.push_back(fragment->id());
        continue;
      }
      written.push_back(NewDeletionFilePath(fragment->id()));
      IXRAY_RETURN_NOT_OK(
          WriteDeletionFile(fs, JoinPath(dataset.uri(), written.back()), deletions));
      Fragment updated = fragment->fragment();
      updated.deletion_file = DeletionFile{written.back(), static_cast<int64_t>(deleted)};
      operation.updated_fragments.push_back(std::move(updated));
    }
    if (written.empty()) return Status::OK();
    // The files' names, and the directory's own name (new at the first
    // delete), must be durable before a manifest refers to them.
    IXRAY_RETURN_NOT_OK(fs.SyncDir(JoinPath(dataset.uri(), kDeletionsDir)));
    return fs.SyncDir(dataset.uri());
  }();
  if (!status.ok()) {
    for (const std::string& path : written) (void)fs.DeleteFile(JoinPath(dataset.uri(), path));
    return status;
  }
  if (operation.updated_fragments.empty() && operation.removed_fragment_ids.empty()) {
    // Nothing matched: no new version.
    return std::const_pointer_cast<DatasetImpl>(
        std::static_pointer_cast<const DatasetImpl>(dataset.shared_from_this()));
  }
  return dataset.CommitTransaction(dataset.NewTransaction(std::move(operation)));
}

}  // namespace ixray::dataset
