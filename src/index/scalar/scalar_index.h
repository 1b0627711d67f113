// Scalar index plugins: the contract every scalar index type (BTREE, BITMAP,
// LABEL_LIST, ZONEMAP, NGRAM, INVERTED) fulfils, and their registry.
//
// Life cycle (the same two-phase protocol as vector indices, index.h):
//
//   config  = plugin.NormalizeConfig(user params)   -- the "model": small,
//             serialized with ScalarIndexConfig::Serialize and shipped to
//             every worker, so all segments of one index agree on it;
//   builder = plugin.MakeBuilder(config, field, context)
//             builder.Add(values, addresses) ... (the live rows of the
//             segment's fragments, fragment by fragment, ascending address)
//             builder.Finish(segment file)      -- one segment file;
//   segment = plugin.Open(segment file, config, field) -- cached, shared;
//             segment.Search(predicate)         -- rows matching, or a
//                                                  superset to recheck.
//
// A segment answers for the rows it indexed only; the planner
// (search/filter_planner.h) scans fragments no segment covers, intersects
// the answers of a filter's AND terms and rechecks inexact answers against
// the data, so every filter gives the same rows with and without an index.
//
// Thread safety: plugins are stateless; a builder is used by one thread (it
// may use the context's executor inside); an opened segment is immutable
// and shared by concurrent queries.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <roaring/roaring64map.hh>

#include "index/segment_file.h"
#include "ixray/array.h"
#include "ixray/dataset.h"
#include "ixray/executor.h"
#include "ixray/file_system.h"
#include "ixray/status.h"
#include "ixray/type.h"
#include "query/expression.h"

namespace ixray::scalar {

// Row addresses ((fragment_id << 32) | row offset), as a 64-bit roaring map.
using RowAddressSet = ::Roaring64Map;  // CRoaring 0.2 (Debian 12): global namespace

// What a segment knows about a predicate over the rows it indexed.
struct IndexAnswer {
  // exact: exactly the rows for which the predicate is TRUE (three-valued
  // logic: rows where it is NULL or FALSE are left out). Otherwise a
  // superset of them, which the planner rechecks against the data.
  RowAddressSet rows;
  bool exact = true;
};

// User parameters (**params in the Python API), by name, as strings:
// "true"/"false" for booleans, decimal for numbers.
using IndexParams = std::map<std::string, std::string>;

// The model of a scalar index: its canonical type name and its parameters
// with defaults filled in. Every segment of one index is built from the
// same config (CommitIndex checks its digest).
struct ScalarIndexConfig {
  std::string index_type;  // canonical, e.g. "BTREE", "INVERTED"
  IndexParams params;

  std::string Serialize() const;
  // InvalidArgument if `bytes` is not a serialized config.
  static Result<ScalarIndexConfig> Deserialize(std::string_view bytes);
  // True if `bytes` starts like a serialized config (versus a vector model).
  static bool Recognize(std::string_view bytes);
  uint64_t Digest() const;

  // Typed parameter access; InvalidArgument naming the parameter when the
  // value does not parse. REQUIRES: NormalizeConfig filled the default in.
  Result<bool> GetBool(std::string_view name) const;
  Result<int64_t> GetInt(std::string_view name) const;
  Result<std::string> GetString(std::string_view name) const;
};

// Where and how a builder may work.
struct BuildContext {
  std::shared_ptr<FileSystem> fs;
  // A private scratch directory for spill files (exists; the caller removes
  // it after Finish, also on failure).
  std::string temp_dir;
  // Memory a builder may hold before it spills (bytes).
  int64_t memory_limit = int64_t{256} << 20;
  Executor* executor = nullptr;  // never null
};

class ScalarSegmentBuilder {
 public:
  virtual ~ScalarSegmentBuilder() = default;
  // Adds rows: `values[i]` (nulls included) lives at `addresses[i]`.
  // `values` has the indexed column's type. Addresses ascend strictly over
  // all calls; deleted rows are never passed.
  virtual Status Add(const Array& values, std::span<const RowAddress> addresses) = 0;
  // Writes the segment's blobs to `out` (the caller adds nothing else and
  // finishes the file).
  virtual Status Finish(index::SegmentFileWriter& out) = 0;
};

class ScalarIndexSegment {
 public:
  virtual ~ScalarIndexSegment() = default;
  // The rows of this segment for which `predicate` holds (see IndexAnswer),
  // or nullopt when this index type cannot answer this predicate (the
  // planner then evaluates it on the data). `predicate.column` is the
  // indexed column and `predicate.type` its type.
  virtual Result<std::optional<IndexAnswer>> Search(
      const query::ColumnPredicate& predicate) const = 0;
  // Rows indexed (including those with null values).
  virtual int64_t num_rows() const = 0;
};

class ScalarIndexPlugin {
 public:
  virtual ~ScalarIndexPlugin() = default;
  // The canonical type name ("BTREE").
  virtual std::string_view name() const = 0;
  // TypeError naming the column and its type if this index cannot index it.
  virtual Status CheckColumn(const Field& field) const = 0;
  // Validates user parameters (InvalidArgument for an unknown name or a bad
  // value, listing the accepted ones) and fills in defaults.
  virtual Result<ScalarIndexConfig> NormalizeConfig(const IndexParams& params) const = 0;
  virtual Result<std::unique_ptr<ScalarSegmentBuilder>> MakeBuilder(
      const ScalarIndexConfig& config, const Field& field, const BuildContext& context) const = 0;
  // Opens a finished segment; Corruption if its blobs are damaged.
  virtual Result<std::unique_ptr<ScalarIndexSegment>> Open(
      std::shared_ptr<index::SegmentFileReader> file, const ScalarIndexConfig& config,
      const Field& field) const = 0;
};

// The built-in scalar index types.
class ScalarIndexRegistry {
 public:
  // All built-in plugins.
  static const ScalarIndexRegistry& BuiltIn();
  // The plugin for `type` (case-insensitive; "FTS" is "INVERTED"), or
  // InvalidArgument listing the supported types.
  Result<const ScalarIndexPlugin*> Find(std::string_view type) const;
  std::vector<std::string> names() const;

  explicit ScalarIndexRegistry(std::vector<std::unique_ptr<ScalarIndexPlugin>> plugins)
      : plugins_(std::move(plugins)) {}

 private:
  std::vector<std::unique_ptr<ScalarIndexPlugin>> plugins_;
};

// The factories of the built-in plugins (one per plugin's .cc file).
std::unique_ptr<ScalarIndexPlugin> MakeBTreePlugin();
std::unique_ptr<ScalarIndexPlugin> MakeBitmapPlugin();
std::unique_ptr<ScalarIndexPlugin> MakeLabelListPlugin();
std::unique_ptr<ScalarIndexPlugin> MakeZoneMapPlugin();
std::unique_ptr<ScalarIndexPlugin> MakeNGramPlugin();
std::unique_ptr<ScalarIndexPlugin> MakeInvertedPlugin();

}  // namespace ixray::scalar
