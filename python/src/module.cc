// ixray._core: the native half of the ixray Python package. The Python half
// (python/ixray/) converts arguments and re-exports these names.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "errors.h"
#include "ixray/version.h"

namespace nb = nanobind;

NB_MODULE(_core, m) {
  m.doc() = "ixray native core";
  ixray::python::RegisterErrors(m);
  ixray::python::BindCore(m);
  ixray::python::BindDataset(m);
  ixray::python::BindIndex(m);
  ixray::python::BindDistributed(m);
  ixray::python::BindMaintenance(m);
  m.def("version", [] { return ixray::Version(); });
  m.def(
      "simd_target", [] { return ixray::SimdTarget(); },
      "The SIMD instruction set the kernels dispatch to on this CPU.");
}
