// The pieces of the ixray._core extension module, one Bind* per file.
#pragma once

#include <nanobind/nanobind.h>

#include "ixray/dataset.h"
#include "ixray/index.h"
#include "ixray/record_batch.h"

namespace ixray::python {

// Python-facing holders of immutable C++ objects.
struct PySchema {
  SchemaPtr schema;
};
struct PyRecordBatch {
  RecordBatchPtr batch;
};
struct PyTable {
  SchemaPtr schema;
  std::vector<RecordBatchPtr> batches;

  int64_t num_rows() const;
  // Reads `reader` to the end. REQUIRES: the GIL is not needed by `reader`
  // or it acquires the GIL itself.
  static PyTable FromReader(BatchReader& reader);
};

void BindCore(nanobind::module_& m);
void BindDataset(nanobind::module_& m);
void BindIndex(nanobind::module_& m);
void BindDistributed(nanobind::module_& m);
void BindMaintenance(nanobind::module_& m);

// A VectorQuery from a Python `nearest` dict (q already a float32 array).
VectorQuery VectorQueryFrom(const nanobind::dict& nearest);

// VectorIndexParams from create_index's keyword arguments.
VectorIndexParams VectorIndexParamsFrom(const std::string& index_type, const nanobind::dict& kw);

}  // namespace ixray::python
