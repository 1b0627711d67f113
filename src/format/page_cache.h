// PageCache: a bounded least-recently-used cache of decoded data file pages,
// for random access (DataFileReader::Take). A take of a few rows otherwise
// reads, checksums and decompresses a whole page (up to max_page_bytes) per
// row it touches; repeated takes over the same files (the result rows of
// nearest-neighbour queries, refine reads) hit the cache instead. Scans
// bypass it, so a full scan does not evict what random access keeps hot.
//
// Pages are immutable (data files never change once written), so entries
// never go stale. Each reader takes a fresh ReaderId, so readers of
// different files never collide. The cache charges each page its decoded
// body size; pages larger than a quarter of the capacity are not kept.
//
// Thread safety: thread-safe; shared by many readers and threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>

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

  // The cached page, or null.
  ArrayPtr Get(uint64_t reader_id, int column, size_t page_index);
  // Keeps `page` (charged `bytes`), evicting the least recently used pages
  // beyond the capacity.
  void Put(uint64_t reader_id, int column, size_t page_index, ArrayPtr page, int64_t bytes);

  int64_t capacity_bytes() const { return capacity_bytes_; }
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
      return static_cast<size_t>(k.reader_id * 0x9E3779B97F4A7C15ull ^ k.column_page);
    }
  };
  struct Entry {
    Key key;
    ArrayPtr page;
    int64_t bytes;
  };
  static Key MakeKey(uint64_t reader_id, int column, size_t page_index) {
    return Key{reader_id, static_cast<uint64_t>(column) << 32 | static_cast<uint64_t>(page_index)};
  }

  const int64_t capacity_bytes_;
  std::atomic<uint64_t> next_reader_id_{0};
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // GUARDED_BY(mutex_); most recently used first
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;  // GUARDED_BY(mutex_)
  int64_t size_bytes_ = 0;                                              // GUARDED_BY(mutex_)
};

}  // namespace ixray::format
