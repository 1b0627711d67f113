// UnitRunner: where a coordinator's work units run. The coordinator
// (coordinator.h) plans and merges; a runner only executes units and hands
// back their answers, in order. LocalRunner runs them on an Executor's
// threads in this process; the Python layer supplies a runner that ships
// them to Ray tasks (python/src/distributed_bindings.cc). Both call
// ExecuteWorkUnit, so both give the same results.
//
// Thread safety: a runner is used by one coordinator call at a time.
#pragma once

#include <string>
#include <vector>

#include "distributed/worker.h"
#include "ixray/executor.h"
#include "ixray/status.h"

namespace ixray::distributed {

class UnitRunner {
 public:
  virtual ~UnitRunner() = default;
  // Runs every unit of one step with the step's `shared` bytes and returns
  // their answers in the units' order. `step` is "train", "build" or
  // "search" (engines may treat them differently, e.g. retries). Fails if
  // any unit finally fails (after whatever retries the engine makes).
  virtual Result<std::vector<std::string>> Run(const std::string& step,
                                               const std::vector<std::string>& units,
                                               const std::string& shared) = 0;
};

// Runs units concurrently on `executor` (each unit's own parallel loops run
// inline on its thread), with `cache` as the workers' cache.
class LocalRunner final : public UnitRunner {
 public:
  LocalRunner(Executor& executor, WorkerCache& cache) : executor_(executor), cache_(cache) {}
  Result<std::vector<std::string>> Run(const std::string& step,
                                       const std::vector<std::string>& units,
                                       const std::string& shared) override;

 private:
  Executor& executor_;
  WorkerCache& cache_;
};

}  // namespace ixray::distributed
