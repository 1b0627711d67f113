// Python bindings of the index API (include/ixray/index.h): the two-phase
// protocol as bytes in and out, so Ray tasks can ship its pieces.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "errors.h"
#include "ixray/index.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace ixray::python {

namespace {

using DatasetPtr = std::shared_ptr<Dataset>;
using FloatArray = nb::ndarray<const float, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

Executor& DefaultExecutor() {
  static const std::shared_ptr<Executor> kPool = MakeThreadPoolExecutor(0);
  return *kPool;
}

nb::bytes Bytes(const std::string& s) { return nb::bytes(s.data(), s.size()); }

}  // namespace

VectorIndexParams VectorIndexParamsFrom(const std::string& index_type, const nb::dict& kw) {
  VectorIndexParams p;
  p.index_type = index_type;
  for (auto [key, value] : kw) {
    const std::string k = nb::cast<std::string>(key);
    if (value.is_none()) continue;
    if (k == "metric") {
      p.metric = nb::cast<std::string>(value);
    } else if (k == "num_partitions") {
      p.num_partitions = nb::cast<int>(value);
    } else if (k == "num_sub_vectors") {
      p.num_sub_vectors = nb::cast<int>(value);
    } else if (k == "num_bits") {
      p.num_bits = nb::cast<int>(value);
    } else if (k == "sample_rate") {
      p.sample_rate = nb::cast<int>(value);
    } else if (k == "max_iters") {
      p.max_iters = nb::cast<int>(value);
    } else if (k == "m") {
      p.m = nb::cast<int>(value);
    } else if (k == "ef_construction") {
      p.ef_construction = nb::cast<int>(value);
    } else if (k == "max_level") {
      p.max_level = nb::cast<int>(value);
    } else if (k == "target_partition_size") {
      p.target_partition_size = nb::cast<int64_t>(value);
    } else if (k == "train") {
      p.train = nb::cast<bool>(value);
    } else if (k == "seed") {
      p.seed = nb::cast<uint64_t>(value);
    } else if (k == "ivf_centroids" || k == "pq_codebook") {
      auto array = nb::cast<FloatArray>(value);
      std::vector<float> v(array.data(), array.data() + array.shape(0));
      (k == "ivf_centroids" ? p.ivf_centroids : p.pq_codebook) = std::move(v);
    } else {
      throw StatusError(Status::InvalidArgument("unknown vector index parameter '" + k + "'"));
    }
  }
  return p;
}

namespace {

// **params of a scalar index as strings: booleans "true"/"false", numbers in
// decimal, strings as given; None leaves the default.
ScalarIndexParams ScalarParamsFrom(const nb::dict& kw) {
  ScalarIndexParams p;
  for (auto [key, value] : kw) {
    const std::string k = nb::cast<std::string>(key);
    if (value.is_none()) continue;
    if (nb::isinstance<bool>(value)) {
      p[k] = nb::cast<bool>(value) ? "true" : "false";
    } else if (nb::isinstance<int>(value)) {
      p[k] = std::to_string(nb::cast<int64_t>(value));
    } else if (nb::isinstance<nb::str>(value)) {
      p[k] = nb::cast<std::string>(value);
    } else {
      throw StatusError(Status::TypeError("scalar index parameter '" + k +
                                          "' must be a bool, an int or a string, got " +
                                          nb::cast<std::string>(nb::str(value.type()))));
    }
  }
  return p;
}

}  // namespace

VectorQuery VectorQueryFrom(const nb::dict& nearest) {
  VectorQuery q;
  for (auto [key, value] : nearest) {
    const std::string k = nb::cast<std::string>(key);
    if (value.is_none()) continue;
    if (k == "column") {
      q.column = nb::cast<std::string>(value);
    } else if (k == "q") {
      auto array = nb::cast<FloatArray>(value);
      q.q.assign(array.data(), array.data() + array.shape(0));
    } else if (k == "k") {
      q.k = nb::cast<int64_t>(value);
    } else if (k == "metric") {
      q.metric = nb::cast<std::string>(value);
    } else if (k == "nprobes") {
      q.nprobes = nb::cast<int>(value);
    } else if (k == "minimum_nprobes") {
      q.minimum_nprobes = nb::cast<int>(value);
    } else if (k == "maximum_nprobes") {
      q.maximum_nprobes = nb::cast<int>(value);
    } else if (k == "refine_factor") {
      q.refine_factor = nb::cast<int>(value);
    } else if (k == "ef") {
      q.ef = nb::cast<int>(value);
    } else if (k == "distance_range") {
      auto range = nb::cast<nb::tuple>(value);
      if (range.size() != 2)
        throw StatusError(Status::InvalidArgument("distance_range is (lower, upper)"));
      if (!range[0].is_none()) q.distance_lower = nb::cast<float>(range[0]);
      if (!range[1].is_none()) q.distance_upper = nb::cast<float>(range[1]);
    } else if (k == "use_index") {
      q.use_index = nb::cast<bool>(value);
    } else {
      throw StatusError(Status::InvalidArgument("unknown nearest option '" + k + "'"));
    }
  }
  if (q.column.empty()) throw StatusError(Status::InvalidArgument("nearest needs a 'column'"));
  return q;
}

