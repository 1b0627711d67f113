#include "cli/progress.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/cli_util.h"

namespace ixray::cli {

namespace {
constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
}  // namespace

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - kRedrawInterval) {}

void ProgressBar::Update(int64_t rows, int64_t bytes, int64_t total_bytes) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  Draw(rows, bytes, total_bytes);
}

void ProgressBar::Draw(int64_t rows, int64_t bytes, int64_t total_bytes) {
  const double fraction =
      total_bytes > 0 ? std::clamp(static_cast<double>(bytes) / total_bytes, 0.0, 1.0) : 0.0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  std::string bar(filled, '#');
  bar.append(kBarWidth - filled, '-');
  fmt::print(stderr, "\r\x1b[2K{} [{}] {:3.0f}%  {} rows  {} / {}  {:.1f}s", label_, bar,
             fraction * 100, FormatCount(rows), FormatBytes(bytes), FormatBytes(total_bytes),
             ElapsedSeconds());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (drawn_) {
    fmt::print(stderr, "\r\x1b[2K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

double ProgressBar::ElapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

Result<RecordBatchPtr> ProgressReader::Next() {
  IXRAY_ASSIGN_OR_RAISE(RecordBatchPtr batch, source_.Next());
  if (batch != nullptr) rows_ += batch->num_rows();
  bar_.Update(rows_, source_.bytes_read(), source_.total_bytes());
  return batch;
}

}  // namespace ixray::cli
