// The Arrow PyCapsule interface: C Data Interface structs wrapped in
// capsules named "arrow_schema", "arrow_array" and "arrow_array_stream".
#pragma once

#include <nanobind/nanobind.h>

#include "ixray/arrow_interop.h"

namespace ixray::python {

// Capsules that own a heap-allocated struct; the capsule's destructor calls
// the struct's release callback if the consumer has not moved it out.
nanobind::object SchemaCapsule(const Schema& schema);
nanobind::object ArrayCapsule(const RecordBatch& batch);
nanobind::object StreamCapsule(std::shared_ptr<BatchReader> reader);

// Moves the struct out of a capsule (leaving it released), then imports it.
// Throws StatusError / Python TypeError for a capsule of the wrong name.
SchemaPtr SchemaFromCapsule(nanobind::handle capsule);
RecordBatchPtr BatchFromCapsules(nanobind::handle schema_capsule, nanobind::handle array_capsule);
std::unique_ptr<BatchReader> ReaderFromCapsule(nanobind::handle capsule);

}  // namespace ixray::python
