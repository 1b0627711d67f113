// The POSIX FileSystem backend.
//
// Reads are pread(2) of just the requested range; writes are write(2) loops
// with fsync(2) on Sync. PublishNoReplace uses link(2), which fails with
// EEXIST instead of replacing, and falls back to renameat2(RENAME_NOREPLACE)
// on file systems without hard links. Nothing here keeps state between
// calls; instances are interchangeable.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <string>
#include <system_error>

#include "ixray/file_system.h"

namespace ixray {

namespace {

// "<op> '<path>': <errno text>", as NotFound for ENOENT and IOError otherwise.
// ENOTDIR counts as NotFound: callers that can meet it because `path` itself
// is not a directory use NotDirectoryStatus instead.
Status ErrnoStatus(int err, std::string_view op, const std::string& path) {
  std::string message = std::string(op) + " '" + path +
                        "': " + std::error_code(err, std::generic_category()).message();
  if (err == ENOENT || err == ENOTDIR) return Status::NotFound(std::move(message));
  return Status::IOError(std::move(message));
}

// For ENOTDIR from an operation on directory `path`: IOError if `path`
// exists (as something other than a directory), else NotFound.
Status NotDirectoryStatus(std::string_view op, const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    return Status::IOError(std::string(op) + " '" + path + "': not a directory");
  }
  return ErrnoStatus(errno, op, path);
}

int64_t MtimeNanos(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

FileInfo MakeFileInfo(std::string path, const struct stat& st) {
  const bool is_dir = S_ISDIR(st.st_mode);
  return FileInfo{std::move(path), is_dir ? 0 : static_cast<int64_t>(st.st_size), is_dir,
                  MtimeNanos(st)};
}

// Retries a system call returning -1 with errno EINTR.
template <typename Call>
auto RetryOnEintr(Call call) {
  decltype(call()) result;
  do {
    result = call();
  } while (result == -1 && errno == EINTR);
  return result;
}

class LocalRandomAccessFile final : public RandomAccessFile {
 public:
  LocalRandomAccessFile(std::string path, int fd) : RandomAccessFile(std::move(path)), fd_(fd) {}
  ~LocalRandomAccessFile() override { ::close(fd_); }

  Result<int64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return ErrnoStatus(errno, "fstat", path());
    return static_cast<int64_t>(st.st_size);
  }

  Result<BufferPtr> ReadAt(int64_t offset, int64_t length) const override {
    if (offset < 0 || length < 0 || offset > std::numeric_limits<int64_t>::max() - length) {
      return Status::InvalidArgument("ReadAt '" + path() + "': bad range offset=" +
                                     std::to_string(offset) + " length=" + std::to_string(length));
    }
    BufferPtr buffer = Buffer::Allocate(length);
    uint8_t* out = buffer->mutable_data();
    int64_t done = 0;
    while (done < length) {
      // Linux transfers at most ~2 GiB per call; larger reads simply loop.
      const size_t want = static_cast<size_t>(std::min<int64_t>(length - done, 1 << 30));
      const ssize_t got =
          RetryOnEintr([&] { return ::pread(fd_, out + done, want, offset + done); });
      if (got < 0) return ErrnoStatus(errno, "pread", path());
      if (got == 0) return PastEndError(offset, length);
      done += got;
    }
    if (length == 0) {
      // pread of nothing says nothing about the offset; check it explicitly.
      IXRAY_ASSIGN_OR_RAISE(int64_t size, Size());
      if (offset > size) return PastEndError(offset, length);
    }
    return buffer;
  }

 private:
  Status PastEndError(int64_t offset, int64_t length) const {
    Result<int64_t> size = Size();
    return Status::IOError("read past end of file '" + path() + "': bytes [" +
                           std::to_string(offset) + ", " + std::to_string(offset + length) +
                           ") requested, file has " +
                           (size.ok() ? std::to_string(*size) : std::string("unknown")) + " bytes");
  }

  const int fd_;
};

class LocalWritableFile final : public WritableFile {
 public:
  LocalWritableFile(std::string path, int fd) : WritableFile(std::move(path)), fd_(fd) {}
  ~LocalWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Sync() override {
    IXRAY_RETURN_NOT_OK(CheckOpen("Sync"));
    if (RetryOnEintr([&] { return ::fsync(fd_); }) != 0) return ErrnoStatus(errno, "fsync", path());
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    // Never retry close(2): on Linux the descriptor is gone even on EINTR.
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return ErrnoStatus(errno, "close", path());
    return Status::OK();
  }

