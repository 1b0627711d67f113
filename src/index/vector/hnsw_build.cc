// HNSW construction (Malkov & Yashunin, Algorithms 1 and 4), following
// hnswlib: every node draws its level up front; an insertion descends
// greedily to its level, then at each level from there down searches with
// width ef_construction, keeps up to m diverse neighbors (the heuristic:
// a candidate is dropped when it is closer to an already kept neighbor
// than to the new node), and links both ways, pruning with the same
// heuristic any list that overflows (m above level 0, 2m at level 0).
//
// Parallel builds insert blocks of consecutive nodes on the executor's
// threads. Each neighbor list is read and written under its node's spin
// lock; the entry point and top level under entry_mutex_, held for the whole
// insertion of a node that raises the top level (rare: 1 in m^level).
#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "index/vector/hnsw.h"
#include "index/vector/hnsw_internal.h"

namespace ixray::vector {

namespace {

// splitmix64: a small generator whose stream is the same on every platform
// (std:: distributions are not), so levels depend only on the seed.
uint64_t NextRandom(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Levels with P(level >= l) = m^-l, capped at `cap`.
std::vector<uint8_t> DrawLevels(size_t n, uint32_t m, uint32_t cap, uint64_t seed) {
  const double scale = 1.0 / std::log(static_cast<double>(m));
  uint64_t state = seed;
  std::vector<uint8_t> levels(n);
  for (auto& level : levels) {
    const double uniform = (static_cast<double>(NextRandom(&state) >> 11) + 1.0) * 0x1.0p-53;
    const double drawn = std::floor(-std::log(uniform) * scale);
    level = static_cast<uint8_t>(std::min<double>(drawn, cap));
  }
  return levels;
}

}  // namespace

class HnswBuilder {
 public:
  HnswBuilder(const GraphDistance& distance, const HnswParams& params, HnswGraph* graph)
      : distance_(distance), params_(params), graph_(*graph), locks_(graph->size()) {}

  // Inserts nodes [begin, end) in order.
  void InsertRange(uint32_t begin, uint32_t end) {
    internal::ScratchLease lease(graph_.scratch_.get());
    for (uint32_t node = begin; node < end; ++node) Insert(node, lease.get());
  }

 private:
  void Insert(uint32_t node, internal::SearchScratch* scratch);
  // Keeps at most `keep` of `candidates` (ascending by distance to their
  // base node) by the diversity heuristic; appends their ids to *kept.
  void SelectNeighbors(const std::vector<Neighbor>& candidates, size_t keep,
                       std::vector<uint32_t>* kept) const;
  // Gives `node` the neighbors `selected` at `level` and adds `node` to each
  // of their lists, pruning those that overflow.
  void Connect(uint32_t node, int level, const std::vector<uint32_t>& selected);

