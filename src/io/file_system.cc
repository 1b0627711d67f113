// Backend-independent helpers declared in ixray/file_system.h.

#include "ixray/file_system.h"

#include <cstdio>
#include <random>

namespace ixray {

namespace {

// 16 random hex digits. Uniqueness, not secrecy, is what matters: two
// writers of the same path must never share a temporary file.
std::string RandomSuffix() {
  std::random_device device;
  const uint64_t value = (static_cast<uint64_t>(device()) << 32) ^ device();
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string joined(dir);
  if (joined.back() != '/') joined.push_back('/');
  joined.append(name);
  return joined;
}

std::string ParentDir(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Status WriteFileAtomicNoReplace(FileSystem& fs, const std::string& path,
                                std::string_view contents) {
  const std::string tmp_path = path + ".tmp-" + RandomSuffix();
  Status written = [&]() -> Status {
    IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<WritableFile> file, fs.OpenForWrite(tmp_path));
    IXRAY_RETURN_NOT_OK(file->Append(contents));
    IXRAY_RETURN_NOT_OK(file->Sync());
    return file->Close();
  }();
  if (written.ok()) written = fs.PublishNoReplace(tmp_path, path);
  if (!written.ok()) {
    // Best effort: the temporary may not exist, or the failure that stopped
    // us may stop this too. Either way the caller needs the first error.
    (void)fs.DeleteFile(tmp_path);
    return written;
  }
  return fs.SyncDir(ParentDir(path));
}

Result<std::string> ReadWholeFile(FileSystem& fs, const std::string& path) {
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<RandomAccessFile> file, fs.OpenForRead(path));
  IXRAY_ASSIGN_OR_RAISE(int64_t size, file->Size());
  IXRAY_ASSIGN_OR_RAISE(BufferPtr bytes, file->ReadAt(0, size));
  return std::string(bytes->view());
}

}  // namespace ixray
