// CleanupOldVersions (include/ixray/maintenance.h): which versions go, then
// which files nothing retained references.
//
// Every retained manifest is read before anything is removed: a file is
// kept as soon as one of them names it, and an unreadable retained manifest
// stops the cleanup. Manifests are removed first, oldest first, so a crash
// part way leaves at worst unreferenced files (removed by a later cleanup
// once older than its cutoff), never a version missing its files.

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>

#include "dataset/commit.h"
#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "dataset/manifest.h"
#include "ixray/maintenance.h"

namespace ixray {

namespace {

using dataset::ManifestPtr;

constexpr int64_t kDefaultOlderThanUs = int64_t{14} * 24 * 3600 * 1'000'000;

// The relative paths and segment uuids that some manifests reference.
struct References {
  std::set<std::string> files;  // data and deletion files
  std::set<std::string> segments;
  std::set<std::string> transactions;  // transaction uuids

  void Add(const dataset::Manifest& m) {
    for (const auto& f : m.fragments) {
      for (const auto& file : f.files) files.insert(file.path);
      if (f.deletion_file) files.insert(f.deletion_file->path);
    }
    for (const auto& index : m.indices) {
      for (const auto& s : index.segments) segments.insert(s.uuid);
    }
    transactions.insert(m.transaction.uuid);
  }
};

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The newest modification time under `path` (a file or a directory tree).
Result<int64_t> NewestMtime(FileSystem& fs, const FileInfo& info) {
  int64_t newest = info.mtime_ns;
  if (!info.is_dir) return newest;
  IXRAY_ASSIGN_OR_RAISE(auto children, fs.ListDir(info.path));
  for (const FileInfo& child : children) {
    IXRAY_ASSIGN_OR_RAISE(int64_t t, NewestMtime(fs, child));
    newest = std::max(newest, t);
  }
  return newest;
}

Result<int64_t> TreeSize(FileSystem& fs, const FileInfo& info) {
  if (!info.is_dir) return info.size;
  int64_t total = 0;
  IXRAY_ASSIGN_OR_RAISE(auto children, fs.ListDir(info.path));
  for (const FileInfo& child : children) {
    IXRAY_ASSIGN_OR_RAISE(int64_t size, TreeSize(fs, child));
    total += size;
  }
  return total;
}

// The entries of `uri`/`dir`; none when it does not exist.
Result<std::vector<FileInfo>> ListIfExists(FileSystem& fs, const std::string& uri,
                                           std::string_view dir) {
  const std::string path = JoinPath(uri, dir);
  IXRAY_ASSIGN_OR_RAISE(bool exists, fs.Exists(path));
  if (!exists) return std::vector<FileInfo>{};
  return fs.ListDir(path);
}

class Cleaner {
 public:
  Cleaner(FileSystem& fs, std::string uri, int64_t cutoff_us)
      : fs_(fs), uri_(std::move(uri)), cutoff_ns_(cutoff_us * 1000) {}

  References retained, removed;
  CleanupStats stats;

  // Removes what `retained` does not reference in `dir` (files, or with
  // `segments` the segment directories), counting into `*counter`.
  Status Sweep(std::string_view dir, bool segments, int64_t* counter) {
    IXRAY_ASSIGN_OR_RAISE(auto entries, ListIfExists(fs_, uri_, dir));
    for (const FileInfo& entry : entries) {
      const std::string name = BaseName(entry.path);
      const std::string relative = fmt::format("{}/{}", dir, name);
      bool kept_by_retained, named_by_removed;
      if (segments) {
        if (!entry.is_dir) continue;
        kept_by_retained = retained.segments.count(name) > 0;
        named_by_removed = removed.segments.count(name) > 0;
      } else {
        if (entry.is_dir) continue;
        kept_by_retained = retained.files.count(relative) > 0;
        named_by_removed = removed.files.count(relative) > 0;
      }
      if (kept_by_retained) continue;
      IXRAY_RETURN_NOT_OK(RemoveIfOld(entry, named_by_removed, counter));
    }
    return Status::OK();
  }

  Status SweepTransactions() {
    IXRAY_ASSIGN_OR_RAISE(auto entries, ListIfExists(fs_, uri_, dataset::kTransactionsDir));
    for (const FileInfo& entry : entries) {
      if (entry.is_dir) continue;
      const std::string name = BaseName(entry.path);
      auto names = [&](const std::set<std::string>& uuids) {
        return std::any_of(uuids.begin(), uuids.end(), [&](const std::string& uuid) {
          return !uuid.empty() && name.find(uuid) != std::string::npos;
        });
      };
      if (names(retained.transactions)) continue;
      IXRAY_RETURN_NOT_OK(
          RemoveIfOld(entry, names(removed.transactions), &stats.removed_transaction_files));
    }
    return Status::OK();
  }

