// The in-memory FileSystem backend, for tests and scratch work.
//
// The tree is a sorted map from normalized path ("a/b/c", root = "") to an
// entry: a directory, or a file whose bytes live in a shared FileData so
// that open handles keep working after the name is deleted or moved, as
// POSIX descriptors do. One mutex guards the map and every FileData; the
// handles share it with the file system.

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <string>

#include "ixray/file_system.h"

namespace ixray {

namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct FileData {
  std::string bytes;
  int64_t mtime_ns = 0;
};

struct Entry {
  bool is_dir = false;
  int64_t mtime_ns = 0;            // directories only
  std::shared_ptr<FileData> file;  // files only
};

// Everything a MemoryFileSystem and its open files share.
struct Tree {
  std::mutex mutex;
  std::map<std::string, Entry> entries;  // GUARDED_BY(mutex); the root is implicit
};

// "a//b/./c/" -> "a/b/c"; "" and "/" -> "" (the root).
Result<std::string> Normalize(std::string_view path) {
  std::string normalized;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      return Status::InvalidArgument("path '" + std::string(path) + "': '..' is not supported");
    }
    if (!part.empty() && part != ".") {
      if (!normalized.empty()) normalized.push_back('/');
      normalized.append(part);
    }
    start = end + 1;
  }
  return normalized;
}

std::string_view Parent(std::string_view normalized) {
  const size_t slash = normalized.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : normalized.substr(0, slash);
}

class MemoryRandomAccessFile final : public RandomAccessFile {
 public:
  MemoryRandomAccessFile(std::string path, std::shared_ptr<Tree> tree,
                         std::shared_ptr<FileData> data)
      : RandomAccessFile(std::move(path)), tree_(std::move(tree)), data_(std::move(data)) {}

  Result<int64_t> Size() const override {
    std::lock_guard lock(tree_->mutex);
    return static_cast<int64_t>(data_->bytes.size());
  }

  Result<BufferPtr> ReadAt(int64_t offset, int64_t length) const override {
    if (offset < 0 || length < 0 || offset > std::numeric_limits<int64_t>::max() - length) {
      return Status::InvalidArgument("ReadAt '" + path() + "': bad range offset=" +
                                     std::to_string(offset) + " length=" + std::to_string(length));
    }
    std::lock_guard lock(tree_->mutex);
    const int64_t size = static_cast<int64_t>(data_->bytes.size());
    if (offset + length > size) {
      return Status::IOError("read past end of file '" + path() + "': bytes [" +
                             std::to_string(offset) + ", " + std::to_string(offset + length) +
                             ") requested, file has " + std::to_string(size) + " bytes");
    }
    return Buffer::CopyFrom(data_->bytes.data() + offset, length);
  }

 private:
  std::shared_ptr<Tree> tree_;
  std::shared_ptr<FileData> data_;
};

class MemoryWritableFile final : public WritableFile {
 public:
  MemoryWritableFile(std::string path, std::shared_ptr<Tree> tree, std::shared_ptr<FileData> data)
      : WritableFile(std::move(path)), tree_(std::move(tree)), data_(std::move(data)) {}

  Status Sync() override { return CheckOpen("Sync"); }

  Status Close() override {
    data_ = nullptr;
    return Status::OK();
  }

  Result<int64_t> Tell() const override {
    IXRAY_RETURN_NOT_OK(CheckOpen("Tell"));
    std::lock_guard lock(tree_->mutex);
    return static_cast<int64_t>(data_->bytes.size());
  }

 protected:
  Status DoAppend(std::span<const uint8_t> data) override {
    IXRAY_RETURN_NOT_OK(CheckOpen("Append"));
    std::lock_guard lock(tree_->mutex);
    data_->bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
    data_->mtime_ns = NowNanos();
    return Status::OK();
  }

 private:
  Status CheckOpen(std::string_view op) const {
    if (data_ != nullptr) return Status::OK();
    return Status::InvalidArgument(std::string(op) + " '" + path() + "': file is closed");
  }

