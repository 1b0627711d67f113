#include "errors.h"

namespace nb = nanobind;

namespace ixray::python {

namespace {

struct ExceptionTypes {
  PyObject* base = nullptr;
  PyObject* value_error = nullptr;
  PyObject* type_error = nullptr;
  PyObject* not_found = nullptr;
  PyObject* already_exists = nullptr;
  PyObject* corruption = nullptr;
  PyObject* conflict = nullptr;
  PyObject* io_error = nullptr;
  PyObject* not_implemented = nullptr;
};

ExceptionTypes g_types;

PyObject* NewException(nb::module_& m, const char* name, PyObject* bases, const char* doc) {
  std::string qualified = std::string("ixray.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  Py_XDECREF(bases);
  if (type == nullptr) throw nb::python_error();
  m.attr(name) = nb::handle(type);
  return type;
}

// The ixray subclass of a builtin exception, e.g. ixray.ValueError(IxrayError, ValueError):
// `except ValueError` and `except ixray.IxrayError` both catch it.
PyObject* Derived(nb::module_& m, const char* name, PyObject* builtin, const char* doc) {
  return NewException(m, name, PyTuple_Pack(2, g_types.base, builtin), doc);
}

PyObject* TypeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return g_types.value_error;
    case StatusCode::kTypeError:
      return g_types.type_error;
    case StatusCode::kNotFound:
      return g_types.not_found;
    case StatusCode::kAlreadyExists:
      return g_types.already_exists;
    case StatusCode::kCorruption:
      return g_types.corruption;
    case StatusCode::kConflict:
      return g_types.conflict;
    case StatusCode::kIOError:
      return g_types.io_error;
    case StatusCode::kNotImplemented:
      return g_types.not_implemented;
    default:
      return g_types.base;
  }
}

}  // namespace

void RegisterErrors(nb::module_& m) {
  g_types.base = NewException(m, "IxrayError", nullptr, "Base class of every ixray error.");
  g_types.value_error = Derived(m, "InvalidArgumentError", PyExc_ValueError,
                                "A bad argument: unknown column, bad filter, wrong dimension.");
  g_types.type_error =
      Derived(m, "ColumnTypeError", PyExc_TypeError, "A column or value of the wrong type.");
  g_types.not_found = Derived(m, "NotFoundError", PyExc_FileNotFoundError,
                              "A dataset, version or file is missing.");
  g_types.already_exists =
      Derived(m, "AlreadyExistsError", PyExc_FileExistsError, "Creating something that exists.");
  g_types.corruption =
      Derived(m, "CorruptFileError", PyExc_OSError, "A damaged file: bad magic, checksum, size.");
  g_types.conflict = NewException(m, "CommitConflictError", PyTuple_Pack(1, g_types.base),
                                  "A concurrent commit that could not be rebased.");
  g_types.io_error = Derived(m, "IxrayIOError", PyExc_OSError, "The OS reported an I/O failure.");
  g_types.not_implemented = Derived(m, "NotSupportedError", PyExc_NotImplementedError,
                                    "A valid request this build does not support.");
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const StatusError& e) {
      PyErr_SetString(TypeFor(e.status().code()), e.status().message().c_str());
    }
  });
}

}  // namespace ixray::python
