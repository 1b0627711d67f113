#include "format/page_cache.h"

#include <algorithm>

namespace ixray::format {

ArrayPtr PageCache::Get(uint64_t reader_id, int column, size_t page_index) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(MakeKey(reader_id, column, page_index));
  if (it == index_.end()) return nullptr;
  Slot& slot = slots_[it->second];
  slot.referenced = true;
  return slot.page;
}

void PageCache::Put(uint64_t reader_id, int column, size_t page_index, ArrayPtr page,
                    int64_t bytes) {
  const int64_t charge = std::max<int64_t>(bytes, 0) + kEntryOverhead;
  // One page must not flush the whole cache.
  if (charge > capacity_bytes_ / 4) return;
  const Key key = MakeKey(reader_id, column, page_index);
  std::lock_guard lock(mutex_);
  if (index_.count(key) != 0) return;  // another thread read it meanwhile
  while (size_bytes_ + charge > capacity_bytes_) EvictOne();
  size_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = slots_.size();
    slots_.emplace_back();
  }
  slots_[slot] = Slot{key, std::move(page), charge, false};
  index_.emplace(key, slot);
  size_bytes_ += charge;
}

void PageCache::EvictOne() {
  // Terminates: some slot holds a page, and one sweep clears every bit.
  while (true) {
    if (hand_ >= slots_.size()) hand_ = 0;
    const size_t at = hand_++;
    Slot& slot = slots_[at];
    if (slot.page == nullptr) continue;
    if (slot.referenced) {
      slot.referenced = false;
      continue;
    }
    size_bytes_ -= slot.charge;
    index_.erase(slot.key);
    slot.page.reset();
    free_slots_.push_back(at);
    return;
  }
}

int64_t PageCache::size_bytes() const {
  std::lock_guard lock(mutex_);
  return size_bytes_;
}

}  // namespace ixray::format
