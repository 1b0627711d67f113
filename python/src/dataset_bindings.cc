// Python bindings of ixray::Dataset and ixray::Scanner. The Python class
// ixray.Dataset (python/ixray/dataset.py) wraps these and converts results
// to pyarrow; every call that touches storage releases the GIL.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include "arrow_capsules.h"
#include "bindings.h"
#include "errors.h"
#include "ixray/dataset.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace ixray::python {

namespace {

using DatasetPtr = std::shared_ptr<Dataset>;
using AddressArray = nb::ndarray<const uint64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

WriteMode ParseMode(const std::string& mode) {
  if (mode == "create") return WriteMode::kCreate;
  if (mode == "append") return WriteMode::kAppend;
  if (mode == "overwrite") return WriteMode::kOverwrite;
  throw StatusError(Status::InvalidArgument(
      "mode must be 'create', 'append' or 'overwrite', got '" + mode + "'"));
}

DatasetPtr WriteDataset(nb::handle stream_capsule, const std::string& uri, const std::string& mode,
                        int64_t max_rows_per_file) {
  WriteOptions options;
  options.mode = ParseMode(mode);
  if (max_rows_per_file <= 0) {
    throw StatusError(Status::InvalidArgument("max_rows_per_file must be positive"));
  }
  options.max_rows_per_file = max_rows_per_file;
  std::unique_ptr<BatchReader> reader = ReaderFromCapsule(stream_capsule);
  nb::gil_scoped_release release;
  return ValueOrThrow(Dataset::Write(*reader, uri, options));
}

DatasetPtr OpenDataset(const std::string& uri, std::optional<uint64_t> version) {
  OpenOptions options;
  options.version = version;
  nb::gil_scoped_release release;
  return ValueOrThrow(Dataset::Open(uri, options));
}

// A scanner whose reader keeps the dataset snapshot alive.
struct PyScanner {
  DatasetPtr dataset;
  std::shared_ptr<Scanner> scanner;
};

PyScanner MakeScanner(const DatasetPtr& ds, std::optional<std::vector<std::string>> columns,
                      std::optional<std::string> filter, std::optional<int64_t> limit,
                      std::optional<int64_t> offset, std::optional<std::vector<uint32_t>> fragments,
                      std::optional<int64_t> batch_size, bool with_row_id,
                      std::optional<nb::dict> nearest, bool prefilter, bool fast_search,
                      std::optional<std::vector<std::string>> index_segments,
                      std::optional<nb::dict> full_text) {
  ScanOptions options;
  if (columns) options.columns = *columns;
  if (filter) options.filter = *filter;
  options.limit = limit;
  if (offset) options.offset = *offset;
  if (fragments) options.fragment_ids.assign(fragments->begin(), fragments->end());
  if (batch_size) options.batch_size = *batch_size;
  options.with_row_id = with_row_id;
  if (nearest) options.nearest = VectorQueryFrom(*nearest);
  options.prefilter = prefilter;
  options.fast_search = fast_search;
  if (index_segments) options.index_segments = *index_segments;
  if (full_text) {
    // Normalized by python/ixray/dataset.py: {"text", "columns", "phrase"}.
    FullTextQuery query;
    query.text = nb::cast<std::string>((*full_text)["text"]);
    query.columns = nb::cast<std::vector<std::string>>((*full_text)["columns"]);
    query.phrase = nb::cast<bool>((*full_text)["phrase"]);
    options.full_text_query = std::move(query);
  }
  nb::gil_scoped_release release;
  std::unique_ptr<Scanner> scanner = ValueOrThrow(ds->Scan(std::move(options)));
  return PyScanner{ds, std::move(scanner)};
}

// Adapts a scanner's reader so the stream keeps the dataset alive.
class OwningReader final : public BatchReader {
 public:
  OwningReader(PyScanner owner, std::unique_ptr<BatchReader> reader)
      : owner_(std::move(owner)), reader_(std::move(reader)) {}
  const SchemaPtr& schema() const override { return reader_->schema(); }
  Result<RecordBatchPtr> Next() override { return reader_->Next(); }