  // Temporary files of interrupted manifest publishes.
  Status SweepTemporaryManifests() {
    IXRAY_ASSIGN_OR_RAISE(auto entries, ListIfExists(fs_, uri_, dataset::kVersionsDir));
    for (const FileInfo& entry : entries) {
      if (entry.is_dir || BaseName(entry.path).find(dataset::kTempMarker) == std::string::npos) {
        continue;
      }
      IXRAY_RETURN_NOT_OK(RemoveIfOld(entry, false, &stats.removed_temporary_files));
    }
    return Status::OK();
  }

 private:
  // What a removed version named goes at any age; what no version named
  // (a write in flight, a failed build) only once older than the cutoff.
  Status RemoveIfOld(const FileInfo& entry, bool named_by_removed, int64_t* counter) {
    if (!named_by_removed) {
      IXRAY_ASSIGN_OR_RAISE(int64_t mtime, NewestMtime(fs_, entry));
      if (mtime >= cutoff_ns_) return Status::OK();
    }
    IXRAY_ASSIGN_OR_RAISE(int64_t size, TreeSize(fs_, entry));
    IXRAY_RETURN_NOT_OK(entry.is_dir ? fs_.DeleteDirRecursive(entry.path)
                                     : fs_.DeleteFile(entry.path));
    ++*counter;
    stats.bytes_removed += size;
    return Status::OK();
  }

  FileSystem& fs_;
  std::string uri_;
  int64_t cutoff_ns_;
};

}  // namespace

Result<CleanupStats> CleanupOldVersions(const std::string& uri, const CleanupOptions& options,
                                        std::shared_ptr<FileSystem> file_system) {
  if (options.older_than && options.older_than->count() < 0) {
    return Status::InvalidArgument("older_than must not be negative");
  }
  if (options.keep_last && *options.keep_last < 1) {
    return Status::InvalidArgument(
        fmt::format("keep_last must be at least 1, got {}", *options.keep_last));
  }
  if (file_system == nullptr) file_system = LocalFileSystem();
  FileSystem& fs = *file_system;
  IXRAY_ASSIGN_OR_RAISE(std::vector<uint64_t> versions, dataset::ListVersions(fs, uri));
  if (versions.empty()) return Status::NotFound(fmt::format("no dataset at '{}'", uri));

  const bool by_age = options.older_than.has_value() || !options.keep_last.has_value();
  const int64_t older_than_us =
      options.older_than ? options.older_than->count() : kDefaultOlderThanUs;
  const int64_t cutoff_us = dataset::NowMicros() - older_than_us;
  const size_t keep_last = static_cast<size_t>(options.keep_last.value_or(1));

  Cleaner cleaner(fs, uri, cutoff_us);
  std::vector<uint64_t> doomed;
  for (size_t i = 0; i < versions.size(); ++i) {
    const bool newest = versions.size() - i <= keep_last;  // the latest is always kept
    auto manifest = dataset::ReadManifest(fs, uri, versions[i]);
    if (!manifest.ok()) {
      // A retained version must be readable; an unreadable old one is kept
      // rather than guessed about (its files stay referenced by nothing we
      // can see, so only the age rule may remove them).
      if (newest || manifest.status().code() != StatusCode::kCorruption) {
        return manifest.status();
      }
      continue;
    }
    const bool old = !by_age || (*manifest)->timestamp_us < cutoff_us;
    if (newest || !old) {
      cleaner.retained.Add(**manifest);
    } else {
      cleaner.removed.Add(**manifest);
      doomed.push_back(versions[i]);
    }
  }

  for (uint64_t version : doomed) {
    const std::string path =
        JoinPath(JoinPath(uri, dataset::kVersionsDir), dataset::ManifestFileName(version));
    IXRAY_ASSIGN_OR_RAISE(FileInfo info, fs.Stat(path));
    IXRAY_RETURN_NOT_OK(fs.DeleteFile(path));
    ++cleaner.stats.removed_manifests;
    cleaner.stats.bytes_removed += info.size;
  }
  if (!doomed.empty()) IXRAY_RETURN_NOT_OK(fs.SyncDir(JoinPath(uri, dataset::kVersionsDir)));
  IXRAY_RETURN_NOT_OK(cleaner.Sweep(dataset::kDataDir, false, &cleaner.stats.removed_data_files));
  IXRAY_RETURN_NOT_OK(
      cleaner.Sweep(dataset::kDeletionsDir, false, &cleaner.stats.removed_deletion_files));
  IXRAY_RETURN_NOT_OK(
      cleaner.Sweep(dataset::kIndicesDir, true, &cleaner.stats.removed_index_segments));
  IXRAY_RETURN_NOT_OK(cleaner.SweepTransactions());
  IXRAY_RETURN_NOT_OK(cleaner.SweepTemporaryManifests());
  return cleaner.stats;
}

Result<CleanupStats> CleanupOldVersions(const Dataset& dataset, const CleanupOptions& options) {
  return CleanupOldVersions(dataset.uri(), options, dataset.file_system());
}

}  // namespace ixray
