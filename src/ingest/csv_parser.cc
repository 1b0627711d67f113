#include "ingest/csv_parser.h"

#include <fmt/format.h>

namespace ixray::ingest {

namespace {

enum class State {
  kFieldStart,     // at the start of a field
  kUnquoted,       // inside an unquoted field
  kQuoted,         // inside a quoted field
  kQuoteInQuoted,  // just after a quote inside a quoted field
};

}  // namespace

Result<bool> CsvRecordParser::Next(CsvRecord* record) {
  record->Clear();
  record->line_ = line_;
  State state = State::kFieldStart;
  while (true) {
    if (pos_ == chunk_.size()) {
      if (!eof_) {
        IXRAY_ASSIGN_OR_RAISE(chunk_, input_->NextChunk());
        pos_ = 0;
        eof_ = chunk_.empty();
      }
      if (eof_) break;
    }
    const char c = chunk_[pos_];
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') {
        ++pos_;
        continue;
      }
    }
    switch (state) {
      case State::kFieldStart:
      case State::kUnquoted: {
        if (state == State::kFieldStart && c == '"') {
          ++pos_;
          state = State::kQuoted;
          break;
        }
        // Copy the run of ordinary bytes in one go.
        size_t end = pos_;
        while (end < chunk_.size() && chunk_[end] != delimiter_ && chunk_[end] != '\n' &&
               chunk_[end] != '\r') {
          ++end;
        }
        if (end > pos_) {
          record->bytes_.append(chunk_.data() + pos_, end - pos_);
          pos_ = end;
          state = State::kUnquoted;
          break;
        }
        ++pos_;
        if (c == delimiter_) {
          record->EndField(false);
          state = State::kFieldStart;
          break;
        }
        // A line end.
        ++line_;
        skip_lf_ = c == '\r';
        if (state == State::kFieldStart && record->num_fields() == 0) {
          record->line_ = line_;  // a blank line: skip it
          break;
        }
        record->EndField(false);
        return true;
      }
      case State::kQuoted: {
        size_t end = pos_;
        while (end < chunk_.size() && chunk_[end] != '"' && chunk_[end] != '\n') ++end;
        record->bytes_.append(chunk_.data() + pos_, end - pos_);
        pos_ = end;
        if (pos_ == chunk_.size()) break;
        ++pos_;
        if (chunk_[end] == '\n') {
          record->bytes_.push_back('\n');
          ++line_;
        } else {
          state = State::kQuoteInQuoted;
        }
        break;
      }
      case State::kQuoteInQuoted:
        ++pos_;
        if (c == '"') {
          record->bytes_.push_back('"');
          state = State::kQuoted;
        } else if (c == delimiter_) {
          record->EndField(true);
          state = State::kFieldStart;
        } else if (c == '\n' || c == '\r') {
          ++line_;
          skip_lf_ = c == '\r';
          record->EndField(true);
          return true;
        } else {
          return Status::InvalidArgument(
              fmt::format("line {}: unexpected character '{}' after a closing quote (a quote "
                          "inside a quoted field must be doubled)",
                          line_, c));
        }
        break;
    }
  }
  switch (state) {
    case State::kQuoted:
      return Status::InvalidArgument(
          fmt::format("line {}: unterminated quoted field at the end of the file", record->line_));
    case State::kFieldStart:
      if (record->num_fields() == 0) return false;
      record->EndField(false);
      return true;
    case State::kUnquoted:
      record->EndField(false);
      return true;
    case State::kQuoteInQuoted:
      record->EndField(true);
      return true;
  }
  return false;
}

}  // namespace ixray::ingest
