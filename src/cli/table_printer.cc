#include "cli/table_printer.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/cli_util.h"
#include "ingest/value_format.h"

namespace ixray::cli {

namespace {

// The longest prefix of `text` of at most `width` code points.
std::string_view PrefixOfWidth(std::string_view text, int64_t width) {
  int64_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (seen == width) return text.substr(0, i);
      ++seen;
    }
  }
  return text;
}

}  // namespace

void TablePrinter::Start(const Schema& schema, const RecordBatch* first_batch) {
  started_ = true;
  for (int c = 0; c < schema.num_fields(); ++c) {
    const Field& f = *schema.field(c);
    int64_t width = ingest::DisplayWidth(f.name);
    if (first_batch != nullptr) {
      std::string cell;
      for (int64_t r = 0; r < first_batch->num_rows(); ++r) {
        cell.clear();
        ingest::AppendValueText(*first_batch->column(c), r, &cell, max_list_items_);
        width = std::max(width, ingest::DisplayWidth(cell));
      }
    }
    widths_.push_back(std::clamp<int64_t>(width, 1, max_cell_width_));
    right_aligned_.push_back(f.type->is_numeric());
    // Cutting a number, date or bool would show a different value.
    truncatable_.push_back(f.type->is_string_like() || f.type->is_nested());
  }
  std::string header, rule;
  for (int c = 0; c < schema.num_fields(); ++c) {
    AppendCell(schema.field(c)->name, c, &header);
    if (c > 0) rule += "  ";
    rule.append(widths_[c], '-');
  }
  WriteAll(out_, header + "\n" + rule + "\n");
}

void TablePrinter::AppendCell(std::string_view text, size_t column, std::string* line) {
  if (column > 0) line->append("  ");
  int64_t shown = ingest::DisplayWidth(text);
  if (shown > widths_[column] && !truncatable_[column]) widths_[column] = shown;
  const int64_t width = widths_[column];
  std::string cut;
  if (shown > width) {
    cut = std::string(PrefixOfWidth(text, width - 1)) + "\u2026";
    text = cut;
    shown = width;
  }
  const bool last = column + 1 == widths_.size();
  if (right_aligned_[column]) line->append(width - shown, ' ');
  line->append(text);
  if (!right_aligned_[column] && !last) line->append(width - shown, ' ');
}

void TablePrinter::Print(const RecordBatch& batch) {
  if (!started_) Start(*batch.schema(), &batch);
  std::string lines, cell;
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    for (int c = 0; c < batch.num_columns(); ++c) {
      cell.clear();
      ingest::AppendValueText(*batch.column(c), r, &cell, max_list_items_);
      AppendCell(cell, c, &lines);
    }
    lines.push_back('\n');
  }
  rows_ += batch.num_rows();
  WriteAll(out_, lines);
}

void TablePrinter::Finish(const Schema& schema) {
  if (!started_) Start(schema, nullptr);
  WriteAll(out_, fmt::format("({} row{})\n", FormatCount(rows_), rows_ == 1 ? "" : "s"));
}

}  // namespace ixray::cli