  Result<int64_t> Tell() const override {
    IXRAY_RETURN_NOT_OK(CheckOpen("Tell"));
    return position_;
  }

 protected:
  Status DoAppend(std::span<const uint8_t> data) override {
    IXRAY_RETURN_NOT_OK(CheckOpen("Append"));
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t wrote =
          RetryOnEintr([&] { return ::write(fd_, data.data() + done, data.size() - done); });
      if (wrote < 0) return ErrnoStatus(errno, "write", path());
      done += static_cast<size_t>(wrote);
      position_ += wrote;
    }
    return Status::OK();
  }

 private:
  Status CheckOpen(std::string_view op) const {
    if (fd_ >= 0) return Status::OK();
    return Status::InvalidArgument(std::string(op) + " '" + path() + "': file is closed");
  }

  int fd_;
  int64_t position_ = 0;
};

class LocalFileSystemImpl final : public FileSystem {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    const int fd = RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return ErrnoStatus(errno, "open for read", path);
    std::unique_ptr<RandomAccessFile> file = std::make_unique<LocalRandomAccessFile>(path, fd);
    struct stat st;
    if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "fstat", path);
    if (S_ISDIR(st.st_mode)) return Status::IOError("open for read '" + path + "': is a directory");
    return file;
  }

  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override {
    IXRAY_RETURN_NOT_OK(CreateDir(ParentDir(path)));
    const int fd = RetryOnEintr(
        [&] { return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644); });
    if (fd < 0) return ErrnoStatus(errno, "open for write", path);
    return std::unique_ptr<WritableFile>(std::make_unique<LocalWritableFile>(path, fd));
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", path);
    return MakeFileInfo(path, st);
  }

  Result<bool> Exists(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return ErrnoStatus(errno, "stat", path);
  }

  Result<std::vector<FileInfo>> ListDir(const std::string& dir) override {
    DIR* stream = ::opendir(dir.c_str());
    if (stream == nullptr) {
      if (errno == ENOTDIR) return NotDirectoryStatus("list directory", dir);
      return ErrnoStatus(errno, "list directory", dir);
    }
    std::vector<FileInfo> children;
    Status status;
    while (true) {
      errno = 0;
      const struct dirent* entry = ::readdir(stream);
      if (entry == nullptr) {
        if (errno != 0) status = ErrnoStatus(errno, "readdir", dir);
        break;
      }
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      struct stat st;
      // Describe what a link points to; a dangling link describes itself.
      if (::fstatat(::dirfd(stream), entry->d_name, &st, 0) != 0 &&
          ::fstatat(::dirfd(stream), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // deleted while we listed
        status = ErrnoStatus(errno, "stat", JoinPath(dir, name));
        break;
      }
      children.push_back(MakeFileInfo(JoinPath(dir, name), st));
    }
    ::closedir(stream);
    IXRAY_RETURN_NOT_OK(status);
    std::sort(children.begin(), children.end(),
              [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return children;
  }

  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) == 0) return Status::OK();
    if (errno == ENOENT) {
      // A parent is missing: create it, then retry this level.
      const std::string parent = ParentDir(path);
      if (parent == path) return ErrnoStatus(ENOENT, "create directory", path);
      IXRAY_RETURN_NOT_OK(CreateDir(parent));
      if (::mkdir(path.c_str(), 0755) == 0) return Status::OK();
    }
    if (errno == ENOTDIR) {
      return Status::IOError("create directory '" + path + "': a parent is not a directory");
    }
    if (errno != EEXIST) return ErrnoStatus(errno, "create directory", path);
    // Something exists already (perhaps made by a concurrent caller).
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", path);
    if (!S_ISDIR(st.st_mode)) {
      return Status::IOError("create directory '" + path + "': exists and is not a directory");
    }
    return Status::OK();
  }

  Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus(errno, "delete file", path);
    return Status::OK();
  }

  Status DeleteDirRecursive(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "delete directory", path);
    if (!S_ISDIR(st.st_mode)) {
      return Status::IOError("delete directory '" + path + "': not a directory");
    }
    return DeleteTree(path);
  }

  Status SyncDir(const std::string& path) override {
    const int fd =
        RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) {
      if (errno == ENOTDIR) return NotDirectoryStatus("sync directory", path);
      return ErrnoStatus(errno, "sync directory", path);
    }
    const int rc = RetryOnEintr([&] { return ::fsync(fd); });
    const int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus(err, "fsync directory", path);
    return Status::OK();
  }

  Status PublishNoReplace(const std::string& tmp_path, const std::string& final_path) override {
    if (::link(tmp_path.c_str(), final_path.c_str()) == 0) {
      // The file is visible; a leftover temporary name is only clutter.
      (void)::unlink(tmp_path.c_str());
      return Status::OK();
    }
    const int link_errno = errno;
    if (link_errno == EEXIST) return AlreadyExistsError(final_path);
    // Hard links unsupported here (or tmp_path is a directory, also EPERM).
    const bool no_hard_links = link_errno == EPERM || link_errno == ENOTSUP ||
                               link_errno == EOPNOTSUPP || link_errno == ENOSYS ||
                               link_errno == EMLINK || link_errno == EXDEV;
    if (!no_hard_links) return ErrnoStatus(link_errno, "publish (link) to " + final_path, tmp_path);
    struct stat st;
    if (::lstat(tmp_path.c_str(), &st) != 0) return ErrnoStatus(errno, "publish", tmp_path);
    if (S_ISDIR(st.st_mode)) return Status::IOError("publish '" + tmp_path + "': is a directory");
    if (::renameat2(AT_FDCWD, tmp_path.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) ==
        0) {
      return Status::OK();
    }
    const int rename_errno = errno;
    if (rename_errno == EEXIST) return AlreadyExistsError(final_path);
    if (rename_errno == EINVAL || rename_errno == ENOSYS) {
      return Status::NotImplemented("publish '" + tmp_path + "' to '" + final_path +
                                    "': the file system supports neither hard links nor "
                                    "RENAME_NOREPLACE, so it cannot publish without overwriting");
    }
    return ErrnoStatus(rename_errno, "publish (renameat2) to " + final_path, tmp_path);
  }

 private:
  static Status AlreadyExistsError(const std::string& final_path) {
    return Status::AlreadyExists("publish: '" + final_path + "' already exists");
  }

  // REQUIRES: `dir` is a directory, not a link to one.
  static Status DeleteTree(const std::string& dir) {
    DIR* stream = ::opendir(dir.c_str());
    if (stream == nullptr) return ErrnoStatus(errno, "delete directory", dir);
    std::vector<std::pair<std::string, bool>> children;  // (path, is_dir)
    while (const struct dirent* entry = ::readdir(stream)) {
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      struct stat st;
      if (::fstatat(::dirfd(stream), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      children.emplace_back(JoinPath(dir, name), S_ISDIR(st.st_mode));
    }
    ::closedir(stream);
    for (const auto& [child, is_dir] : children) {
      Status status = is_dir ? DeleteTree(child) : Status::OK();
      if (status.ok() && !is_dir && ::unlink(child.c_str()) != 0 && errno != ENOENT) {
        status = ErrnoStatus(errno, "delete file", child);
      }
      IXRAY_RETURN_NOT_OK(status);
    }
    if (::rmdir(dir.c_str()) != 0) return ErrnoStatus(errno, "delete directory", dir);
    return Status::OK();
  }
};

}  // namespace

std::shared_ptr<FileSystem> LocalFileSystem() { return std::make_shared<LocalFileSystemImpl>(); }

}  // namespace ixray
