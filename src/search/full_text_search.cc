#include "search/full_text_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "dataset/scanner.h"
#include "index/scalar/inverted/fts_search.h"
#include "index/scalar/inverted/inverted_builder.h"
#include "index/scalar_segment.h"
#include "ixray/builder.h"
#include "query/filter_parser.h"

namespace ixray::search {

namespace {

using scalar::inverted::InvertedSegment;

// What one column's search runs over.
struct ColumnSearch {
  std::string column;
  std::string index_name;
  // Opened index segments (kept alive) and in-memory ones for the rest.
  std::vector<std::shared_ptr<const index::OpenedScalarSegment>> opened;
  std::vector<std::unique_ptr<InvertedSegment>> in_memory;
  int64_t unindexed_rows = 0;
};

// The INVERTED index on field `field_id`, or null.
const dataset::IndexMetadata* InvertedIndexOn(const dataset::DatasetImpl& ds, int32_t field_id) {
  for (const auto& index : ds.manifest().indices) {
    if (index.index_type == "INVERTED" && index.field_ids.size() == 1 &&
        index.field_ids[0] == field_id) {
      return &index;
    }
  }
  return nullptr;
}

// Which rows a search may return: live rows of the fragments in scope that
// pass the filter (planned with scalar indices). Deleted rows and other
// fragments still count in BM25 statistics.
class AllowedRows {
 public:
  static Result<AllowedRows> Make(const dataset::DatasetImpl& ds, const ScanOptions& options,
                                  const std::vector<FragmentId>& fragments) {
    AllowedRows out;
    for (FragmentId id : fragments) {
      const dataset::Fragment* f = ds.manifest().FindFragment(id);
      IXRAY_ASSIGN_OR_RAISE(auto deletions, ds.LoadDeletions(*f));
      out.deletions_.emplace(id, std::move(deletions));
      out.live_rows_ += f->num_live_rows();
    }
    if (options.filter.empty()) return out;
    IXRAY_ASSIGN_OR_RAISE(auto rows,
                          dataset::MatchingRowAddresses(ds, options.filter, fragments));
    out.live_rows_ = static_cast<int64_t>(rows.size());
    out.filtered_ = std::move(rows);
    return out;
  }

  bool operator()(RowAddress address) const {
    if (filtered_) return std::binary_search(filtered_->begin(), filtered_->end(), address);
    auto it = deletions_.find(AddressFragment(address));
    if (it == deletions_.end()) return false;
    return it->second == nullptr || !it->second->Contains(AddressOffset(address));
  }
  // How many rows may be returned (at most).
  int64_t count() const { return live_rows_; }
  // Whether every row of `fragments` may be returned: they are all in scope,
  // with no deletions and no filter (then a search need not ask).
  bool AllowsAllOf(const std::vector<FragmentId>& fragments) const {
    if (filtered_) return false;
    for (FragmentId f : fragments) {
      auto it = deletions_.find(f);
      if (it == deletions_.end() || (it->second != nullptr && !it->second->empty())) return false;
    }
    return true;
  }

