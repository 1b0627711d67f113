// Executor: where ixray runs parallel work. The library starts no threads of
// its own: callers pass an Executor (a thread pool here, Ray tasks one level
// up in Python), and every parallel loop goes through it.
//
// Thread safety: ParallelFor may be called from several threads at once; a
// call from inside a task of the same executor runs that nested loop inline
// on the calling thread (no deadlock, no oversubscription).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "ixray/status.h"

namespace ixray {

class Executor {
 public:
  virtual ~Executor() = default;

  // The number of tasks that run at the same time.
  virtual int parallelism() const = 0;

  // Runs fn(i) for every i in [0, n), on up to parallelism() threads, and
  // waits for all of them. Returns the first error; once a task fails, tasks
  // not yet started are skipped.
  virtual Status ParallelFor(int64_t n, const std::function<Status(int64_t)>& fn) = 0;
};

// A pool of `threads` worker threads (0: one per hardware thread).
std::shared_ptr<Executor> MakeThreadPoolExecutor(int threads = 0);

// Runs everything on the calling thread.
std::shared_ptr<Executor> SerialExecutor();

// Splits [0, n) into about `parallelism * 4` contiguous chunks (at least
// `min_chunk` long) and runs fn(begin, end) for each through `executor`.
Status ParallelForRange(Executor& executor, int64_t n, int64_t min_chunk,
                        const std::function<Status(int64_t, int64_t)>& fn);

}  // namespace ixray
