// ixray search <uri>: the k nearest rows to a query vector, nearest first,
// with their _distance, or (--fts "text") the k best full-text matches with
// their BM25 _score, as an aligned table or as JSON lines.
//
// The query is given inline (--q "0.1,0.2,...") or as one vector of a .npy,
// .fvecs, .bvecs or .ivecs file (--q-file, --q-row). The search uses the
// column's vector index when there is one (nprobes, refine factor and ef
// tune it) and is exact otherwise.

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/table_printer.h"
#include "ingest/value_format.h"
#include "ixray/dataset.h"
#include "ixray/ingest.h"

namespace ixray::cli {

namespace {

struct SearchArgs {
  std::string uri;
  std::string column;
  std::string fts;
  CLI::Option* fts_option = nullptr;
  bool phrase = false;
  std::string q;
  CLI::Option* q_option = nullptr;
  std::string q_file;
  CLI::Option* q_file_option = nullptr;
  int64_t q_row = 0;
  int64_t k = 10;
  std::string metric;
  int nprobes = 0;
  CLI::Option* nprobes_option = nullptr;
  int refine_factor = 0;
  CLI::Option* refine_factor_option = nullptr;
  int ef = 0;
  CLI::Option* ef_option = nullptr;
  std::string filter;
  bool prefilter = false;
  bool fast_search = false;
  bool no_index = false;
  std::string columns;
  uint64_t version = 0;
  CLI::Option* version_option = nullptr;
  bool with_row_id = false;
  int max_width = 40;
  bool json = false;
};

// "0.1, 0.2 0.3" or "[0.1,0.2,0.3]": numbers separated by commas and/or
// spaces, optionally in brackets.
Result<std::vector<float>> ParseVector(std::string_view text) {
  std::string buffer(text);
  for (char& c : buffer) {
    if (c == ',' || c == '[' || c == ']' || c == '\t' || c == '\n') c = ' ';
  }
  std::vector<float> values;
  const char* p = buffer.c_str();
  while (true) {
    while (*p == ' ') ++p;
    if (*p == '\0') break;
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(p, &end);
    if (end == p || (*end != ' ' && *end != '\0') || errno == ERANGE || !std::isfinite(value)) {
      std::string_view token(p);
      token = token.substr(0, token.find(' '));
      return Status::InvalidArgument(fmt::format("--q: '{}' is not a finite number", token));
    }
    values.push_back(static_cast<float>(value));
    p = end;
  }
  if (values.empty()) return Status::InvalidArgument("--q is empty; give the query's values");
  return values;
}

// Appends values [begin, begin + length) of a numeric array as floats.
Status AppendAsFloats(const Array& values, int64_t begin, int64_t length, std::vector<float>* out) {
  auto append = [&]<typename T>(const T* data) {
    for (int64_t i = begin; i < begin + length; ++i) out->push_back(static_cast<float>(data[i]));
    return Status::OK();
  };
  switch (values.type()->id()) {
    case TypeId::kInt8:
      return append(values.data<int8_t>());
    case TypeId::kInt16:
      return append(values.data<int16_t>());
    case TypeId::kInt32:
      return append(values.data<int32_t>());
    case TypeId::kInt64:
      return append(values.data<int64_t>());
    case TypeId::kUInt8:
      return append(values.data<uint8_t>());
    case TypeId::kUInt16:
      return append(values.data<uint16_t>());
    case TypeId::kUInt32:
      return append(values.data<uint32_t>());
    case TypeId::kUInt64:
      return append(values.data<uint64_t>());
    case TypeId::kFloat32:
      return append(values.data<float>());
    case TypeId::kFloat64:
      return append(values.data<double>());
    default:
      return Status::NotImplemented(
          fmt::format("query vectors of type {} are not supported", values.type()->ToString()));
  }
}

// Vector `row` of a 2-D .npy or a .fvecs/.bvecs/.ivecs file, or the whole
// of a 1-D .npy (one vector).
Result<std::vector<float>> ReadQueryFile(const std::string& path, int64_t row) {
  IXRAY_ASSIGN_OR_RAISE(IngestFormat format, DetectIngestFormat(path));
  if (format != IngestFormat::kNpy && format != IngestFormat::kFvecs &&
      format != IngestFormat::kBvecs && format != IngestFormat::kIvecs) {
    return Status::InvalidArgument(
        fmt::format("--q-file '{}': expected a .npy, .fvecs, .bvecs or .ivecs file", path));
  }
  if (row < 0) return Status::InvalidArgument("--q-row must not be negative");
  std::shared_ptr<FileSystem> fs = LocalFileSystem();
  IngestOptions options;
  options.format = format;
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<IngestReader> reader, OpenIngestReader(*fs, path, options));
  const bool one_vector = reader->schema()->field(0)->type->id() != TypeId::kFixedSizeList;
  if (one_vector && row != 0) {
    return Status::InvalidArgument(
        fmt::format("--q-file '{}' holds one vector (a 1-D array); --q-row must be 0", path));
  }
  std::vector<float> q;
  int64_t rows_seen = 0;
  while (true) {
    IXRAY_ASSIGN_OR_RAISE(RecordBatchPtr batch, reader->Next());
    if (batch == nullptr) break;
    const Array& column = *batch->column(0);
    if (one_vector) {
      IXRAY_RETURN_NOT_OK(AppendAsFloats(column, 0, column.length(), &q));
      continue;
    }
    if (row < rows_seen + batch->num_rows()) {
      const int64_t dim = column.type()->list_size();
      const int64_t start = (column.offset() + row - rows_seen) * dim;
      IXRAY_RETURN_NOT_OK(AppendAsFloats(*column.values(), start, dim, &q));
      return q;
    }
    rows_seen += batch->num_rows();
  }
  if (!one_vector) {
    return Status::InvalidArgument(
        fmt::format("--q-row {} is out of range: '{}' holds {} vectors", row, path, rows_seen));
  }
  if (q.empty()) return Status::InvalidArgument(fmt::format("--q-file '{}' is empty", path));
  return q;
}

Result<VectorQuery> MakeQuery(const SearchArgs& args) {
  VectorQuery query;
  if (args.column.empty()) return Status::InvalidArgument("give the vector column with --column");
  query.column = args.column;
  if (args.q_option->count() > 0) {
    IXRAY_ASSIGN_OR_RAISE(query.q, ParseVector(args.q));
  } else if (args.q_file_option->count() > 0) {
    IXRAY_ASSIGN_OR_RAISE(query.q, ReadQueryFile(args.q_file, args.q_row));
  } else {
    return Status::InvalidArgument("give the query vector with --q or --q-file");
  }
  if (args.k <= 0) return Status::InvalidArgument("--k must be positive");
  query.k = args.k;
  query.metric = args.metric;
  if (args.nprobes_option->count() > 0) query.nprobes = args.nprobes;
  if (args.refine_factor_option->count() > 0) query.refine_factor = args.refine_factor;
  if (args.ef_option->count() > 0) query.ef = args.ef;
  query.use_index = !args.no_index;
  return query;
}

Status RunSearch(const SearchArgs& args) {
  if (args.max_width < 2) return Status::InvalidArgument("--max-width must be at least 2");
  const bool full_text = args.fts_option->count() > 0;
  if (!full_text && args.phrase) return Status::InvalidArgument("--phrase goes with --fts");
  VectorQuery query;
  if (!full_text) {
    IXRAY_ASSIGN_OR_RAISE(query, MakeQuery(args));
  } else if (args.q_option->count() > 0 || args.q_file_option->count() > 0) {
    return Status::InvalidArgument("give either a query vector (--q, --q-file) or --fts");
  } else if (args.k <= 0) {
    return Status::InvalidArgument("--k must be positive");
  }
  std::optional<uint64_t> version;
  if (args.version_option->count() > 0) version = args.version;
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<Dataset> dataset, OpenDataset(args.uri, version));

