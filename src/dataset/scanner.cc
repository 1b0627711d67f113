#include "dataset/scanner.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "ixray/builder.h"
#include "ixray/compute.h"
#include "query/filter_eval.h"
#include "query/filter_parser.h"

namespace ixray::dataset {

namespace {

constexpr std::string_view kRowIdColumn = "_rowid";

// What a scan reads and returns, resolved against the dataset schema.
struct ScanPlan {
  SchemaPtr output_schema;
  // Dataset schema positions of the columns read: the projection, then the
  // columns only the filter needs.
  std::vector<int> read_fields;
  // Positions in read_fields of the output columns (without _rowid).
  std::vector<int> output_from_read;
  query::ExprPtr filter;
  std::vector<const Fragment*> fragments;
  ScanOptions options;
  std::shared_ptr<const IndexedScan> indexed;  // nullable
};

Result<ScanPlan> Plan(const DatasetImpl& dataset, ScanOptions options) {
  const Schema& schema = *dataset.schema();
  ScanPlan plan;
  if (options.nearest || !options.index_segments.empty()) {
    return Status::NotImplemented("vector search (nearest, index_segments) needs the index layer");
  }
  if (options.batch_size <= 0) {
    return Status::InvalidArgument(fmt::format("batch_size must be positive, got {}",
                                               options.batch_size));
  }
  if (options.limit && *options.limit < 0) {
    return Status::InvalidArgument(fmt::format("limit must not be negative, got {}",
                                               *options.limit));
  }
  if (options.offset < 0) {
    return Status::InvalidArgument(fmt::format("offset must not be negative, got {}",
                                               options.offset));
  }
  std::vector<std::string> columns = options.columns;
  if (columns.empty()) columns = schema.names();
  std::vector<FieldPtr> output_fields;
  for (const auto& name : columns) {
    IXRAY_ASSIGN_OR_RAISE(auto f, schema.GetField(name));
    const int index = schema.FieldIndex(name);
    if (std::find(plan.read_fields.begin(), plan.read_fields.end(), index) !=
        plan.read_fields.end()) {
      return Status::InvalidArgument(fmt::format("column '{}' is requested twice", name));
    }
    plan.output_from_read.push_back(static_cast<int>(plan.read_fields.size()));
    plan.read_fields.push_back(index);
    output_fields.push_back(f);
  }
  if (!options.filter.empty()) {
    IXRAY_ASSIGN_OR_RAISE(plan.filter, query::ParseFilter(options.filter, schema));
    for (const auto& name : query::ReferencedColumns(*plan.filter)) {
      const int index = schema.FieldIndex(name);
      if (std::find(plan.read_fields.begin(), plan.read_fields.end(), index) ==
          plan.read_fields.end()) {
        plan.read_fields.push_back(index);
      }
    }
  }
  if (options.with_row_id) output_fields.push_back(field(std::string(kRowIdColumn), uint64(), false));
  IXRAY_ASSIGN_OR_RAISE(plan.output_schema, Schema::Make(std::move(output_fields)));

  const auto& fragments = dataset.manifest().fragments;
  if (options.fragment_ids.empty()) {
    for (const auto& f : fragments) plan.fragments.push_back(&f);
  } else {
    for (FragmentId id : options.fragment_ids) {
      auto it = std::find_if(fragments.begin(), fragments.end(),
                             [id](const Fragment& f) { return f.id == id; });
      if (it == fragments.end()) {
        return Status::InvalidArgument(
            fmt::format("fragment {} is not in version {}", id, dataset.version()));
      }
      plan.fragments.push_back(&*it);
    }
  }
  plan.options = std::move(options);
  return plan;
}

// Streams the plan's output.
class ScanReader final : public BatchReader {
 public:
  ScanReader(std::shared_ptr<const DatasetImpl> dataset, std::shared_ptr<const ScanPlan> plan,
             bool count_only)
      : dataset_(std::move(dataset)),
        plan_(std::move(plan)),
        count_only_(count_only),
        to_skip_(plan_->options.offset),
        remaining_(plan_->options.limit.value_or(INT64_MAX)) {}

  const SchemaPtr& schema() const override { return plan_->output_schema; }

