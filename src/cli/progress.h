// Progress reporting for long CLI work (import). When stderr is a terminal
// a bar is redrawn in place at most ten times a second; otherwise nothing
// is drawn and the caller prints one summary line at the end.
//
// Thread safety: single-threaded.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "ixray/ingest.h"
#include "ixray/record_batch.h"

namespace ixray::cli {

class ProgressBar {
 public:
  // `enabled`: draw at all (normally: stderr is a terminal).
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar() { Finish(); }

  // Reports `rows` done and `bytes` of `total_bytes` read.
  void Update(int64_t rows, int64_t bytes, int64_t total_bytes);
  // Erases the bar. Idempotent.
  void Finish();

  double ElapsedSeconds() const;

 private:
  void Draw(int64_t rows, int64_t bytes, int64_t total_bytes);

  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// A BatchReader that passes the batches of an IngestReader through and
// reports the rows and bytes read so far to a ProgressBar.
class ProgressReader : public BatchReader {
 public:
  // REQUIRES: `source` and `bar` outlive this reader.
  ProgressReader(IngestReader& source, ProgressBar& bar) : source_(source), bar_(bar) {}

  const SchemaPtr& schema() const override { return source_.schema(); }
  Result<RecordBatchPtr> Next() override;

  int64_t rows() const { return rows_; }

 private:
  IngestReader& source_;
  ProgressBar& bar_;
  int64_t rows_ = 0;
};

// One line on stderr per build phase: "label… " when it starts, the elapsed
// seconds when it ends, or "failed" if it ends without Done().
class PhaseLine {
 public:
  explicit PhaseLine(std::string_view label) : start_(std::chrono::steady_clock::now()) {
    fmt::print(stderr, "{}… ", label);
    std::fflush(stderr);
  }
  ~PhaseLine() {
    if (!done_) fmt::print(stderr, "failed\n");
  }
  // Ends the line; returns the phase's seconds.
  double Done() {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    fmt::print(stderr, "{:.2f}s\n", seconds);
    done_ = true;
    return seconds;
  }

 private:
  std::chrono::steady_clock::time_point start_;
  bool done_ = false;
};

}  // namespace ixray::cli