 private:
  std::unordered_map<FragmentId, dataset::DeletionVectorPtr> deletions_;
  std::optional<std::vector<RowAddress>> filtered_;  // with a filter: the passing rows
  int64_t live_rows_ = 0;
};

Result<ColumnSearch> PrepareColumn(const dataset::DatasetImpl& ds, const std::string& column,
                                   const dataset::IndexMetadata& index,
                                   const std::vector<FragmentId>& fragments, bool fast_search,
                                   Executor* executor) {
  ColumnSearch search;
  search.column = column;
  search.index_name = index.name;
  std::set<FragmentId> covered;
  std::optional<scalar::ScalarIndexConfig> config;
  for (const auto& segment : index.segments) {
    IXRAY_ASSIGN_OR_RAISE(auto opened, index::OpenScalarSegment(ds, index, segment));
    if (dynamic_cast<const InvertedSegment*>(opened->segment.get()) == nullptr) {
      return Status::Corruption(fmt::format("index '{}' segment {} is not an INVERTED segment",
                                            index.name, segment.uuid));
    }
    if (!config) config = opened->config;
    covered.insert(segment.fragment_ids.begin(), segment.fragment_ids.end());
    search.opened.push_back(std::move(opened));
  }
  if (!config) {
    // An index without segments keeps its config in its details.
    IXRAY_ASSIGN_OR_RAISE(config, scalar::ScalarIndexConfig::Deserialize(index.details));
  }
  std::vector<FragmentId> unindexed;
  for (FragmentId f : fragments) {
    if (!covered.count(f)) unindexed.push_back(f);
  }
  if (fast_search || unindexed.empty()) return search;

  IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
  IXRAY_RETURN_NOT_OK(dataset::ForEachColumnBatch(
      ds, column, unindexed, 65536,
      [&](const Array& values, std::span<const RowAddress> addresses) -> Status {
        IXRAY_ASSIGN_OR_RAISE(auto segment, scalar::inverted::BuildInMemoryInvertedSegment(
                                                *config, *field, values, addresses, executor));
        search.in_memory.push_back(std::move(segment));
        search.unindexed_rows += static_cast<int64_t>(addresses.size());
        return Status::OK();
      }));
  return search;
}

// What a full-text scan returns: the dataset columns to read for its rows,
// then _score, then _rowid if asked for. `_score` and `_rowid` may be named
// among the columns (unless the dataset has columns of those names); a
// projection of only them reads no rows from the dataset.
struct Projection {
  std::vector<std::string> columns;
  bool row_id = false;
};

Projection ProjectionOf(const dataset::DatasetImpl& ds, const ScanOptions& options) {
  Projection out;
  out.row_id = options.with_row_id;
  if (options.columns.empty()) {
    out.columns = ds.schema()->names();
    return out;
  }
  for (const std::string& column : options.columns) {
    const bool real = ds.schema()->FieldIndex(column) >= 0;
    if (!real && column == "_score") continue;
    if (!real && column == "_rowid") {
      out.row_id = true;
      continue;
    }
    out.columns.push_back(column);
  }
  return out;
}

}  // namespace

Result<RecordBatchPtr> FullTextSearch(const dataset::DatasetImpl& ds, const ScanOptions& options,
                                      std::string* explain) {
  const FullTextQuery& query = *options.full_text_query;
  if (options.nearest) {
    return Status::InvalidArgument("a scan takes nearest or full_text_query, not both");
  }
  if (options.offset < 0 || (options.limit && *options.limit < 0)) {
    return Status::InvalidArgument("offset and limit must not be negative");
  }
  // The columns and their indices.
  std::vector<std::pair<std::string, const dataset::IndexMetadata*>> targets;
  if (query.columns.empty()) {
    for (const auto& index : ds.manifest().indices) {
      if (index.index_type != "INVERTED" || index.field_ids.size() != 1) continue;
      const int i = ds.schema()->FieldIndexById(index.field_ids[0]);
      if (i >= 0) targets.emplace_back(ds.schema()->field(i)->name, &index);
    }
    if (targets.empty()) {
      return Status::InvalidArgument(
          "full_text_query needs an INVERTED index: create one with "
          "create_scalar_index(column, \"INVERTED\")");
    }
  } else {
    for (const auto& column : query.columns) {
      IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
      const auto* index = InvertedIndexOn(ds, field->id);
      if (index == nullptr) {
        return Status::InvalidArgument(
            fmt::format("column '{}' has no INVERTED index; create one with "
                        "create_scalar_index(\"{}\", \"INVERTED\")",
                        column, column));
      }
      targets.emplace_back(column, index);
    }
  }
  std::vector<FragmentId> fragments = options.fragment_ids;
  if (fragments.empty()) {
    for (const auto& f : ds.manifest().fragments) fragments.push_back(f.id);
  }
  for (FragmentId f : fragments) {
    if (ds.manifest().FindFragment(f) == nullptr) {
      return Status::InvalidArgument(
          fmt::format("fragment {} is not in version {}", f, ds.version()));
    }
  }

  IXRAY_ASSIGN_OR_RAISE(auto allowed_rows, AllowedRows::Make(ds, options, fragments));
  const std::function<bool(RowAddress)> allowed = std::cref(allowed_rows);
  scalar::FtsQuery fts;
  fts.kind = query.phrase ? scalar::FtsQuery::Kind::kPhrase : scalar::FtsQuery::Kind::kMatch;
  fts.text = query.text;
  const int64_t k = options.limit ? *options.limit + options.offset : allowed_rows.count();

  std::unordered_map<RowAddress, float> best;  // over all columns: the highest score
  std::vector<std::string> plan_lines;
  for (const auto& [column, index] : targets) {
    IXRAY_ASSIGN_OR_RAISE(
        auto search, PrepareColumn(ds, column, *index, fragments, options.fast_search, nullptr));
    std::vector<const InvertedSegment*> segments;
    int64_t indexed_rows = 0;
    for (const auto& opened : search.opened) {
      segments.push_back(static_cast<const InvertedSegment*>(opened->segment.get()));
      indexed_rows += opened->segment->num_rows();
    }
    for (const auto& segment : search.in_memory) segments.push_back(segment.get());
    // With every row of the index's fragments allowed, skip the per-candidate
    // check (in-memory segments hold only rows in scope).
    std::vector<FragmentId> indexed;
    for (const auto& segment : index->segments) {
      indexed.insert(indexed.end(), segment.fragment_ids.begin(), segment.fragment_ids.end());
    }
    const bool all_allowed = allowed_rows.AllowsAllOf(indexed);
    IXRAY_ASSIGN_OR_RAISE(
        auto rows,
        scalar::SearchFullText(segments, fts, k,
                               all_allowed ? std::function<bool(RowAddress)>() : allowed));
    // A segment may still hold rows of fragments it no longer covers (a
    // compaction without index remap): then search again, checking each row.
    if (all_allowed && !std::all_of(rows.begin(), rows.end(),
                                    [&](const auto& row) { return allowed(row.address); })) {
      IXRAY_ASSIGN_OR_RAISE(rows, scalar::SearchFullText(segments, fts, k, allowed));
    }
    for (const auto& row : rows) {
      auto [it, inserted] = best.try_emplace(row.address, row.score);
      if (!inserted) it->second = std::max(it->second, row.score);
    }
    if (explain != nullptr) {
      plan_lines.push_back(fmt::format(
          "  column '{}': index '{}' ({} segment(s), {} rows){}", column, search.index_name,
          search.opened.size(), indexed_rows,
          options.fast_search ? " (fast_search: unindexed fragments left out)"
                              : fmt::format(" + {} unindexed row(s) tokenized at query time",
                                            search.unindexed_rows)));
    }
  }

  std::vector<scalar::ScoredRow> results;
  results.reserve(best.size());
  for (const auto& [address, score] : best) results.push_back({address, score});
  std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) {
    return a.score > b.score || (a.score == b.score && a.address < b.address);
  });
  const auto begin = std::min<size_t>(static_cast<size_t>(options.offset), results.size());
  size_t end = results.size();
  if (options.limit) end = std::min(end, begin + static_cast<size_t>(*options.limit));
  results = std::vector<scalar::ScoredRow>(results.begin() + begin, results.begin() + end);

  const Projection projection = ProjectionOf(ds, options);
  std::vector<FieldPtr> fields;
  std::vector<ArrayPtr> arrays;
  if (!projection.columns.empty()) {
    std::vector<RowAddress> addresses;
    for (const auto& r : results) addresses.push_back(r.address);
    IXRAY_ASSIGN_OR_RAISE(auto rows_batch, ds.TakeRows(addresses, projection.columns));
    fields = rows_batch->schema()->fields();
    arrays = rows_batch->columns();
  }
  ArrayBuilder score(float32()), rowid(uint64());
  for (const auto& r : results) {
    score.Append<float>(r.score);
    rowid.Append<uint64_t>(r.address);
  }
  fields.push_back(field("_score", float32(), false));
  IXRAY_ASSIGN_OR_RAISE(auto scores, score.Finish());
  arrays.push_back(std::move(scores));
  if (projection.row_id) {
    fields.push_back(field("_rowid", uint64(), false));
    IXRAY_ASSIGN_OR_RAISE(auto ids, rowid.Finish());
    arrays.push_back(std::move(ids));
  }
  if (explain != nullptr) {
    *explain = fmt::format("FullTextSearch {} at version {}\n  query: {} '{}'\n", ds.uri(),
                           ds.version(), query.phrase ? "phrase" : "match", query.text);
    for (const auto& line : plan_lines) *explain += line + "\n";
    *explain += fmt::format("  filter: {}\n  allowed rows: {}\n  results: {}\n",
                            options.filter.empty() ? "none" : options.filter, allowed_rows.count(),
                            results.size());
  }
  IXRAY_ASSIGN_OR_RAISE(auto schema, Schema::Make(std::move(fields)));
  return std::make_shared<const RecordBatch>(
      std::move(schema), static_cast<int64_t>(results.size()), std::move(arrays));
}