  Result<RecordBatchPtr> Next() override {
    while (remaining_ > 0) {
      if (!fragment_open_) {
        if (next_fragment_ >= plan_->fragments.size()) return RecordBatchPtr();
        IXRAY_RETURN_NOT_OK(OpenFragment(*plan_->fragments[next_fragment_++]));
        continue;
      }
      RecordBatchPtr batch;
      if (selection_ != nullptr) {
        if (take_pos_ >= take_offsets_.size()) {
          fragment_open_ = false;
          continue;
        }
        if (count_only_ && filter_ == nullptr) {
          // Every selected live row matches: count them without reading.
          const auto n = static_cast<int64_t>(take_offsets_.size() - take_pos_);
          take_pos_ = take_offsets_.size();
          const int64_t counted = ApplyOffsetLimit(n);
          if (counted == 0) continue;
          return std::make_shared<const RecordBatch>(plan_->output_schema, counted,
                                                     std::vector<ArrayPtr>{});
        }
        const size_t n = std::min<size_t>(take_offsets_.size() - take_pos_,
                                          static_cast<size_t>(plan_->options.batch_size));
        batch_offsets_.assign(take_offsets_.begin() + static_cast<int64_t>(take_pos_),
                              take_offsets_.begin() + static_cast<int64_t>(take_pos_ + n));
        take_pos_ += n;
        if (filter_ == nullptr) {
          // Every selected row matches: read only the output columns.
          IXRAY_ASSIGN_OR_RAISE(batch, reader_->Take(output_file_columns_, batch_offsets_));
          IXRAY_ASSIGN_OR_RAISE(auto selected, Select(*batch));
          if (selected.empty()) continue;
          return Output(*batch, output_positions_, selected);
        }
        IXRAY_ASSIGN_OR_RAISE(batch, reader_->Take(file_columns_, batch_offsets_));
      } else {
        IXRAY_ASSIGN_OR_RAISE(batch, file_scan_->Next());
        if (batch == nullptr) {
          file_scan_.reset();
          fragment_open_ = false;
          continue;
        }
        batch_offsets_.resize(static_cast<size_t>(batch->num_rows()));
        std::iota(batch_offsets_.begin(), batch_offsets_.end(), static_cast<uint64_t>(row_base_));
        row_base_ += batch->num_rows();
      }
      IXRAY_ASSIGN_OR_RAISE(auto selected, Select(*batch));
      if (selected.empty()) continue;
      return Output(*batch, plan_->output_from_read, selected);
    }
    return RecordBatchPtr();
  }

  // Rows produced so far (for count_only readers, which emit empty batches).
  int64_t rows_counted() const { return rows_counted_; }

 private:
  Status OpenFragment(const Fragment& fragment) {
    fragment_ = &fragment;
    fragment_open_ = true;
    row_base_ = 0;
    filter_ = plan_->filter;
    selection_ = nullptr;
    if (plan_->indexed != nullptr) {
      auto it = plan_->indexed->fragments.find(fragment.id);
      if (it != plan_->indexed->fragments.end()) {
        selection_ = &it->second;
        filter_ = selection_->filter;
      }
    }
    IXRAY_ASSIGN_OR_RAISE(deletions_, dataset_->LoadDeletions(fragment));
    if (selection_ != nullptr) {
      take_offsets_.clear();
      take_pos_ = 0;
      for (uint32_t offset : selection_->rows) {
        if (offset >= static_cast<uint64_t>(fragment.physical_rows)) {
          return Status::Corruption(fmt::format(
              "an index selected row {} of fragment {}, which has {} rows", offset, fragment.id,
              fragment.physical_rows));
        }
        if (deletions_ == nullptr || !deletions_->Contains(offset)) take_offsets_.push_back(offset);
      }
      if (take_offsets_.empty() || (count_only_ && filter_ == nullptr)) return Status::OK();
    }
    IXRAY_ASSIGN_OR_RAISE(reader_, dataset_->OpenDataFile(fragment));
    // Map dataset fields to the data file's columns by field id.
    const Schema& file_schema = *reader_->schema();
    const Schema& schema = *dataset_->schema();
    file_columns_.clear();
    for (int field_index : plan_->read_fields) {
      const int id = schema.field(field_index)->id;
      const int column = file_schema.FieldIndexById(id);
      if (column < 0) {
        return Status::Corruption(fmt::format(
            "fragment {}: data file {} has no column for field '{}' (id {})", fragment.id,
            reader_->path(), schema.field(field_index)->name, id));
      }
      file_columns_.push_back(column);
    }
    output_file_columns_.clear();
    output_positions_.clear();
    for (int position : plan_->output_from_read) {
      output_positions_.push_back(static_cast<int>(output_file_columns_.size()));
      output_file_columns_.push_back(file_columns_[position]);
    }
    if (selection_ == nullptr) file_scan_ = reader_->Scan(file_columns_, plan_->options.batch_size);
    return Status::OK();
  }

