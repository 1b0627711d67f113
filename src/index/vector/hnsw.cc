// HNSW distances, memory layout and search. Building is in hnsw_build.cc,
// the byte format in hnsw_serialize.cc.
#include "index/vector/hnsw.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>

#include "index/vector/hnsw_internal.h"
#include "index/vector/kernels/distance.h"

namespace ixray::vector {

// ---- Distances ---------------------------------------------------------------

QueryDistance::~QueryDistance() = default;

void QueryDistance::To(const uint32_t* nodes, size_t n, float* out) const {
  for (size_t i = 0; i < n; ++i) out[i] = To(nodes[i]);
}

GraphDistance::~GraphDistance() = default;

void GraphDistance::BetweenMany(uint32_t a, const uint32_t* nodes, size_t n, float* out) const {
  for (size_t i = 0; i < n; ++i) out[i] = Between(a, nodes[i]);
}

namespace {

// The distance from one node, through GraphDistance::Between.
class NodeQueryDistance final : public QueryDistance {
 public:
  NodeQueryDistance(const GraphDistance& graph, uint32_t node) : graph_(graph), node_(node) {}
  float To(uint32_t node) const override { return graph_.Between(node_, node); }
  void To(const uint32_t* nodes, size_t n, float* out) const override {
    graph_.BetweenMany(node_, nodes, n, out);
  }

 private:
  const GraphDistance& graph_;
  uint32_t node_;
};

// Brings the vector at `p` (`bytes` long) towards the cache.
inline void PrefetchVector(const float* p, size_t bytes) {
  const char* c = reinterpret_cast<const char*>(p);
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off);
}

// A float32 query (or a row of the matrix) against rows of the matrix.
class FlatQueryDistance final : public QueryDistance {
 public:
  FlatQueryDistance(const float* query, const float* data, size_t dim, FlatMetric metric,
                    float (*kernel)(const float*, const float*, size_t))
      : query_(query), data_(data), dim_(dim), dot_(metric == FlatMetric::kDot), kernel_(kernel) {}

  float To(uint32_t node) const override {
    const float d = kernel_(query_, data_ + static_cast<size_t>(node) * dim_, dim_);
    return dot_ ? 1.0f - d : d;
  }

  // Rows are scattered: prefetch the next row while computing this one.
  void To(const uint32_t* nodes, size_t n, float* out) const override {
    const size_t bytes = dim_ * sizeof(float);
    for (size_t i = 0; i < n && i < 2; ++i) PrefetchVector(Row(nodes[i]), bytes);
    for (size_t i = 0; i < n; ++i) {
      if (i + 2 < n) PrefetchVector(Row(nodes[i + 2]), bytes);
      const float d = kernel_(query_, Row(nodes[i]), dim_);
      out[i] = dot_ ? 1.0f - d : d;
    }
  }

 private:
  const float* Row(uint32_t node) const { return data_ + static_cast<size_t>(node) * dim_; }

  const float* query_;
  const float* data_;
  size_t dim_;
  bool dot_;
  float (*kernel_)(const float*, const float*, size_t);
};

}  // namespace

std::unique_ptr<QueryDistance> GraphDistance::FromNode(uint32_t a) const {
  return std::make_unique<NodeQueryDistance>(*this, a);
}

FlatDistance::FlatDistance(const float* data, size_t n, size_t dim, FlatMetric metric)
    : data_(data),
      n_(n),
      dim_(dim),
      metric_(metric),
      kernel_(metric == FlatMetric::kDot ? Kernels().dot_f32 : Kernels().l2_f32) {}

float FlatDistance::Between(uint32_t a, uint32_t b) const {
  const float d =
      kernel_(data_ + static_cast<size_t>(a) * dim_, data_ + static_cast<size_t>(b) * dim_, dim_);
  return metric_ == FlatMetric::kDot ? 1.0f - d : d;
}

void FlatDistance::BetweenMany(uint32_t a, const uint32_t* nodes, size_t n, float* out) const {
  FlatQueryDistance(data_ + static_cast<size_t>(a) * dim_, data_, dim_, metric_, kernel_)
      .To(nodes, n, out);
}

std::unique_ptr<QueryDistance> FlatDistance::FromNode(uint32_t a) const {
  return FromQuery(data_ + static_cast<size_t>(a) * dim_);
}

std::unique_ptr<QueryDistance> FlatDistance::FromQuery(const float* query) const {
  return std::make_unique<FlatQueryDistance>(query, data_, dim_, metric_, kernel_);
}

