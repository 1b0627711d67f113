#include "arrow_capsules.h"

#include "errors.h"

namespace nb = nanobind;

namespace ixray::python {

namespace {

template <typename T>
void DestroyCapsule(PyObject* capsule, const char* name) {
  auto* s = static_cast<T*>(PyCapsule_GetPointer(capsule, name));
  if (s == nullptr) {
    PyErr_Clear();
    return;
  }
  if (s->release != nullptr) s->release(s);
  delete s;
}

void DestroySchemaCapsule(PyObject* c) { DestroyCapsule<ArrowSchema>(c, "arrow_schema"); }
void DestroyArrayCapsule(PyObject* c) { DestroyCapsule<ArrowArray>(c, "arrow_array"); }
void DestroyStreamCapsule(PyObject* c) {
  DestroyCapsule<ArrowArrayStream>(c, "arrow_array_stream");
}

template <typename T>
nb::object MakeCapsule(T* s, const char* name, PyCapsule_Destructor destructor) {
  PyObject* capsule = PyCapsule_New(s, name, destructor);
  if (capsule == nullptr) {
    if (s->release != nullptr) s->release(s);
    delete s;
    throw nb::python_error();
  }
  return nb::steal(capsule);
}

template <typename T>
T TakeFromCapsule(nb::handle capsule, const char* name) {
  auto* s = static_cast<T*>(PyCapsule_GetPointer(capsule.ptr(), name));
  if (s == nullptr) throw nb::python_error();
  if (s->release == nullptr) {
    throw StatusError(Status::InvalidArgument(std::string(name) + " capsule was already consumed"));
  }
  T moved = *s;
  s->release = nullptr;
  return moved;
}

}  // namespace

nb::object SchemaCapsule(const Schema& schema) {
  auto* c = new ArrowSchema{};
  Status st = ExportSchema(schema, c);
  if (!st.ok()) {
    delete c;
    throw StatusError(st);
  }
  return MakeCapsule(c, "arrow_schema", DestroySchemaCapsule);
}

nb::object ArrayCapsule(const RecordBatch& batch) {
  auto* c = new ArrowArray{};
  Status st = ExportRecordBatch(batch, c);
  if (!st.ok()) {
    delete c;
    throw StatusError(st);
  }
  return MakeCapsule(c, "arrow_array", DestroyArrayCapsule);
}

nb::object StreamCapsule(std::shared_ptr<BatchReader> reader) {
  auto* c = new ArrowArrayStream{};
  Status st = ExportBatchReader(std::move(reader), c);
  if (!st.ok()) {
    delete c;
    throw StatusError(st);
  }
  return MakeCapsule(c, "arrow_array_stream", DestroyStreamCapsule);
}

SchemaPtr SchemaFromCapsule(nb::handle capsule) {
  ArrowSchema c = TakeFromCapsule<ArrowSchema>(capsule, "arrow_schema");
  return ValueOrThrow(ImportSchema(&c));
}

RecordBatchPtr BatchFromCapsules(nb::handle schema_capsule, nb::handle array_capsule) {
  SchemaPtr schema = SchemaFromCapsule(schema_capsule);
  ArrowArray c = TakeFromCapsule<ArrowArray>(array_capsule, "arrow_array");
  return ValueOrThrow(ImportRecordBatch(&c, schema));
}

std::unique_ptr<BatchReader> ReaderFromCapsule(nb::handle capsule) {
  ArrowArrayStream c = TakeFromCapsule<ArrowArrayStream>(capsule, "arrow_array_stream");
  return ValueOrThrow(ImportBatchReader(&c));
}

}  // namespace ixray::python
