// The type-checked Expr factories: which operand types each operator takes,
// and the conversion of string literals compared with dates and timestamps.
#include <fmt/format.h>

#include "query/expression.h"

namespace ixray::query {

namespace {

ExprPtr NewNode(ExprKind kind, std::vector<ExprPtr> args, CompareOp op = CompareOp::kEq,
                bool negated = false) {
  return std::make_shared<const Expr>(Expr::Token{}, kind, std::move(args), op, negated);
}

std::string Describe(const Expr& column) {
  return fmt::format("column '{}' ({})", column.column_name(), column.column_type()->ToString());
}

Status RequireColumn(const ExprPtr& e, std::string_view op_name) {
  if (e->kind() != ExprKind::kColumn) {
    return Status::InvalidArgument(
        fmt::format("{} needs a column on its left side, got {}", op_name, e->ToString()));
  }
  return Status::OK();
}

Status RequirePredicate(const ExprPtr& e, std::string_view op_name) {
  if (e->IsPredicate()) return Status::OK();
  const std::string what =
      e->kind() == ExprKind::kColumn
          ? Describe(*e)
          : fmt::format("{} literal {}", e->literal().KindName(), e->literal().ToString());
  return Status::TypeError(fmt::format("{} needs a boolean operand, got {}", op_name, what));
}

bool IsStringLike(const DataType& type) { return type.is_string_like(); }

// The family of types that compare with each other.
enum class Family { kBool, kNumber, kString, kTemporal, kNone };

Family FamilyOf(const DataType& type) {
  if (type.id() == TypeId::kBool) return Family::kBool;
  if (type.is_numeric()) return Family::kNumber;
  if (IsStringLike(type)) return Family::kString;
  if (type.id() == TypeId::kDate32 || type.id() == TypeId::kTimestamp) return Family::kTemporal;
  return Family::kNone;
}

Status NotComparable(const Expr& column) {
  if (column.column_type()->id() == TypeId::kList) {
    return Status::TypeError(fmt::format(
        "{} cannot be compared: list columns support only array_has_any, array_has_all and "
        "IS [NOT] NULL",
        Describe(column)));
  }
  return Status::TypeError(fmt::format(
      "{} cannot be compared: vector columns support only IS [NOT] NULL", Describe(column)));
}

// Checks that `literal` can be compared with `column`, converting a string
// literal to a date or timestamp for temporal columns.
Result<Literal> BindLiteral(const Expr& column, Literal literal) {
  const DataType& type = *column.column_type();
  const Family family = FamilyOf(type);
  if (family == Family::kNone) return NotComparable(column);
  if (literal.is_null()) return literal;
  const LiteralKind kind = literal.kind();
  bool ok = false;
  switch (family) {
    case Family::kBool:
      ok = kind == LiteralKind::kBool;
      break;
    case Family::kNumber:
      ok = literal.is_number();
      break;
    case Family::kString:
      ok = kind == LiteralKind::kString;
      break;
    case Family::kTemporal:
      if (kind == LiteralKind::kString) {
        const std::string& text = literal.string_value();
        if (type.id() == TypeId::kDate32) {
          if (auto days = ParseDate(text); days.ok()) return Literal::Date32(*days);
        }
        auto micros = ParseTimestamp(text);
        if (!micros.ok()) {
          return Status::InvalidArgument(fmt::format(
              "cannot compare {} with {}: not a date or timestamp ('YYYY-MM-DD[ HH:MM:SS])",
              Describe(column), literal.ToString()));
        }
        return Literal::Timestamp(*micros);
      }
      ok = kind == LiteralKind::kDate32 || kind == LiteralKind::kTimestamp;
      break;
    case Family::kNone:
      break;
  }
  if (!ok) {
    return Status::TypeError(fmt::format("cannot compare {} with {} literal {}", Describe(column),
                                         literal.KindName(), literal.ToString()));
  }
  return literal;
}

Result<std::vector<ExprPtr>> BindLiterals(const ExprPtr& column, std::vector<Literal> values) {
  std::vector<ExprPtr> args = {column};
  for (auto& value : values) {
    IXRAY_ASSIGN_OR_RAISE(auto bound, BindLiteral(*column, std::move(value)));
    args.push_back(MakeLiteral(std::move(bound)));
  }
  return args;
}

Status RequireStringColumn(const ExprPtr& column, std::string_view op_name) {
  IXRAY_RETURN_NOT_OK(RequireColumn(column, op_name));
  if (!IsStringLike(*column->column_type())) {
    return Status::TypeError(
        fmt::format("{} needs a string column, got {}", op_name, Describe(*column)));
  }
  return Status::OK();
}

Status RequireStringOrNull(const Literal& literal, std::string_view op_name) {
  if (literal.is_null() || literal.kind() == LiteralKind::kString) return Status::OK();
  return Status::TypeError(fmt::format("{} needs a string, got {} literal {}", op_name,
                                       literal.KindName(), literal.ToString()));
}

Result<ExprPtr> MakeArrayHas(ExprKind kind, ExprPtr column, std::vector<Literal> values) {
  const std::string_view name = kind == ExprKind::kArrayHasAny ? "array_has_any" : "array_has_all";
  IXRAY_RETURN_NOT_OK(RequireColumn(column, name));
  const DataType& type = *column->column_type();
  if (type.id() != TypeId::kList || !IsStringLike(*type.value_type())) {
    return Status::TypeError(
        fmt::format("{} needs a list<string> column, got {}", name, Describe(*column)));
  }
  std::vector<ExprPtr> args = {std::move(column)};
  for (auto& value : values) {
    if (value.kind() != LiteralKind::kString) {
      return value.is_null()
                 ? Status::InvalidArgument(
                       fmt::format("{} does not accept NULL in its list: it never matches", name))
                 : Status::TypeError(fmt::format("{} needs a list of strings, got {} literal {}",
                                                 name, value.KindName(), value.ToString()));
    }
    args.push_back(MakeLiteral(std::move(value)));
  }
  return NewNode(kind, std::move(args));
}

Result<ExprPtr> MakeJunction(ExprKind kind, std::vector<ExprPtr> terms) {
  const std::string_view name = kind == ExprKind::kAnd ? "AND" : "OR";
  if (terms.empty()) return Status::InvalidArgument(fmt::format("{} of no terms", name));
  if (terms.size() == 1) {
    IXRAY_RETURN_NOT_OK(RequirePredicate(terms[0], name));
    return std::move(terms[0]);
  }
  std::vector<ExprPtr> flat;
  for (auto& term : terms) {
    IXRAY_RETURN_NOT_OK(RequirePredicate(term, name));
    if (term->kind() == kind) {
      flat.insert(flat.end(), term->args().begin(), term->args().end());
    } else {
      flat.push_back(std::move(term));
    }
  }
  return NewNode(kind, std::move(flat));
}

}  // namespace

Result<ExprPtr> MakeColumn(const Schema& schema, std::string_view name) {
  const int index = schema.FieldIndex(name);
  if (index < 0) return schema.GetField(name).status();  // names the known columns
  const FieldPtr& f = schema.field(index);
  return MakeColumn(f->name, index, f->type);
}

ExprPtr MakeColumn(std::string name, int field_index, TypePtr type) {
  return std::make_shared<const Expr>(Expr::Token{}, std::move(name), field_index, std::move(type));
}

ExprPtr MakeLiteral(Literal value) {
  return std::make_shared<const Expr>(Expr::Token{}, std::move(value));
}

Result<ExprPtr> MakeCompare(CompareOp op, ExprPtr lhs, ExprPtr rhs) {
  for (const auto* side : {&lhs, &rhs}) {
    const ExprKind kind = (*side)->kind();
    if (kind != ExprKind::kColumn && kind != ExprKind::kLiteral) {
      return Status::InvalidArgument(
          fmt::format("the operands of '{}' must be columns or literals, got {}",
                      CompareOpSymbol(op), (*side)->ToString()));
    }
  }
  if (lhs->kind() == ExprKind::kLiteral) {
    if (rhs->kind() == ExprKind::kLiteral) {
      return Status::InvalidArgument(
          fmt::format("comparison of two literals ({} {} {}) needs a "
                      "column on one side",
                      lhs->ToString(), CompareOpSymbol(op), rhs->ToString()));
    }
    std::swap(lhs, rhs);
    op = FlipCompareOp(op);
  }
  if (rhs->kind() == ExprKind::kLiteral) {
    IXRAY_ASSIGN_OR_RAISE(auto literal, BindLiteral(*lhs, rhs->literal()));
    return NewNode(ExprKind::kCompare, {std::move(lhs), MakeLiteral(std::move(literal))}, op);
  }
  const Family left = FamilyOf(*lhs->column_type());
  const Family right = FamilyOf(*rhs->column_type());
  if (left == Family::kNone) return NotComparable(*lhs);
  if (right == Family::kNone) return NotComparable(*rhs);
  if (left != right) {
    return Status::TypeError(
        fmt::format("cannot compare {} with {}", Describe(*lhs), Describe(*rhs)));
  }
  return NewNode(ExprKind::kCompare, {std::move(lhs), std::move(rhs)}, op);
}

Result<ExprPtr> MakeAnd(std::vector<ExprPtr> terms) {
  return MakeJunction(ExprKind::kAnd, std::move(terms));
}

Result<ExprPtr> MakeOr(std::vector<ExprPtr> terms) {
  return MakeJunction(ExprKind::kOr, std::move(terms));
}

Result<ExprPtr> MakeNot(ExprPtr operand) {
  IXRAY_RETURN_NOT_OK(RequirePredicate(operand, "NOT"));
  return NewNode(ExprKind::kNot, {std::move(operand)});
}

Result<ExprPtr> MakeIsNull(ExprPtr operand, bool negated) {
  return NewNode(ExprKind::kIsNull, {std::move(operand)}, CompareOp::kEq, negated);
}

Result<ExprPtr> MakeIn(ExprPtr column, std::vector<Literal> values, bool negated) {
  IXRAY_RETURN_NOT_OK(RequireColumn(column, "IN"));
  if (values.empty()) return Status::InvalidArgument("IN needs at least one value");
  IXRAY_ASSIGN_OR_RAISE(auto args, BindLiterals(column, std::move(values)));
  return NewNode(ExprKind::kIn, std::move(args), CompareOp::kEq, negated);
}

Result<ExprPtr> MakeBetween(ExprPtr column, Literal low, Literal high, bool negated) {
  IXRAY_RETURN_NOT_OK(RequireColumn(column, "BETWEEN"));
  std::vector<Literal> bounds;
  bounds.push_back(std::move(low));
  bounds.push_back(std::move(high));
  IXRAY_ASSIGN_OR_RAISE(auto args, BindLiterals(column, std::move(bounds)));
  return NewNode(ExprKind::kBetween, std::move(args), CompareOp::kEq, negated);
}

Result<ExprPtr> MakeLike(ExprPtr column, Literal pattern, bool negated) {
  IXRAY_RETURN_NOT_OK(RequireStringColumn(column, "LIKE"));
  IXRAY_RETURN_NOT_OK(RequireStringOrNull(pattern, "LIKE"));
  return NewNode(ExprKind::kLike, {std::move(column), MakeLiteral(std::move(pattern))},
                 CompareOp::kEq, negated);
}

Result<ExprPtr> MakeArrayHasAny(ExprPtr column, std::vector<Literal> values) {
  return MakeArrayHas(ExprKind::kArrayHasAny, std::move(column), std::move(values));
}

Result<ExprPtr> MakeArrayHasAll(ExprPtr column, std::vector<Literal> values) {
  return MakeArrayHas(ExprKind::kArrayHasAll, std::move(column), std::move(values));
}

Result<ExprPtr> MakeContains(ExprPtr column, Literal substring) {
  IXRAY_RETURN_NOT_OK(RequireStringColumn(column, "contains"));
  IXRAY_RETURN_NOT_OK(RequireStringOrNull(substring, "contains"));
  return NewNode(ExprKind::kContains, {std::move(column), MakeLiteral(std::move(substring))});
}

}  // namespace ixray::query
