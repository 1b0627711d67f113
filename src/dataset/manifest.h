// Manifest: what one version of a dataset is made of, and Transaction: the
// change that made it. Plain immutable values; the protobuf form is
// manifest.proto, converted by manifest_codec.h.
//
// A version's Manifest lists the schema (with field ids), the fragments
// (sorted by id, each with its data files and optional deletion file), the
// indices and the transaction that produced the version. Snapshots share it
// as ManifestPtr (shared_ptr<const Manifest>) and never modify it.
//
// Invariants of a decoded or committed manifest (manifest_codec.cc checks
// them for every manifest read from storage):
//   - fragment ids are strictly ascending and below next_fragment_id;
//   - every data file path is relative and safe (dataset_format.h);
//   - each data file holds physical_rows rows (< 2^32);
//   - a deletion file deletes at most physical_rows rows (Delete removes a
//     fragment with every row deleted instead);
//   - field ids of the schema are unique, >= 0 and <= max_field_id.
//
// Thread safety: immutable values; share freely.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ixray/dataset.h"
#include "ixray/type.h"

namespace ixray::dataset {

// One data file of a fragment.
struct DataFile {
  std::string path;  // relative to the dataset directory
  std::vector<int32_t> field_ids;
  int64_t num_rows = 0;
  int64_t file_size = 0;
};

// The deletion file of a fragment.
struct DeletionFile {
  std::string path;  // relative to the dataset directory
  int64_t num_deleted_rows = 0;
};

// A horizontal slice of the dataset: rows [0, physical_rows) stored in
// data files; row `offset` has RowAddress MakeRowAddress(id, offset).
struct Fragment {
  FragmentId id = 0;
  std::vector<DataFile> files;
  int64_t physical_rows = 0;
  std::optional<DeletionFile> deletion_file;

  int64_t num_deleted_rows() const { return deletion_file ? deletion_file->num_deleted_rows : 0; }
  int64_t num_live_rows() const { return physical_rows - num_deleted_rows(); }
};

// A part of an index covering some fragments; its files live in
// "_indices/<uuid>/".
struct IndexSegment {
  std::string uuid;
  std::vector<FragmentId> fragment_ids;  // ascending, unique
  uint64_t dataset_version = 0;          // the version it was built from
  std::vector<std::string> files;        // relative to the segment directory
  std::string details;                   // plugin-defined bytes
};

// A named index: one or more segments with disjoint fragment sets.
struct IndexMetadata {
  std::string name;
  std::string index_type;
  std::vector<int32_t> field_ids;
  std::vector<IndexSegment> segments;
  std::string details;  // plugin-defined bytes
};

// ---- Transactions ------------------------------------------------------------
// The operations, with their conflict rules in transaction.h.

// Adds fragments; their ids are ignored and assigned at commit time.
struct AppendOperation {
  std::vector<Fragment> fragments;
};

// Replaces schema, fragments and indices (fragment ids assigned at commit).
// `create`: fail with AlreadyExists if the dataset has any version.
struct OverwriteOperation {
  SchemaPtr schema;
  std::vector<Fragment> fragments;
  bool create = false;
};

// Points fragments at new deletion files (only `id` and `deletion_file` of
// an updated fragment are used) and removes fully deleted fragments.
struct DeleteOperation {
  std::vector<Fragment> updated_fragments;
  std::vector<FragmentId> removed_fragment_ids;
};

// Drops the indices named in `removed_indices`, then adds `new_indices`.
struct CreateIndexOperation {
  std::vector<IndexMetadata> new_indices;
  std::vector<std::string> removed_indices;
};

struct DropIndexOperation {
  std::string name;
};

// Compaction: each group replaces old fragments by new ones holding their
// live rows (new addresses). Index segments that covered old fragments are
// replaced by `rewritten_segments` (rebuilt over the new fragments, which
// then carry ids reserved beforehand with ReserveFragments); a segment of
// an index still covering a removed fragment after that loses it from its
// coverage, so its rows are scanned until re-indexed.
struct RewriteGroup {
  std::vector<FragmentId> old_fragment_ids;
  std::vector<Fragment> new_fragments;
};
// Segment `old_segment_uuid` of index `index_name` replaced by
// `new_segment` (removed when its uuid is empty). Skipped when the index or
// the old segment is gone by commit time.
struct RewrittenSegment {
  std::string index_name;
  std::string old_segment_uuid;
  IndexSegment new_segment;
};
struct RewriteOperation {
  std::vector<RewriteGroup> groups;
  std::vector<RewrittenSegment> rewritten_segments;
  // The new fragments carry ids from a committed ReserveFragments; else
  // they get ids at commit time like appended ones.
  bool fragment_ids_reserved = false;
};

// Takes `num_fragments` fragment ids (next_fragment_id grows) so that a
// later transaction may use them; changes nothing else.
struct ReserveFragmentsOperation {
  uint32_t num_fragments = 0;
};

using Operation =
    std::variant<AppendOperation, OverwriteOperation, DeleteOperation, CreateIndexOperation,
                 DropIndexOperation, RewriteOperation, ReserveFragmentsOperation>;

struct Transaction {
  // The version the change was computed from; 0 for a new dataset.
  uint64_t read_version = 0;
  std::string uuid;
  int64_t timestamp_us = 0;
  Operation operation;
};

// "Create", "Overwrite", "Append", "Delete", "CreateIndex", "DropIndex",
// "Rewrite", "ReserveFragments".
std::string_view OperationName(const Transaction& transaction);

// A new transaction with a fresh uuid and the current time.
Transaction MakeTransaction(uint64_t read_version, Operation operation);

// The current time in microseconds since the UNIX epoch.
int64_t NowMicros();

// ---- Manifest ----------------------------------------------------------------

struct Manifest {
  uint64_t version = 0;
  SchemaPtr schema;
  std::vector<Fragment> fragments;  // ascending ids
  // The id the next new fragment gets; ids are never reused. Up to 2^32.
  uint64_t next_fragment_id = 0;
  int32_t max_field_id = -1;
  std::vector<IndexMetadata> indices;
  Transaction transaction;  // the one that made this version
  int64_t timestamp_us = 0;
  std::string writer;

  // The fragment with `id`, or null.
  const Fragment* FindFragment(FragmentId id) const;
  // The index called `name`, or null.
  const IndexMetadata* FindIndex(std::string_view name) const;
  // Rows not deleted, over all fragments.
  int64_t num_live_rows() const;
};

using ManifestPtr = std::shared_ptr<const Manifest>;

}  // namespace ixray::dataset
