// The rules for rebasing a transaction over concurrent commits, and for
// applying it to a manifest (docs/format.md, "Conflict rules").
//
// A transaction is computed from the manifest of its read_version. When
// other writers committed versions after that, the commit loop (commit.h)
// asks CheckConflict() about the transaction of each of them; if all are
// compatible, ApplyTransaction() rebases ours onto the latest manifest.
//
//   ours \ theirs | Append  Overwrite  Delete    CreateIndex  DropIndex  Rewrite
//   Append        |  ok     conflict   ok        ok           ok         ok
//   Overwrite     |  ok     ok         ok        ok           ok         ok
//   Delete        |  ok     conflict   same frag ok           ok         same frag
//   CreateIndex   |  ok     conflict   ok        same name    same name  covered frag
//   DropIndex     |  ok     conflict   ok        same name    same name  ok
//   Rewrite       |  ok     conflict   same frag covered frag ok         same frag
//
// ReserveFragments (which only takes fragment ids for a later Rewrite)
// never conflicts, either way.
//
// "same frag": a conflict when both touch (update, remove or rewrite) one
// fragment; "same name": when both create, replace or drop one index name;
// "covered frag": when a rewritten fragment is covered by a new index
// segment. An Overwrite with `create` set fails with AlreadyExists if any
// version exists, whatever came before.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "dataset/manifest.h"
#include "ixray/status.h"

namespace ixray::dataset {

// OK if `ours` may be rebased over `theirs`, the transaction committed as
// version `their_version` (> ours.read_version); else Conflict explaining
// which operations collided.
Status CheckConflict(const Transaction& ours, const Transaction& theirs, uint64_t their_version);

// The manifest of the next version: `transaction` applied to `base` (null
// when the dataset has no version yet). New fragments get ids from
// base->next_fragment_id on, and the manifest records the transaction with
// those ids.
// Errors: AlreadyExists (a create over an existing dataset, an index name
// already in use); NotFound (dropping a missing index; appending to or
// deleting from a dataset with no version); Conflict (a fragment to update
// or rewrite is gone); InvalidArgument (unknown field ids, fragment ids
// exhausted, rewritten fragments with ids that were not reserved).
Result<ManifestPtr> ApplyTransaction(const Manifest* base, const Transaction& transaction);

// What `transaction` wrote that nothing references unless it commits, so
// that a failed commit can delete it: paths relative to the dataset
// directory of files, and of directories (index segments that `read` does
// not already list). `read` is the manifest of its read_version (or null).
struct TransactionFiles {
  std::vector<std::string> files;
  std::vector<std::string> dirs;
};
TransactionFiles NewFilesOf(const Transaction& transaction, const Manifest* read);

}  // namespace ixray::dataset