  std::shared_ptr<Tree> tree_;
  std::shared_ptr<FileData> data_;  // null once closed
};

class MemoryFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    IXRAY_ASSIGN_OR_RAISE(std::string key, Normalize(path));
    if (key.empty()) return Status::IOError("open for read '" + path + "': is a directory");
    std::lock_guard lock(tree_->mutex);
    IXRAY_ASSIGN_OR_RAISE(const Entry* entry, Find(key, "open for read", path));
    if (entry->is_dir) return Status::IOError("open for read '" + path + "': is a directory");
    return std::unique_ptr<RandomAccessFile>(
        std::make_unique<MemoryRandomAccessFile>(path, tree_, entry->file));
  }

  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override {
    IXRAY_ASSIGN_OR_RAISE(std::string key, Normalize(path));
    if (key.empty()) return Status::IOError("open for write '" + path + "': is a directory");
    std::lock_guard lock(tree_->mutex);
    IXRAY_RETURN_NOT_OK(CreateDirLocked(Parent(key), path));
    Entry& entry = tree_->entries[key];
    if (entry.is_dir) return Status::IOError("open for write '" + path + "': is a directory");
    // Like O_TRUNC: the existing file (and handles open on it) is emptied.
    if (entry.file == nullptr) entry.file = std::make_shared<FileData>();
    entry.file->bytes.clear();
    entry.file->mtime_ns = NowNanos();
    return std::unique_ptr<WritableFile>(
        std::make_unique<MemoryWritableFile>(path, tree_, entry.file));
  }

  Result<FileInfo> Stat(const std::string& path) override {
    IXRAY_ASSIGN_OR_RAISE(std::string key, Normalize(path));
    std::lock_guard lock(tree_->mutex);
    if (key.empty()) return FileInfo{path, 0, true, 0};
    IXRAY_ASSIGN_OR_RAISE(const Entry* entry, Find(key, "stat", path));
    return Describe(path, *entry);
  }

  Result<bool> Exists(const std::string& path) override {
    IXRAY_ASSIGN_OR_RAISE(std::string key, Normalize(path));
    std::lock_guard lock(tree_->mutex);
    return key.empty() || tree_->entries.count(key) > 0;
  }

  Result<std::vector<FileInfo>> ListDir(const std::string& dir) override {
    IXRAY_ASSIGN_OR_RAISE(std::string key, Normalize(dir));
    std::lock_guard lock(tree_->mutex);
    IXRAY_RETURN_NOT_OK(CheckDirLocked(key, "list directory", dir));
    const std::string prefix = key.empty() ? "" : key + "/";
    std::vector<FileInfo> children;
    for (auto it = tree_->entries.lower_bound(prefix);
         it != tree_->entries.end() && it->first.starts_with(prefix); ++it) {
      const std::string_view name = std::string_view(it->first).substr(prefix.size());
      if (name.find('/') != std::string_view::npos) continue;  // a grandchild
      children.push_back(Describe(JoinPath(dir, name), it->second));
    }
    // Map order puts "a/x" between "a" and "a.b"; listing order is by name.
    std::sort(children.begin(), children.end(),
              [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return children;
  }

  Status CreateDir(const std::string& path) override {
    IXRAY_ASSIGN_OR_RAISE(std::string key, Normalize(path));
    std::lock_guard lock(tree_->mutex);
    return CreateDirLocked(key, path);
  }

  Status DeleteFile(const std::string& path) override {
    IXRAY_ASSIGN_OR_RAISE(std::string key, Normalize(path));
    std::lock_guard lock(tree_->mutex);
    if (key.empty()) return Status::IOError("delete file '" + path + "': is a directory");
    IXRAY_ASSIGN_OR_RAISE(const Entry* entry, Find(key, "delete file", path));
    if (entry->is_dir) return Status::IOError("delete file '" + path + "': is a directory");
    tree_->entries.erase(key);
    return Status::OK();
  }

  Status DeleteDirRecursive(const std::string& path) override {
    IXRAY_ASSIGN_OR_RAISE(std::string key, Normalize(path));
    if (key.empty()) return Status::InvalidArgument("refusing to delete the root directory");
    std::lock_guard lock(tree_->mutex);
    IXRAY_RETURN_NOT_OK(CheckDirLocked(key, "delete directory", path));
    const std::string prefix = key + "/";
    auto it = tree_->entries.lower_bound(prefix);
    while (it != tree_->entries.end() && it->first.starts_with(prefix)) {
      it = tree_->entries.erase(it);
    }
    tree_->entries.erase(key);
    return Status::OK();
  }

  Status SyncDir(const std::string& path) override {
    IXRAY_ASSIGN_OR_RAISE(std::string key, Normalize(path));
    std::lock_guard lock(tree_->mutex);
    return CheckDirLocked(key, "sync directory", path);
  }

  Status PublishNoReplace(const std::string& tmp_path, const std::string& final_path) override {
    IXRAY_ASSIGN_OR_RAISE(std::string tmp_key, Normalize(tmp_path));
    IXRAY_ASSIGN_OR_RAISE(std::string final_key, Normalize(final_path));
    std::lock_guard lock(tree_->mutex);
    IXRAY_ASSIGN_OR_RAISE(const Entry* tmp, Find(tmp_key, "publish", tmp_path));
    if (tmp->is_dir) return Status::IOError("publish '" + tmp_path + "': is a directory");
    if (final_key.empty() || tree_->entries.count(final_key) > 0) {
      return Status::AlreadyExists("publish: '" + final_path + "' already exists");
    }
    IXRAY_RETURN_NOT_OK(CheckDirLocked(std::string(Parent(final_key)), "publish to", final_path));
    tree_->entries[final_key] = *tmp;
    tree_->entries.erase(tmp_key);
    return Status::OK();
  }

 private:
  // REQUIRES: tree_->mutex held, `key` normalized and not the root.
  Result<const Entry*> Find(const std::string& key, std::string_view op,
                            const std::string& path) const {
    auto it = tree_->entries.find(key);
    if (it == tree_->entries.end()) {
      return Status::NotFound(std::string(op) + " '" + path + "': no such file or directory");
    }
    return &it->second;
  }

  // OK if `key` is a directory. REQUIRES: tree_->mutex held.
  Status CheckDirLocked(const std::string& key, std::string_view op,
                        const std::string& path) const {
    if (key.empty()) return Status::OK();
    IXRAY_ASSIGN_OR_RAISE(const Entry* entry, Find(key, op, path));
    if (!entry->is_dir)
      return Status::IOError(std::string(op) + " '" + path + "': not a directory");
    return Status::OK();
  }

  // Creates `key` and its missing parents. REQUIRES: tree_->mutex held.
  Status CreateDirLocked(std::string_view key, const std::string& path) {
    // Check every level first so that a failure creates nothing.
    for (std::string_view level = key; !level.empty(); level = Parent(level)) {
      auto it = tree_->entries.find(std::string(level));
      if (it == tree_->entries.end()) continue;
      if (it->second.is_dir) break;
      return Status::IOError("create directory '" + path + "': '" + std::string(level) +
                             "' exists and is not a directory");
    }
    const int64_t now = NowNanos();
    for (std::string_view level = key; !level.empty(); level = Parent(level)) {
      auto [it, inserted] = tree_->entries.try_emplace(std::string(level));
      if (!inserted) break;
      it->second.is_dir = true;
      it->second.mtime_ns = now;
    }
    return Status::OK();
  }

  static FileInfo Describe(std::string path, const Entry& entry) {
    if (entry.is_dir) return FileInfo{std::move(path), 0, true, entry.mtime_ns};
    return FileInfo{std::move(path), static_cast<int64_t>(entry.file->bytes.size()), false,
                    entry.file->mtime_ns};
  }

  std::shared_ptr<Tree> tree_ = std::make_shared<Tree>();
};

}  // namespace

std::shared_ptr<FileSystem> MakeMemoryFileSystem() { return std::make_shared<MemoryFileSystem>(); }

}  // namespace ixray
