// HNSW: a hierarchical navigable small-world graph over nodes 0..n-1
// (Malkov & Yashunin, 2016), the graph stage of IVF_HNSW_{FLAT,SQ,PQ}: one
// HnswGraph per IVF partition.
//
// The graph never sees vectors. It walks a distance abstraction, so the same
// graph code serves float vectors, SQ codes and PQ codes:
//   GraphDistance  node-to-node distances, used while building;
//   QueryDistance  one query's distance to any node, used while searching.
// FlatL2Distance / FlatDotDistance implement both over a float32 matrix.
//
// Layout in memory: level-0 neighbor lists live in one flat array of
// n blocks of (1 + 2m) uint32 (a count, then up to 2m node ids); the few nodes
// above level 0 (about 1 in m) own blocks of (1 + m) uint32 per upper level in
// a second array, found through a per-node offset.
//
// Serialized layout (version 1, all integers little-endian):
//   u32 magic "HNSW" (0x57534E48)  u32 version (1)
//   u32 n  u32 m  u32 ef_construction  i32 max_level (-1 when n == 0)
//   u32 entry_point (0 when n == 0)
//   u8 level[n]
//   level 0, for each node:          u32 count (<= 2m), u32 id[count]
//   levels 1..level[node], for each node with level >= 1, level by level:
//                                    u32 count (<= m),  u32 id[count]
//   u64 XXH3-64 of every byte before it
// Deserialize checks all of it (ids < n, no self links, a neighbor at level l
// has a level >= l, counts, the entry point) and answers Corruption otherwise.
//
// Thread safety: a built HnswGraph is immutable; Search may run on many
// threads at once. Build runs its insertions in parallel through an Executor,
// guarding each neighbor list with its own spin lock (as hnswlib does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ixray/executor.h"
#include "ixray/status.h"

namespace ixray::vector {

namespace internal {
class NodeLocks;
class ScratchPool;
struct SearchScratch;
}  // namespace internal

// One query's distance to the graph's nodes; smaller is closer.
// Thread safety: one search uses it at a time; make one per query (cheap).
class QueryDistance {
 public:
  virtual ~QueryDistance();
  virtual float To(uint32_t node) const = 0;
  // out[i] = To(nodes[i]) for i < n. Override to prefetch or use SIMD; the
  // graph calls this with every unvisited neighbor of the node it expands.
  virtual void To(const uint32_t* nodes, size_t n, float* out) const;
};

// Distances between the nodes 0..size()-1 being put into a graph.
// Thread safety: const methods are called from several build threads at once.
class GraphDistance {
 public:
  virtual ~GraphDistance();
  virtual size_t size() const = 0;
  // REQUIRES: a, b < size().
  virtual float Between(uint32_t a, uint32_t b) const = 0;
  // out[i] = Between(a, nodes[i]) for i < n.
  virtual void BetweenMany(uint32_t a, const uint32_t* nodes, size_t n, float* out) const;
  // The distance from node `a` to any node, used to insert `a`. The default
  // wraps Between; override it to precompute what the query side needs.
  virtual std::unique_ptr<QueryDistance> FromNode(uint32_t a) const;
};

enum class FlatMetric {
  kL2,   // squared euclidean distance
  kDot,  // 1 - inner product
};

// Distances over a borrowed row-major float32 matrix data[n][dim], through
// the SIMD kernels of kernels/distance.h.
// REQUIRES: `data` outlives this object and every QueryDistance it made.
class FlatDistance : public GraphDistance {
 public:
  FlatDistance(const float* data, size_t n, size_t dim, FlatMetric metric);

  size_t size() const override { return n_; }
  size_t dim() const { return dim_; }
  float Between(uint32_t a, uint32_t b) const override;
  void BetweenMany(uint32_t a, const uint32_t* nodes, size_t n, float* out) const override;
  std::unique_ptr<QueryDistance> FromNode(uint32_t a) const override;
  // REQUIRES: query[dim] outlives the result.
  std::unique_ptr<QueryDistance> FromQuery(const float* query) const;

 private:
  const float* data_;
  size_t n_;
  size_t dim_;
  FlatMetric metric_;
  float (*kernel_)(const float*, const float*, size_t);
};

class FlatL2Distance final : public FlatDistance {
 public:
  FlatL2Distance(const float* data, size_t n, size_t dim)
      : FlatDistance(data, n, dim, FlatMetric::kL2) {}
};

class FlatDotDistance final : public FlatDistance {
 public:
  FlatDotDistance(const float* data, size_t n, size_t dim)
      : FlatDistance(data, n, dim, FlatMetric::kDot) {}
};

struct HnswParams {
  // Neighbors per node above level 0; level 0 keeps up to 2m.
  uint32_t m = 20;
  // Beam width of the searches that find a new node's neighbors.
  uint32_t ef_construction = 150;
  // Highest level a node may get (levels are drawn with P(l) ~ m^-l).
  std::optional<uint32_t> max_level;
  // Seeds the level draws. A serial build is a pure function of
  // (distances, params); a parallel one depends on thread timing.
  uint64_t seed = 42;
};

// A search result: (distance, node), ascending by distance.
using Neighbor = std::pair<float, uint32_t>;

class HnswGraph {
 public:
  // Caps: levels above kMaxLevel are clamped; m above kMaxM is refused.
  static constexpr uint32_t kMaxLevel = 32;
  static constexpr uint32_t kMaxM = 512;
  static constexpr uint32_t kFormatVersion = 1;

