// ParseFilter: the SQL-like filter language, from text to a bound Expr.
//
// Grammar (keywords case-insensitive; loosest binding first):
//
//   filter     := or_expr
//   or_expr    := and_expr (OR and_expr)*
//   and_expr   := not_expr (AND not_expr)*
//   not_expr   := NOT not_expr | predicate
//   predicate  := operand ( comp_op operand
//                         | IS [NOT] NULL
//                         | [NOT] IN '(' literal (',' literal)* ')'
//                         | [NOT] BETWEEN literal AND literal
//                         | [NOT] LIKE literal )?
//   operand    := '(' or_expr ')' | literal | column | function
//   function   := array_has_any '(' column ',' list ')'
//               | array_has_all '(' column ',' list ')'
//               | contains '(' column ',' literal ')'
//   list       := '[' (literal (',' literal)*)? ']'
//   literal    := NULL | TRUE | FALSE | ['+'|'-'] number | 'string'
//               | DATE 'YYYY-MM-DD' | TIMESTAMP 'YYYY-MM-DD HH:MM:SS[.ffffff]'
//   column     := identifier | `quoted` | "quoted"
//   comp_op    := = | == | != | <> | < | <= | > | >=
//
// Integers that do not fit int64 are read as uint64, and past that as
// floats. Timestamps are UTC ('T' may separate date and time, a trailing 'Z'
// is allowed). Columns are bound against `schema`; see expression.h for the
// operand types each operator accepts and filter_eval.h for null semantics.
//
// Errors: a syntax error is InvalidArgument naming the byte position and
// what was expected; an unknown column is InvalidArgument listing the known
// ones; a type mismatch (a string column compared with a number, LIKE on an
// integer column, any comparison with a vector column, ...) is TypeError.
//
// Thread safety: pure function; the schema is only read.
#pragma once

#include <string_view>

#include "ixray/status.h"
#include "ixray/type.h"
#include "query/expression.h"

namespace ixray::query {

// Parses `text` into a predicate bound to `schema`.
Result<ExprPtr> ParseFilter(std::string_view text, const Schema& schema);

}  // namespace ixray::query
