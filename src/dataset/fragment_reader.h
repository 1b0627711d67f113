// FragmentReader: read access to one fragment of one dataset version: its
// data file reader and its deletion vector, each opened on first use and
// then cached.
//
// Opening checks the files against the manifest: the data file's row
// count, and its columns' field ids and types against the dataset schema;
// the deletion file's cardinality and range. A mismatch is Corruption.
//
// Readers are shared between snapshots whose fragment is the same (same
// id, data files and deletion file), so opening a newer version of a
// dataset does not reopen what it already had open.
//
// Thread safety: all methods may be called concurrently. An open that
// fails is retried by the next call.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dataset/deletion_vector.h"
#include "dataset/manifest.h"
#include "format/data_file.h"
#include "ixray/file_system.h"
#include "ixray/status.h"

namespace ixray::dataset {

class FragmentReader {
 public:
  // REQUIRES: `fragment` belongs to a manifest whose schema is `schema`.
  // `page_cache` (may be null) is handed to the data file reader.
  FragmentReader(std::shared_ptr<FileSystem> fs, std::string dataset_uri, Fragment fragment,
                 SchemaPtr schema, std::shared_ptr<format::PageCache> page_cache = nullptr);

  const Fragment& fragment() const { return fragment_; }
  FragmentId id() const { return fragment_.id; }
  int64_t physical_rows() const { return fragment_.physical_rows; }
  int64_t num_live_rows() const { return fragment_.num_live_rows(); }

  // The reader of the fragment's data file. Its columns are the dataset
  // schema's fields in schema order (see DataFileColumns).
  // Errors: NotImplemented for a fragment of several data files;
  // Corruption; those of DataFileReader::Open.
  Result<std::shared_ptr<DataFileReader>> data_file() const;

  // The fragment's deleted rows; an empty vector if it has no deletion file.
  Result<DeletionVectorPtr> deletion_vector() const;

  // Whether this reader serves `fragment` as well (same files).
  bool SameFiles(const Fragment& fragment) const;

 private:
  Result<std::shared_ptr<DataFileReader>> OpenDataFile() const;

  std::shared_ptr<FileSystem> fs_;
  std::string uri_;
  Fragment fragment_;
  SchemaPtr schema_;
  std::shared_ptr<format::PageCache> page_cache_;

  mutable std::mutex mutex_;
  mutable std::shared_ptr<DataFileReader> data_file_;  // GUARDED_BY(mutex_)
  mutable DeletionVectorPtr deletion_vector_;          // GUARDED_BY(mutex_)
};

}  // namespace ixray::dataset
