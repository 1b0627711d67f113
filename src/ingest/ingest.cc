// Format names and detection, option checks, and the dispatching
// OpenIngestReader.

#include "ixray/ingest.h"

#include <fmt/format.h>

#include <algorithm>

#include "ingest/ingest_internal.h"

namespace ixray {

namespace {

std::string Lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string_view IngestFormatName(IngestFormat format) {
  switch (format) {
    case IngestFormat::kAuto:
      return "auto";
    case IngestFormat::kCsv:
      return "csv";
    case IngestFormat::kJsonLines:
      return "jsonl";
    case IngestFormat::kNpy:
      return "npy";
    case IngestFormat::kFvecs:
      return "fvecs";
    case IngestFormat::kBvecs:
      return "bvecs";
    case IngestFormat::kIvecs:
      return "ivecs";
  }
  return "?";
}

Result<IngestFormat> ParseIngestFormat(std::string_view name) {
  const std::string lower = Lowercase(name);
  if (lower == "auto") return IngestFormat::kAuto;
  if (lower == "csv" || lower == "tsv") return IngestFormat::kCsv;
  if (lower == "jsonl" || lower == "json" || lower == "ndjson") return IngestFormat::kJsonLines;
  if (lower == "npy") return IngestFormat::kNpy;
  if (lower == "fvecs") return IngestFormat::kFvecs;
  if (lower == "bvecs") return IngestFormat::kBvecs;
  if (lower == "ivecs") return IngestFormat::kIvecs;
  return Status::InvalidArgument(fmt::format(
      "unknown format '{}' (expected csv, jsonl, npy, fvecs, bvecs, ivecs or auto)", name));
}

Result<IngestFormat> DetectIngestFormat(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = name.find_last_of('.');
  const std::string extension =
      dot == std::string_view::npos ? std::string() : Lowercase(name.substr(dot + 1));
  if (extension == "csv" || extension == "tsv" || extension == "txt") return IngestFormat::kCsv;
  if (extension == "jsonl" || extension == "ndjson" || extension == "json") {
    return IngestFormat::kJsonLines;
  }
  if (extension == "npy") return IngestFormat::kNpy;
  if (extension == "fvecs") return IngestFormat::kFvecs;
  if (extension == "bvecs") return IngestFormat::kBvecs;
  if (extension == "ivecs") return IngestFormat::kIvecs;
  return Status::InvalidArgument(fmt::format(
      "cannot tell the format of '{}' from its extension (known: .csv .tsv .jsonl .ndjson .json "
      ".npy .fvecs .bvecs .ivecs); name the format explicitly",
      path));
}

Result<std::unique_ptr<IngestReader>> OpenIngestReader(FileSystem& fs, const std::string& path,
                                                       const IngestOptions& options) {
  IngestOptions resolved = options;
  if (resolved.format == IngestFormat::kAuto) {
    IXRAY_ASSIGN_OR_RAISE(resolved.format, DetectIngestFormat(path));
    if (resolved.format == IngestFormat::kCsv && resolved.delimiter == ',' &&
        Lowercase(path).ends_with(".tsv")) {
      resolved.delimiter = '\t';
    }
  }
  switch (resolved.format) {
    case IngestFormat::kCsv:
      return OpenCsvReader(fs, path, resolved);
    case IngestFormat::kJsonLines:
      return OpenJsonLinesReader(fs, path, resolved);
    case IngestFormat::kNpy:
      return OpenNpyReader(fs, path, resolved);
    case IngestFormat::kFvecs:
    case IngestFormat::kBvecs:
    case IngestFormat::kIvecs:
      return OpenVecsReader(fs, path, resolved.format, resolved);
    case IngestFormat::kAuto:
      break;
  }
  return Status::Internal("unresolved ingest format");
}

namespace ingest {

Status ValidateOptions(const IngestOptions& options) {
  if (options.batch_size <= 0) {
    return Status::InvalidArgument(
        fmt::format("batch_size must be positive, got {}", options.batch_size));
  }
  if (options.chunk_size <= 0) {
    return Status::InvalidArgument(
        fmt::format("chunk_size must be positive, got {}", options.chunk_size));
  }
  if (options.inference_rows <= 0) {
    return Status::InvalidArgument(
        fmt::format("inference_rows must be positive, got {}", options.inference_rows));
  }
  return Status::OK();
}

Result<RecordBatchPtr> FinishBatch(const SchemaPtr& schema, int64_t num_rows,
                                   std::vector<std::unique_ptr<ArrayBuilder>>& builders) {
  std::vector<ArrayPtr> columns;
  columns.reserve(builders.size());
  for (auto& builder : builders) {
    IXRAY_ASSIGN_OR_RAISE(ArrayPtr column, builder->Finish());
    columns.push_back(std::move(column));
  }
  return RecordBatch::Make(schema, num_rows, std::move(columns));
}

Status ReadRecords(const RandomAccessFile& file, int64_t offset, int64_t num_records,
                   int64_t record_size, int64_t chunk_size, BufferBuilder* out) {
  const int64_t records_per_read = std::max<int64_t>(1, chunk_size / record_size);
  out->Reserve(out->size() + num_records * record_size);
  for (int64_t done = 0; done < num_records;) {
    const int64_t count = std::min(records_per_read, num_records - done);
    IXRAY_ASSIGN_OR_RAISE(BufferPtr piece,
                          file.ReadAt(offset + done * record_size, count * record_size));
    out->Append(piece->data(), piece->size());
    done += count;
  }
  return Status::OK();
}

Result<ArrayPtr> MakeVectorColumn(const TypePtr& value_type, int32_t list_size, int64_t num_rows,
                                  BufferPtr values) {
  const int64_t num_values = num_rows * std::max<int32_t>(list_size, 1);
  ArrayPtr flat;
  if (value_type->id() == TypeId::kBool) {
    ArrayBuilder bits(value_type);
    bits.Reserve(num_values);
    for (int64_t i = 0; i < num_values; ++i) bits.AppendBool(values->data()[i] != 0);
    IXRAY_ASSIGN_OR_RAISE(flat, bits.Finish());
  } else {
    IXRAY_ASSIGN_OR_RAISE(flat, MakeArray(value_type, num_values, {nullptr, std::move(values)}));
  }
  if (list_size == 0) return flat;
  return MakeArray(fixed_size_list(value_type, list_size), num_rows, {nullptr}, {std::move(flat)});
}

}  // namespace ingest

}  // namespace ixray
