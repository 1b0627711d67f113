#include "distributed/runner.h"

namespace ixray::distributed {

Result<std::vector<std::string>> LocalRunner::Run(const std::string& step,
                                                  const std::vector<std::string>& units,
                                                  const std::string& shared) {
  std::vector<std::string> answers(units.size());
  IXRAY_RETURN_NOT_OK(
      executor_.ParallelFor(static_cast<int64_t>(units.size()), [&](int64_t i) -> Status {
        IXRAY_ASSIGN_OR_RAISE(answers[i], ExecuteWorkUnit(units[i], shared, executor_, cache_));
        return Status::OK();
      }));
  return answers;
}

}  // namespace ixray::distributed