// ---- Layout ------------------------------------------------------------------

HnswGraph::HnswGraph() : scratch_(std::make_unique<internal::ScratchPool>()) {}
HnswGraph::HnswGraph(HnswGraph&& other) noexcept { *this = std::move(other); }

// Leaves `other` an empty graph (it keeps no scratch pool, which an empty
// graph never needs).
HnswGraph& HnswGraph::operator=(HnswGraph&& other) noexcept {
  if (this == &other) return *this;
  n_ = std::exchange(other.n_, 0);
  m_ = std::exchange(other.m_, 0);
  ef_construction_ = std::exchange(other.ef_construction_, 0);
  max_level_ = std::exchange(other.max_level_, -1);
  entry_point_ = std::exchange(other.entry_point_, 0);
  levels_ = std::move(other.levels_);
  level0_ = std::move(other.level0_);
  upper_offset_ = std::move(other.upper_offset_);
  upper_ = std::move(other.upper_);
  scratch_ = std::move(other.scratch_);
  other.levels_.clear();
  other.level0_.clear();
  other.upper_offset_.clear();
  other.upper_.clear();
  return *this;
}
HnswGraph::~HnswGraph() = default;

Status HnswGraph::Allocate(uint32_t m, std::vector<uint8_t> levels) {
  const size_t n = levels.size();
  uint64_t upper_size = 0;
  upper_offset_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    upper_offset_[i] = static_cast<uint32_t>(upper_size);
    upper_size += static_cast<uint64_t>(levels[i]) * (1 + m);
    if (upper_size > std::numeric_limits<uint32_t>::max()) {
      return Status::InvalidArgument("HNSW upper levels exceed 2^32 entries");
    }
  }
  n_ = static_cast<uint32_t>(n);
  m_ = m;
  levels_ = std::move(levels);
  level0_.assign(n * (1 + 2 * static_cast<size_t>(m)), 0);
  upper_.assign(upper_size, 0);
  return Status::OK();
}

std::span<const uint32_t> HnswGraph::Neighbors(uint32_t node, int level) const {
  const uint32_t* block = Block(node, level);
  return {block + 1, block[0]};
}

size_t HnswGraph::MemoryUsage() const {
  return levels_.size() + (level0_.size() + upper_offset_.size() + upper_.size()) * 4;
}

// ---- Search ------------------------------------------------------------------

namespace {

// Points *list at the neighbors of a block and returns their count; while
// building, copies them into `copy` under the node's lock first.
inline uint32_t ReadList(const uint32_t* block, uint32_t node, const internal::NodeLocks* locks,
                         uint32_t* copy, const uint32_t** list) {
  if (locks == nullptr) {
    *list = block + 1;
    return block[0];
  }
  internal::NodeLockGuard guard(*locks, node);
  const uint32_t count = block[0];
  std::copy(block + 1, block + 1 + count, copy);
  *list = copy;
  return count;
}

}  // namespace

void HnswGraph::Descend(const QueryDistance& query, int top, int bottom,
                        const internal::NodeLocks* locks, internal::SearchScratch* scratch,
                        uint32_t* node, float* dist) const {
  for (int level = top; level > bottom; --level) {
    bool moved = true;
    while (moved) {
      moved = false;
      const uint32_t* list;
      const uint32_t count =
          ReadList(Block(*node, level), *node, locks, scratch->list.data(), &list);
      query.To(list, count, scratch->dists.data());
      for (uint32_t i = 0; i < count; ++i) {
        if (scratch->dists[i] < *dist) {
          *dist = scratch->dists[i];
          *node = list[i];
          moved = true;
        }
      }
    }
  }
}

