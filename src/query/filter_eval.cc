// The tree walk of the evaluator: one TriMask per node, combined with the
// three-valued AND / OR / NOT; leaves are computed by the kernels of
// filter_kernels.h.
#include "query/filter_eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "core/bit_util.h"
#include "query/filter_kernels.h"

namespace ixray::query {

namespace {

class Evaluator {
 public:
  explicit Evaluator(const RecordBatch& batch) : batch_(batch), n_(batch.num_rows()) {}

  Result<TriMask> Eval(const Expr& e) {
    TriMask out(n_);
    switch (e.kind()) {
      case ExprKind::kColumn: {
        IXRAY_ASSIGN_OR_RAISE(const Array* column, Resolve(e));
        if (column->type()->id() != TypeId::kBool) return NotBoolean(e);
        for (int64_t i = 0; i < n_; ++i) out.is_true[i] = column->BoolValue(i);
        FinishComparison(*column, &out);
        return out;
      }
      case ExprKind::kLiteral:
        if (e.literal().kind() == LiteralKind::kBool) {
          auto& side = e.literal().bool_value() ? out.is_true : out.is_false;
          std::fill(side.begin(), side.end(), 1);
        } else if (!e.literal().is_null()) {
          return NotBoolean(e);
        }
        return out;
      case ExprKind::kCompare:
        return EvalCompare(e.op(), e.arg(0), e.arg(1));
      case ExprKind::kAnd:
      case ExprKind::kOr:
        return EvalJunction(e);
      case ExprKind::kNot: {
        IXRAY_ASSIGN_OR_RAISE(out, Eval(e.arg(0)));
        out.is_true.swap(out.is_false);
        return out;
      }
      case ExprKind::kIsNull:
        return EvalIsNull(e);
      case ExprKind::kBetween:
        return EvalBetween(e);
      default:
        break;
    }
    // The rest test one column against literals.
    IXRAY_ASSIGN_OR_RAISE(const Array* column, Resolve(e.arg(0)));
    std::vector<Literal> values;
    for (size_t i = 1; i < e.args().size(); ++i) values.push_back(e.arg(i).literal());
    switch (e.kind()) {
      case ExprKind::kIn:
        EvaluateIn(*column, values, &out);
        break;
      case ExprKind::kLike:
        EvaluateLike(*column, values[0], &out);
        break;
      case ExprKind::kContains:
        EvaluateContains(*column, values[0], &out);
        break;
      case ExprKind::kArrayHasAny:
      case ExprKind::kArrayHasAll:
        EvaluateArrayHas(*column, values, e.kind() == ExprKind::kArrayHasAll, &out);
        break;
      default:
        return Status::Internal("unhandled expression kind in " + e.ToString());
    }
    if (e.negated()) out.is_true.swap(out.is_false);
    return out;
  }

 private:
  // The batch column a bound column reference points at.
  Result<const Array*> Resolve(const Expr& column) const {
    const Schema& schema = *batch_.schema();
    int index = column.field_index();
    if (index < 0 || index >= schema.num_fields() ||
        schema.field(index)->name != column.column_name()) {
      index = schema.FieldIndex(column.column_name());
    }
    if (index < 0) {
      return Status::InvalidArgument(
          fmt::format("the filter reads column '{}', which the batch "
                      "does not have",
                      column.column_name()));
    }
    const Array* array = batch_.column(index).get();
    if (!array->type()->Equals(*column.column_type())) {
      return Status::TypeError(fmt::format(
          "the filter was bound to column '{}' of type {}, but the batch has type {}",
          column.column_name(), column.column_type()->ToString(), array->type()->ToString()));
    }
    return array;
  }

  static Status NotBoolean(const Expr& e) {
    return Status::TypeError(
        fmt::format("a filter must be a boolean expression, got {}", e.ToString()));
  }

  Result<TriMask> EvalCompare(CompareOp op, const Expr& lhs, const Expr& rhs) {
    TriMask out(n_);
    IXRAY_ASSIGN_OR_RAISE(const Array* left, Resolve(lhs));
    if (rhs.kind() == ExprKind::kLiteral) {
      CompareWithLiteral(*left, op, rhs.literal(), &out);
      return out;
    }
    IXRAY_ASSIGN_OR_RAISE(const Array* right, Resolve(rhs));
    IXRAY_RETURN_NOT_OK(CompareColumns(*left, op, *right, &out));
    return out;
  }

  Result<TriMask> EvalJunction(const Expr& e) {
    const bool is_and = e.kind() == ExprKind::kAnd;
    IXRAY_ASSIGN_OR_RAISE(TriMask acc, Eval(e.arg(0)));
    for (size_t k = 1; k < e.args().size(); ++k) {
      IXRAY_ASSIGN_OR_RAISE(TriMask term, Eval(e.arg(k)));
      uint8_t* t = acc.is_true.data();
      uint8_t* f = acc.is_false.data();
      const uint8_t* tt = term.is_true.data();
      const uint8_t* tf = term.is_false.data();
      // AND: true if both true, false if either false; OR the dual.
      if (is_and) {
        for (int64_t i = 0; i < n_; ++i) {
          t[i] &= tt[i];
          f[i] |= tf[i];
        }
      } else {
        for (int64_t i = 0; i < n_; ++i) {
          t[i] |= tt[i];
          f[i] &= tf[i];
        }
      }
    }
    return acc;
  }

