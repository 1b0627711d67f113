#include "ixray/executor.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace ixray {

namespace {

// Marks threads that belong to a pool, so nested loops run inline.
thread_local const void* tls_current_pool = nullptr;

class SerialExecutorImpl final : public Executor {
 public:
  int parallelism() const override { return 1; }
  Status ParallelFor(int64_t n, const std::function<Status(int64_t)>& fn) override {
    for (int64_t i = 0; i < n; ++i) IXRAY_RETURN_NOT_OK(fn(i));
    return Status::OK();
  }
};

// One ParallelFor call: tasks are claimed with an atomic counter by the
// pool's threads and by the calling thread itself.
struct Loop {
  int64_t n;
  const std::function<Status(int64_t)>* fn;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::condition_variable finished;
  Status first_error;  // GUARDED_BY(mutex)

  // Runs tasks until none is left; returns when this thread can claim no more.
  void Work() {
    while (true) {
      const int64_t i = next.fetch_add(1);
      if (i >= n) return;
      if (!failed.load(std::memory_order_relaxed)) {
        Status st = (*fn)(i);
        if (!st.ok()) {
          std::lock_guard<std::mutex> lock(mutex);
          if (first_error.ok()) first_error = std::move(st);
          failed = true;
        }
      }
      if (done.fetch_add(1) + 1 == n) {
        std::lock_guard<std::mutex> lock(mutex);
        finished.notify_all();
      }
    }
  }
};

class ThreadPool final : public Executor {
 public:
  explicit ThreadPool(int threads) : threads_(threads) {
    for (int t = 0; t < threads_ - 1; ++t) workers_.emplace_back([this] { Run(); });
  }
  ~ThreadPool() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }

  int parallelism() const override { return threads_; }

  Status ParallelFor(int64_t n, const std::function<Status(int64_t)>& fn) override {
    if (n <= 0) return Status::OK();
    if (n == 1 || threads_ == 1 || tls_current_pool == this) {
      for (int64_t i = 0; i < n; ++i) IXRAY_RETURN_NOT_OK(fn(i));
      return Status::OK();
    }
    auto loop = std::make_shared<Loop>();
    loop->n = n;
    loop->fn = &fn;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      loops_.push_back(loop);
    }
    wake_.notify_all();
    const void* outer = tls_current_pool;
    tls_current_pool = this;
    loop->Work();  // the caller works too
    tls_current_pool = outer;
    {
      std::unique_lock<std::mutex> lock(loop->mutex);
      loop->finished.wait(lock, [&] { return loop->done.load() == n; });
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      std::erase(loops_, loop);
    }
    std::lock_guard<std::mutex> lock(loop->mutex);
    return loop->first_error;
  }

 private:
  void Run() {
    tls_current_pool = this;
    while (true) {
      std::shared_ptr<Loop> loop;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] {
          if (stopping_) return true;
          return std::any_of(loops_.begin(), loops_.end(),
                             [](const auto& l) { return l->next.load() < l->n; });
        });
        if (stopping_) return;
        for (const auto& l : loops_) {
          if (l->next.load() < l->n) {
            loop = l;
            break;
          }
        }
      }
      if (loop) loop->Work();
    }
  }

  const int threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Loop>> loops_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                    // GUARDED_BY(mutex_)
};

}  // namespace

std::shared_ptr<Executor> MakeThreadPoolExecutor(int threads) {
  if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());
  return std::make_shared<ThreadPool>(threads);
}

std::shared_ptr<Executor> SerialExecutor() {
  static const auto kSerial = std::make_shared<SerialExecutorImpl>();
  return kSerial;
}

Status ParallelForRange(Executor& executor, int64_t n, int64_t min_chunk,
                        const std::function<Status(int64_t, int64_t)>& fn) {
  if (n <= 0) return Status::OK();
  const int64_t target_chunks = static_cast<int64_t>(executor.parallelism()) * 4;
  const int64_t chunk =
      std::max<int64_t>(std::max<int64_t>(min_chunk, 1), (n + target_chunks - 1) / target_chunks);
  const int64_t chunks = (n + chunk - 1) / chunk;
  return executor.ParallelFor(chunks, [&](int64_t c) {
    const int64_t begin = c * chunk;
    return fn(begin, std::min(n, begin + chunk));
  });
}

}  // namespace ixray
