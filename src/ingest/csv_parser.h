// CsvRecordParser: splits a chunked byte stream into CSV records (RFC 4180).
//
// Fields are separated by the delimiter and records by LF, CRLF or CR. A
// field that starts with a double quote runs to the matching closing quote
// and may contain delimiters, line ends and "" (one literal quote); after
// the closing quote only a delimiter or a line end may follow. A quote
// inside an unquoted field is kept as a literal character. Blank lines are
// skipped. Records may straddle chunk boundaries anywhere, even inside a
// CRLF or a "" pair.
//
// Thread safety: single-threaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/chunked_input.h"
#include "ixray/status.h"

namespace ixray::ingest {

// One parsed record: its fields' bytes (unquoted and unescaped) and the line
// it starts on.
class CsvRecord {
 public:
  int num_fields() const { return static_cast<int>(ends_.size()); }
  std::string_view field(int i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }
  // Whether field i was written in quotes (so "" is an empty string, not a
  // missing value).
  bool quoted(int i) const { return quoted_[i] != 0; }
  // The 1-based line number on which the record starts.
  int64_t line() const { return line_; }

 private:
  friend class CsvRecordParser;
  void Clear() {
    bytes_.clear();
    ends_.clear();
    quoted_.clear();
  }
  void EndField(bool quoted) {
    ends_.push_back(bytes_.size());
    quoted_.push_back(quoted ? 1 : 0);
  }

  std::string bytes_;
  std::vector<size_t> ends_;
  std::vector<uint8_t> quoted_;
  int64_t line_ = 0;
};

class CsvRecordParser {
 public:
  // REQUIRES: `input` outlives the parser; delimiter is not '"', '\r', '\n'.
  CsvRecordParser(ChunkedInput* input, char delimiter) : input_(input), delimiter_(delimiter) {}

  // Parses the next record into *record. Returns false at the end of the
  // input; InvalidArgument (with the line) for an unterminated quoted field
  // or a character after a closing quote.
  Result<bool> Next(CsvRecord* record);

 private:
  ChunkedInput* input_;
  char delimiter_;
  std::string_view chunk_;
  size_t pos_ = 0;
  int64_t line_ = 1;      // the line of the next byte
  bool skip_lf_ = false;  // the last byte was a CR ending a line
  bool eof_ = false;
};

}  // namespace ixray::ingest
