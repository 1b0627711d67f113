// Reading versions and committing new ones (docs/format.md, "Manifests,
// versions and commits").
//
// A version exists once its manifest "_versions/<20 digits>.manifest" does.
// CommitTransaction publishes version L + 1 over the latest version L with
// put-if-absent semantics (FileSystem::PublishNoReplace), so of concurrent
// committers of one version exactly one wins; the others re-read, check
// their transaction against every version committed since their
// read_version (transaction.h), rebase and retry, or give up with
// Conflict. A manifest is written to a temporary name, synced, published,
// and its directory synced: readers see whole versions or none, and a
// version reported committed survives a crash.
//
// Thread safety: all functions may be called concurrently, from any number
// of threads and processes, on one dataset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataset/manifest.h"
#include "ixray/file_system.h"
#include "ixray/status.h"

namespace ixray::dataset {

// The versions present under `uri`, ascending; empty when there is no
// dataset (no "_versions" directory). Temporary files are skipped.
Result<std::vector<uint64_t>> ListVersions(FileSystem& fs, const std::string& uri);

// The newest version, or 0 when there is none.
Result<uint64_t> LatestVersion(FileSystem& fs, const std::string& uri);

// Reads and decodes the manifest of `version`.
// Errors: NotFound if it does not exist; Corruption (naming the file) if it
// is damaged or records another version number.
Result<ManifestPtr> ReadManifest(FileSystem& fs, const std::string& uri, uint64_t version);

struct CommitOptions {
  // Attempts after losing a publish race before giving up with Conflict.
  int max_retries = 20;
  // Backoff before attempt n (n >= 1): uniformly random in
  // [0.5, 1.5) * min(initial * 2^(n-1), max).
  int64_t initial_backoff_us = 500;
  int64_t max_backoff_us = 50'000;
};

// Commits `transaction` as the next version of the dataset at `uri` and
// returns its manifest.
//
// REQUIRES: every file the transaction references is written, synced, and
// named durably (its directory synced).
//
// If the commit fails before its manifest is published, the files the
// transaction wrote (NewFilesOf) are deleted, best effort. If the final
// directory sync fails, the error is returned but the version may already
// be visible; its files are kept.
// Errors: Conflict (an incompatible concurrent commit, or too many lost
// races); AlreadyExists (creating a dataset that exists); those of
// ApplyTransaction and of the file system.
Result<ManifestPtr> CommitTransaction(FileSystem& fs, const std::string& uri,
                                      const Transaction& transaction,
                                      const CommitOptions& options = {});

}  // namespace ixray::dataset