  // Of `n` matching rows, how many survive offset and limit (and uses them up).
  int64_t ApplyOffsetLimit(int64_t n) {
    const int64_t skip = std::min(to_skip_, n);
    to_skip_ -= skip;
    const int64_t kept = std::min(n - skip, remaining_);
    remaining_ -= kept;
    rows_counted_ += kept;
    return kept;
  }

  // Positions in `batch` of live rows passing the filter, after offset/limit.
  // batch_offsets_ holds the fragment row offset of each batch row.
  Result<std::vector<int64_t>> Select(const RecordBatch& batch) {
    std::vector<int64_t> rows;
    if (filter_ != nullptr) {
      IXRAY_ASSIGN_OR_RAISE(auto mask, query::Evaluate(*filter_, *NamedBatch(batch)));
      rows = SelectedIndices(*mask);
    } else {
      rows.resize(batch.num_rows());
      std::iota(rows.begin(), rows.end(), 0);
    }
    if (selection_ == nullptr && deletions_ != nullptr && !deletions_->empty()) {
      std::erase_if(rows, [&](int64_t r) {
        return deletions_->Contains(static_cast<uint32_t>(batch_offsets_[r]));
      });
    }
    const auto n = static_cast<int64_t>(rows.size());
    const int64_t skip = std::min(to_skip_, n);
    const int64_t kept = ApplyOffsetLimit(n);
    rows.erase(rows.begin(), rows.begin() + skip);
    rows.resize(static_cast<size_t>(kept));
    return rows;
  }

  // The data file batch under the dataset's field names and schema.
  RecordBatchPtr NamedBatch(const RecordBatch& batch) {
    if (read_schema_ == nullptr) {
      std::vector<FieldPtr> fields;
      for (int index : plan_->read_fields) fields.push_back(dataset_->schema()->field(index));
      read_schema_ = std::make_shared<const Schema>(std::move(fields));
    }
    return std::make_shared<const RecordBatch>(read_schema_, batch.num_rows(), batch.columns());
  }

  // The output columns (batch.column(positions[i]) for each) of `rows`.
  Result<RecordBatchPtr> Output(const RecordBatch& batch, const std::vector<int>& positions,
                                const std::vector<int64_t>& rows) {
    const auto n = static_cast<int64_t>(rows.size());
    if (count_only_) {
      return std::make_shared<const RecordBatch>(plan_->output_schema, n, std::vector<ArrayPtr>{});
    }
    const bool all = n == batch.num_rows();
    std::vector<ArrayPtr> columns;
    for (int position : positions) {
      const ArrayPtr& column = batch.column(position);
      if (all) {
        columns.push_back(column);
      } else {
        IXRAY_ASSIGN_OR_RAISE(auto taken, Take(*column, rows));
        columns.push_back(std::move(taken));
      }
    }
    if (plan_->options.with_row_id) {
      ArrayBuilder ids(uint64());
      ids.Reserve(n);
      for (int64_t r : rows) {
        ids.Append<uint64_t>(
            MakeRowAddress(fragment_->id, static_cast<uint32_t>(batch_offsets_[r])));
      }
      IXRAY_ASSIGN_OR_RAISE(auto id_column, ids.Finish());
      columns.push_back(std::move(id_column));
    }
    return std::make_shared<const RecordBatch>(plan_->output_schema, n, std::move(columns));
  }

