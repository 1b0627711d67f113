// Expr basics: rendering, equality and the planner's inspection helpers.
// The type-checked factories are in expression_bind.cc.
#include "query/expression.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace ixray::query {

std::string_view CompareOpSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

CompareOp FlipCompareOp(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return CompareOp::kGt;
    case CompareOp::kLe:
      return CompareOp::kGe;
    case CompareOp::kGt:
      return CompareOp::kLt;
    case CompareOp::kGe:
      return CompareOp::kLe;
    default:
      return op;
  }
}

bool Expr::IsPredicate() const {
  switch (kind_) {
    case ExprKind::kColumn:
      return column_type_->id() == TypeId::kBool;
    case ExprKind::kLiteral:
      return literal_.kind() == LiteralKind::kBool || literal_.is_null();
    default:
      return true;
  }
}

namespace {

// Words the parser would read as keywords, so a column called that needs
// quotes. DATE and TIMESTAMP are keywords only before a string literal.
bool IsReservedWord(std::string_view word) {
  static constexpr std::array<std::string_view, 10> kReserved = {
      "AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL", "TRUE", "FALSE"};
  std::string upper(word);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return std::find(kReserved.begin(), kReserved.end(), upper) != kReserved.end();
}

std::string QuoteIdentifier(std::string_view name) {
  bool bare =
      !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) && !IsReservedWord(name);
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') bare = false;
  }
  if (bare) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

// Binding strength, loosest first; an operand binding looser than its
// parent needs parentheses.
enum Precedence { kOrLevel, kAndLevel, kNotLevel, kPredicateLevel, kAtomLevel };

Precedence PrecedenceOf(const Expr& e) {
  switch (e.kind()) {
    case ExprKind::kOr:
      return kOrLevel;
    case ExprKind::kAnd:
      return kAndLevel;
    case ExprKind::kNot:
      return kNotLevel;
    case ExprKind::kColumn:
    case ExprKind::kLiteral:
    case ExprKind::kArrayHasAny:
    case ExprKind::kArrayHasAll:
    case ExprKind::kContains:
      return kAtomLevel;
    default:
      return kPredicateLevel;
  }
}

std::string Operand(const Expr& e, Precedence at_least) {
  std::string s = e.ToString();
  return PrecedenceOf(e) < at_least ? "(" + s + ")" : s;
}

std::string JoinLiterals(const std::vector<ExprPtr>& args, size_t first) {
  std::string out;
  for (size_t i = first; i < args.size(); ++i) {
    if (i > first) out += ", ";
    out += args[i]->literal().ToString();
  }
  return out;
}

}  // namespace

std::string Expr::ToString() const {
  const std::string_view not_word = negated_ ? "NOT " : "";
  switch (kind_) {
    case ExprKind::kColumn:
      return QuoteIdentifier(column_name_);
    case ExprKind::kLiteral:
      return literal_.ToString();
    case ExprKind::kCompare:
      return arg(0).ToString() + " " + std::string(CompareOpSymbol(op_)) + " " + arg(1).ToString();
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      const bool is_and = kind_ == ExprKind::kAnd;
      std::string out;
      for (size_t i = 0; i < args_.size(); ++i) {
        if (i > 0) out += is_and ? " AND " : " OR ";
        out += Operand(arg(i), is_and ? kNotLevel : kAndLevel);
      }
      return out;
    }
    case ExprKind::kNot:
      return "NOT " + Operand(arg(0), kAtomLevel);
    case ExprKind::kIsNull:
      return Operand(arg(0), kAtomLevel) + (negated_ ? " IS NOT NULL" : " IS NULL");
    case ExprKind::kIn:
      return arg(0).ToString() + " " + std::string(not_word) + "IN (" + JoinLiterals(args_, 1) +
             ")";
    case ExprKind::kBetween:
      return arg(0).ToString() + " " + std::string(not_word) + "BETWEEN " + arg(1).ToString() +
             " AND " + arg(2).ToString();
    case ExprKind::kLike:
      return arg(0).ToString() + " " + std::string(not_word) + "LIKE " + arg(1).ToString();
    case ExprKind::kArrayHasAny:
    case ExprKind::kArrayHasAll:
      return std::string(kind_ == ExprKind::kArrayHasAny ? "array_has_any(" : "array_has_all(") +
             arg(0).ToString() + ", [" + JoinLiterals(args_, 1) + "])";
    case ExprKind::kContains:
      return "contains(" + arg(0).ToString() + ", " + arg(1).ToString() + ")";
  }
  return "?";
}

