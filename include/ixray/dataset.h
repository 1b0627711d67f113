// Dataset: a versioned, columnar table stored as a directory.
//
// A dataset is a directory of immutable data files (one per fragment), one
// manifest per version listing the fragments, deletion vectors and indices
// of that version, and index segments (docs/format.md). Every change is a
// transaction committed atomically as a new version with put-if-absent
// semantics; concurrent writers rebase compatible transactions and retry,
// and get Status::Conflict for incompatible ones. Old versions stay readable
// until cleaned up.
//
// A Dataset object is an immutable snapshot of one version: methods that
// change the dataset return the Dataset of the new version and leave `this`
// as it was.
//
// Thread safety: a Dataset may be used from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ixray/file_system.h"
#include "ixray/record_batch.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray {

// The address of a row: (fragment_id << 32) | row offset in the fragment.
// Stable for the life of the fragment; stored by indices.
using RowAddress = uint64_t;
using FragmentId = uint32_t;

inline RowAddress MakeRowAddress(FragmentId fragment, uint32_t offset) {
  return (static_cast<uint64_t>(fragment) << 32) | offset;
}
inline FragmentId AddressFragment(RowAddress address) {
  return static_cast<FragmentId>(address >> 32);
}
inline uint32_t AddressOffset(RowAddress address) { return static_cast<uint32_t>(address); }

enum class WriteMode { kCreate, kAppend, kOverwrite };

struct WriteOptions {
  WriteMode mode = WriteMode::kCreate;
  // Rows per data file (= per fragment); larger inputs are split.
  int64_t max_rows_per_file = int64_t{1} << 20;
  // Data file page sizing (see docs/format.md).
  int64_t max_page_bytes = int64_t{1} << 20;
  // The file system; null means the local one.
  std::shared_ptr<FileSystem> file_system;
};

struct OpenOptions {
  // The version to open; empty means the latest.
  std::optional<uint64_t> version;
  std::shared_ptr<FileSystem> file_system;
  // Bytes of decoded data pages kept for random access (Take, TakeRows, the
  // rows of nearest-neighbour results), shared by the versions checked out
  // from the opened dataset; 0 keeps none.
  int64_t page_cache_bytes = int64_t{256} << 20;
};

struct VersionInfo {
  uint64_t version = 0;
  int64_t timestamp_us = 0;  // commit time, microseconds since the epoch
  std::string operation;     // "Create", "Append", "Delete", "Overwrite", "CreateIndex", ...
};

struct FragmentInfo {
  FragmentId id = 0;
  int64_t physical_rows = 0;  // rows in the data file
  int64_t deleted_rows = 0;   // rows marked deleted
  int64_t num_rows() const { return physical_rows - deleted_rows; }
  std::vector<std::string> data_files;  // relative to the dataset directory
};

// A k-nearest-neighbour query (ScanOptions::nearest). Results carry
// `_distance` (float32, ascending): l2 -> squared L2, cosine -> 1 - cos,
// dot -> 1 - x.y, hamming -> differing bits.
struct VectorQuery {
  std::string column;
  std::vector<float> q;  // the query vector (byte values 0..255 for hamming)
  int64_t k = 10;
  std::string metric;          // empty: the index's metric, or l2 without an index
  std::optional<int> nprobes;  // exactly this many partitions
  std::optional<int> minimum_nprobes;
  std::optional<int> maximum_nprobes;
  std::optional<int> refine_factor;     // re-rank k * refine_factor candidates exactly
  std::optional<int> ef;                // HNSW search breadth
  std::optional<float> distance_lower;  // keep lower <= _distance < upper
  std::optional<float> distance_upper;
  bool use_index = true;
};

// Full-text search: the rows whose text matches, scored by BM25 (a `_score`
// column, float32, descending), through the columns' INVERTED indices.
struct FullTextQuery {
  std::string text;
  // The columns to search; empty: every column that has an INVERTED index.
  std::vector<std::string> columns;
  // Match the words as a phrase (consecutive positions), which needs an
  // index built with with_position; otherwise any word matches.
  bool phrase = false;
};