 private:
  PyScanner owner_;
  std::unique_ptr<BatchReader> reader_;
};

nb::object ScannerStream(const PyScanner& s) {
  std::unique_ptr<BatchReader> reader;
  {
    nb::gil_scoped_release release;
    reader = ValueOrThrow(s.scanner->ToReader());
  }
  return StreamCapsule(std::make_shared<OwningReader>(s, std::move(reader)));
}

nb::list VersionsList(const DatasetPtr& ds) {
  std::vector<VersionInfo> versions;
  {
    nb::gil_scoped_release release;
    versions = ValueOrThrow(ds->Versions());
  }
  nb::list out;
  for (const auto& v : versions) {
    nb::dict d;
    d["version"] = v.version;
    d["timestamp_us"] = v.timestamp_us;
    d["operation"] = v.operation;
    out.append(d);
  }
  return out;
}

nb::list FragmentsList(const DatasetPtr& ds) {
  nb::list out;
  for (const auto& f : ds->Fragments()) {
    nb::dict d;
    d["fragment_id"] = f.id;
    d["physical_rows"] = f.physical_rows;
    d["deleted_rows"] = f.deleted_rows;
    d["num_rows"] = f.num_rows();
    d["data_files"] = f.data_files;
    out.append(d);
  }
  return out;
}

PyTable TableFromBatch(RecordBatchPtr batch) {
  PyTable table;
  table.schema = batch->schema();
  table.batches.push_back(std::move(batch));
  return table;
}

}  // namespace

void BindDataset(nb::module_& m) {
  m.def("write_dataset", &WriteDataset, "stream_capsule"_a, "uri"_a, "mode"_a,
        "max_rows_per_file"_a);
  m.def("open_dataset", &OpenDataset, "uri"_a, "version"_a = nb::none());

  nb::class_<Dataset>(m, "_Dataset")
      .def_prop_ro("uri", &Dataset::uri)
      .def_prop_ro("version", &Dataset::version)
      .def_prop_ro("schema", [](const Dataset& ds) { return PySchema{ds.schema()}; })
      .def("latest_version",
           [](const Dataset& ds) {
             nb::gil_scoped_release release;
             return ValueOrThrow(ds.LatestVersion());
           })
      .def("versions", [](const DatasetPtr& ds) { return VersionsList(ds); })
      .def(
          "checkout_version",
          [](const Dataset& ds, uint64_t version) {
            nb::gil_scoped_release release;
            return ValueOrThrow(ds.CheckoutVersion(version));
          },
          "version"_a)
      .def("checkout_latest",
           [](const Dataset& ds) {
             nb::gil_scoped_release release;
             return ValueOrThrow(ds.CheckoutLatest());
           })
      .def("fragments", [](const DatasetPtr& ds) { return FragmentsList(ds); })
      .def(
          "count_rows",
          [](const Dataset& ds, const std::string& filter) {
            nb::gil_scoped_release release;
            return ValueOrThrow(ds.CountRows(filter));
          },
          "filter"_a = "")
      .def("scanner", &MakeScanner, "columns"_a = nb::none(), "filter"_a = nb::none(),
           "limit"_a = nb::none(), "offset"_a = nb::none(), "fragments"_a = nb::none(),
           "batch_size"_a = nb::none(), "with_row_id"_a = false, "nearest"_a = nb::none(),
           "prefilter"_a = false, "fast_search"_a = false, "index_segments"_a = nb::none(),
           "full_text"_a = nb::none())
      .def(
          "take",
          [](const Dataset& ds, AddressArray positions, std::vector<std::string> columns) {
            std::span<const uint64_t> span(positions.data(), positions.shape(0));
            nb::gil_scoped_release release;
            return TableFromBatch(ValueOrThrow(ds.Take(span, columns)));
          },
          "positions"_a, "columns"_a)
      .def(
          "take_rows",
          [](const Dataset& ds, AddressArray addresses, std::vector<std::string> columns) {
            std::span<const uint64_t> span(addresses.data(), addresses.shape(0));
            nb::gil_scoped_release release;
            return TableFromBatch(ValueOrThrow(ds.TakeRows(span, columns)));
          },
          "addresses"_a, "columns"_a)
      .def(
          "delete",
          [](const Dataset& ds, const std::string& filter) {
            nb::gil_scoped_release release;
            return ValueOrThrow(ds.Delete(filter));
          },
          "filter"_a);

  nb::class_<PyScanner>(m, "_Scanner")
      .def_prop_ro("schema", [](const PyScanner& s) { return PySchema{s.scanner->schema()}; })
      .def("to_stream", &ScannerStream)
      .def("count_rows",
           [](const PyScanner& s) {
             nb::gil_scoped_release release;
             return ValueOrThrow(s.scanner->CountRows());
           })
      .def("explain_plan", [](const PyScanner& s) {
        nb::gil_scoped_release release;
        return ValueOrThrow(s.scanner->ExplainPlan());
      });
}

}  // namespace ixray::python
