#include "format/page_cache.h"

namespace ixray::format {

ArrayPtr PageCache::Get(uint64_t reader_id, int column, size_t page_index) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(MakeKey(reader_id, column, page_index));
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->page;
}

void PageCache::Put(uint64_t reader_id, int column, size_t page_index, ArrayPtr page,
                    int64_t bytes) {
  // One page must not flush the whole cache.
  if (bytes > capacity_bytes_ / 4) return;
  const Key key = MakeKey(reader_id, column, page_index);
  std::lock_guard lock(mutex_);
  if (index_.count(key) != 0) return;  // another thread read it meanwhile
  lru_.push_front(Entry{key, std::move(page), bytes});
  index_.emplace(key, lru_.begin());
  size_bytes_ += bytes;
  while (size_bytes_ > capacity_bytes_) {
    const Entry& victim = lru_.back();
    size_bytes_ -= victim.bytes;
    index_.erase(victim.key);
    lru_.pop_back();
  }
}

int64_t PageCache::size_bytes() const {
  std::lock_guard lock(mutex_);
  return size_bytes_;
}

}  // namespace ixray::format
