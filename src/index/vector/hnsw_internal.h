// Private helpers of hnsw.cc (search) and hnsw_build.cc: per-search scratch
// memory with an epoch-stamped visited set, a pool that reuses it across
// searches and insertions, and per-node spin locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "index/vector/hnsw.h"

namespace ixray::vector::internal {

// Memory one search (or one insertion) works in. The visited set is an
// array of epochs: a node is visited when its mark equals the current epoch,
// so starting a new search costs one increment instead of clearing n marks.
struct SearchScratch {
  std::vector<uint16_t> marks;  // [n]
  uint16_t epoch = 0;
  std::vector<Neighbor> candidates;  // min-heap of nodes to expand
  std::vector<Neighbor> results;     // max-heap of the best nodes found
  std::vector<uint32_t> ids;         // [max degree] neighbors to evaluate
  std::vector<float> dists;          // [max degree] their distances
  std::vector<uint32_t> list;        // [max degree] a neighbor list copied under its lock

  // Forgets every visit; sizes the arrays for `n` nodes of degree <= `degree`.
  void StartVisit(size_t n, size_t degree) {
    if (marks.size() != n) {
      marks.assign(n, 0);
      epoch = 0;
    }
    if (++epoch == 0) {  // wrapped: old marks could collide, clear them
      std::fill(marks.begin(), marks.end(), 0);
      epoch = 1;
    }
    if (ids.size() < degree) {
      ids.resize(degree);
      dists.resize(degree);
      list.resize(degree);
    }
  }
  bool Visited(uint32_t node) const { return marks[node] == epoch; }
  void Visit(uint32_t node) { marks[node] = epoch; }
};

// Thread safety: Acquire/Release may be called from any thread.
class ScratchPool {
 public:
  std::unique_ptr<SearchScratch> Acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        auto scratch = std::move(free_.back());
        free_.pop_back();
        return scratch;
      }
    }
    return std::make_unique<SearchScratch>();
  }
  void Release(std::unique_ptr<SearchScratch> scratch) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(scratch));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<SearchScratch>> free_;  // GUARDED_BY(mutex_)
};

// Borrows a SearchScratch from a pool for one scope.
class ScratchLease {
 public:
  explicit ScratchLease(ScratchPool* pool) : pool_(pool), scratch_(pool->Acquire()) {}
  ~ScratchLease() { pool_->Release(std::move(scratch_)); }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  SearchScratch* get() { return scratch_.get(); }

 private:
  ScratchPool* pool_;
  std::unique_ptr<SearchScratch> scratch_;
};

// One spin lock per node, guarding the node's neighbor lists while a build
// runs. Holders copy or rewrite one list (or prune it, ~2m distances), so
// waits are short; a waiter yields after a while in case the holder was
// descheduled.
class NodeLocks {
 public:
  explicit NodeLocks(size_t n) : flags_(new std::atomic_flag[n]) {}  // all clear

  void Lock(uint32_t node) const {
    std::atomic_flag& flag = flags_[node];
    int spins = 0;
    while (flag.test_and_set(std::memory_order_acquire)) {
      while (flag.test(std::memory_order_relaxed)) {
        if (++spins > 64) std::this_thread::yield();
      }
    }
  }
  void Unlock(uint32_t node) const { flags_[node].clear(std::memory_order_release); }

 private:
  std::unique_ptr<std::atomic_flag[]> flags_;
};

class NodeLockGuard {
 public:
  NodeLockGuard(const NodeLocks& locks, uint32_t node) : locks_(locks), node_(node) {
    locks_.Lock(node_);
  }
  ~NodeLockGuard() { locks_.Unlock(node_); }
  NodeLockGuard(const NodeLockGuard&) = delete;
  NodeLockGuard& operator=(const NodeLockGuard&) = delete;

 private:
  const NodeLocks& locks_;
  uint32_t node_;
};

}  // namespace ixray::vector::internal