  const GraphDistance& distance_;
  const HnswParams& params_;
  HnswGraph& graph_;
  internal::NodeLocks locks_;
  std::mutex entry_mutex_;  // guards graph_.entry_point_ and graph_.max_level_
};

void HnswBuilder::Insert(uint32_t node, internal::SearchScratch* scratch) {
  const int level = graph_.levels_[node];
  std::unique_lock<std::mutex> entry_lock(entry_mutex_);
  const int top = graph_.max_level_;
  uint32_t entry = graph_.entry_point_;
  if (top < 0) {  // the first node
    graph_.entry_point_ = node;
    graph_.max_level_ = level;
    return;
  }
  if (level <= top) entry_lock.unlock();

  std::unique_ptr<QueryDistance> query = distance_.FromNode(node);
  scratch->StartVisit(graph_.n_, 2 * graph_.m_);
  float entry_dist = query->To(entry);
  graph_.Descend(*query, top, level, &locks_, scratch, &entry, &entry_dist);

  std::vector<Neighbor> candidates;
  std::vector<uint32_t> selected;
  for (int l = std::min(level, top); l >= 0; --l) {
    graph_.SearchLevel(*query, entry, entry_dist, l, params_.ef_construction, nullptr,
                       /*may_give_up=*/false, &locks_, scratch);
    candidates.assign(scratch->results.begin(), scratch->results.end());
    std::sort(candidates.begin(), candidates.end());
    std::erase_if(candidates, [node](const Neighbor& c) { return c.second == node; });
    if (candidates.empty()) continue;
    entry = candidates[0].second;
    entry_dist = candidates[0].first;
    selected.clear();
    SelectNeighbors(candidates, graph_.m_, &selected);
    Connect(node, l, selected);
  }
  if (level > top) {  // entry_lock is still held
    graph_.entry_point_ = node;
    graph_.max_level_ = level;
  }
}

void HnswBuilder::SelectNeighbors(const std::vector<Neighbor>& candidates, size_t keep,
                                  std::vector<uint32_t>* kept) const {
  const size_t first = kept->size();
  if (candidates.size() < keep) {  // as hnswlib: too few to be choosy
    for (const Neighbor& c : candidates) kept->push_back(c.second);
    return;
  }
  for (const Neighbor& c : candidates) {
    if (kept->size() - first >= keep) break;
    bool diverse = true;
    for (size_t i = first; i < kept->size(); ++i) {
      if (distance_.Between(c.second, (*kept)[i]) < c.first) {
        diverse = false;
        break;
      }
    }
    if (diverse) kept->push_back(c.second);
  }
}

void HnswBuilder::Connect(uint32_t node, int level, const std::vector<uint32_t>& selected) {
  const uint32_t max_degree = graph_.max_degree(level);
  {
    internal::NodeLockGuard guard(locks_, node);
    uint32_t* block = graph_.Block(node, level);
    block[0] = static_cast<uint32_t>(selected.size());
    std::copy(selected.begin(), selected.end(), block + 1);
  }
  std::vector<uint32_t> ids;
  std::vector<float> dists;
  std::vector<Neighbor> candidates;
  std::vector<uint32_t> kept;
  for (const uint32_t other : selected) {
    internal::NodeLockGuard guard(locks_, other);
    uint32_t* block = graph_.Block(other, level);
    const uint32_t count = block[0];
    if (count < max_degree) {
      block[1 + count] = node;
      block[0] = count + 1;
      continue;
    }
    // Full: re-choose among the old neighbors and `node`.
    ids.assign(block + 1, block + 1 + count);
    ids.push_back(node);
    dists.resize(ids.size());
    distance_.BetweenMany(other, ids.data(), ids.size(), dists.data());
    candidates.clear();
    for (size_t i = 0; i < ids.size(); ++i) candidates.push_back({dists[i], ids[i]});
    std::sort(candidates.begin(), candidates.end());
    kept.clear();
    SelectNeighbors(candidates, max_degree, &kept);
    block[0] = static_cast<uint32_t>(kept.size());
    std::copy(kept.begin(), kept.end(), block + 1);
  }
}

Result<HnswGraph> HnswGraph::Build(const GraphDistance& distance, const HnswParams& params,
                                   Executor* executor) {
  if (params.m < 2 || params.m > kMaxM) {
    return Status::InvalidArgument("HNSW m must be in [2, " + std::to_string(kMaxM) + "], got " +
                                   std::to_string(params.m));
  }
  if (params.ef_construction == 0) {
    return Status::InvalidArgument("HNSW ef_construction must be positive");
  }
  const size_t n = distance.size();
  if (n >= std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("HNSW graphs hold fewer than 2^32 - 1 nodes");
  }
  const uint32_t cap = std::min(params.max_level.value_or(kMaxLevel), kMaxLevel);
  HnswGraph graph;
  IXRAY_RETURN_NOT_OK(graph.Allocate(params.m, DrawLevels(n, params.m, cap, params.seed)));
  graph.ef_construction_ = params.ef_construction;

  HnswBuilder builder(distance, params, &graph);
  const auto count = static_cast<uint32_t>(n);
  if (executor == nullptr || executor->parallelism() <= 1) {
    builder.InsertRange(0, count);
    return graph;
  }
  // Small blocks claimed in order keep the insertion order close to serial.
  constexpr uint32_t kBlock = 64;
  const int64_t blocks = (count + kBlock - 1) / kBlock;
  IXRAY_RETURN_NOT_OK(executor->ParallelFor(blocks, [&](int64_t b) {
    const auto begin = static_cast<uint32_t>(b) * kBlock;
    builder.InsertRange(begin, std::min(count, begin + kBlock));
    return Status::OK();
  }));
  return graph;
}

}  // namespace ixray::vector
