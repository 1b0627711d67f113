// A recursive-descent parser over the tokens of filter_lexer.h. Each grammar
// rule of filter_parser.h is one method; nodes are built through the
// type-checked factories of expression.h.
#include "query/filter_parser.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "query/filter_lexer.h"

namespace ixray::query {

namespace {

// Deep enough for any real filter, shallow enough for any stack.
constexpr int kMaxDepth = 200;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsReserved(std::string_view word) {
  for (std::string_view k :
       {"AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL", "TRUE", "FALSE"}) {
    if (EqualsIgnoreCase(word, k)) return true;
  }
  return false;
}

std::optional<CompareOp> CompareOpOf(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEq:
      return CompareOp::kEq;
    case TokenKind::kNe:
      return CompareOp::kNe;
    case TokenKind::kLt:
      return CompareOp::kLt;
    case TokenKind::kLe:
      return CompareOp::kLe;
    case TokenKind::kGt:
      return CompareOp::kGt;
    case TokenKind::kGe:
      return CompareOp::kGe;
    default:
      return std::nullopt;
  }
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const Schema& schema)
      : tokens_(std::move(tokens)), schema_(schema) {}

  Result<ExprPtr> ParseFilter() {
    IXRAY_ASSIGN_OR_RAISE(auto expr, ParseOr());
    if (Peek().kind != TokenKind::kEnd) return Expected("AND, OR or the end of the filter");
    if (!expr->IsPredicate()) {
      return Status::TypeError(
          fmt::format("a filter must be a boolean expression, got {}", expr->ToString()));
    }
    return expr;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Advance() {
    const Token& token = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return token;
  }
  bool IsKeyword(const Token& token, std::string_view keyword) const {
    return token.kind == TokenKind::kIdentifier && EqualsIgnoreCase(token.text, keyword);
  }
  bool AcceptKeyword(std::string_view keyword) {
    if (!IsKeyword(Peek(), keyword)) return false;
    Advance();
    return true;
  }
  bool Accept(TokenKind kind) {
    if (Peek().kind != kind) return false;
    Advance();
    return true;
  }
  Status Expected(std::string_view what) const {
    return Status::InvalidArgument(fmt::format("syntax error at position {}: expected {}, found {}",
                                               Peek().position, what, DescribeToken(Peek())));
  }
  Status Expect(TokenKind kind, std::string_view what) {
    return Accept(kind) ? Status::OK() : Expected(what);
  }

  // Counts nesting for the recursive rules; refuses absurd depths.
  struct DepthGuard {
    explicit DepthGuard(int* depth) : depth_(depth) { ++*depth_; }
    ~DepthGuard() { --*depth_; }
    int* depth_;
  };
  Status CheckDepth() const {
    if (depth_ > kMaxDepth) {
      return Status::InvalidArgument(fmt::format(
          "filter nested too deeply at position {} (limit {})", Peek().position, kMaxDepth));
    }
    return Status::OK();
  }

  Result<ExprPtr> ParseOr() {
    DepthGuard guard(&depth_);
    IXRAY_RETURN_NOT_OK(CheckDepth());
    std::vector<ExprPtr> terms;
    do {
      IXRAY_ASSIGN_OR_RAISE(auto term, ParseAnd());
      terms.push_back(std::move(term));
    } while (AcceptKeyword("OR"));
    return MakeOr(std::move(terms));
  }

  Result<ExprPtr> ParseAnd() {
    std::vector<ExprPtr> terms;
    do {
      IXRAY_ASSIGN_OR_RAISE(auto term, ParseNot());
      terms.push_back(std::move(term));
    } while (AcceptKeyword("AND"));
    return MakeAnd(std::move(terms));
  }

  Result<ExprPtr> ParseNot() {
    if (!AcceptKeyword("NOT")) return ParsePredicate();
    DepthGuard guard(&depth_);
    IXRAY_RETURN_NOT_OK(CheckDepth());
    IXRAY_ASSIGN_OR_RAISE(auto operand, ParseNot());
    return MakeNot(std::move(operand));
  }

  Result<ExprPtr> ParsePredicate() {
    IXRAY_ASSIGN_OR_RAISE(auto lhs, ParseOperand());
    if (auto op = CompareOpOf(Peek().kind)) {
      Advance();
      IXRAY_ASSIGN_OR_RAISE(auto rhs, ParseOperand());
      return MakeCompare(*op, std::move(lhs), std::move(rhs));
    }
    if (AcceptKeyword("IS")) {
      const bool negated = AcceptKeyword("NOT");
      if (!AcceptKeyword("NULL")) return Expected(negated ? "NULL" : "NULL or NOT NULL");
      return MakeIsNull(std::move(lhs), negated);
    }
    const bool negated = AcceptKeyword("NOT");
    if (AcceptKeyword("IN")) {
      IXRAY_RETURN_NOT_OK(Expect(TokenKind::kLParen, "'(' after IN"));
      std::vector<Literal> values;
      do {
        IXRAY_ASSIGN_OR_RAISE(auto value, ParseLiteral());
        values.push_back(std::move(value));
      } while (Accept(TokenKind::kComma));
      IXRAY_RETURN_NOT_OK(Expect(TokenKind::kRParen, "',' or ')' in the IN list"));
      return MakeIn(std::move(lhs), std::move(values), negated);
    }
    if (AcceptKeyword("BETWEEN")) {
      IXRAY_ASSIGN_OR_RAISE(auto low, ParseLiteral());
      if (!AcceptKeyword("AND")) return Expected("AND between the bounds of BETWEEN");
      IXRAY_ASSIGN_OR_RAISE(auto high, ParseLiteral());
      return MakeBetween(std::move(lhs), std::move(low), std::move(high), negated);
    }
    if (AcceptKeyword("LIKE")) {
      IXRAY_ASSIGN_OR_RAISE(auto pattern, ParseLiteral());
      return MakeLike(std::move(lhs), std::move(pattern), negated);
    }
    if (negated) return Expected("IN, BETWEEN or LIKE after NOT");
    return lhs;
  }

  Result<ExprPtr> ParseOperand() {
    const Token& token = Peek();
    if (token.kind == TokenKind::kLParen) {
      Advance();
      IXRAY_ASSIGN_OR_RAISE(auto inner, ParseOr());
      IXRAY_RETURN_NOT_OK(Expect(TokenKind::kRParen, "')'"));
      return inner;
    }
    if (token.kind == TokenKind::kQuotedIdentifier) {
      Advance();
      return MakeColumn(schema_, token.text);
    }
    if (token.kind == TokenKind::kIdentifier && !IsLiteralStart()) {
      if (Peek(1).kind == TokenKind::kLParen) return ParseFunction();
      if (IsReserved(token.text)) return Expected("a column, a literal or '('");
      Advance();
      return MakeColumn(schema_, token.text);
    }
    if (!IsLiteralStart()) return Expected("a column, a literal or '('");
    IXRAY_ASSIGN_OR_RAISE(auto literal, ParseLiteral());
    return MakeLiteral(std::move(literal));
  }

  bool IsLiteralStart() const {
    const Token& token = Peek();
    switch (token.kind) {
      case TokenKind::kString:
      case TokenKind::kInteger:
      case TokenKind::kFloat:
      case TokenKind::kPlus:
      case TokenKind::kMinus:
        return true;
      case TokenKind::kIdentifier:
        // DATE and TIMESTAMP are keywords only before a string, so columns
        // may still be called that.
        return IsKeyword(token, "NULL") || IsKeyword(token, "TRUE") || IsKeyword(token, "FALSE") ||
               ((IsKeyword(token, "DATE") || IsKeyword(token, "TIMESTAMP")) &&
                Peek(1).kind == TokenKind::kString);
      default:
        return false;
    }
  }

  Result<ExprPtr> ParseFunction() {
    const Token name = Advance();
    const bool has_any = EqualsIgnoreCase(name.text, "array_has_any");
    const bool has_all = EqualsIgnoreCase(name.text, "array_has_all");
    const bool contains = EqualsIgnoreCase(name.text, "contains");
    if (!has_any && !has_all && !contains) {
      return Status::InvalidArgument(
          fmt::format("syntax error at position {}: unknown function '{}' (the functions are "
                      "array_has_any, array_has_all and contains)",
                      name.position, name.text));
    }
    Advance();  // '('
    IXRAY_ASSIGN_OR_RAISE(auto column, ParseOperand());
    IXRAY_RETURN_NOT_OK(
        Expect(TokenKind::kComma, fmt::format("',' after the first argument of {}", name.text)));
    if (contains) {
      IXRAY_ASSIGN_OR_RAISE(auto substring, ParseLiteral());
      IXRAY_RETURN_NOT_OK(Expect(TokenKind::kRParen, "')' after the arguments of contains"));
      return MakeContains(std::move(column), std::move(substring));
    }
    IXRAY_RETURN_NOT_OK(Expect(TokenKind::kLBracket, "a list such as ['a', 'b']"));
    std::vector<Literal> values;
    if (!Accept(TokenKind::kRBracket)) {
      do {
        IXRAY_ASSIGN_OR_RAISE(auto value, ParseLiteral());
        values.push_back(std::move(value));
      } while (Accept(TokenKind::kComma));
      IXRAY_RETURN_NOT_OK(Expect(TokenKind::kRBracket, "',' or ']' in the list"));
    }
    IXRAY_RETURN_NOT_OK(
        Expect(TokenKind::kRParen, fmt::format("')' after the arguments of {}", name.text)));
    return has_any ? MakeArrayHasAny(std::move(column), std::move(values))
                   : MakeArrayHasAll(std::move(column), std::move(values));
  }

  Result<Literal> ParseLiteral() {
    const Token& token = Peek();
    if (AcceptKeyword("NULL")) return Literal::Null();
    if (AcceptKeyword("TRUE")) return Literal::Bool(true);
    if (AcceptKeyword("FALSE")) return Literal::Bool(false);
    if (token.kind == TokenKind::kString) return Literal::String(Advance().text);
    if ((IsKeyword(token, "DATE") || IsKeyword(token, "TIMESTAMP")) &&
        Peek(1).kind == TokenKind::kString) {
      const bool is_date = IsKeyword(Advance(), "DATE");
      const Token& text = Advance();
      if (is_date) {
        auto days = ParseDate(text.text);
        if (!days.ok()) return days.status().WithContext(AtPosition(text));
        return Literal::Date32(*days);
      }
      auto micros = ParseTimestamp(text.text);
      if (!micros.ok()) return micros.status().WithContext(AtPosition(text));
      return Literal::Timestamp(*micros);
    }
    bool negative = false;
    if (token.kind == TokenKind::kPlus || token.kind == TokenKind::kMinus) {
      negative = Advance().kind == TokenKind::kMinus;
      if (Peek().kind != TokenKind::kInteger && Peek().kind != TokenKind::kFloat) {
        return Expected("a number after the sign");
      }
    }
    if (Peek().kind == TokenKind::kInteger || Peek().kind == TokenKind::kFloat) {
      return ParseNumber(Advance(), negative);
    }
    return Expected(
        "a literal (a number, a string, TRUE, FALSE, NULL, date '...' or "
        "timestamp '...')");
  }

  static std::string AtPosition(const Token& token) {
    return fmt::format("at position {}", token.position);
  }

  static Result<Literal> ParseNumber(const Token& token, bool negative) {
    if (token.kind == TokenKind::kInteger) {
      uint64_t magnitude = 0;
      const char* begin = token.text.data();
      const char* end = begin + token.text.size();
      const auto [ptr, ec] = std::from_chars(begin, end, magnitude);
      if (ec == std::errc() && ptr == end) {
        constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;  // |INT64_MIN|
        if (!negative) return Literal::UInt64(magnitude);
        if (magnitude <= kMinMagnitude) {
          return Literal::Int64(static_cast<int64_t>(0 - magnitude));  // wraps exactly
        }
      }
      // Beyond the 64-bit integers: read it as a float, as other SQL engines do.
    }
    const double value = std::strtod(token.text.c_str(), nullptr);
    if (std::isinf(value)) {
      return Status::InvalidArgument(
          fmt::format("number {} at position {} is out of range", token.text, token.position));
    }
    return Literal::Float64(negative ? -value : value);
  }

  std::vector<Token> tokens_;
  const Schema& schema_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<ExprPtr> ParseFilter(std::string_view text, const Schema& schema) {
  IXRAY_ASSIGN_OR_RAISE(auto tokens, Tokenize(text));
  Parser parser(std::move(tokens), schema);
  return parser.ParseFilter();
}

}  // namespace ixray::query
