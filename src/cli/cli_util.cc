#include "cli/cli_util.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "ingest/value_format.h"

namespace ixray::cli {

namespace {
int g_exit_code = 0;
}  // namespace

void ReportError(const Status& status) {
  fmt::print(stderr, "ixray: {}\n", status.ToString());
  g_exit_code = 1;
}

int ExitCode() { return g_exit_code; }

Result<std::shared_ptr<Dataset>> OpenDataset(const std::string& uri,
                                             std::optional<uint64_t> version) {
  OpenOptions options;
  options.version = version;
  options.file_system = LocalFileSystem();
  return Dataset::Open(uri, options);
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    start = end + 1;
  }
  return items;
}

std::string FormatCount(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return value < 0 ? "-" + out : out;
}

std::string FormatBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

void WriteAll(std::FILE* out, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), out);
}

void AppendIndexJson(const IndexInfo& index, std::string* out) {
  *out += "{\"name\":";
  ingest::AppendJsonString(index.name, out);
  *out += ",\"index_type\":";
  ingest::AppendJsonString(index.index_type, out);
  *out += ",\"columns\":[";
  for (size_t i = 0; i < index.columns.size(); ++i) {
    if (i > 0) *out += ",";
    ingest::AppendJsonString(index.columns[i], out);
  }
  *out += "],\"segments\":[";
  for (size_t i = 0; i < index.segments.size(); ++i) {
    const IndexSegmentInfo& segment = index.segments[i];
    if (i > 0) *out += ",";
    *out += "{\"uuid\":";
    ingest::AppendJsonString(segment.uuid, out);
    *out += fmt::format(",\"fragment_ids\":[{}],\"dataset_version\":{},\"num_rows\":{}}}",
                        fmt::join(segment.fragment_ids, ","), segment.dataset_version,
                        segment.num_rows);
  }
  *out += "]}";
}

}  // namespace ixray::cli