struct ScanOptions {
  // Columns to return, in order; empty means all.
  std::vector<std::string> columns;
  // A filter in the SQL-like language of docs (empty: all rows).
  std::string filter;
  std::optional<int64_t> limit;
  int64_t offset = 0;
  // Only scan these fragments (in this order); empty means all. With
  // `nearest`: only these fragments' rows are candidates.
  std::vector<FragmentId> fragment_ids;
  // Rows per output batch (batches may be smaller).
  int64_t batch_size = 8192;
  // Append a `_rowid` column (uint64 row addresses).
  bool with_row_id = false;

  // Vector search: the k nearest rows (after `filter`) instead of a scan.
  std::optional<VectorQuery> nearest;
  // With `nearest` and `filter`: filter first and search only matching rows
  // (true), or search then drop non-matching results (false).
  bool prefilter = false;
  // Search only what indices cover; rows not yet indexed are left out.
  bool fast_search = false;
  // Search only these segments (uuids) of the index; empty: all of them.
  std::vector<std::string> index_segments;

  // Full-text search instead of a scan (not with `nearest`): `filter` applies
  // first, then the `limit` best-scored rows are kept (all matches when
  // unset); fragments no index covers are matched by scanning them, unless
  // fast_search.
  std::optional<FullTextQuery> full_text_query;
};

class Scanner;

class Dataset : public std::enable_shared_from_this<Dataset> {
 public:
  virtual ~Dataset() = default;

  // Opens the dataset at `uri` (a directory path). NotFound if there is no
  // dataset there or no such version; Corruption if its manifest is damaged.
  static Result<std::shared_ptr<Dataset>> Open(const std::string& uri, OpenOptions options = {});

  // Writes `data` as a new dataset (kCreate: AlreadyExists if one exists),
  // as new fragments of an existing one (kAppend: the schema must match), or
  // as a new version replacing all data (kOverwrite). Returns the new version.
  static Result<std::shared_ptr<Dataset>> Write(BatchReader& data, const std::string& uri,
                                                WriteOptions options = {});

  virtual const std::string& uri() const = 0;
  virtual uint64_t version() const = 0;
  // The latest version number on storage now (may be newer than version()).
  virtual Result<uint64_t> LatestVersion() const = 0;
  // The schema, with field ids.
  virtual const SchemaPtr& schema() const = 0;
  virtual const std::shared_ptr<FileSystem>& file_system() const = 0;

  virtual Result<std::vector<VersionInfo>> Versions() const = 0;
  virtual Result<std::shared_ptr<Dataset>> CheckoutVersion(uint64_t version) const = 0;
  // The dataset at its latest version.
  virtual Result<std::shared_ptr<Dataset>> CheckoutLatest() const = 0;

  virtual std::vector<FragmentInfo> Fragments() const = 0;
  // Rows matching `filter` (all live rows when empty).
  virtual Result<int64_t> CountRows(const std::string& filter = "") const = 0;

  virtual Result<std::unique_ptr<Scanner>> Scan(ScanOptions options) const = 0;
  // Rows at the given positions of a full scan (0 = the first live row).
  virtual Result<RecordBatchPtr> Take(std::span<const uint64_t> positions,
                                      const std::vector<std::string>& columns = {}) const = 0;
  // Rows at the given row addresses, in the order given. InvalidArgument for
  // an address of no live row.
  virtual Result<RecordBatchPtr> TakeRows(std::span<const RowAddress> addresses,
                                          const std::vector<std::string>& columns = {}) const = 0;

  // Marks the rows matching `filter` deleted (a new version; data files are
  // never rewritten). Retries on concurrent commits.
  virtual Result<std::shared_ptr<Dataset>> Delete(const std::string& filter) const = 0;
};

// Streams the rows of a scan. Produced by Dataset::Scan.
class Scanner {
 public:
  virtual ~Scanner() = default;
  // The schema of the output batches.
  virtual const SchemaPtr& schema() const = 0;
  // Streams the result; memory stays bounded by about one batch per column.
  virtual Result<std::unique_ptr<BatchReader>> ToReader() = 0;
  virtual Result<int64_t> CountRows() = 0;
  // A description of how the scan will run.
  virtual Result<std::string> ExplainPlan() = 0;
};

}  // namespace ixray
