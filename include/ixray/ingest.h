// Ingest: streaming readers that turn files (CSV, JSON lines, NumPy .npy,
// TEXMEX .fvecs/.bvecs/.ivecs) into record batches.
//
// Every reader reads its file through a FileSystem, in chunks of
// `IngestOptions::chunk_size` bytes with positional reads, and emits batches
// of at most `batch_size` rows, so memory stays bounded by about one chunk,
// one batch and (for CSV and JSON lines without an explicit schema) the rows
// used to infer the schema. A file is never loaded whole.
//
// Formats, and the schema each produces:
//   CSV         A header row names the columns. RFC 4180 quoting: a field in
//               double quotes may hold the delimiter, newlines and "" (one
//               quote). CRLF and LF line ends; blank lines are skipped.
//               Types are inferred from the first `inference_rows` rows, per
//               column the first of int64, float64, bool (true/false, any
//               case), date32 (YYYY-MM-DD), timestamp[us] (ISO 8601; with
//               tz=UTC when every value carries a zone) that fits all
//               values, else string. An empty unquoted field is null; a
//               quoted empty field ("") is the empty string in string
//               columns and null elsewhere.
//   JSON lines  One object per line. Per key, from the first
//               `inference_rows` lines: integers -> int64, numbers -> float64,
//               booleans -> bool, strings -> string, arrays of strings ->
//               list<string>, arrays of numbers of one length n ->
//               fixed_size_list<float32, n>, arrays of numbers of varying
//               length -> list<float64>, anything else (objects, mixed
//               kinds) -> string holding the JSON text. Missing keys and
//               null are null. Columns are ordered by first appearance.
//   .npy        NumPy format 1.0/2.0/3.0, C order, little- or big-endian
//               bool/int/uint/float (f2, f4, f8) dtypes. A 1-D array becomes
//               one plain column, a 2-D array (rows, d) one
//               fixed_size_list<T, d> column, named `column_name`.
//   .fvecs      Each vector is an int32 dimension d then d float32 (.fvecs),
//   .bvecs      uint8 (.bvecs) or int32 (.ivecs) values; all vectors must
//   .ivecs      share d. One fixed_size_list<T, d> column, `column_name`.
//
// Errors: InvalidArgument for malformed input, naming the line (CSV, JSON
// lines) or vector (npy, vecs) and the column: a value that does not fit the
// inferred type, a wrong field count, malformed JSON, inconsistent vector
// dimensions, a truncated file. NotFound if the file does not exist;
// NotImplemented for valid but unsupported inputs (e.g. a Fortran-order
// .npy array). Errors may surface from the Open* call (header, inference
// rows) or from any later Next().
//
// Thread safety: a reader is used by one thread at a time. Distinct readers
// are independent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ixray/file_system.h"
#include "ixray/record_batch.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray {

enum class IngestFormat { kAuto, kCsv, kJsonLines, kNpy, kFvecs, kBvecs, kIvecs };

// "csv", "jsonl", "npy", "fvecs", "bvecs", "ivecs" or "auto".
std::string_view IngestFormatName(IngestFormat format);
// The inverse of IngestFormatName; also accepts "json", "ndjson" and "tsv"
// (CSV; the caller picks the tab delimiter). InvalidArgument otherwise.
Result<IngestFormat> ParseIngestFormat(std::string_view name);
// The format a file name's extension implies: .csv .tsv .txt -> CSV, .jsonl
// .ndjson .json -> JSON lines, .npy, .fvecs, .bvecs, .ivecs.
// InvalidArgument for any other extension.
Result<IngestFormat> DetectIngestFormat(std::string_view path);

struct IngestOptions {
  // kAuto detects the format from the file name (DetectIngestFormat).
  IngestFormat format = IngestFormat::kAuto;
  // Rows per emitted batch (the last one may be smaller). REQUIRES: > 0.
  int64_t batch_size = 8192;
  // Bytes per positional read of the file. REQUIRES: > 0.
  int64_t chunk_size = int64_t{1} << 20;

  // CSV and JSON lines: rows read to infer the schema. REQUIRES: > 0.
  int64_t inference_rows = 1000;
  // CSV and JSON lines: the schema to produce, skipping inference. Columns
  // are matched by name (CSV: against the header, which must contain every
  // field; header columns not in the schema are skipped; JSON: keys not in
  // the schema are skipped). Supported field types: bool, integers, float16/
  // 32/64, string, large_string, binary, date32, timestamp, and (JSON only)
  // list and fixed_size_list of those.
  SchemaPtr schema;
  // CSV only: the field separator. A .tsv file under kAuto uses '\t'.
  char delimiter = ',';

  // npy and vecs: the name of the single column.
  std::string column_name = "vector";
};

// A BatchReader over a file that also reports how far it has read, for
// progress bars.
class IngestReader : public BatchReader {
 public:
  // Bytes of the file consumed so far, and the file's size.
  virtual int64_t bytes_read() const = 0;
  virtual int64_t total_bytes() const = 0;
};

// Opens `path` on `fs` and reads its header (and inference rows), returning
// a reader positioned at the first row. The reader keeps the opened file,
// not `fs`.
Result<std::unique_ptr<IngestReader>> OpenCsvReader(FileSystem& fs, const std::string& path,
                                                    const IngestOptions& options = {});
Result<std::unique_ptr<IngestReader>> OpenJsonLinesReader(FileSystem& fs, const std::string& path,
                                                          const IngestOptions& options = {});
Result<std::unique_ptr<IngestReader>> OpenNpyReader(FileSystem& fs, const std::string& path,
                                                    const IngestOptions& options = {});
// REQUIRES: format is kFvecs, kBvecs or kIvecs.
Result<std::unique_ptr<IngestReader>> OpenVecsReader(FileSystem& fs, const std::string& path,
                                                     IngestFormat format,
                                                     const IngestOptions& options = {});

// Dispatches on options.format (detected from `path` when kAuto; a .tsv
// file then gets the tab delimiter).
Result<std::unique_ptr<IngestReader>> OpenIngestReader(FileSystem& fs, const std::string& path,
                                                       const IngestOptions& options = {});

}  // namespace ixray
