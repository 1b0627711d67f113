// Expr: the immutable, bound expression tree of a filter.
//
// A filter such as `price < 10 AND label IN ('a', 'b')` becomes a tree of
// Expr nodes shared as ExprPtr (shared_ptr<const Expr>). Column references are
// bound: they carry the field index and type of the schema they were resolved
// against. The Make* factories type-check their arguments, so every tree that
// exists is well typed; the parser (filter_parser.h) builds trees only through
// them, and a query planner may do the same.
//
// Node kinds and their arguments (args()):
//   kColumn        -                      a column of the batch
//   kLiteral       -                      a constant (literal())
//   kCompare       lhs, rhs               columns or literals; op()
//   kAnd, kOr      two or more predicates (flattened: no And directly under And)
//   kNot           one predicate
//   kIsNull        one column or predicate; negated() for IS NOT NULL
//   kIn            column, literal...     negated() for NOT IN
//   kBetween       column, low, high      negated() for NOT BETWEEN
//   kLike          column, pattern        negated() for NOT LIKE
//   kArrayHasAny   column, literal...     list<string> column
//   kArrayHasAll   column, literal...
//   kContains      column, literal        substring test on a string column
// A predicate is any node that yields a boolean: every kind above except
// kColumn and kLiteral, plus a bool column or a bool / NULL literal.
//
// Null semantics (evaluated in filter_eval.h) follow SQL three-valued logic.
//
// Thread safety: immutable; share ExprPtr freely across threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/status.h"
#include "ixray/type.h"
#include "query/literal.h"

namespace ixray::query {

class Expr;
using ExprPtr = std::shared_ptr<const Expr>;

enum class ExprKind : uint8_t {
  kColumn,
  kLiteral,
  kCompare,
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kIn,
  kBetween,
  kLike,
  kArrayHasAny,
  kArrayHasAll,
  kContains,
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// "=", "!=", "<", "<=", ">", ">=".
std::string_view CompareOpSymbol(CompareOp op);
// The operator with its operands swapped: a < b  <=>  b > a.
CompareOp FlipCompareOp(CompareOp op);

class Expr {
 public:
  ExprKind kind() const { return kind_; }
  const std::vector<ExprPtr>& args() const { return args_; }
  const Expr& arg(size_t i) const { return *args_[i]; }

  // kColumn only.
  const std::string& column_name() const { return column_name_; }
  int field_index() const { return field_index_; }
  const TypePtr& column_type() const { return column_type_; }
  // kLiteral only.
  const Literal& literal() const { return literal_; }
  // kCompare only.
  CompareOp op() const { return op_; }
  // kIsNull, kIn, kBetween, kLike: true for the NOT form.
  bool negated() const { return negated_; }

  bool IsPredicate() const;

  // A canonical rendering in filter syntax: keywords upper case, identifiers
  // quoted with backticks only when needed, AND / OR flattened, parentheses
  // only where precedence needs them (and around operands of NOT). Parsing
  // the text against the same schema gives an equal tree.
  std::string ToString() const;

  // Structural equality (same kinds, operators, columns and literals).
  bool Equals(const Expr& other) const;

  // Use the Make* factories, which check types; the constructors are public
  // only for make_shared.
  struct Token {};
  Expr(Token, ExprKind kind, std::vector<ExprPtr> args, CompareOp op = CompareOp::kEq,
       bool negated = false)
      : kind_(kind), args_(std::move(args)), op_(op), negated_(negated) {}
  Expr(Token, std::string column_name, int field_index, TypePtr column_type)
      : kind_(ExprKind::kColumn),
        column_name_(std::move(column_name)),
        field_index_(field_index),
        column_type_(std::move(column_type)) {}
  Expr(Token, Literal literal) : kind_(ExprKind::kLiteral), literal_(std::move(literal)) {}