  HnswGraph();  // the empty graph
  // Moving leaves the source an empty graph.
  HnswGraph(HnswGraph&&) noexcept;
  HnswGraph& operator=(HnswGraph&&) noexcept;
  HnswGraph(const HnswGraph&) = delete;
  HnswGraph& operator=(const HnswGraph&) = delete;
  ~HnswGraph();

  // Inserts nodes 0..distance.size()-1. `executor` null (or serial) builds on
  // the calling thread, deterministically for a given seed.
  // Errors: InvalidArgument for m < 2, m > kMaxM, ef_construction == 0 or
  // more than 2^32 - 2 nodes.
  static Result<HnswGraph> Build(const GraphDistance& distance, const HnswParams& params,
                                 Executor* executor = nullptr);

  // The `k` nodes nearest to the query, ascending by distance, into *out
  // (replacing its contents): min(k, number of nodes passing) of them.
  // `ef` (raised to k) is the beam width at level 0: larger is slower and
  // more accurate. `filter`, when not null, limits the results to nodes for
  // which it returns true; every node may still be traversed.
  //
  // Filter rule: the walk keeps only passing nodes as results and goes on
  // until it holds ef of them and no closer candidate is left. A selective
  // filter (fewer than about ef passing nodes near the query) would make it
  // walk much of the graph, so the walk is dropped for an exact scan of the
  // passing nodes as soon as it has evaluated (at least ef and) more nodes
  // than that scan would cost: n x (the fraction of tested nodes that
  // passed, so far) distances + n / 32 for the filter calls. It is also
  // dropped if it ends with fewer than k results. A filter that passes
  // every node costs no more than no filter; a selective one gives exactly
  // the filtered top-k.
  // REQUIRES: `query` measures distances to this graph's nodes.
  void Search(const QueryDistance& query, size_t k, size_t ef,
              const std::function<bool(uint32_t)>* filter, std::vector<Neighbor>* out) const;

  // Appends the serialized graph (layout above) to *out.
  void Serialize(std::string* out) const;
  static Result<HnswGraph> Deserialize(std::string_view bytes);

  size_t size() const { return n_; }
  uint32_t m() const { return m_; }
  uint32_t ef_construction() const { return ef_construction_; }
  // The top level of the graph; -1 when empty.
  int max_level() const { return max_level_; }
  // REQUIRES: size() > 0.
  uint32_t entry_point() const { return entry_point_; }
  // REQUIRES: node < size().
  int level(uint32_t node) const { return levels_[node]; }
  // REQUIRES: node < size(), level <= this->level(node).
  std::span<const uint32_t> Neighbors(uint32_t node, int level) const;
  // Bytes held by the graph's arrays.
  size_t MemoryUsage() const;

 private:
  friend class HnswBuilder;

  uint32_t max_degree(int level) const { return level == 0 ? 2 * m_ : m_; }
  // The block of `node` at `level`: count, then max_degree(level) ids.
  uint32_t* Block(uint32_t node, int level) {
    if (level == 0) return level0_.data() + static_cast<size_t>(node) * (1 + 2 * m_);
    return upper_.data() + upper_offset_[node] + static_cast<size_t>(level - 1) * (1 + m_);
  }
  const uint32_t* Block(uint32_t node, int level) const {
    return const_cast<HnswGraph*>(this)->Block(node, level);
  }
  // Sizes the arrays for `levels` (one per node); lists start empty.
  // Errors: InvalidArgument when the upper levels outgrow uint32 offsets.
  Status Allocate(uint32_t m, std::vector<uint8_t> levels);
  // Greedy descent: moves *node (at distance *dist) to its closest neighbor
  // while that gets closer, level by level from `top` down to `bottom` + 1.
  // `locks` is non-null while building (lists are read under their lock).
  // REQUIRES: scratch->StartVisit was called for this graph.
  void Descend(const QueryDistance& query, int top, int bottom, const internal::NodeLocks* locks,
               internal::SearchScratch* scratch, uint32_t* node, float* dist) const;
  // Beam search of width `ef` at `level` from `entry`, leaving a max-heap of
  // at most ef (distance, node) of nodes passing `filter` in scratch->results.
  // With `may_give_up`, returns false once an exact scan of the nodes that
  // pass `filter` looks cheaper than going on (see Search).
  bool SearchLevel(const QueryDistance& query, uint32_t entry, float entry_dist, int level,
                   size_t ef, const std::function<bool(uint32_t)>* filter, bool may_give_up,
                   const internal::NodeLocks* locks, internal::SearchScratch* scratch) const;
  void ExactSearch(const QueryDistance& query, size_t k,
                   const std::function<bool(uint32_t)>* filter, std::vector<Neighbor>* out) const;

  uint32_t n_ = 0;
  uint32_t m_ = 0;
  uint32_t ef_construction_ = 0;
  int max_level_ = -1;
  uint32_t entry_point_ = 0;
  std::vector<uint8_t> levels_;                     // [n]
  std::vector<uint32_t> level0_;                    // [n][1 + 2m]
  std::vector<uint32_t> upper_offset_;              // [n]: start of the level-1 block in upper_
  std::vector<uint32_t> upper_;                     // per upper node: [level][1 + m]
  std::unique_ptr<internal::ScratchPool> scratch_;  // reused by searches
};

}  // namespace ixray::vector