  std::shared_ptr<const DatasetImpl> dataset_;
  std::shared_ptr<const ScanPlan> plan_;
  const bool count_only_;
  int64_t to_skip_;
  int64_t remaining_;
  int64_t rows_counted_ = 0;
  size_t next_fragment_ = 0;
  const Fragment* fragment_ = nullptr;
  bool fragment_open_ = false;
  DeletionVectorPtr deletions_;
  std::shared_ptr<DataFileReader> reader_;
  std::vector<int> file_columns_;         // per read field
  std::vector<int> output_file_columns_;  // per output column (not _rowid)
  std::vector<int> output_positions_;     // 0, 1, ...: the output columns of such a batch
  std::unique_ptr<BatchReader> file_scan_;
  int64_t row_base_ = 0;
  // The fragment's index selection (null: scan it whole) and its filter.
  const FragmentSelection* selection_ = nullptr;
  query::ExprPtr filter_;
  std::vector<uint64_t> take_offsets_;  // selected live rows
  size_t take_pos_ = 0;
  std::vector<uint64_t> batch_offsets_;  // row offset of each row of the current batch
  SchemaPtr read_schema_;
};

class DatasetScanner final : public Scanner {
 public:
  DatasetScanner(std::shared_ptr<const DatasetImpl> dataset, ScanPlan plan)
      : dataset_(std::move(dataset)), plan_(std::make_shared<const ScanPlan>(std::move(plan))) {}

  const SchemaPtr& schema() const override { return plan_->output_schema; }

  Result<std::unique_ptr<BatchReader>> ToReader() override {
    return std::unique_ptr<BatchReader>(new ScanReader(dataset_, plan_, /*count_only=*/false));
  }

  Result<int64_t> CountRows() override {
    const ScanOptions& o = plan_->options;
    if (plan_->filter == nullptr) {
      // Answered from the manifest: live rows per fragment.
      int64_t live = 0;
      for (const Fragment* f : plan_->fragments) live += f->num_live_rows();
      live = std::max<int64_t>(0, live - o.offset);
      return o.limit ? std::min(live, *o.limit) : live;
    }
    // Reads only the filter's columns.
    auto counting_plan = std::make_shared<ScanPlan>(*plan_);
    counting_plan->output_from_read.clear();
    counting_plan->options.with_row_id = false;
    counting_plan->output_schema = std::make_shared<const Schema>();
    std::vector<int> filter_only;
    for (const auto& name : query::ReferencedColumns(*plan_->filter)) {
      filter_only.push_back(dataset_->schema()->FieldIndex(name));
    }
    counting_plan->read_fields = std::move(filter_only);
    ScanReader reader(dataset_, std::move(counting_plan), /*count_only=*/true);
    while (true) {
      IXRAY_ASSIGN_OR_RAISE(auto batch, reader.Next());
      if (batch == nullptr) return reader.rows_counted();
    }
  }

  Result<std::string> ExplainPlan() override {
    const ScanOptions& o = plan_->options;
    int64_t rows = 0, deleted = 0;
    for (const Fragment* f : plan_->fragments) {
      rows += f->physical_rows;
      deleted += f->num_deleted_rows();
    }
    std::string out = fmt::format("Scan {} at version {}\n", dataset_->uri(), dataset_->version());
    out += fmt::format("  fragments: {} ({} rows, {} deleted)\n", plan_->fragments.size(), rows,
                       deleted);
    std::vector<std::string> read;
    for (int index : plan_->read_fields) read.push_back(dataset_->schema()->field(index)->name);
    out += fmt::format("  read columns: {}\n", fmt::join(read, ", "));
    out += fmt::format("  output: {}\n", fmt::join(plan_->output_schema->names(), ", "));
    if (plan_->filter != nullptr) {
      if (plan_->indexed == nullptr || plan_->indexed->explain.empty()) {
        out += fmt::format("  filter: {} (evaluated on every batch; no index used)\n",
                           plan_->filter->ToString());
      } else {
        out += fmt::format("  filter: {}\n", plan_->filter->ToString());
        for (const auto& line : plan_->indexed->explain) out += "    " + line + "\n";
      }
    }
    if (o.offset > 0 || o.limit) {
      out += fmt::format("  offset {} limit {}\n", o.offset,
                         o.limit ? std::to_string(*o.limit) : std::string("none"));
    }
    out += fmt::format("  batch size: {}\n", o.batch_size);
    return out;
  }