 private:
  ExprKind kind_;
  std::vector<ExprPtr> args_;
  std::string column_name_;
  int field_index_ = -1;
  TypePtr column_type_;
  Literal literal_;
  CompareOp op_ = CompareOp::kEq;
  bool negated_ = false;
};

// ---- Factories -------------------------------------------------------------
// They check types and return TypeError (or InvalidArgument for a literal
// that cannot be read as the column's type) with a message naming the column.
// A string literal compared with a date or timestamp column is converted to a
// date / timestamp literal here.

// A reference to column `name` of `schema`; InvalidArgument listing the
// known columns if there is none.
Result<ExprPtr> MakeColumn(const Schema& schema, std::string_view name);
// REQUIRES: `type` is the type of field `field_index` called `name`.
ExprPtr MakeColumn(std::string name, int field_index, TypePtr type);
ExprPtr MakeLiteral(Literal value);

// Each side a column or a literal, at least one a column; a literal on the
// left is moved to the right (5 < x becomes x > 5).
Result<ExprPtr> MakeCompare(CompareOp op, ExprPtr lhs, ExprPtr rhs);
// REQUIRES: terms not empty. One term is returned as is.
Result<ExprPtr> MakeAnd(std::vector<ExprPtr> terms);
Result<ExprPtr> MakeOr(std::vector<ExprPtr> terms);
Result<ExprPtr> MakeNot(ExprPtr operand);
// `operand` is a column (of any type) or a predicate.
Result<ExprPtr> MakeIsNull(ExprPtr operand, bool negated);
// REQUIRES: values not empty.
Result<ExprPtr> MakeIn(ExprPtr column, std::vector<Literal> values, bool negated);
Result<ExprPtr> MakeBetween(ExprPtr column, Literal low, Literal high, bool negated);
// `column` is string-like; `pattern` a string or NULL. % matches any run of
// characters, _ exactly one; there is no escape character.
Result<ExprPtr> MakeLike(ExprPtr column, Literal pattern, bool negated);
// `column` is list<string> (or list of another string-like type); `values`
// are strings (NULL is refused: it could never match).
Result<ExprPtr> MakeArrayHasAny(ExprPtr column, std::vector<Literal> values);
Result<ExprPtr> MakeArrayHasAll(ExprPtr column, std::vector<Literal> values);
Result<ExprPtr> MakeContains(ExprPtr column, Literal substring);

// ---- Inspection, for the query planner ---------------------------------------

// The top-level AND terms of `expr` (just `expr` if it is not an AND).
std::vector<ExprPtr> SplitConjunction(const ExprPtr& expr);

// The shape a scalar index can answer: one column tested against literals.
enum class PredicateOp : uint8_t {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,           // values: the list
  kBetween,      // values: low, high
  kIsNull,       // values: none
  kLike,         // values: the pattern
  kArrayHasAny,  // values: the list
  kArrayHasAll,  // values: the list
  kContains,     // values: the substring
};

struct ColumnPredicate {
  std::string column;
  int field_index = -1;
  TypePtr type;
  PredicateOp op = PredicateOp::kEq;
  // NOT IN, NOT BETWEEN, NOT LIKE, IS NOT NULL.
  bool negated = false;
  // The literals as written (not coerced to the column's type; see
  // comparison_bounds.h for exact integer ranges).
  std::vector<Literal> values;
};

// `expr` as a ColumnPredicate, when it tests a single column against
// literals: a comparison, IN, BETWEEN, IS NULL, LIKE, array_has_*, contains,
// a bare bool column (as `= TRUE`), NOT of a bool column (as `= FALSE`) or
// NOT of a negatable test. Otherwise nullopt (AND, OR, column-vs-column, ...).
std::optional<ColumnPredicate> AsColumnPredicate(const Expr& expr);

// The names of the columns `expr` reads, each once, in order of appearance.
std::vector<std::string> ReferencedColumns(const Expr& expr);

}  // namespace ixray::query