namespace {

class FullTextScanner final : public Scanner {
 public:
  FullTextScanner(std::shared_ptr<const dataset::DatasetImpl> dataset, ScanOptions options,
                  SchemaPtr schema)
      : dataset_(std::move(dataset)), options_(std::move(options)), schema_(std::move(schema)) {}

  const SchemaPtr& schema() const override { return schema_; }
  Result<std::unique_ptr<BatchReader>> ToReader() override {
    IXRAY_ASSIGN_OR_RAISE(auto batch, FullTextSearch(*dataset_, options_, nullptr));
    return MakeVectorReader(batch->schema(), {batch});
  }
  Result<int64_t> CountRows() override {
    IXRAY_ASSIGN_OR_RAISE(auto batch, FullTextSearch(*dataset_, options_, nullptr));
    return batch->num_rows();
  }
  Result<std::string> ExplainPlan() override {
    std::string explain;
    IXRAY_RETURN_NOT_OK(FullTextSearch(*dataset_, options_, &explain));
    return explain;
  }

 private:
  std::shared_ptr<const dataset::DatasetImpl> dataset_;
  ScanOptions options_;
  SchemaPtr schema_;
};

}  // namespace

Result<std::unique_ptr<Scanner>> MakeFullTextScanner(
    std::shared_ptr<const dataset::DatasetImpl> dataset, ScanOptions options) {
  const Projection projection = ProjectionOf(*dataset, options);
  IXRAY_ASSIGN_OR_RAISE(auto projected, dataset->schema()->Project(projection.columns));
  std::vector<FieldPtr> fields = projected->fields();
  fields.push_back(field("_score", float32(), false));
  if (projection.row_id) fields.push_back(field("_rowid", uint64(), false));
  IXRAY_ASSIGN_OR_RAISE(auto schema, Schema::Make(std::move(fields)));
  if (options.offset < 0 || (options.limit && *options.limit < 0)) {
    return Status::InvalidArgument("offset and limit must not be negative");
  }
  return std::unique_ptr<Scanner>(
      new FullTextScanner(std::move(dataset), std::move(options), std::move(schema)));
}

}  // namespace ixray::search