void BindIndex(nb::module_& m) {
  m.def(
      "create_vector_index",
      [](const DatasetPtr& ds, const std::string& column, const std::string& index_type,
         const std::string& name, bool replace, std::vector<uint32_t> fragment_ids,
         nb::dict params) {
        VectorIndexParams p = VectorIndexParamsFrom(index_type, params);
        nb::gil_scoped_release release;
        return ValueOrThrow(
            CreateVectorIndex(*ds, column, p, name, replace, fragment_ids, DefaultExecutor()));
      },
      "dataset"_a, "column"_a, "index_type"_a, "name"_a, "replace"_a, "fragment_ids"_a, "params"_a);
  m.def(
      "create_scalar_index",
      [](const DatasetPtr& ds, const std::string& column, const std::string& index_type,
         const std::string& name, bool replace, bool train, std::vector<uint32_t> fragment_ids,
         nb::dict params) {
        ScalarIndexParams p = ScalarParamsFrom(params);
        nb::gil_scoped_release release;
        return ValueOrThrow(CreateScalarIndex(*ds, column, index_type, p, name, replace, train,
                                              fragment_ids, DefaultExecutor()));
      },
      "dataset"_a, "column"_a, "index_type"_a, "name"_a, "replace"_a, "train"_a, "fragment_ids"_a,
      "params"_a);
  m.def(
      "train_scalar_index",
      [](const DatasetPtr& ds, const std::string& column, const std::string& index_type,
         nb::dict params) {
        ScalarIndexParams p = ScalarParamsFrom(params);
        std::string model;
        {
          nb::gil_scoped_release release;
          model = ValueOrThrow(TrainScalarIndex(*ds, column, index_type, p));
        }
        return Bytes(model);
      },
      "dataset"_a, "column"_a, "index_type"_a, "params"_a);
  m.def("scalar_index_types", [] { return ScalarIndexTypes(); });
  m.def(
      "train_vector_index",
      [](const DatasetPtr& ds, const std::string& column, const std::string& index_type,
         nb::dict params) {
        VectorIndexParams p = VectorIndexParamsFrom(index_type, params);
        std::string model;
        {
          nb::gil_scoped_release release;
          model = ValueOrThrow(TrainVectorIndex(*ds, column, p, DefaultExecutor()));
        }
        return Bytes(model);
      },
      "dataset"_a, "column"_a, "index_type"_a, "params"_a);
  m.def(
      "execute_uncommitted",
      [](const DatasetPtr& ds, const std::string& column, nb::bytes model,
         std::vector<uint32_t> fragment_ids) {
        std::string model_bytes(model.c_str(), model.size());
        std::string segment;
        {
          nb::gil_scoped_release release;
          segment = ValueOrThrow(
              ExecuteUncommitted(*ds, column, model_bytes, fragment_ids, DefaultExecutor()));
        }
        return Bytes(segment);
      },
      "dataset"_a, "column"_a, "model"_a, "fragment_ids"_a);
  m.def(
      "commit_index",
      [](const DatasetPtr& ds, const std::string& name, const std::string& column,
         std::vector<nb::bytes> segments, bool replace) {
        std::vector<std::string> parts;
        for (const auto& s : segments) parts.emplace_back(s.c_str(), s.size());
        nb::gil_scoped_release release;
        return ValueOrThrow(CommitIndex(*ds, name, column, parts, replace));
      },
      "dataset"_a, "name"_a, "column"_a, "segments"_a, "replace"_a);
  m.def(
      "drop_index",
      [](const DatasetPtr& ds, const std::string& name) {
        nb::gil_scoped_release release;
        return ValueOrThrow(DropIndex(*ds, name));
      },
      "dataset"_a, "name"_a);
  m.def(
      "optimize_indices",
      [](const DatasetPtr& ds, std::vector<std::string> indices, int num_indices_to_merge,
         bool retrain) {
        nb::gil_scoped_release release;
        return ValueOrThrow(
            OptimizeIndices(*ds, OptimizeOptions{std::move(indices), num_indices_to_merge, retrain},
                            DefaultExecutor()));
      },
      "dataset"_a, "indices"_a, "num_indices_to_merge"_a, "retrain"_a,
      "Indexes appended fragments with each index's model and merges segments; returns the "
      "new version (the same one when there is nothing to do).");
  m.def(
      "describe_indices",
      [](const DatasetPtr& ds) {
        nb::list out;
        for (const auto& info : DescribeIndices(*ds)) {
          nb::dict d;
          d["name"] = info.name;
          d["index_type"] = info.index_type;
          d["columns"] = info.columns;
          nb::list segments;
          for (const auto& s : info.segments) {
            nb::dict sd;
            sd["uuid"] = s.uuid;
            sd["fragment_ids"] = s.fragment_ids;
            sd["dataset_version"] = s.dataset_version;
            sd["num_rows"] = s.num_rows;
            segments.append(sd);
          }
          d["segments"] = segments;
          out.append(d);
        }
        return out;
      },
      "dataset"_a);
}

}  // namespace ixray::python
