// ixray compact <uri>: rewrites small fragments (and fragments with deleted
// rows) into larger ones, keeping every index consistent in the same commit
// (include/ixray/maintenance.h).
//
// ixray cleanup <uri>: removes old versions and the files only they used.

#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "ixray/dataset.h"
#include "ixray/executor.h"
#include "ixray/maintenance.h"

namespace ixray::cli {

namespace {

struct CompactArgs {
  std::string uri;
  int64_t target_rows = int64_t{1} << 20;
  bool no_remap = false;
  int threads = 0;
  bool json = false;
};

Status RunCompact(const CompactArgs& args) {
  if (args.threads < 0) return Status::InvalidArgument("--threads must not be negative");
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<Dataset> dataset, OpenDataset(args.uri, std::nullopt));
  const size_t fragments_before = dataset->Fragments().size();
  CompactionOptions options;
  options.target_rows_per_fragment = args.target_rows;
  options.remap_indices = !args.no_remap;
  std::shared_ptr<Executor> executor = MakeThreadPoolExecutor(args.threads);
  const auto start = std::chrono::steady_clock::now();
  IXRAY_ASSIGN_OR_RAISE(CompactionResult result, CompactFiles(*dataset, options, *executor));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const CompactionMetrics& m = result.metrics;
  if (args.json) {
    const std::string out = fmt::format(
        "{{\"version\":{},\"fragments_removed\":{},\"fragments_added\":{},\"files_removed\":{},"
        "\"files_added\":{},\"segments_rewritten\":{},\"seconds\":{:.3f}}}\n",
        result.dataset->version(), m.fragments_removed, m.fragments_added, m.files_removed,
        m.files_added, m.segments_rewritten, seconds);
    WriteAll(stdout, out);
  } else if (m.fragments_removed == 0) {
    WriteAll(stdout, fmt::format("{}: nothing to compact ({} fragments, version {})\n",
                                 dataset->uri(), fragments_before, dataset->version()));
  } else {
    WriteAll(stdout,
             fmt::format("{}: version {}, {} fragments -> {} ({} rewritten into {}), "
                         "{} index segment{} rebuilt in {:.2f}s\n",
                         dataset->uri(), result.dataset->version(), fragments_before,
                         result.dataset->Fragments().size(), m.fragments_removed, m.fragments_added,
                         m.segments_rewritten, m.segments_rewritten == 1 ? "" : "s", seconds));
  }
  return Status::OK();
}

struct CleanupArgs {
  std::string uri;
  double older_than_seconds = 0;
  CLI::Option* older_than_option = nullptr;
  int64_t keep_last = 0;
  CLI::Option* keep_last_option = nullptr;
  bool json = false;
};

Status RunCleanup(const CleanupArgs& args) {
  CleanupOptions options;
  if (args.older_than_option->count() > 0) {
    if (!(args.older_than_seconds >= 0)) {
      return Status::InvalidArgument("--older-than-seconds must not be negative");
    }
    options.older_than =
        std::chrono::microseconds(static_cast<int64_t>(args.older_than_seconds * 1e6));
  }
  if (args.keep_last_option->count() > 0) options.keep_last = args.keep_last;
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<Dataset> dataset, OpenDataset(args.uri, std::nullopt));
  IXRAY_ASSIGN_OR_RAISE(CleanupStats stats, CleanupOldVersions(*dataset, options));
  if (args.json) {
    WriteAll(stdout, fmt::format("{{\"removed_manifests\":{},\"removed_data_files\":{},"
                                 "\"removed_deletion_files\":{},\"removed_index_segments\":{},"
                                 "\"removed_transaction_files\":{},\"bytes_removed\":{}}}\n",
                                 stats.removed_manifests, stats.removed_data_files,
                                 stats.removed_deletion_files, stats.removed_index_segments,
                                 stats.removed_transaction_files, stats.bytes_removed));
  } else {
    WriteAll(stdout,
             fmt::format("{}: removed {} version{}, {} data file{}, {} deletion file{}, "
                         "{} index segment{} ({})\n",
                         dataset->uri(), stats.removed_manifests,
                         stats.removed_manifests == 1 ? "" : "s", stats.removed_data_files,
                         stats.removed_data_files == 1 ? "" : "s", stats.removed_deletion_files,
                         stats.removed_deletion_files == 1 ? "" : "s", stats.removed_index_segments,
                         stats.removed_index_segments == 1 ? "" : "s",
                         FormatBytes(stats.bytes_removed)));
  }
  return Status::OK();
}

}  // namespace

void AddCompactCommand(CLI::App& app) {
  auto args = std::make_shared<CompactArgs>();
  auto* cmd = app.add_subcommand(
      "compact",
      "Rewrite small fragments and fragments with deleted rows into larger ones (a new version; "
      "indices stay consistent)");
  cmd->add_option("uri", args->uri, "The dataset directory")->required();
  cmd->add_option("--target-rows", args->target_rows, "Rows per new fragment, at most")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--no-remap", args->no_remap,
                "Do not rebuild index segments: rewritten rows are scanned until re-indexed");
  cmd->add_option("--threads", args->threads, "Worker threads (0: one per hardware thread)")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->callback([args] {
    const Status status = RunCompact(*args);
    if (!status.ok()) ReportError(status);
  });
}

void AddCleanupCommand(CLI::App& app) {
  auto args = std::make_shared<CleanupArgs>();
  auto* cmd =
      app.add_subcommand("cleanup", "Remove old versions and the files no remaining version uses");
  cmd->add_option("uri", args->uri, "The dataset directory")->required();
  args->older_than_option = cmd->add_option(
      "--older-than-seconds", args->older_than_seconds,
      "Remove versions committed longer ago than this (default: 14 days unless --keep-last)");
  args->keep_last_option =
      cmd->add_option("--keep-last", args->keep_last, "Always keep this many newest versions");
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->callback([args] {
    const Status status = RunCleanup(*args);
    if (!status.ok()) ReportError(status);
  });
}

}  // namespace ixray::cli