bool Expr::Equals(const Expr& other) const {
  if (kind_ != other.kind_ || op_ != other.op_ || negated_ != other.negated_ ||
      args_.size() != other.args_.size()) {
    return false;
  }
  if (kind_ == ExprKind::kColumn) {
    return column_name_ == other.column_name_ && field_index_ == other.field_index_ &&
           column_type_->Equals(*other.column_type_);
  }
  if (kind_ == ExprKind::kLiteral) return literal_ == other.literal_;
  for (size_t i = 0; i < args_.size(); ++i) {
    if (!args_[i]->Equals(*other.args_[i])) return false;
  }
  return true;
}

std::vector<ExprPtr> SplitConjunction(const ExprPtr& expr) {
  if (expr->kind() == ExprKind::kAnd) return expr->args();
  return {expr};
}

namespace {

std::optional<PredicateOp> PredicateOpOf(const Expr& e) {
  switch (e.kind()) {
    case ExprKind::kCompare:
      switch (e.op()) {
        case CompareOp::kEq:
          return PredicateOp::kEq;
        case CompareOp::kNe:
          return PredicateOp::kNe;
        case CompareOp::kLt:
          return PredicateOp::kLt;
        case CompareOp::kLe:
          return PredicateOp::kLe;
        case CompareOp::kGt:
          return PredicateOp::kGt;
        case CompareOp::kGe:
          return PredicateOp::kGe;
      }
      return std::nullopt;
    case ExprKind::kIn:
      return PredicateOp::kIn;
    case ExprKind::kBetween:
      return PredicateOp::kBetween;
    case ExprKind::kIsNull:
      return PredicateOp::kIsNull;
    case ExprKind::kLike:
      return PredicateOp::kLike;
    case ExprKind::kArrayHasAny:
      return PredicateOp::kArrayHasAny;
    case ExprKind::kArrayHasAll:
      return PredicateOp::kArrayHasAll;
    case ExprKind::kContains:
      return PredicateOp::kContains;
    default:
      return std::nullopt;
  }
}

ColumnPredicate PredicateOnColumn(const Expr& column, PredicateOp op, bool negated) {
  ColumnPredicate out;
  out.column = column.column_name();
  out.field_index = column.field_index();
  out.type = column.column_type();
  out.op = op;
  out.negated = negated;
  return out;
}

bool IsBoolColumn(const Expr& e) {
  return e.kind() == ExprKind::kColumn && e.column_type()->id() == TypeId::kBool;
}

}  // namespace

std::optional<ColumnPredicate> AsColumnPredicate(const Expr& expr) {
  if (IsBoolColumn(expr)) {
    auto out = PredicateOnColumn(expr, PredicateOp::kEq, false);
    out.values.push_back(Literal::Bool(true));
    return out;
  }
  if (expr.kind() == ExprKind::kNot) {
    const Expr& operand = expr.arg(0);
    if (IsBoolColumn(operand)) {
      auto out = PredicateOnColumn(operand, PredicateOp::kEq, false);
      out.values.push_back(Literal::Bool(false));
      return out;
    }
    // NOT (x < 1) is not x >= 1 when x is NaN, so only the forms with a NOT
    // variant are folded.
    switch (operand.kind()) {
      case ExprKind::kIn:
      case ExprKind::kBetween:
      case ExprKind::kLike:
      case ExprKind::kIsNull: {
        auto inner = AsColumnPredicate(operand);
        if (inner) inner->negated = !inner->negated;
        return inner;
      }
      default:
        return std::nullopt;
    }
  }
  const auto op = PredicateOpOf(expr);
  if (!op || expr.args().empty() || expr.arg(0).kind() != ExprKind::kColumn) return std::nullopt;
  auto out = PredicateOnColumn(expr.arg(0), *op, expr.negated());
  for (size_t i = 1; i < expr.args().size(); ++i) {
    if (expr.arg(i).kind() != ExprKind::kLiteral) return std::nullopt;  // column vs column
    out.values.push_back(expr.arg(i).literal());
  }
  return out;
}

namespace {

void CollectColumns(const Expr& e, std::vector<std::string>* out) {
  if (e.kind() == ExprKind::kColumn) {
    if (std::find(out->begin(), out->end(), e.column_name()) == out->end()) {
      out->push_back(e.column_name());
    }
    return;
  }
  for (const auto& arg : e.args()) CollectColumns(*arg, out);
}

}  // namespace

std::vector<std::string> ReferencedColumns(const Expr& expr) {
  std::vector<std::string> out;
  CollectColumns(expr, &out);
  return out;
}

}  // namespace ixray::query