bool HnswGraph::SearchLevel(const QueryDistance& query, uint32_t entry, float entry_dist, int level,
                            size_t ef, const std::function<bool(uint32_t)>* filter,
                            bool may_give_up, const internal::NodeLocks* locks,
                            internal::SearchScratch* scratch) const {
  auto& candidates = scratch->candidates;  // min-heap
  auto& results = scratch->results;        // max-heap
  const auto closer_first = std::greater<Neighbor>();
  candidates.clear();
  results.clear();
  scratch->StartVisit(n_, 2 * m_);
  scratch->Visit(entry);
  candidates.push_back({entry_dist, entry});
  if (filter == nullptr || (*filter)(entry)) results.push_back({entry_dist, entry});
  float bound = results.empty() ? std::numeric_limits<float>::infinity() : entry_dist;
  size_t evaluated = 1;
  size_t tested = 1, passed = results.size();  // filter calls and their yes

  while (!candidates.empty()) {
    const Neighbor current = candidates.front();
    if (current.first > bound && results.size() >= ef) break;
    std::pop_heap(candidates.begin(), candidates.end(), closer_first);
    candidates.pop_back();
    if (!candidates.empty() && level == 0) __builtin_prefetch(Block(candidates.front().second, 0));

    const uint32_t* list;
    const uint32_t count =
        ReadList(Block(current.second, level), current.second, locks, scratch->list.data(), &list);
    for (uint32_t i = 0; i < count; ++i) __builtin_prefetch(&scratch->marks[list[i]]);
    uint32_t fresh = 0;
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t node = list[i];
      if (scratch->Visited(node)) continue;
      scratch->Visit(node);
      scratch->ids[fresh++] = node;
    }
    if (fresh == 0) continue;
    query.To(scratch->ids.data(), fresh, scratch->dists.data());
    evaluated += fresh;

    for (uint32_t i = 0; i < fresh; ++i) {
      const float d = scratch->dists[i];
      if (results.size() >= ef && d >= bound) continue;
      const uint32_t node = scratch->ids[i];
      candidates.push_back({d, node});
      std::push_heap(candidates.begin(), candidates.end(), closer_first);
      if (filter != nullptr) {
        ++tested;
        if (!(*filter)(node)) continue;
        ++passed;
      }
      results.push_back({d, node});
      std::push_heap(results.begin(), results.end());
      if (results.size() > ef) {
        std::pop_heap(results.begin(), results.end());
        results.pop_back();
      }
      bound = results.front().first;
    }
    if (may_give_up && evaluated >= ef) {
      const double pass_rate = static_cast<double>(passed + 1) / static_cast<double>(tested + 1);
      const double scan_cost = (pass_rate + 1.0 / 32) * n_;
      if (static_cast<double>(evaluated) > scan_cost) return false;
    }
  }
  return true;
}

void HnswGraph::ExactSearch(const QueryDistance& query, size_t k,
                            const std::function<bool(uint32_t)>* filter,
                            std::vector<Neighbor>* out) const {
  constexpr size_t kBatch = 256;
  uint32_t ids[kBatch];
  float dists[kBatch];
  std::vector<Neighbor>& heap = *out;  // max-heap of the best k
  heap.clear();
  uint32_t node = 0;
  while (node < n_) {
    size_t count = 0;
    for (; node < n_ && count < kBatch; ++node) {
      if (filter == nullptr || (*filter)(node)) ids[count++] = node;
    }
    query.To(ids, count, dists);
    for (size_t i = 0; i < count; ++i) {
      const Neighbor candidate{dists[i], ids[i]};
      if (heap.size() < k) {
        heap.push_back(candidate);
        std::push_heap(heap.begin(), heap.end());
      } else if (candidate < heap.front()) {
        std::pop_heap(heap.begin(), heap.end());
        heap.back() = candidate;
        std::push_heap(heap.begin(), heap.end());
      }
    }
  }
  std::sort_heap(heap.begin(), heap.end());
}

void HnswGraph::Search(const QueryDistance& query, size_t k, size_t ef,
                       const std::function<bool(uint32_t)>* filter,
                       std::vector<Neighbor>* out) const {
  out->clear();
  if (n_ == 0 || k == 0) return;
  ef = std::max(ef, k);
  internal::ScratchLease lease(scratch_.get());
  internal::SearchScratch* scratch = lease.get();
  scratch->StartVisit(n_, 2 * m_);

  uint32_t entry = entry_point_;
  float entry_dist = query.To(entry);
  Descend(query, max_level_, 0, nullptr, scratch, &entry, &entry_dist);
  // See the filter rule in hnsw.h.
  const bool finished =
      SearchLevel(query, entry, entry_dist, 0, ef, filter, filter != nullptr, nullptr, scratch);
  auto& results = scratch->results;
  if (!finished || results.size() < std::min<size_t>(k, n_)) {
    ExactSearch(query, k, filter, out);
    return;
  }
  std::sort_heap(results.begin(), results.end());
  const size_t count = std::min(k, results.size());
  out->assign(results.begin(), results.begin() + static_cast<ptrdiff_t>(count));
}

}  // namespace ixray::vector
