// Deterministic sample data of every supported type, for tests.
#pragma once

#include <cstdint>
#include <vector>

#include "ixray/array.h"
#include "ixray/record_batch.h"
#include "ixray/type.h"

namespace ixray::testing {

// One of each type ixray supports (the list in docs/format.md).
std::vector<TypePtr> AllSupportedTypes();

// `length` values of `type`; every `null_every`-th slot is null (0: none).
ArrayPtr MakeSampleArray(const TypePtr& type, int64_t length, int null_every, uint64_t seed);

// A batch with one column per supported type, named c0, c1, ...
RecordBatchPtr MakeSampleBatch(int64_t length, int null_every, uint64_t seed);

}  // namespace ixray::testing
