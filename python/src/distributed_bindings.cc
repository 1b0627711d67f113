// Python bindings of the distributed protocol (src/distributed/): the
// coordinator calls (plan, train, build, commit, search, merge) run in C++
// with the GIL released; the Python layer (python/ixray/distributed/) only
// supplies a runner that ships work units to Ray tasks, and the Ray tasks
// call execute_work_unit. Without a runner, units run on the built-in
// thread executor.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <map>
#include <memory>
#include <mutex>

#include "bindings.h"
#include "distributed/coordinator.h"
#include "distributed/work_unit.h"
#include "distributed/worker.h"
#include "errors.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace ixray::python {

namespace {

using DatasetPtr = std::shared_ptr<Dataset>;

// A thread pool per size, made once: Ray tasks ask for as many threads as
// CPUs they were given.
Executor& PoolOf(int threads) {
  static std::mutex mutex;
  static auto* pools = new std::map<int, std::shared_ptr<Executor>>();
  std::lock_guard<std::mutex> lock(mutex);
  auto& pool = (*pools)[std::max(threads, 0)];
  if (pool == nullptr) pool = MakeThreadPoolExecutor(std::max(threads, 0));
  return *pool;
}

// Calls the Python runner(step, units, shared) -> list[bytes]. A Python
// exception is kept and re-raised as it was once the C++ call returns.
class PyRunner final : public distributed::UnitRunner {
 public:
  explicit PyRunner(nb::object fn) : fn_(std::move(fn)) {}

  Result<std::vector<std::string>> Run(const std::string& step,
                                       const std::vector<std::string>& units,
                                       const std::string& shared) override {
    nb::gil_scoped_acquire acquire;
    try {
      nb::list py_units;
      for (const auto& u : units) py_units.append(nb::bytes(u.data(), u.size()));
      nb::object out = fn_(step, py_units, nb::bytes(shared.data(), shared.size()));
      std::vector<std::string> answers;
      for (nb::handle h : out) {
        nb::bytes b = nb::cast<nb::bytes>(h);
        answers.emplace_back(b.c_str(), b.size());
      }
      return answers;
    } catch (nb::python_error& e) {
      error_ = std::make_unique<nb::python_error>(std::move(e));
      return Status::Internal("a distributed " + step + " step failed in Python");
    } catch (const nb::cast_error&) {
      return Status::Internal("the runner must return a list of bytes");
    }
  }

  // REQUIRES: the GIL is held.
  void RethrowIfFailed() {
    if (error_ != nullptr) {
      auto error = std::move(error_);
      throw nb::python_error(std::move(*error));
    }
  }

 private:
  nb::object fn_;
  std::unique_ptr<nb::python_error> error_;
};

// Runs `call(runner)` with the GIL released on the Python runner, or on
// the thread executor when `runner` is None.
template <typename T, typename F>
T WithRunner(nb::object runner, F&& call) {
  if (runner.is_none()) {
    distributed::LocalRunner local(PoolOf(0), distributed::WorkerCache::Default());
    nb::gil_scoped_release release;
    return ValueOrThrow(call(local));
  }
  PyRunner py(std::move(runner));
  Result<T> result = [&]() {
    nb::gil_scoped_release release;
    return call(py);
  }();
  py.RethrowIfFailed();
  return ValueOrThrow(std::move(result));
}

std::vector<FragmentId> Fragments(const std::vector<uint32_t>& ids) {
  return std::vector<FragmentId>(ids.begin(), ids.end());
}

}  // namespace

