// TermTable: a hash set of byte strings numbered 0, 1, 2... in insertion
// order, built for index construction: strings live in one arena and the
// table is open-addressed (linear probing, hashes kept), so a lookup costs
// one hash and usually one cache miss, and no allocation per string.
//
// Thread safety: single-threaded.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ixray::scalar::inverted {

class TermTable {
 public:
  TermTable() { slots_.assign(64, kEmpty); }

  size_t size() const { return hashes_.size(); }
  // REQUIRES: id < size().
  std::string_view term(uint32_t id) const {
    return std::string_view(arena_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
  }

  // The id of `term`, adding it (as id size()) if it is new.
  uint32_t Insert(std::string_view term) {
    const uint64_t hash = XXH3_64bits(term.data(), term.size());
    const size_t mask = slots_.size() - 1;
    for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      const uint32_t id = slots_[slot];
      if (id == kEmpty) break;
      if (hashes_[id] == hash && this->term(id) == term) return id;
    }
    const uint32_t id = static_cast<uint32_t>(hashes_.size());
    hashes_.push_back(hash);
    arena_.append(term);
    offsets_.push_back(arena_.size());
    if (hashes_.size() * 2 > slots_.size()) {
      Rehash(slots_.size() * 2);
    } else {
      Place(id);
    }
    return id;
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;

  void Place(uint32_t id) {
    const size_t mask = slots_.size() - 1;
    size_t slot = hashes_[id] & mask;
    while (slots_[slot] != kEmpty) slot = (slot + 1) & mask;
    slots_[slot] = id;
  }
  void Rehash(size_t capacity) {
    slots_.assign(capacity, kEmpty);
    for (uint32_t id = 0; id < hashes_.size(); ++id) Place(id);
  }

  std::string arena_;
  std::vector<uint64_t> offsets_ = {0};  // term i is arena_[offsets_[i], offsets_[i + 1])
  std::vector<uint64_t> hashes_;         // by id
  std::vector<uint32_t> slots_;          // ids, kEmpty for a free slot; power-of-two size
};

}  // namespace ixray::scalar::inverted