  ScanOptions options;
  options.columns = SplitList(args.columns);
  options.filter = args.filter;
  options.prefilter = args.prefilter;
  options.fast_search = args.fast_search;
  options.with_row_id = args.with_row_id;
  if (full_text) {
    FullTextQuery text{args.fts, {}, args.phrase};
    if (!args.column.empty()) text.columns = {args.column};
    options.full_text_query = std::move(text);
    options.limit = args.k;
  } else {
    options.nearest = std::move(query);
  }
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<Scanner> scanner, dataset->Scan(options));
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<BatchReader> reader, scanner->ToReader());

  TablePrinter table(stdout, args.max_width);
  std::string lines;
  while (true) {
    IXRAY_ASSIGN_OR_RAISE(RecordBatchPtr batch, reader->Next());
    if (batch == nullptr) break;
    if (!args.json) {
      table.Print(*batch);
      continue;
    }
    lines.clear();
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      ingest::AppendRowJson(*batch, r, &lines);
      lines.push_back('\n');
    }
    WriteAll(stdout, lines);
  }
  if (!args.json) table.Finish(*reader->schema());
  return Status::OK();
}

}  // namespace

void AddSearchCommand(CLI::App& app) {
  auto args = std::make_shared<SearchArgs>();
  auto* cmd = app.add_subcommand(
      "search",
      "Print the k nearest rows to a query vector (with _distance), or the k best full-text "
      "matches (--fts, with _score)");
  cmd->add_option("uri", args->uri, "The dataset directory")->required();
  cmd->add_option("--column", args->column,
                  "The vector column to search (with --fts: the text column; default: every "
                  "column with an INVERTED index)");
  args->fts_option = cmd->add_option(
      "--fts", args->fts, "Full-text query: rows matching any of its words, ranked by BM25");
  cmd->add_flag("--phrase", args->phrase,
                "With --fts: match the words as a phrase (needs an index with_position=true)");
  args->q_option =
      cmd->add_option("--q", args->q, "The query vector, e.g. \"0.1,0.2,0.3\" (or [..])");
  args->q_file_option = cmd->add_option(
      "--q-file", args->q_file, "Read the query from a .npy, .fvecs, .bvecs or .ivecs file");
  args->q_option->excludes(args->q_file_option);
  cmd->add_option("--q-row", args->q_row, "With --q-file: which vector of the file")
      ->capture_default_str();
  cmd->add_option("--k", args->k, "How many nearest rows")->capture_default_str();
  cmd->add_option("--metric", args->metric,
                  "l2, cosine, dot or hamming (default: the index's, or l2 without one)");
  args->nprobes_option = cmd->add_option("--nprobes", args->nprobes, "IVF partitions to search");
  args->refine_factor_option =
      cmd->add_option("--refine-factor", args->refine_factor,
                      "Re-rank k * refine-factor candidates by their exact distance");
  args->ef_option = cmd->add_option("--ef", args->ef, "HNSW search breadth");
  cmd->add_option("--filter", args->filter, "SQL-like filter on the rows, e.g. \"category = 3\"");
  cmd->add_flag("--prefilter", args->prefilter,
                "Filter first, then search only matching rows (default: filter the results)");
  cmd->add_flag("--fast-search", args->fast_search, "Search only rows covered by the index");
  cmd->add_flag("--no-index", args->no_index, "Exact search, ignoring any index");
  cmd->add_option("--columns", args->columns, "Comma-separated columns to show (default: all)");
  args->version_option =
      cmd->add_option("--version", args->version, "The version to search (default: latest)");
  cmd->add_flag("--with-row-id", args->with_row_id, "Add the _rowid column");
  cmd->add_option("--max-width", args->max_width, "Widest table cell, in characters")
      ->capture_default_str();
  cmd->add_flag("--json", args->json,
                "Print JSON lines: one object per row, nearest first, with _distance");
  cmd->callback([args] {
    const Status status = RunSearch(*args);
    if (!status.ok()) ReportError(status);
  });
}

}  // namespace ixray::cli
