// DatasetImpl: the Dataset of include/ixray/dataset.h, one immutable
// snapshot of one version, and the internal access the scanner, the index
// layer and the commit paths build on.
//
// A snapshot holds the version's Manifest and one FragmentReader per
// fragment (data file reader and deletion vector, opened lazily and shared
// with other snapshots of the same files). Changing the dataset commits a
// Transaction (CommitTransaction) and yields a new snapshot; `this` stays
// as it was.
//
// Where the code lives:
//   dataset_impl.cc   opening, versions, checkout, commit
//   dataset_write.cc  Dataset::Write (create / append / overwrite)
//   dataset_read.cc   Scan, Take, TakeRows, CountRows (through scanner.h),
//                     Delete (retrying on conflicts)
//   dataset_delete.cc one attempt at deleting the rows matching a filter
//
// Thread safety: every method may be called concurrently (Dataset's
// contract).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dataset/commit.h"
#include "dataset/fragment_reader.h"
#include "dataset/manifest.h"
#include "dataset/object_cache.h"
#include "ixray/dataset.h"

namespace ixray::dataset {

class DatasetImpl final : public Dataset {
 public:
  // Opens `uri` at `options.version` or the latest version.
  // Errors: NotFound (no dataset, no such version); Corruption.
  static Result<std::shared_ptr<DatasetImpl>> Open(const std::string& uri, OpenOptions options);

  // A snapshot of `manifest`. Fragment readers of `previous` (may be null)
  // whose files are unchanged are shared, and so are its caches; without
  // `previous`, the page cache holds `page_cache_bytes`.
  DatasetImpl(std::string uri, std::shared_ptr<FileSystem> fs, ManifestPtr manifest,
              const DatasetImpl* previous = nullptr,
              int64_t page_cache_bytes = OpenOptions().page_cache_bytes);

  // The DatasetImpl behind a Dataset (every Dataset is one).
  static const DatasetImpl& From(const Dataset& dataset);

  // ---- Dataset ----
  const std::string& uri() const override { return uri_; }
  uint64_t version() const override { return manifest_->version; }
  Result<uint64_t> LatestVersion() const override;
  const SchemaPtr& schema() const override { return manifest_->schema; }
  const std::shared_ptr<FileSystem>& file_system() const override { return fs_; }
  Result<std::vector<VersionInfo>> Versions() const override;
  Result<std::shared_ptr<Dataset>> CheckoutVersion(uint64_t version) const override;
  Result<std::shared_ptr<Dataset>> CheckoutLatest() const override;
  std::vector<FragmentInfo> Fragments() const override;
  Result<int64_t> CountRows(const std::string& filter = "") const override;
  Result<std::unique_ptr<Scanner>> Scan(ScanOptions options) const override;
  Result<RecordBatchPtr> Take(std::span<const uint64_t> positions,
                              const std::vector<std::string>& columns = {}) const override;
  Result<RecordBatchPtr> TakeRows(std::span<const RowAddress> addresses,
                                  const std::vector<std::string>& columns = {}) const override;
  Result<std::shared_ptr<Dataset>> Delete(const std::string& filter) const override;

  // ---- Internal access ----

  const Manifest& manifest() const { return *manifest_; }
  // Objects derived from this dataset's immutable files (index segments),
  // shared with the snapshots made from this one.
  ObjectCache& cache() const { return *cache_; }
  std::shared_ptr<const DatasetImpl> shared_impl() const {
    return std::static_pointer_cast<const DatasetImpl>(shared_from_this());
  }
  const ManifestPtr& manifest_ptr() const { return manifest_; }

  // One reader per fragment, in manifest order (ascending ids).
  const std::vector<std::shared_ptr<FragmentReader>>& fragment_readers() const {
    return fragment_readers_;
  }
  // The reader of fragment `id`, or NotFound.
  Result<std::shared_ptr<FragmentReader>> fragment_reader(FragmentId id) const;
  // Shortcuts through fragment_reader(fragment.id): the fragment's cached
  // data file reader, and its deletion vector (never null; empty when the
  // fragment has no deletion file).
  // REQUIRES: `fragment` is a fragment of this version (else NotFound).
  Result<std::shared_ptr<DataFileReader>> OpenDataFile(const Fragment& fragment) const;
  Result<DeletionVectorPtr> LoadDeletions(const Fragment& fragment) const;

  // A transaction that reads this version.
  Transaction NewTransaction(Operation operation) const {
    return MakeTransaction(version(), std::move(operation));
  }

  // Commits `transaction` (commit.h: rebased over concurrent commits when
  // compatible) and returns the snapshot of the new version.
  // REQUIRES: the transaction's files are durable (see CommitTransaction).
  Result<std::shared_ptr<DatasetImpl>> CommitTransaction(const Transaction& transaction,
                                                         const CommitOptions& options = {}) const;

 private:
  std::string uri_;
  std::shared_ptr<FileSystem> fs_;
  ManifestPtr manifest_;
  std::vector<std::shared_ptr<FragmentReader>> fragment_readers_;
  std::shared_ptr<ObjectCache> cache_;
  std::shared_ptr<format::PageCache> page_cache_;
};

// The rows of `dataset` matching `filter` marked deleted, committed as one
// Delete transaction read from `dataset`'s version (dataset_delete.cc).
// Returns `dataset` itself when no row matches.
// Errors: InvalidArgument / TypeError for a bad filter; Conflict when a
// concurrent commit touched the same fragments (the caller retries).
Result<std::shared_ptr<DatasetImpl>> DeleteMatchingRows(const DatasetImpl& dataset,
                                                        const std::string& filter);

// Writes the rows of `data` (columns of `schema`, in order) into new data
// files of at most options.max_rows_per_file rows each, holding one open
// writer at a time, and returns them as fragments without ids. Appends every
// file it creates to `written` (relative paths), finished or not, so the
// caller can remove them on failure (dataset_write.cc).
Result<std::vector<Fragment>> WriteFragments(const std::shared_ptr<FileSystem>& fs,
                                             const std::string& uri, BatchReader& data,
                                             const SchemaPtr& schema, const WriteOptions& options,
                                             std::vector<std::string>* written);

}  // namespace ixray::dataset
