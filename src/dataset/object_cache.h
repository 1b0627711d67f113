// ObjectCache: immutable objects derived from a dataset's files (opened
// index segments, loaded models), keyed by name and shared by the snapshots
// of one dataset. Files never change once written, so entries never go stale.
//
// Thread safety: thread-safe. Two threads asking for a missing key at once
// may both build it; the first one stored wins and both get it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ixray/status.h"

namespace ixray::dataset {

class ObjectCache {
 public:
  // The object under `key`, made by `make` if absent.
  // REQUIRES: every caller uses the same T for a given key.
  template <typename T>
  Result<std::shared_ptr<T>> GetOrCreate(const std::string& key,
                                         const std::function<Result<std::shared_ptr<T>>()>& make) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = objects_.find(key);
      if (it != objects_.end()) return std::static_pointer_cast<T>(it->second);
    }
    IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<T> made, make());
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, inserted] = objects_.emplace(key, made);
    return std::static_pointer_cast<T>(it->second);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<void>> objects_;  // GUARDED_BY(mutex_)
};

}  // namespace ixray::dataset
