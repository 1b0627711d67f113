// See fault_injection_file_system.h for the step and crash model.

#include "io/fault_injection_file_system.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

namespace ixray {

namespace {

// "a//b/./c/" -> "a/b/c", "/x/" -> "/x", "." -> "". A leading '/' is kept.
std::string PathKey(std::string_view path) {
  std::string key = !path.empty() && path.front() == '/' ? "/" : "";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (!part.empty() && part != ".") {
      if (!key.empty() && key.back() != '/') key.push_back('/');
      key.append(part);
    }
    start = end + 1;
  }
  return key;
}

// The key of the directory holding `key`: "a/b" -> "a", "/a" -> "/", "a" -> "".
std::string ParentKey(const std::string& key) {
  const size_t slash = key.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return key.size() > 1 ? "/" : "";
  return key.substr(0, slash);
}

bool IsUnder(const std::string& key, const std::string& dir_key) {
  if (key == dir_key) return true;
  const std::string prefix = dir_key.empty() || dir_key.back() == '/' ? dir_key : dir_key + "/";
  return key.starts_with(prefix) && !(dir_key.empty() && key.front() == '/');
}

}  // namespace

struct FaultInjectionFileSystem::State {
  // What the crash model needs to know about one file written through us.
  struct TrackedFile {
    int64_t synced_size = 0;  // GUARDED_BY(State::mutex)
  };

  mutable std::mutex mutex;
  int64_t steps = 0;    // GUARDED_BY(mutex)
  int64_t fail_at = 0;  // GUARDED_BY(mutex); 0 = disarmed
  int64_t epoch = 0;    // GUARDED_BY(mutex); bumped by every crash
  // Files written since the last crash, by path key.
  std::map<std::string, std::shared_ptr<TrackedFile>> written;  // GUARDED_BY(mutex)
  // Names created since the last crash and not yet covered by a SyncDir.
  std::set<std::string> pending_names;  // GUARDED_BY(mutex)

  // Counts one step; fails it if armed and due.
  Status Step(std::string_view op, const std::string& path) {
    std::lock_guard lock(mutex);
    const int64_t step = ++steps;
    if (fail_at == 0 || step < fail_at) return Status::OK();
    return Status::IOError("injected fault at step " + std::to_string(step) + " (" +
                           std::string(op) + " '" + path + "')");
  }
};

namespace {

using State = FaultInjectionFileSystem::State;
using TrackedFile = State::TrackedFile;

class FaultInjectionWritableFile final : public WritableFile {
 public:
  FaultInjectionWritableFile(std::unique_ptr<WritableFile> base, std::shared_ptr<State> state,
                             std::shared_ptr<TrackedFile> tracked, int64_t epoch)
      : WritableFile(base->path()),
        base_(std::move(base)),
        state_(std::move(state)),
        tracked_(std::move(tracked)),
        epoch_(epoch) {}

  Status Sync() override {
    IXRAY_RETURN_NOT_OK(CheckAlive());
    IXRAY_RETURN_NOT_OK(state_->Step("sync", path()));
    IXRAY_RETURN_NOT_OK(base_->Sync());
    IXRAY_ASSIGN_OR_RAISE(int64_t size, base_->Tell());
    std::lock_guard lock(state_->mutex);
    tracked_->synced_size = size;
    return Status::OK();
  }

  Status Close() override {
    IXRAY_RETURN_NOT_OK(CheckAlive());
    IXRAY_RETURN_NOT_OK(state_->Step("close", path()));
    return base_->Close();
  }

  Result<int64_t> Tell() const override {
    IXRAY_RETURN_NOT_OK(CheckAlive());
    return base_->Tell();
  }

 protected:
  Status DoAppend(std::span<const uint8_t> data) override {
    IXRAY_RETURN_NOT_OK(CheckAlive());
    IXRAY_RETURN_NOT_OK(state_->Step("append", path()));
    return base_->Append(data);
  }

 private:
  Status CheckAlive() const {
    std::lock_guard lock(state_->mutex);
    if (state_->epoch == epoch_) return Status::OK();
    return Status::IOError("'" + path() + "': file handle lost in a simulated crash");
  }

  std::unique_ptr<WritableFile> base_;
  std::shared_ptr<State> state_;
  std::shared_ptr<TrackedFile> tracked_;
  const int64_t epoch_;
};

// Truncates `path` to `size` bytes by rewriting its first `size` bytes.
Status TruncateFile(FileSystem& fs, const std::string& path, int64_t size) {
  std::string kept;
  {
    IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<RandomAccessFile> file, fs.OpenForRead(path));
    IXRAY_ASSIGN_OR_RAISE(int64_t current, file->Size());
    if (current <= size) return Status::OK();
    IXRAY_ASSIGN_OR_RAISE(BufferPtr bytes, file->ReadAt(0, size));
    kept.assign(bytes->view());
  }
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<WritableFile> file, fs.OpenForWrite(path));
  IXRAY_RETURN_NOT_OK(file->Append(kept));
  IXRAY_RETURN_NOT_OK(file->Sync());
  return file->Close();
}

}  // namespace

