// The worker side of the protocol: runs one work unit (work_unit.h) against
// the dataset version it names and returns the answer as bytes:
//   train share   -> vector::SerializeKMeansPartial bytes
//   build segment -> ExecuteUncommitted's segment metadata
//   search shard  -> EncodeSearchResult bytes
// The same function serves the local executor's threads and Ray tasks.
//
// WorkerCache keeps what a worker process reuses across units: opened
// datasets by (uri, version) (with their caches of opened index segments)
// and the rows of k-means sample shares, which every round reads again.
//
// Thread safety: WorkerCache is thread-safe; ExecuteWorkUnit is reentrant.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/dataset.h"
#include "ixray/executor.h"
#include "ixray/status.h"

namespace ixray::distributed {

class WorkerCache {
 public:
  explicit WorkerCache(size_t max_datasets = 16, size_t max_samples = 8)
      : max_datasets_(max_datasets), max_samples_(max_samples) {}

  // The dataset at `uri`, `version` (opened once, kept while recently used).
  Result<std::shared_ptr<Dataset>> Open(const std::string& uri, uint64_t version);

  // The cached value under `key`, made by `make` when absent.
  Result<std::shared_ptr<const std::vector<float>>> Rows(
      const std::string& key, const std::function<Result<std::vector<float>>()>& make);

  // The cache of this process (what Ray worker processes use).
  static WorkerCache& Default();

 private:
  template <typename T>
  struct Lru {
    std::list<std::pair<std::string, T>> entries;  // most recent first
  };
  std::mutex mutex_;
  size_t max_datasets_, max_samples_;
  Lru<std::shared_ptr<Dataset>> datasets_;                  // GUARDED_BY(mutex_)
  Lru<std::shared_ptr<const std::vector<float>>> samples_;  // GUARDED_BY(mutex_)
};

// Runs `unit` with the step's `shared` bytes (model or centroids; empty for
// search). InvalidArgument for malformed units or a model that does not
// match the unit's digest; otherwise the errors of the work itself.
Result<std::string> ExecuteWorkUnit(std::string_view unit, std::string_view shared,
                                    Executor& executor, WorkerCache& cache);

}  // namespace ixray::distributed
