// Turning ixray::Status into Python exceptions, at the edge of the binding.
#pragma once

#include <nanobind/nanobind.h>

#include <stdexcept>

#include "ixray/status.h"

namespace ixray::python {

// Thrown by binding code for a failed Status; translated to the Python
// exception of its code by RegisterErrors().
class StatusError : public std::exception {
 public:
  explicit StatusError(Status status) : status_(std::move(status)) {}
  const char* what() const noexcept override { return status_.message().c_str(); }
  const Status& status() const { return status_; }

 private:
  Status status_;
};

inline void ThrowIfError(const Status& status) {
  if (!status.ok()) throw StatusError(status);
}

template <typename T>
T ValueOrThrow(Result<T> result) {
  if (!result.ok()) throw StatusError(result.status());
  return std::move(*result);
}

// Defines ixray.IxrayError, CorruptFileError and CommitConflictError on the
// module and installs the translator:
//   InvalidArgument -> ValueError        TypeError      -> TypeError
//   NotFound        -> FileNotFoundError AlreadyExists  -> FileExistsError
//   Corruption      -> CorruptFileError  Conflict       -> CommitConflictError
//   IOError         -> OSError           NotImplemented -> NotImplementedError
//   Internal        -> IxrayError
// Every one of them is also an ixray.IxrayError.
void RegisterErrors(nanobind::module_& m);

}  // namespace ixray::python