 private:
  std::shared_ptr<const DatasetImpl> dataset_;
  std::shared_ptr<const ScanPlan> plan_;
};

}  // namespace

Result<std::unique_ptr<Scanner>> MakeScanner(std::shared_ptr<const DatasetImpl> dataset,
                                             ScanOptions options,
                                             std::shared_ptr<const IndexedScan> indexed) {
  IXRAY_ASSIGN_OR_RAISE(auto plan, Plan(*dataset, std::move(options)));
  plan.indexed = std::move(indexed);
  return std::unique_ptr<Scanner>(new DatasetScanner(std::move(dataset), std::move(plan)));
}

Status ForEachColumnBatch(
    const DatasetImpl& dataset, const std::string& column,
    const std::vector<FragmentId>& fragment_ids, int64_t batch_size,
    const std::function<Status(const Array&, std::span<const RowAddress>)>& fn) {
  ScanOptions options;
  options.columns = {column};
  options.fragment_ids = fragment_ids;
  options.with_row_id = true;
  options.batch_size = batch_size;
  IXRAY_ASSIGN_OR_RAISE(auto scanner, dataset.Scan(std::move(options)));
  IXRAY_ASSIGN_OR_RAISE(auto reader, scanner->ToReader());
  while (true) {
    IXRAY_ASSIGN_OR_RAISE(auto batch, reader->Next());
    if (batch == nullptr) return Status::OK();
    const auto n = static_cast<size_t>(batch->num_rows());
    IXRAY_RETURN_NOT_OK(fn(*batch->column(0), {batch->column(1)->data<uint64_t>(), n}));
  }
}

Result<std::vector<RowAddress>> MatchingRowAddresses(const DatasetImpl& dataset,
                                                     const std::string& filter,
                                                     const std::vector<FragmentId>& fragment_ids) {
  IXRAY_ASSIGN_OR_RAISE(auto parsed, query::ParseFilter(filter, *dataset.schema()));
  ScanOptions options;
  options.columns = {query::ReferencedColumns(*parsed)[0]};  // the least a scan may read
  options.filter = filter;
  options.fragment_ids = fragment_ids;
  options.with_row_id = true;
  options.batch_size = 65536;
  IXRAY_ASSIGN_OR_RAISE(auto scanner, dataset.Scan(std::move(options)));
  IXRAY_ASSIGN_OR_RAISE(auto reader, scanner->ToReader());
  std::vector<RowAddress> out;
  while (true) {
    IXRAY_ASSIGN_OR_RAISE(auto batch, reader->Next());
    if (batch == nullptr) break;
    const uint64_t* ids = batch->column(1)->data<uint64_t>();
    out.insert(out.end(), ids, ids + batch->num_rows());
  }
  std::sort(out.begin(), out.end());  // scans go fragment by fragment in manifest order
  return out;
}

Result<RecordBatchPtr> TakeRowAddresses(const DatasetImpl& dataset,
                                        std::span<const RowAddress> addresses,
                                        const std::vector<std::string>& columns) {
  ScanOptions options;
  options.columns = columns;
  IXRAY_ASSIGN_OR_RAISE(auto plan, Plan(dataset, std::move(options)));
  const Schema& schema = *dataset.schema();

  // Group the requested offsets by fragment, each group sorted and unique.
  struct Group {
    const Fragment* fragment;
    std::vector<uint64_t> offsets;
  };
  std::vector<Group> groups;
  for (RowAddress address : addresses) {
    const FragmentId id = AddressFragment(address);
    auto it = std::find_if(groups.begin(), groups.end(),
                           [id](const Group& g) { return g.fragment->id == id; });
    if (it == groups.end()) {
      const auto& fragments = dataset.manifest().fragments;
      auto f = std::find_if(fragments.begin(), fragments.end(),
                            [id](const Fragment& fr) { return fr.id == id; });
      if (f == fragments.end()) {
        return Status::InvalidArgument(
            fmt::format("row address {} names fragment {}, which version {} does not have",
                        address, id, dataset.version()));
      }
      groups.push_back(Group{&*f, {}});
      it = groups.end() - 1;
    }
    it->offsets.push_back(AddressOffset(address));
  }

  std::vector<RecordBatchPtr> parts;
  std::vector<int64_t> group_start;  // position of each group's first row in the concatenation
  int64_t total = 0;
  for (auto& g : groups) {
    std::sort(g.offsets.begin(), g.offsets.end());
    g.offsets.erase(std::unique(g.offsets.begin(), g.offsets.end()), g.offsets.end());
    IXRAY_ASSIGN_OR_RAISE(auto deletions, dataset.LoadDeletions(*g.fragment));
    for (uint64_t offset : g.offsets) {
      if (offset >= static_cast<uint64_t>(g.fragment->physical_rows) ||
          (deletions != nullptr && deletions->Contains(static_cast<uint32_t>(offset)))) {
        return Status::InvalidArgument(
            fmt::format("row address {} is not a live row of version {}",
                        MakeRowAddress(g.fragment->id, static_cast<uint32_t>(offset)),
                        dataset.version()));
      }
    }
    IXRAY_ASSIGN_OR_RAISE(auto reader, dataset.OpenDataFile(*g.fragment));
    std::vector<int> file_columns;
    for (int index : plan.read_fields) {
      file_columns.push_back(reader->schema()->FieldIndexById(schema.field(index)->id));
      if (file_columns.back() < 0) {
        return Status::Corruption(fmt::format("data file {} lacks field '{}'", reader->path(),
                                              schema.field(index)->name));
      }
    }
    IXRAY_ASSIGN_OR_RAISE(auto part, reader->Take(file_columns, g.offsets));
    parts.push_back(std::make_shared<const RecordBatch>(plan.output_schema, part->num_rows(),
                                                        part->columns()));
    group_start.push_back(total);
    total += part->num_rows();
  }
  IXRAY_ASSIGN_OR_RAISE(auto all, ConcatenateBatches(plan.output_schema, parts));
  std::vector<int64_t> order;
  order.reserve(addresses.size());
  for (RowAddress address : addresses) {
    const FragmentId id = AddressFragment(address);
    for (size_t g = 0; g < groups.size(); ++g) {
      if (groups[g].fragment->id != id) continue;
      const auto& offsets = groups[g].offsets;
      const auto pos = std::lower_bound(offsets.begin(), offsets.end(), AddressOffset(address)) -
                       offsets.begin();
      order.push_back(group_start[g] + pos);
      break;
    }
  }
  return Take(*all, order);
}

Result<std::vector<RowAddress>> PositionsToAddresses(const DatasetImpl& dataset,
                                                     std::span<const uint64_t> positions) {
  const auto& fragments = dataset.manifest().fragments;
  std::vector<uint64_t> live_end;  // cumulative live rows after each fragment
  uint64_t total = 0;
  for (const auto& f : fragments) {
    total += static_cast<uint64_t>(f.num_live_rows());
    live_end.push_back(total);
  }
  std::vector<RowAddress> out;
  out.reserve(positions.size());
  for (uint64_t position : positions) {
    if (position >= total) {
      return Status::InvalidArgument(fmt::format(
          "position {} is out of range: version {} has {} rows", position, dataset.version(),
          total));
    }
    const size_t k = std::upper_bound(live_end.begin(), live_end.end(), position) - live_end.begin();
    const Fragment& f = fragments[k];
    const uint64_t rank = position - (k == 0 ? 0 : live_end[k - 1]);  // among live rows
    IXRAY_ASSIGN_OR_RAISE(auto deletions, dataset.LoadDeletions(f));
    uint64_t offset = rank;
    if (deletions != nullptr && !deletions->empty()) {
      // The smallest offset o with (o + 1 - deleted rows <= o) == rank + 1.
      uint64_t lo = rank, hi = static_cast<uint64_t>(f.physical_rows) - 1;
      while (lo < hi) {
        const uint64_t mid = lo + (hi - lo) / 2;
        const uint64_t live = mid + 1 - deletions->Rank(static_cast<uint32_t>(mid));
        if (live >= rank + 1) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      offset = lo;
    }
    out.push_back(MakeRowAddress(f.id, static_cast<uint32_t>(offset)));
  }
  return out;
}

}  // namespace ixray::dataset
