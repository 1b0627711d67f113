// Helpers shared by the filter tests: small typed columns, batches, and
// evaluation results as optional<bool> (nullopt = UNKNOWN).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ixray/builder.h"
#include "ixray/record_batch.h"
#include "query/filter_eval.h"
#include "query/filter_parser.h"

namespace ixray::query::test {

using Tri = std::optional<bool>;
constexpr Tri kUnknown = std::nullopt;

template <typename T>
using Column = std::vector<std::optional<T>>;

// A column of `type` from values; nullopt is a null slot. T is the storage
// type (bool, an integer, float, double, uint16_t for float16, int32_t for
// date32, int64_t for timestamp, std::string for string-like types).
template <typename T>
ArrayPtr TypedArray(const TypePtr& type, const Column<T>& values) {
  ArrayBuilder builder(type);
  for (const auto& v : values) {
    if (!v) {
      builder.AppendNull();
    } else if constexpr (std::is_same_v<T, bool>) {
      builder.AppendBool(*v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      builder.AppendString(*v);
    } else {
      builder.template Append<T>(*v);
    }
  }
  return *builder.Finish();
}

using StringList = std::optional<std::vector<std::optional<std::string>>>;

inline ArrayPtr StringListArray(const std::vector<StringList>& rows) {
  ArrayBuilder builder(list(utf8()));
  for (const auto& row : rows) {
    if (!row) {
      builder.AppendNull();
      continue;
    }
    builder.StartList();
    for (const auto& item : *row) {
      if (item) {
        builder.child().AppendString(*item);
      } else {
        builder.child().AppendNull();
      }
    }
  }
  return *builder.Finish();
}

// A batch of the named columns (all of one length).
inline RecordBatchPtr MakeBatch(const std::vector<std::pair<std::string, ArrayPtr>>& columns) {
  std::vector<FieldPtr> fields;
  std::vector<ArrayPtr> arrays;
  for (const auto& [name, array] : columns) {
    fields.push_back(field(name, array->type()));
    arrays.push_back(array);
  }
  const int64_t rows = arrays.empty() ? 0 : arrays[0]->length();
  return *RecordBatch::Make(*Schema::Make(std::move(fields)), rows, std::move(arrays));
}

inline std::vector<Tri> ToTri(const Array& mask) {
  std::vector<Tri> out;
  for (int64_t i = 0; i < mask.length(); ++i) {
    out.push_back(mask.IsValid(i) ? Tri(mask.BoolValue(i)) : kUnknown);
  }
  return out;
}

// Parses `filter` against the batch's schema and evaluates it.
inline Result<std::vector<Tri>> EvalFilter(std::string_view filter, const RecordBatch& batch) {
  IXRAY_ASSIGN_OR_RAISE(auto expr, ParseFilter(filter, *batch.schema()));
  IXRAY_ASSIGN_OR_RAISE(auto mask, Evaluate(*expr, batch));
  return ToTri(*mask);
}

inline std::string TriString(const std::vector<Tri>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += !values[i] ? "null" : (*values[i] ? "T" : "F");
  }
  return out + "]";
}

// Three-valued reference operators, written independently of the evaluator.
inline Tri TriAnd(Tri a, Tri b) {
  if (a == false || b == false) return false;
  if (!a || !b) return kUnknown;
  return true;
}
inline Tri TriOr(Tri a, Tri b) {
  if (a == true || b == true) return true;
  if (!a || !b) return kUnknown;
  return false;
}
inline Tri TriNot(Tri a) { return a ? Tri(!*a) : kUnknown; }

}  // namespace ixray::query::test
