// ixray optimize <uri>: brings indices up to date with the data
// (OptimizeIndices of include/ixray/index.h) and commits one new version.
//
// The steps run one after the other on a thread pool, each with its own
// line and elapsed time on stderr:
//
//   planning… 0.01s                       (retraining happens here)
//   building 'vec_idx' (2 fragments)… 0.40s
//   committing… 0.01s
//
// With nothing to do, no version is written.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "ingest/value_format.h"
#include "ixray/dataset.h"
#include "ixray/executor.h"
#include "ixray/index.h"

namespace ixray::cli {

namespace {

struct OptimizeArgs {
  std::string uri;
  std::vector<std::string> indices;
  int num_indices_to_merge = 1;
  bool retrain = false;
  int threads = 0;
  bool json = false;
};

struct Seconds {
  double plan = 0;
  double build = 0;
  double commit = 0;
};

std::string ToJson(const Dataset& dataset, const OptimizePlan& plan, const Seconds& seconds) {
  std::string out = "{\"uri\":";
  ingest::AppendJsonString(dataset.uri(), &out);
  out += fmt::format(",\"version\":{},\"optimized\":[", dataset.version());
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (i > 0) out += ",";
    ingest::AppendJsonString(plan.steps[i].name, &out);
  }
  out += "],\"indices\":[";
  bool first = true;
  for (const IndexInfo& index : DescribeIndices(dataset)) {
    if (!first) out += ",";
    first = false;
    AppendIndexJson(index, &out);
  }
  out += fmt::format("],\"seconds\":{{\"plan\":{:.3f},\"build\":{:.3f},\"commit\":{:.3f}}}}}\n",
                     seconds.plan, seconds.build, seconds.commit);
  return out;
}

std::string ToText(const Dataset& dataset, const OptimizePlan& plan, const Seconds& seconds) {
  if (plan.steps.empty()) {
    return fmt::format("{}: version {}, indices up to date, nothing to do\n", dataset.uri(),
                       dataset.version());
  }
  std::string out =
      fmt::format("{}: version {}, {} {} optimized in {:.2f}s\n", dataset.uri(), dataset.version(),
                  plan.steps.size(), plan.steps.size() == 1 ? "index" : "indices",
                  seconds.plan + seconds.build + seconds.commit);
  for (const IndexInfo& index : DescribeIndices(dataset)) {
    int64_t rows = 0;
    for (const IndexSegmentInfo& segment : index.segments) rows += segment.num_rows;
    out += fmt::format("  {} ({} on {}): {} segment{}, {} rows indexed\n", index.name,
                       index.index_type, fmt::join(index.columns, ", "), index.segments.size(),
                       index.segments.size() == 1 ? "" : "s", FormatCount(rows));
  }
  return out;
}

Status RunOptimize(const OptimizeArgs& args) {
  if (args.threads < 0) return Status::InvalidArgument("--threads must not be negative");
  IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<Dataset> dataset, OpenDataset(args.uri, std::nullopt));
  std::shared_ptr<Executor> executor = MakeThreadPoolExecutor(args.threads);
  const OptimizeOptions options{args.indices, args.num_indices_to_merge, args.retrain};
  Seconds seconds;
  OptimizePlan plan;
  {
    PhaseLine phase(args.retrain ? "planning and retraining" : "planning");
    IXRAY_ASSIGN_OR_RAISE(plan, PlanOptimizeIndices(*dataset, options, *executor));
    seconds.plan = phase.Done();
  }
  std::vector<std::string> segments;
  for (const IndexOptimizeStep& step : plan.steps) {
    if (step.fragment_ids.empty()) {
      segments.emplace_back();
      continue;
    }
    const char* verb = step.retrained                  ? "rebuilding"
                       : step.removed_segments.empty() ? "building"
                                                       : "merging";
    PhaseLine phase(fmt::format("{} '{}' ({} fragment{})", verb, step.name,
                                step.fragment_ids.size(),
                                step.fragment_ids.size() == 1 ? "" : "s"));
    IXRAY_ASSIGN_OR_RAISE(auto segment, ExecuteOptimizeStep(*dataset, step, *executor));
    segments.push_back(std::move(segment));
    seconds.build += phase.Done();
  }
  if (!plan.steps.empty()) {
    PhaseLine phase("committing");
    IXRAY_ASSIGN_OR_RAISE(dataset, CommitOptimizedIndices(*dataset, plan, segments));
    seconds.commit = phase.Done();
  }
  WriteAll(stdout, args.json ? ToJson(*dataset, plan, seconds) : ToText(*dataset, plan, seconds));
  return Status::OK();
}

}  // namespace

void AddOptimizeCommand(CLI::App& app) {
  auto args = std::make_shared<OptimizeArgs>();
  auto* cmd = app.add_subcommand(
      "optimize",
      "Bring indices up to date: index appended rows with the existing model, merge segments");
  cmd->add_option("uri", args->uri, "The dataset directory")->required();
  cmd->add_option("--index", args->indices, "An index to optimize, repeatable (default: all)");
  cmd->add_option("--num-indices-to-merge", args->num_indices_to_merge,
                  "Merge the newest N segments with the new rows into one segment (0: add the "
                  "new rows as a segment of their own)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("--retrain", args->retrain,
                "Train the model again on the current data and rebuild each index");
  cmd->add_option("--threads", args->threads, "Worker threads (0: one per hardware thread)")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->callback([args] {
    const Status status = RunOptimize(*args);
    if (!status.ok()) ReportError(status);
  });
}

}  // namespace ixray::cli
