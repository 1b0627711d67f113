// ixray versions <uri>: every version of a dataset with its commit time and
// operation.

#include <fmt/format.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "ingest/value_format.h"
#include "ixray/dataset.h"

namespace ixray::cli {

namespace {

struct VersionsArgs {
  std::string uri;
  bool json = false;
};

Status RunVersions(const VersionsArgs& args) {
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<Dataset> dataset, OpenDataset(args.uri, std::nullopt));
  IXRAY_ASSIGN_OR_RAISE(std::vector<VersionInfo> versions, dataset->Versions());
  std::string out;
  if (args.json) {
    out = "[";
    for (size_t i = 0; i < versions.size(); ++i) {
      if (i > 0) out += ",";
      out += fmt::format("{{\"version\":{},\"timestamp\":", versions[i].version);
      ingest::AppendJsonString(ingest::FormatTimestamp(versions[i].timestamp_us, "UTC"), &out);
      out += ",\"operation\":";
      ingest::AppendJsonString(versions[i].operation, &out);
      out += "}";
    }
    out += "]\n";
  } else {
    out = fmt::format("{:>8}  {:<27}  {}\n", "version", "timestamp", "operation");
    for (const VersionInfo& info : versions) {
      out += fmt::format("{:>8}  {:<27}  {}\n", info.version,
                         ingest::FormatTimestamp(info.timestamp_us, "UTC"), info.operation);
    }
  }
  WriteAll(stdout, out);
  return Status::OK();
}

}  // namespace

void AddVersionsCommand(CLI::App& app) {
  auto args = std::make_shared<VersionsArgs>();
  auto* cmd = app.add_subcommand("versions", "List a dataset's versions");
  cmd->add_option("uri", args->uri, "The dataset directory")->required();
  cmd->add_flag("--json", args->json, "Print as a JSON array");
  cmd->callback([args] {
    const Status status = RunVersions(*args);
    if (!status.ok()) ReportError(status);
  });
}

}  // namespace ixray::cli
