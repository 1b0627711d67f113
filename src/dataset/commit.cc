#include "dataset/commit.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "dataset/dataset_format.h"
#include "dataset/manifest_codec.h"
#include "dataset/transaction.h"

namespace ixray::dataset {

namespace {

std::string VersionsDir(const std::string& uri) { return JoinPath(uri, kVersionsDir); }

std::string ManifestPath(const std::string& uri, uint64_t version) {
  return JoinPath(VersionsDir(uri), ManifestFileName(version));
}

void SleepBeforeRetry(int attempt, const CommitOptions& options) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  const int shift = std::min(attempt - 1, 30);
  const int64_t ceiling = std::min(options.initial_backoff_us << shift, options.max_backoff_us);
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  std::this_thread::sleep_for(std::chrono::microseconds(
      static_cast<int64_t>(static_cast<double>(ceiling) * jitter(generator))));
}

// Best effort: the files may not exist, and the failure that stopped the
// commit may stop this too; the caller reports the first error.
void DeleteNewFiles(FileSystem& fs, const std::string& uri, const TransactionFiles& files) {
  for (const std::string& file : files.files) (void)fs.DeleteFile(JoinPath(uri, file));
  for (const std::string& dir : files.dirs) (void)fs.DeleteDirRecursive(JoinPath(uri, dir));
}

// Writes `bytes` to a temporary name next to `final_path` and publishes it.
// Returns whether the publish happened with the status: false + error means
// nothing is visible (and the temporary is gone).
std::pair<bool, Status> PublishManifest(FileSystem& fs, const std::string& final_path,
                                        const std::string& bytes) {
  const std::string tmp_path = fmt::format("{}{}{}", final_path, kTempMarker, NewUuid());
  Status status = [&]() -> Status {
    IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<WritableFile> file, fs.OpenForWrite(tmp_path));
    IXRAY_RETURN_NOT_OK(file->Append(bytes));
    IXRAY_RETURN_NOT_OK(file->Sync());
    return file->Close();
  }();
  if (status.ok()) status = fs.PublishNoReplace(tmp_path, final_path);
  if (!status.ok()) {
    (void)fs.DeleteFile(tmp_path);
    return {false, status};
  }
  return {true, fs.SyncDir(ParentDir(final_path))};
}

// The manifests of the versions a commit has to look at, read once each.
class ManifestCache {
 public:
  ManifestCache(FileSystem& fs, const std::string& uri) : fs_(fs), uri_(uri) {}

  Result<ManifestPtr> Get(uint64_t version) {
    auto it = cache_.find(version);
    if (it != cache_.end()) return it->second;
    IXRAY_ASSIGN_OR_RAISE(ManifestPtr manifest, ReadManifest(fs_, uri_, version));
    cache_.emplace(version, manifest);
    return manifest;
  }

 private:
  FileSystem& fs_;
  const std::string& uri_;
  std::map<uint64_t, ManifestPtr> cache_;
};

// One attempt's outcome: a manifest, an error to return, or (neither) a
// lost race to retry.
struct Attempt {
  ManifestPtr manifest;
  Status error;
  bool published = false;
};

}  // namespace

Result<std::vector<uint64_t>> ListVersions(FileSystem& fs, const std::string& uri) {
  auto entries = fs.ListDir(VersionsDir(uri));
  if (!entries.ok()) {
    if (entries.status().code() == StatusCode::kNotFound) return std::vector<uint64_t>{};
    return entries.status();
  }
  std::vector<uint64_t> versions;
  for (const FileInfo& entry : *entries) {
    if (entry.is_dir) continue;
    const std::string_view name = std::string_view(entry.path).substr(entry.path.rfind('/') + 1);
    if (name.find(kTempMarker) != std::string_view::npos) continue;
    if (auto version = ParseManifestFileName(name); version && *version > 0) {
      versions.push_back(*version);
    }
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

Result<uint64_t> LatestVersion(FileSystem& fs, const std::string& uri) {
  IXRAY_ASSIGN_OR_RAISE(std::vector<uint64_t> versions, ListVersions(fs, uri));
  return versions.empty() ? uint64_t{0} : versions.back();
}

Result<ManifestPtr> ReadManifest(FileSystem& fs, const std::string& uri, uint64_t version) {
  const std::string path = ManifestPath(uri, version);
  const std::string what = fmt::format("manifest '{}'", path);
  auto file = fs.OpenForRead(path);
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(fmt::format("dataset '{}' has no version {}", uri, version));
    }
    return file.status();
  }
  IXRAY_ASSIGN_OR_RAISE(int64_t size, (*file)->Size());
  if (static_cast<uint64_t>(size) > kMaxFramedPayload + kFrameOverhead) {
    return Status::Corruption(fmt::format("{}: implausible size {}", what, size));
  }
  IXRAY_ASSIGN_OR_RAISE(BufferPtr bytes, (*file)->ReadAt(0, size));
  IXRAY_ASSIGN_OR_RAISE(ManifestPtr manifest, DecodeManifestFile(bytes->view(), what));
  if (manifest->version != version) {
    return Status::Corruption(
        fmt::format("{}: records version {}, expected {}", what, manifest->version, version));
  }
  return manifest;
}

