// ixray count <uri> [--filter EXPR]: the number of live rows, or of those
// matching a filter.

#include <fmt/format.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "ixray/dataset.h"

namespace ixray::cli {

namespace {

struct CountArgs {
  std::string uri;
  std::string filter;
  uint64_t version = 0;
  CLI::Option* version_option = nullptr;
  bool json = false;
};

Status RunCount(const CountArgs& args) {
  std::optional<uint64_t> version;
  if (args.version_option->count() > 0) version = args.version;
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<Dataset> dataset, OpenDataset(args.uri, version));
  IXRAY_ASSIGN_OR_RAISE(int64_t count, dataset->CountRows(args.filter));
  if (args.json) {
    fmt::print("{{\"count\":{}}}\n", count);
  } else {
    fmt::print("{}\n", count);
  }
  return Status::OK();
}

}  // namespace

void AddCountCommand(CLI::App& app) {
  auto args = std::make_shared<CountArgs>();
  auto* cmd = app.add_subcommand("count", "Count the rows of a dataset (matching a filter)");
  cmd->add_option("uri", args->uri, "The dataset directory")->required();
  cmd->add_option("--filter", args->filter, "Count only rows matching this SQL-like filter");
  args->version_option =
      cmd->add_option("--version", args->version, "The version to count (default: latest)");
  cmd->add_flag("--json", args->json, "Print as JSON");
  cmd->callback([args] {
    const Status status = RunCount(*args);
    if (!status.ok()) ReportError(status);
  });
}

}  // namespace ixray::cli
