// DeletionVector: the set of deleted row offsets of one fragment, a roaring
// bitmap, and its file format (docs/format.md, "Deletion files").
//
// Deletions never rewrite data files: a Delete commit writes a new deletion
// file per touched fragment holding the union of the old and the new
// deletions, and the manifest points the fragment at it.
//
// Thread safety: const methods may be called concurrently; mutation
// (Add, UnionWith) needs exclusive access. Snapshots share deletion vectors
// as shared_ptr<const DeletionVector>.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/file_system.h"
#include "ixray/status.h"

struct roaring_bitmap_s;

namespace ixray::dataset {

class DeletionVector {
 public:
  DeletionVector();  // empty
  ~DeletionVector();
  DeletionVector(const DeletionVector& other);
  DeletionVector& operator=(const DeletionVector& other);
  DeletionVector(DeletionVector&& other) noexcept;
  DeletionVector& operator=(DeletionVector&& other) noexcept;

  bool Contains(uint32_t offset) const;
  // The number of deleted rows.
  uint64_t cardinality() const;
  bool empty() const { return cardinality() == 0; }
  // The number of deleted offsets <= `offset`.
  uint64_t Rank(uint32_t offset) const;
  // The largest deleted offset. REQUIRES: !empty().
  uint32_t Maximum() const;

  void Add(uint32_t offset);
  void AddMany(std::span<const uint32_t> offsets);
  void AddRange(uint64_t begin, uint64_t end);  // [begin, end)
  void UnionWith(const DeletionVector& other);

  // The deleted offsets, ascending.
  std::vector<uint32_t> ToVector() const;
  bool Equals(const DeletionVector& other) const;

  // The roaring portable serialization (no framing).
  std::string SerializePortable() const;
  // Parses the roaring portable serialization of untrusted bytes with a
  // strict parser of our own (ascending keys and values, exact sizes and
  // cardinalities), never handing unchecked bytes to CRoaring. `what` names
  // the source in the error.
  static Result<DeletionVector> DeserializePortable(std::string_view bytes, std::string_view what);

  // A whole deletion file: the portable serialization, framed
  // (dataset_format.h) with magic "IXRAYDEL".
  std::string EncodeFile() const;
  // Errors: Corruption naming `what` for any damage.
  static Result<DeletionVector> DecodeFile(std::string_view bytes, std::string_view what);

 private:
  roaring_bitmap_s* bitmap_;  // owned, never null
};

using DeletionVectorPtr = std::shared_ptr<const DeletionVector>;

// Reads and decodes the deletion file at `path` and checks it against the
// manifest: `expected_cardinality` rows deleted, all below `physical_rows`.
// Errors: Corruption naming the file; those of the file system.
Result<DeletionVectorPtr> ReadDeletionFile(FileSystem& fs, const std::string& path,
                                           uint64_t expected_cardinality, uint64_t physical_rows);

// Writes `deletions` as a new file at `path`, synced (its name becomes
// durable with a SyncDir of its directory, which the caller does once for
// all the files of a commit).
Status WriteDeletionFile(FileSystem& fs, const std::string& path, const DeletionVector& deletions);

}  // namespace ixray::dataset
