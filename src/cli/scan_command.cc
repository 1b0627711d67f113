// ixray scan <uri>: streams a dataset's rows (optionally projected, filtered,
// limited) as an aligned table or as JSON lines.

#include <fmt/format.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/table_printer.h"
#include "ingest/value_format.h"
#include "ixray/dataset.h"

namespace ixray::cli {

namespace {

struct ScanArgs {
  std::string uri;
  std::string columns;
  std::string filter;
  int64_t limit = 0;
  CLI::Option* limit_option = nullptr;
  int64_t offset = 0;
  uint64_t version = 0;
  CLI::Option* version_option = nullptr;
  bool with_row_id = false;
  int64_t batch_size = 1024;
  int max_width = 40;
  bool json = false;
};

Status RunScan(const ScanArgs& args) {
  if (args.offset < 0) return Status::InvalidArgument("--offset must not be negative");
  if (args.batch_size <= 0) return Status::InvalidArgument("--batch-size must be positive");
  if (args.max_width < 2) return Status::InvalidArgument("--max-width must be at least 2");
  std::optional<uint64_t> version;
  if (args.version_option->count() > 0) version = args.version;
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<Dataset> dataset, OpenDataset(args.uri, version));

  ScanOptions options;
  options.columns = SplitList(args.columns);
  options.filter = args.filter;
  if (args.limit_option->count() > 0) {
    if (args.limit < 0) return Status::InvalidArgument("--limit must not be negative");
    options.limit = args.limit;
  }
  options.offset = args.offset;
  options.with_row_id = args.with_row_id;
  options.batch_size = args.batch_size;
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

void AddScanCommand(CLI::App& app) {
  auto args = std::make_shared<ScanArgs>();
  auto* cmd = app.add_subcommand("scan", "Print a dataset's rows as a table or JSON lines");
  cmd->add_option("uri", args->uri, "The dataset directory")->required();
  cmd->add_option("--columns", args->columns, "Comma-separated columns to show (default: all)");
  cmd->add_option("--filter", args->filter, "SQL-like filter, e.g. \"price > 10 AND tag = 'a'\"");
  args->limit_option = cmd->add_option("--limit", args->limit, "Print at most this many rows");
  cmd->add_option("--offset", args->offset, "Skip this many rows first")->capture_default_str();
  args->version_option =
      cmd->add_option("--version", args->version, "The version to scan (default: latest)");
  cmd->add_flag("--with-row-id", args->with_row_id, "Add the _rowid column");
  cmd->add_option("--batch-size", args->batch_size, "Rows per scanned batch")
      ->capture_default_str();
  cmd->add_option("--max-width", args->max_width, "Widest table cell, in characters")
      ->capture_default_str();
  cmd->add_flag("--json", args->json,
                "Print JSON lines: one object per row; vectors as arrays, dates and timestamps "
                "as ISO strings, binary as base64");
  cmd->callback([args] {
    const Status status = RunScan(*args);
    if (!status.ok()) ReportError(status);
  });
}

}  // namespace ixray::cli