  Result<TriMask> EvalIsNull(const Expr& e) {
    TriMask out(n_);
    const Expr& operand = e.arg(0);
    if (operand.kind() == ExprKind::kColumn) {
      IXRAY_ASSIGN_OR_RAISE(const Array* column, Resolve(operand));
      for (int64_t i = 0; i < n_; ++i) out.is_true[i] = column->IsNull(i);
    } else if (operand.kind() == ExprKind::kLiteral) {
      std::fill(out.is_true.begin(), out.is_true.end(), operand.literal().is_null());
    } else {
      IXRAY_ASSIGN_OR_RAISE(TriMask inner, Eval(operand));
      for (int64_t i = 0; i < n_; ++i) out.is_true[i] = !(inner.is_true[i] | inner.is_false[i]);
    }
    for (int64_t i = 0; i < n_; ++i) out.is_false[i] = out.is_true[i] ^ 1;
    if (e.negated()) out.is_true.swap(out.is_false);
    return out;
  }

  // x BETWEEN a AND b is x >= a AND x <= b, with the same null semantics.
  Result<TriMask> EvalBetween(const Expr& e) {
    IXRAY_ASSIGN_OR_RAISE(TriMask low, EvalCompare(CompareOp::kGe, e.arg(0), e.arg(1)));
    IXRAY_ASSIGN_OR_RAISE(TriMask high, EvalCompare(CompareOp::kLe, e.arg(0), e.arg(2)));
    for (int64_t i = 0; i < n_; ++i) {
      low.is_true[i] &= high.is_true[i];
      low.is_false[i] |= high.is_false[i];
    }
    if (e.negated()) low.is_true.swap(low.is_false);
    return low;
  }

  const RecordBatch& batch_;
  const int64_t n_;
};

Result<TriMask> EvaluateMask(const Expr& predicate, const RecordBatch& batch) {
  if (!predicate.IsPredicate()) {
    return Status::TypeError(
        fmt::format("a filter must be a boolean expression, got {}", predicate.ToString()));
  }
  return Evaluator(batch).Eval(predicate);
}

}  // namespace

namespace {

// Packs one byte per row (0 or 1) into an LSB-first bitmap, eight at a time.
void PackBits(const uint8_t* bytes, int64_t n, uint8_t* bits) {
  const int64_t whole = n / 8;
  for (int64_t b = 0; b < whole; ++b) {
    const uint8_t* in = bytes + b * 8;
    bits[b] = static_cast<uint8_t>(in[0] | in[1] << 1 | in[2] << 2 | in[3] << 3 | in[4] << 4 |
                                   in[5] << 5 | in[6] << 6 | in[7] << 7);
  }
  for (int64_t i = whole * 8; i < n; ++i) bit_util::SetBitTo(bits, i, bytes[i] != 0);
}

}  // namespace

Result<ArrayPtr> Evaluate(const Expr& predicate, const RecordBatch& batch) {
  IXRAY_ASSIGN_OR_RAISE(TriMask mask, EvaluateMask(predicate, batch));
  const int64_t n = mask.length();
  const int64_t bytes = bit_util::BytesForBits(n);
  auto values = Buffer::Allocate(bytes);
  PackBits(mask.is_true.data(), n, values->mutable_data());
  // Reuse is_false as the validity bytes: known = true or false.
  int64_t valid_count = 0;
  for (int64_t i = 0; i < n; ++i) {
    mask.is_false[i] |= mask.is_true[i];
    valid_count += mask.is_false[i];
  }
  BufferPtr validity;
  if (valid_count < n) {
    validity = Buffer::Allocate(bytes);
    PackBits(mask.is_false.data(), n, validity->mutable_data());
  }
  return std::make_shared<const Array>(boolean(), n,
                                       std::vector<BufferPtr>{std::move(validity), values},
                                       std::vector<ArrayPtr>{}, n - valid_count, 0);
}

std::vector<uint32_t> SelectedRows(const Array& mask) {
  std::vector<uint32_t> rows;
  for (int64_t i = 0; i < mask.length(); ++i) {
    if (mask.IsValid(i) && mask.BoolValue(i)) rows.push_back(static_cast<uint32_t>(i));
  }
  return rows;
}

Result<std::vector<uint32_t>> FilterIndices(const Expr& predicate, const RecordBatch& batch) {
  if (batch.num_rows() > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("FilterIndices: a batch of more than 2^32 rows");
  }
  IXRAY_ASSIGN_OR_RAISE(TriMask mask, EvaluateMask(predicate, batch));
  std::vector<uint32_t> rows;
  for (int64_t i = 0; i < mask.length(); ++i) {
    if (mask.is_true[i]) rows.push_back(static_cast<uint32_t>(i));
  }
  return rows;
}

}  // namespace ixray::query
