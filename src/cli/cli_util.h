// Helpers shared by the CLI subcommands: opening datasets, parsing list
// arguments, and human-readable numbers.
//
// Thread safety: single-threaded (the CLI is).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/dataset.h"
#include "ixray/index.h"
#include "ixray/status.h"

namespace ixray::cli {

// Opens the dataset at `uri` on the local file system, at `version` or the
// latest one.
Result<std::shared_ptr<Dataset>> OpenDataset(const std::string& uri,
                                             std::optional<uint64_t> version);

// "a, b,c" -> {"a", "b", "c"}; empty items are dropped.
std::vector<std::string> SplitList(std::string_view text);

// 1234567 -> "1,234,567".
std::string FormatCount(int64_t value);
// 1536 -> "1.5 KiB".
std::string FormatBytes(int64_t bytes);

// Appends `index` as a JSON object (name, index_type, columns, segments
// with uuid, fragment_ids, dataset_version, num_rows) to `out`.
void AppendIndexJson(const IndexInfo& index, std::string* out);

// Writes `text` to `out` in full.
void WriteAll(std::FILE* out, std::string_view text);

}  // namespace ixray::cli
