// TablePrinter: prints record batches as an aligned text table while they
// stream in. Column widths are fixed from the header and the first batch
// (capped at max_cell_width), so nothing is held back. Longer strings, lists
// and binary values are cut with "…"; a longer number, date or bool is shown
// whole and widens its column from then on. Numbers are right-aligned,
// everything else left.
//
// Thread safety: single-threaded.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "ixray/record_batch.h"

namespace ixray::cli {

class TablePrinter {
 public:
  // REQUIRES: max_cell_width >= 2.
  TablePrinter(std::FILE* out, int max_cell_width = 40, int max_list_items = 8)
      : out_(out), max_cell_width_(max_cell_width), max_list_items_(max_list_items) {}

  // Prints the rows of `batch` (and, the first time, the header).
  void Print(const RecordBatch& batch);
  // Prints the header if no batch came, then a "(N rows)" line.
  void Finish(const Schema& schema);

 private:
  void Start(const Schema& schema, const RecordBatch* first_batch);
  void AppendCell(std::string_view text, size_t column, std::string* line);

  std::FILE* out_;
  int max_cell_width_;
  int max_list_items_;
  bool started_ = false;
  std::vector<int64_t> widths_;
  std::vector<bool> right_aligned_;
  std::vector<bool> truncatable_;
  int64_t rows_ = 0;
};

}  // namespace ixray::cli