Result<ManifestPtr> CommitTransaction(FileSystem& fs, const std::string& uri,
                                      const Transaction& transaction,
                                      const CommitOptions& options) {
  ManifestCache manifests(fs, uri);
  // Versions in (read_version, checked] are known compatible with ours.
  uint64_t checked = transaction.read_version;

  auto attempt_once = [&]() -> Attempt {
    auto latest = LatestVersion(fs, uri);
    if (!latest.ok()) return {nullptr, latest.status()};
    if (*latest < transaction.read_version) {
      return {nullptr, Status::Conflict(fmt::format(
                           "version {} that the transaction read no longer exists (latest: {})",
                           transaction.read_version, *latest))};
    }
    for (uint64_t v = checked + 1; v <= *latest; ++v) {
      auto theirs = manifests.Get(v);
      if (!theirs.ok()) return {nullptr, theirs.status()};
      Status compatible = CheckConflict(transaction, (*theirs)->transaction, v);
      if (!compatible.ok()) return {nullptr, compatible};
      checked = v;
    }
    ManifestPtr base;
    if (*latest > 0) {
      auto read = manifests.Get(*latest);
      if (!read.ok()) return {nullptr, read.status()};
      base = *read;
    } else {
      // The first version: its directory (and the dataset's) must exist
      // durably before anything is published into it.
      Status made = fs.CreateDir(VersionsDir(uri));
      if (made.ok()) made = fs.SyncDir(uri);
      if (!made.ok()) return {nullptr, made};
    }
    auto next = ApplyTransaction(base.get(), transaction);
    if (!next.ok()) return {nullptr, next.status()};
    const std::string bytes = EncodeManifestFile(**next);
    auto [published, status] = PublishManifest(fs, ManifestPath(uri, (*next)->version), bytes);
    if (published) return {*next, status, true};
    if (status.code() == StatusCode::kAlreadyExists) return {};  // lost the race
    return {nullptr, status};
  };

  Status failure;
  for (int attempt = 0; attempt <= options.max_retries; ++attempt) {
    if (attempt > 0) SleepBeforeRetry(attempt, options);
    Attempt result = attempt_once();
    if (result.published) {
      if (!result.error.ok()) {
        return result.error.WithContext(
            fmt::format("version {} was published but not synced", result.manifest->version));
      }
      return result.manifest;
    }
    if (!result.error.ok()) {
      failure = result.error;
      break;
    }
  }
  if (failure.ok()) {
    failure = Status::Conflict(
        fmt::format("gave up committing {} to '{}' after {} attempts lost to concurrent writers",
                    OperationName(transaction), uri, options.max_retries + 1));
  }
  const Manifest* read = nullptr;
  ManifestPtr read_manifest;
  if (transaction.read_version > 0) {
    auto m = manifests.Get(transaction.read_version);
    if (m.ok()) read_manifest = *m;
    read = read_manifest.get();
  }
  // A transaction reading nothing (a create) owns all its files; one that
  // read a version we cannot load keeps index directories, to be safe.
  if (read != nullptr || transaction.read_version == 0 ||
      !std::holds_alternative<CreateIndexOperation>(transaction.operation)) {
    DeleteNewFiles(fs, uri, NewFilesOf(transaction, read));
  }
  return failure;
}

}  // namespace ixray::dataset
