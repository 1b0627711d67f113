// The ixray C++ API: include this one header.
//
// ixray is an engine for versioned, columnar datasets of vectors, text and
// scalars, with vector, full-text and scalar indices built in parallel across
// workers. See docs/ARCHITECTURE.md for the map of the layers.
#pragma once

#include "ixray/array.h"
#include "ixray/arrow_interop.h"
#include "ixray/buffer.h"
#include "ixray/builder.h"
#include "ixray/record_batch.h"
#include "ixray/status.h"
#include "ixray/type.h"
#include "ixray/version.h"
