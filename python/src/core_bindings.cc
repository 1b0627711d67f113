// Python classes for the core columnar types: Schema, RecordBatch, Table.
// Each wraps an immutable C++ object and speaks the Arrow PyCapsule
// protocol, so pyarrow (and any other Arrow library) reads them zero-copy.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "arrow_capsules.h"
#include "bindings.h"
#include "errors.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace ixray::python {

int64_t PyTable::num_rows() const {
  int64_t rows = 0;
  for (const auto& b : batches) rows += b->num_rows();
  return rows;
}

PyTable PyTable::FromReader(BatchReader& reader) {
  PyTable table;
  table.schema = reader.schema();
  table.batches = ValueOrThrow(reader.ReadAll());
  return table;
}

namespace {

PyTable TableFromStream(nb::handle capsule) {
  std::unique_ptr<BatchReader> reader = ReaderFromCapsule(capsule);
  nb::gil_scoped_release release;  // the producer may be native or re-acquire the GIL itself
  return PyTable::FromReader(*reader);
}

bool TablesEqual(const PyTable& a, const PyTable& b) {
  if (!a.schema->Equals(*b.schema)) return false;
  auto lhs = ValueOrThrow(ConcatenateBatches(a.schema, a.batches));
  auto rhs = ValueOrThrow(ConcatenateBatches(b.schema, b.batches));
  return lhs->Equals(*rhs);
}

}  // namespace

void BindCore(nb::module_& m) {
  nb::class_<PySchema>(m, "Schema", "An ixray schema: named, typed fields with field ids.")
      .def_static(
          "_from_capsule", [](nb::handle c) { return PySchema{SchemaFromCapsule(c)}; }, "capsule"_a)
      .def_prop_ro("names", [](const PySchema& s) { return s.schema->names(); })
      .def_prop_ro("field_ids",
                   [](const PySchema& s) {
                     std::vector<int32_t> ids;
                     for (const auto& f : s.schema->fields()) ids.push_back(f->id);
                     return ids;
                   })
      .def("__len__", [](const PySchema& s) { return s.schema->num_fields(); })
      .def("__repr__", [](const PySchema& s) { return "ixray.Schema\n" + s.schema->ToString(); })
      .def("__eq__",
           [](const PySchema& a, const PySchema& b) { return a.schema->Equals(*b.schema); })
      .def(
          "__arrow_c_schema__", [](const PySchema& s) { return SchemaCapsule(*s.schema); },
          "Exports the schema as an 'arrow_schema' PyCapsule.");

  nb::class_<PyRecordBatch>(m, "RecordBatch", "Equal-length columns under a schema.")
      .def_static(
          "_from_capsules",
          [](nb::handle schema, nb::handle array) {
            return PyRecordBatch{BatchFromCapsules(schema, array)};
          },
          "schema_capsule"_a, "array_capsule"_a)
      .def_prop_ro("num_rows", [](const PyRecordBatch& b) { return b.batch->num_rows(); })
      .def_prop_ro("num_columns", [](const PyRecordBatch& b) { return b.batch->num_columns(); })
      .def_prop_ro("schema", [](const PyRecordBatch& b) { return PySchema{b.batch->schema()}; })
      .def(
          "slice",
          [](const PyRecordBatch& b, int64_t offset, int64_t length) {
            if (offset < 0 || length < 0 || offset + length > b.batch->num_rows()) {
              throw StatusError(Status::InvalidArgument("slice out of range"));
            }
            return PyRecordBatch{b.batch->Slice(offset, length)};
          },
          "offset"_a, "length"_a)
      .def("equals",
           [](const PyRecordBatch& a, const PyRecordBatch& b) { return a.batch->Equals(*b.batch); })
      .def("__len__", [](const PyRecordBatch& b) { return b.batch->num_rows(); })
      .def("__repr__", [](const PyRecordBatch& b) { return "ixray." + b.batch->ToString(); })
      .def("__arrow_c_schema__",
           [](const PyRecordBatch& b) { return SchemaCapsule(*b.batch->schema()); })
      .def(
          "__arrow_c_array__",
          [](const PyRecordBatch& b, nb::handle /*requested_schema*/) {
            return nb::make_tuple(SchemaCapsule(*b.batch->schema()), ArrayCapsule(*b.batch));
          },
          "requested_schema"_a = nb::none(),
          "Exports the batch as ('arrow_schema', 'arrow_array') PyCapsules (a struct array).");

  nb::class_<PyTable>(m, "Table", "A schema and a sequence of record batches, held in memory.")
      .def_static("_from_stream", &TableFromStream, "capsule"_a,
                  "Reads an 'arrow_array_stream' PyCapsule to the end.")
      .def_prop_ro("num_rows", &PyTable::num_rows)
      .def_prop_ro("num_columns", [](const PyTable& t) { return t.schema->num_fields(); })
      .def_prop_ro("column_names", [](const PyTable& t) { return t.schema->names(); })
      .def_prop_ro("schema", [](const PyTable& t) { return PySchema{t.schema}; })
      .def("to_batches",
           [](const PyTable& t) {
             std::vector<PyRecordBatch> out;
             for (const auto& b : t.batches) out.push_back(PyRecordBatch{b});
             return out;
           })
      .def("equals", &TablesEqual, "other"_a)
      .def("__len__", &PyTable::num_rows)
      .def("__repr__",
           [](const PyTable& t) {
             return "ixray.Table: " + std::to_string(t.num_rows()) + " rows in " +
                    std::to_string(t.batches.size()) + " batches\n" + t.schema->ToString();
           })
      .def("__arrow_c_schema__", [](const PyTable& t) { return SchemaCapsule(*t.schema); })
      .def(
          "__arrow_c_stream__",
          [](const PyTable& t, nb::handle /*requested_schema*/) {
            return StreamCapsule(MakeVectorReader(t.schema, t.batches));
          },
          "requested_schema"_a = nb::none(),
          "Exports the table as an 'arrow_array_stream' PyCapsule.");
}

}  // namespace ixray::python