FaultInjectionFileSystem::FaultInjectionFileSystem(std::shared_ptr<FileSystem> base)
    : base_(std::move(base)), state_(std::make_shared<State>()) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

void FaultInjectionFileSystem::FailAtStep(int64_t n) {
  std::lock_guard lock(state_->mutex);
  state_->fail_at = std::max<int64_t>(n, 1);
}

void FaultInjectionFileSystem::Reset() {
  std::lock_guard lock(state_->mutex);
  state_->fail_at = 0;
  state_->steps = 0;
}

int64_t FaultInjectionFileSystem::steps() const {
  std::lock_guard lock(state_->mutex);
  return state_->steps;
}

Status FaultInjectionFileSystem::SimulateCrash() {
  std::lock_guard lock(state_->mutex);
  Status first_error;
  auto note = [&first_error](Status status) {
    if (!status.ok() && status.code() != StatusCode::kNotFound && first_error.ok()) {
      first_error = std::move(status);
    }
  };
  for (const std::string& name : state_->pending_names) {
    note(base_->DeleteFile(name));
    state_->written.erase(name);
  }
  for (const auto& [path, tracked] : state_->written) {
    note(TruncateFile(*base_, path, tracked->synced_size));
  }
  state_->pending_names.clear();
  state_->written.clear();
  ++state_->epoch;
  state_->fail_at = 0;
  state_->steps = 0;
  return first_error;
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionFileSystem::OpenForRead(
    const std::string& path) {
  return base_->OpenForRead(path);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::OpenForWrite(
    const std::string& path) {
  IXRAY_RETURN_NOT_OK(state_->Step("open for write", path));
  const bool existed = base_->Exists(path).ValueOr(false);
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<WritableFile> file, base_->OpenForWrite(path));
  auto tracked = std::make_shared<State::TrackedFile>();
  std::lock_guard lock(state_->mutex);
  const std::string key = PathKey(path);
  state_->written[key] = tracked;
  if (!existed) state_->pending_names.insert(key);
  return std::unique_ptr<WritableFile>(std::make_unique<FaultInjectionWritableFile>(
      std::move(file), state_, std::move(tracked), state_->epoch));
}

Result<FileInfo> FaultInjectionFileSystem::Stat(const std::string& path) {
  return base_->Stat(path);
}

Result<bool> FaultInjectionFileSystem::Exists(const std::string& path) {
  return base_->Exists(path);
}

Result<std::vector<FileInfo>> FaultInjectionFileSystem::ListDir(const std::string& dir) {
  return base_->ListDir(dir);
}

Status FaultInjectionFileSystem::CreateDir(const std::string& path) {
  IXRAY_RETURN_NOT_OK(state_->Step("create directory", path));
  return base_->CreateDir(path);
}

Status FaultInjectionFileSystem::DeleteFile(const std::string& path) {
  IXRAY_RETURN_NOT_OK(state_->Step("delete file", path));
  IXRAY_RETURN_NOT_OK(base_->DeleteFile(path));
  std::lock_guard lock(state_->mutex);
  const std::string key = PathKey(path);
  state_->written.erase(key);
  state_->pending_names.erase(key);
  return Status::OK();
}

Status FaultInjectionFileSystem::DeleteDirRecursive(const std::string& path) {
  IXRAY_RETURN_NOT_OK(state_->Step("delete directory", path));
  IXRAY_RETURN_NOT_OK(base_->DeleteDirRecursive(path));
  std::lock_guard lock(state_->mutex);
  const std::string dir_key = PathKey(path);
  std::erase_if(state_->written, [&](const auto& entry) { return IsUnder(entry.first, dir_key); });
  std::erase_if(state_->pending_names, [&](const auto& key) { return IsUnder(key, dir_key); });
  return Status::OK();
}

Status FaultInjectionFileSystem::SyncDir(const std::string& path) {
  IXRAY_RETURN_NOT_OK(state_->Step("sync directory", path));
  IXRAY_RETURN_NOT_OK(base_->SyncDir(path));
  std::lock_guard lock(state_->mutex);
  const std::string dir_key = PathKey(path);
  std::erase_if(state_->pending_names, [&](const auto& key) { return ParentKey(key) == dir_key; });
  return Status::OK();
}

Status FaultInjectionFileSystem::PublishNoReplace(const std::string& tmp_path,
                                                  const std::string& final_path) {
  IXRAY_RETURN_NOT_OK(state_->Step("publish", tmp_path + "' -> '" + final_path));
  IXRAY_RETURN_NOT_OK(base_->PublishNoReplace(tmp_path, final_path));
  std::lock_guard lock(state_->mutex);
  const std::string tmp_key = PathKey(tmp_path);
  const std::string final_key = PathKey(final_path);
  if (auto it = state_->written.find(tmp_key); it != state_->written.end()) {
    state_->written[final_key] = it->second;
    state_->written.erase(tmp_key);
  }
  state_->pending_names.erase(tmp_key);
  state_->pending_names.insert(final_key);
  return Status::OK();
}

}  // namespace ixray
