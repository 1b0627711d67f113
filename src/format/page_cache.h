// PageCache: a bounded cache of decoded data file pages,
// for random access (DataFileReader::Take). A take of a few rows otherwise
// reads, checksums and decompresses a whole page (up to max_page_bytes) per
// row it touches; repeated takes over the same files (the result rows of
// nearest-neighbour queries, refine reads) hit the cache instead. Scans
// bypass it, so a full scan does not evict what random access keeps hot.
//
// Pages are immutable (data files never change once written), so entries
// never go stale. Each reader takes a fresh ReaderId, so readers of
// different files never collide. The cache charges each page its decoded
// body size plus kEntryOverhead; pages charged more than a quarter of the
// capacity are not kept.
//
// Eviction is CLOCK (second chance): a hit only sets the page's referenced
// bit, so hits, the common case, touch no shared list; eviction sweeps the
// pages in a ring, sparing (and clearing) those referenced since the last
// sweep.
//
// Thread safety: thread-safe; shared by many readers and threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ixray/array.h"

namespace ixray::format {

class PageCache {
 public:
  // REQUIRES: capacity_bytes >= 0 (0 keeps nothing).
  explicit PageCache(int64_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  // A key prefix no other reader of this cache has.
  uint64_t NewReaderId() { return next_reader_id_.fetch_add(1, std::memory_order_relaxed); }

  // Bytes charged per page on top of its body, for the bookkeeping.
  static constexpr int64_t kEntryOverhead = 64;

  // The cached page, or null.
  ArrayPtr Get(uint64_t reader_id, int column, size_t page_index);
  // Keeps `page` (body of `bytes`), evicting pages until the cache is within
  // its capacity.
  void Put(uint64_t reader_id, int column, size_t page_index, ArrayPtr page, int64_t bytes);

  int64_t capacity_bytes() const { return capacity_bytes_; }
  // Bytes charged for the pages kept now.
  int64_t size_bytes() const;

 private:
  struct Key {
    uint64_t reader_id;
    uint64_t column_page;  // column << 32 | page index
    bool operator==(const Key& o) const {
      return reader_id == o.reader_id && column_page == o.column_page;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return static_cast<size_t>((k.reader_id * 0x9E3779B97F4A7C15ull) ^ k.column_page);
    }
  };
  struct Slot {
    Key key{};
    ArrayPtr page;  // null: a free slot
    int64_t charge = 0;
    bool referenced = false;
  };
  static Key MakeKey(uint64_t reader_id, int column, size_t page_index) {
    return Key{reader_id, static_cast<uint64_t>(column) << 32 | static_cast<uint64_t>(page_index)};
  }
  // Frees one slot. REQUIRES: the mutex is held, size_bytes_ > 0.
  void EvictOne();

  const int64_t capacity_bytes_;
  std::atomic<uint64_t> next_reader_id_{0};
  mutable std::mutex mutex_;
  std::vector<Slot> slots_;                         // GUARDED_BY(mutex_); the clock's ring
  std::vector<size_t> free_slots_;                  // GUARDED_BY(mutex_)
  size_t hand_ = 0;                                 // GUARDED_BY(mutex_)
  std::unordered_map<Key, size_t, KeyHash> index_;  // GUARDED_BY(mutex_); key -> slot
  int64_t size_bytes_ = 0;                          // GUARDED_BY(mutex_)
};

}  // namespace ixray::format