void BindDistributed(nb::module_& m) {
  m.def(
      "execute_work_unit",
      [](nb::bytes unit, nb::bytes shared, int threads) {
        std::string u(unit.c_str(), unit.size()), s(shared.c_str(), shared.size());
        std::string answer;
        {
          nb::gil_scoped_release release;
          answer = ValueOrThrow(distributed::ExecuteWorkUnit(u, s, PoolOf(threads),
                                                             distributed::WorkerCache::Default()));
        }
        return nb::bytes(answer.data(), answer.size());
      },
      "unit"_a, "shared"_a, "threads"_a = 0,
      "Runs one work unit (worker side); datasets are cached by (uri, version).");
  m.def(
      "work_unit_info",
      [](nb::bytes unit) {
        auto decoded = ValueOrThrow(distributed::DecodeWorkUnit({unit.c_str(), unit.size()}));
        nb::dict d;
        static const char* kKinds[] = {"train", "build", "search", "train_pq"};
        d["kind"] = kKinds[static_cast<int>(decoded.kind)];
        d["index"] = decoded.index;
        d["uri"] = decoded.uri;
        d["version"] = decoded.version;
        if (decoded.kind == distributed::UnitKind::kBuildSegment) {
          d["segment_uuid"] = decoded.build.segment_uuid;
          d["fragment_ids"] = decoded.build.fragment_ids;
        }
        return d;
      },
      "unit"_a, "What a work unit is (for logs and test hooks).");
  m.def(
      "plan_index_build",
      [](const DatasetPtr& ds, std::vector<uint32_t> fragment_ids, int num_workers) {
        distributed::BuildPlan plan;
        {
          nb::gil_scoped_release release;
          plan =
              ValueOrThrow(distributed::PlanIndexBuild(*ds, Fragments(fragment_ids), num_workers));
        }
        return plan.workers;
      },
      "dataset"_a, "fragment_ids"_a, "num_workers"_a);
  m.def(
      "distributed_create_vector_index",
      [](const DatasetPtr& ds, const std::string& column, const std::string& index_type,
         const std::string& name, bool replace, std::vector<uint32_t> fragment_ids, int num_workers,
         nb::dict params, nb::object runner) {
        VectorIndexParams p = VectorIndexParamsFrom(index_type, params);
        return WithRunner<DatasetPtr>(std::move(runner), [&](distributed::UnitRunner& r) {
          return distributed::CreateVectorIndexDistributed(
              *ds, column, p, name, replace, Fragments(fragment_ids), num_workers, r, PoolOf(0));
        });
      },
      "dataset"_a, "column"_a, "index_type"_a, "name"_a, "replace"_a, "fragment_ids"_a,
      "num_workers"_a, "params"_a, "runner"_a.none());
  m.def(
      "distributed_optimize_indices",
      [](const DatasetPtr& ds, std::vector<std::string> indices, int num_indices_to_merge,
         bool retrain, nb::object runner) {
        const OptimizeOptions options{std::move(indices), num_indices_to_merge, retrain};
        return WithRunner<DatasetPtr>(std::move(runner), [&](distributed::UnitRunner& r) {
          return distributed::OptimizeIndicesDistributed(*ds, options, r, PoolOf(0));
        });
      },
      "dataset"_a, "indices"_a, "num_indices_to_merge"_a, "retrain"_a, "runner"_a.none(),
      "OptimizeIndices with the new segments built as work units (one per index).");
  m.def(
      "distributed_build_index",
      [](const DatasetPtr& ds, const std::string& name, const std::string& column, nb::bytes model,
         bool replace, std::vector<uint32_t> fragment_ids, int num_workers,
         const std::string& index_uuid, nb::object runner) {
        std::string model_bytes(model.c_str(), model.size());
        return WithRunner<DatasetPtr>(
            std::move(runner), [&](distributed::UnitRunner& r) -> Result<DatasetPtr> {
              IXRAY_ASSIGN_OR_RAISE(auto plan, distributed::PlanIndexBuild(
                                                   *ds, Fragments(fragment_ids), num_workers));
              if (!index_uuid.empty() && plan.workers.size() > 1) {
                return Status::InvalidArgument(
                    "index_uuid names one segment; use num_workers=1 (or one fragment) with it");
              }
              return distributed::BuildIndexDistributed(*ds, name, column, model_bytes, replace,
                                                        plan, r, index_uuid);
            });
      },
      "dataset"_a, "name"_a, "column"_a, "model"_a, "replace"_a, "fragment_ids"_a, "num_workers"_a,
      "index_uuid"_a, "runner"_a.none(),
      "Builds index `name` from a trained model (vector or scalar): one segment per worker, "
      "one commit.");
  m.def(
      "distributed_vector_search",
      [](const DatasetPtr& ds, nb::dict nearest, const std::string& index_name,
         std::optional<std::vector<std::string>> columns, std::optional<std::string> filter,
         bool prefilter, bool with_row_id, bool fast_search, int num_workers,
         double oversample_factor, bool include_unindexed, bool analyze,
         nb::object runner) -> nb::object {
        distributed::VectorSearchOptions options;
        options.scan.nearest = VectorQueryFrom(nearest);
        if (columns) options.scan.columns = *columns;
        if (filter) options.scan.filter = *filter;
        options.scan.prefilter = prefilter;
        options.scan.with_row_id = with_row_id;
        options.scan.fast_search = fast_search;
        options.index_name = index_name;
        options.num_workers = num_workers;
        options.oversample_factor = oversample_factor;
        options.include_unindexed = include_unindexed;
        if (analyze) {
          return nb::cast(
              WithRunner<std::string>(std::move(runner), [&](distributed::UnitRunner& r) {
                return distributed::AnalyzeVectorSearch(*ds, options, r);
              }));
        }
        auto batch = WithRunner<RecordBatchPtr>(std::move(runner), [&](distributed::UnitRunner& r) {
          return distributed::VectorSearchDistributed(*ds, options, r);
        });
        PyTable table;
        table.schema = batch->schema();
        table.batches = {batch};
        return nb::cast(std::move(table));
      },
      "dataset"_a, "nearest"_a, "index_name"_a, "columns"_a.none(), "filter"_a.none(),
      "prefilter"_a, "with_row_id"_a, "fast_search"_a, "num_workers"_a, "oversample_factor"_a,
      "include_unindexed"_a, "analyze"_a, "runner"_a.none());
}

}  // namespace ixray::python
