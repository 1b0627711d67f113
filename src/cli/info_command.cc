// ixray info <uri>: a dataset's version, schema with field ids, fragments,
// rows, deleted rows and data size.

#include <fmt/format.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "ingest/value_format.h"
#include "ixray/dataset.h"

namespace ixray::cli {

namespace {

struct InfoArgs {
  std::string uri;
  uint64_t version = 0;
  CLI::Option* version_option = nullptr;
  bool json = false;
};

struct DatasetSummary {
  uint64_t latest_version = 0;
  int64_t num_fragments = 0;
  int64_t num_rows = 0;
  int64_t num_deleted_rows = 0;
  int64_t data_size = 0;
};

Result<DatasetSummary> Summarize(const Dataset& dataset) {
  DatasetSummary summary;
  IXRAY_ASSIGN_OR_RAISE(summary.latest_version, dataset.LatestVersion());
  FileSystem& fs = *dataset.file_system();
  for (const FragmentInfo& fragment : dataset.Fragments()) {
    ++summary.num_fragments;
    summary.num_rows += fragment.num_rows();
    summary.num_deleted_rows += fragment.deleted_rows;
    for (const std::string& file : fragment.data_files) {
      IXRAY_ASSIGN_OR_RAISE(FileInfo info, fs.Stat(JoinPath(dataset.uri(), file)));
      summary.data_size += info.size;
    }
  }
  return summary;
}

std::string ToJson(const Dataset& dataset, const DatasetSummary& summary) {
  std::string out = "{\"uri\":";
  ingest::AppendJsonString(dataset.uri(), &out);
  out += fmt::format(
      ",\"version\":{},\"latest_version\":{},\"num_fragments\":{},\"num_rows\":{},"
      "\"num_deleted_rows\":{},\"data_size_bytes\":{},\"schema\":[",
      dataset.version(), summary.latest_version, summary.num_fragments, summary.num_rows,
      summary.num_deleted_rows, summary.data_size);
  const Schema& schema = *dataset.schema();
  for (int i = 0; i < schema.num_fields(); ++i) {
    const Field& f = *schema.field(i);
    if (i > 0) out += ",";
    out += fmt::format("{{\"id\":{},\"name\":", f.id);
    ingest::AppendJsonString(f.name, &out);
    out += ",\"type\":";
    ingest::AppendJsonString(f.type->ToString(), &out);
    out += fmt::format(",\"nullable\":{}}}", f.nullable ? "true" : "false");
  }
  return out + "]}\n";
}

std::string ToText(const Dataset& dataset, const DatasetSummary& summary) {
  std::string out = fmt::format("uri:        {}\n", dataset.uri());
  out += fmt::format("version:    {}{}\n", dataset.version(),
                     summary.latest_version != dataset.version()
                         ? fmt::format(" (latest: {})", summary.latest_version)
                         : "");
  out += fmt::format("rows:       {} ({} deleted)\n", FormatCount(summary.num_rows),
                     FormatCount(summary.num_deleted_rows));
  out += fmt::format("fragments:  {}\n", FormatCount(summary.num_fragments));
  out +=
      fmt::format("data size:  {} ({} bytes)\n", FormatBytes(summary.data_size), summary.data_size);
  out += "schema:\n";
  const Schema& schema = *dataset.schema();
  size_t name_width = 4;
  for (const FieldPtr& f : schema.fields()) name_width = std::max(name_width, f->name.size());
  out += fmt::format("  {:>4}  {:<{}}  {}\n", "id", "name", name_width, "type");
  for (const FieldPtr& f : schema.fields()) {
    out += fmt::format("  {:>4}  {:<{}}  {}{}\n", f->id, f->name, name_width, f->type->ToString(),
                       f->nullable ? "" : " not null");
  }
  return out;
}

Status RunInfo(const InfoArgs& args) {
  std::optional<uint64_t> version;
  if (args.version_option->count() > 0) version = args.version;
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<Dataset> dataset, OpenDataset(args.uri, version));
  IXRAY_ASSIGN_OR_RAISE(DatasetSummary summary, Summarize(*dataset));
  WriteAll(stdout, args.json ? ToJson(*dataset, summary) : ToText(*dataset, summary));
  return Status::OK();
}

}  // namespace

void AddInfoCommand(CLI::App& app) {
  auto args = std::make_shared<InfoArgs>();
  auto* cmd =
      app.add_subcommand("info", "Show a dataset's version, schema, fragments, rows and data size");
  cmd->add_option("uri", args->uri, "The dataset directory")->required();
  args->version_option =
      cmd->add_option("--version", args->version, "The version to describe (default: latest)");
  cmd->add_flag("--json", args->json, "Print as JSON");
  cmd->callback([args] {
    const Status status = RunInfo(*args);
    if (!status.ok()) ReportError(status);
  });
}

}  // namespace ixray::cli
