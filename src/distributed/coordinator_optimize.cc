// The coordinator's OptimizeIndices: the driver plans (index.h,
// PlanOptimizeIndices), workers build the new segments, the driver commits.
#include <fmt/format.h>

#include "dataset/dataset_impl.h"
#include "distributed/coordinator.h"
#include "distributed/work_unit.h"

namespace ixray::distributed {

Result<std::shared_ptr<Dataset>> OptimizeIndicesDistributed(const Dataset& dataset,
                                                            const OptimizeOptions& options,
                                                            UnitRunner& runner,
                                                            Executor& executor) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_ASSIGN_OR_RAISE(auto plan, PlanOptimizeIndices(dataset, options, executor));
  std::vector<std::string> segments;
  std::vector<std::string> uuids;
  auto built = [&]() -> Result<std::shared_ptr<Dataset>> {
    // One step per index: the units of a step share one model.
    for (const auto& step : plan.steps) {
      if (step.fragment_ids.empty()) {
        segments.emplace_back();
        continue;
      }
      BuildPlan build;
      build.uri = ds.uri();
      build.version = ds.version();
      build.workers = {step.fragment_ids};
      std::vector<std::string> step_uuids;
      IXRAY_ASSIGN_OR_RAISE(auto units,
                            MakeBuildUnits(build, step.column, step.model, &step_uuids));
      uuids.insert(uuids.end(), step_uuids.begin(), step_uuids.end());
      IXRAY_ASSIGN_OR_RAISE(auto answers, runner.Run("build", units, step.model));
      if (answers.size() != 1) return Status::Internal("runner lost build answers");
      segments.push_back(std::move(answers[0]));
    }
    return CommitOptimizedIndices(dataset, plan, segments);
  }();
  if (!built.ok()) RemoveUncommittedSegments(ds, uuids);
  return built;
}

}  // namespace ixray::distributed
