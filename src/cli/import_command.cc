// ixray import <source> <uri>: reads a CSV, JSON lines, .npy or .fvecs/
// .bvecs/.ivecs file in a stream and writes it as a dataset version.

#include <fmt/format.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "ingest/value_format.h"
#include "ixray/dataset.h"
#include "ixray/ingest.h"

namespace ixray::cli {

namespace {

struct ImportArgs {
  std::string source;
  std::string uri;
  std::string format = "auto";
  std::string mode = "create";
  std::string column = "vector";
  int64_t max_rows_per_file = int64_t{1} << 20;
  std::string delimiter;
  int64_t batch_size = 8192;
  int64_t infer_rows = 1000;
  bool json = false;
};

Result<WriteMode> ParseMode(std::string_view mode) {
  if (mode == "create") return WriteMode::kCreate;
  if (mode == "append") return WriteMode::kAppend;
  if (mode == "overwrite") return WriteMode::kOverwrite;
  return Status::InvalidArgument(
      fmt::format("unknown --mode '{}' (expected create, append or overwrite)", mode));
}

Result<char> ParseDelimiter(std::string_view text) {
  if (text == "\\t" || text == "tab" || text == "\t") return '\t';
  if (text.size() == 1) return text[0];
  return Status::InvalidArgument(
      fmt::format("--delimiter must be a single character (or \\t / tab), got '{}'", text));
}

Status RunImport(const ImportArgs& args) {
  IngestOptions options;
  IXRAY_ASSIGN_OR_RAISE(options.format, ParseIngestFormat(args.format));
  options.column_name = args.column;
  options.batch_size = args.batch_size;
  options.inference_rows = args.infer_rows;
  if (!args.delimiter.empty()) {
    IXRAY_ASSIGN_OR_RAISE(options.delimiter, ParseDelimiter(args.delimiter));
  } else if (args.format == "tsv") {
    options.delimiter = '\t';
  }
  WriteOptions write_options;
  IXRAY_ASSIGN_OR_RAISE(write_options.mode, ParseMode(args.mode));
  if (args.max_rows_per_file <= 0) {
    return Status::InvalidArgument("--max-rows-per-file must be positive");
  }
  write_options.max_rows_per_file = args.max_rows_per_file;
  write_options.file_system = LocalFileSystem();

  std::shared_ptr<FileSystem> fs = LocalFileSystem();
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<IngestReader> source,
                        OpenIngestReader(*fs, args.source, options));
  if (source->schema()->num_fields() == 0) {
    return Status::InvalidArgument("'" + args.source + "' has no columns (is it empty?)");
  }
  ProgressBar bar("importing", ::isatty(STDERR_FILENO) == 1);
  ProgressReader reader(*source, bar);
  Result<std::shared_ptr<Dataset>> written = Dataset::Write(reader, args.uri, write_options);
  bar.Finish();
  IXRAY_RETURN_NOT_OK(written.status());
  const std::shared_ptr<Dataset>& dataset = *written;
  IXRAY_ASSIGN_OR_RAISE(int64_t total_rows, dataset->CountRows());

  if (::isatty(STDERR_FILENO) != 1) {
    fmt::print(stderr, "imported {} rows ({}) from {} in {:.2f}s\n", FormatCount(reader.rows()),
               FormatBytes(source->total_bytes()), args.source, bar.ElapsedSeconds());
  }
  if (args.json) {
    std::string out = "{\"uri\":";
    ingest::AppendJsonString(args.uri, &out);
    out += fmt::format(",\"version\":{},\"rows_imported\":{},\"num_rows\":{}}}\n",
                       dataset->version(), reader.rows(), total_rows);
    WriteAll(stdout, out);
  } else {
    fmt::print("{}: version {}, {} rows imported, {} rows in total\n", args.uri, dataset->version(),
               FormatCount(reader.rows()), FormatCount(total_rows));
  }
  return Status::OK();
}

}  // namespace

void AddImportCommand(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  auto* cmd = app.add_subcommand(
      "import", "Import a CSV, JSON lines, .npy or .fvecs/.bvecs/.ivecs file into a dataset");
  cmd->add_option("source", args->source, "The file to import")->required();
  cmd->add_option("uri", args->uri, "The dataset directory")->required();
  cmd->add_option("--format", args->format,
                  "csv, tsv, jsonl, npy, fvecs, bvecs, ivecs, or auto (from the extension)")
      ->capture_default_str();
  cmd->add_option("--mode", args->mode,
                  "create (fails if the dataset exists), append, or overwrite")
      ->capture_default_str();
  cmd->add_option("--column", args->column, "Column name for .npy and vecs data")
      ->capture_default_str();
  cmd->add_option("--max-rows-per-file", args->max_rows_per_file, "Rows per data file")
      ->capture_default_str();
  cmd->add_option("--delimiter", args->delimiter, "CSV field delimiter (default ',', \\t for tab)");
  cmd->add_option("--batch-size", args->batch_size, "Rows per batch read from the source")
      ->capture_default_str();
  cmd->add_option("--infer-rows", args->infer_rows,
                  "CSV and JSON lines: rows used to infer column types")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->callback([args] {
    const Status status = RunImport(*args);
    if (!status.ok()) ReportError(status);
  });
}

}  // namespace ixray::cli
