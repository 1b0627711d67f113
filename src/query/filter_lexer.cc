#include "query/filter_lexer.h"

#include <fmt/format.h>

namespace ixray::query {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsIdentifierStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool IsIdentifierPart(char c) { return IsIdentifierStart(c) || IsDigit(c); }

// Reads a quoted run starting at text[*pos] (the opening quote); a doubled
// quote stands for one. Returns false if the closing quote is missing.
bool ReadQuoted(std::string_view text, size_t* pos, std::string* out) {
  const char quote = text[*pos];
  size_t i = *pos + 1;
  while (i < text.size()) {
    if (text[i] == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        *out += quote;
        i += 2;
        continue;
      }
      *pos = i + 1;
      return true;
    }
    *out += text[i++];
  }
  return false;
}

// Reads digits, an optional fraction and an optional exponent.
TokenKind ReadNumber(std::string_view text, size_t* pos) {
  size_t i = *pos;
  bool is_float = false;
  while (i < text.size() && IsDigit(text[i])) ++i;
  if (i < text.size() && text[i] == '.') {
    is_float = true;
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < text.size() && IsDigit(text[j])) {
      is_float = true;
      i = j;
      while (i < text.size() && IsDigit(text[i])) ++i;
    }
  }
  *pos = i;
  return is_float ? TokenKind::kFloat : TokenKind::kInteger;
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t pos = 0;
  while (true) {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
      ++pos;
    }
    Token token;
    token.position = pos;
    if (pos >= text.size()) {
      tokens.push_back(std::move(token));
      return tokens;
    }
    const char c = text[pos];
    const char next = pos + 1 < text.size() ? text[pos + 1] : '\0';
    const auto single = [&](TokenKind kind, size_t width) {
      token.kind = kind;
      token.text = std::string(text.substr(pos, width));
      pos += width;
    };
    if (IsIdentifierStart(c)) {
      size_t end = pos;
      while (end < text.size() && IsIdentifierPart(text[end])) ++end;
      single(TokenKind::kIdentifier, end - pos);
    } else if (IsDigit(c) || (c == '.' && IsDigit(next))) {
      size_t end = pos;
      const TokenKind kind = ReadNumber(text, &end);
      single(kind, end - pos);
    } else if (c == '\'' || c == '`' || c == '"') {
      token.kind = c == '\'' ? TokenKind::kString : TokenKind::kQuotedIdentifier;
      if (!ReadQuoted(text, &pos, &token.text)) {
        return Status::InvalidArgument(
            fmt::format("syntax error at position {}: unterminated {} starting here",
                        token.position, c == '\'' ? "string literal" : "quoted identifier"));
      }
    } else if (c == '!' && next == '=') {
      single(TokenKind::kNe, 2);
    } else if (c == '<' && next == '>') {
      single(TokenKind::kNe, 2);
    } else if (c == '<') {
      next == '=' ? single(TokenKind::kLe, 2) : single(TokenKind::kLt, 1);
    } else if (c == '>') {
      next == '=' ? single(TokenKind::kGe, 2) : single(TokenKind::kGt, 1);
    } else if (c == '=') {
      single(TokenKind::kEq, next == '=' ? 2 : 1);
    } else if (c == '(') {
      single(TokenKind::kLParen, 1);
    } else if (c == ')') {
      single(TokenKind::kRParen, 1);
    } else if (c == '[') {
      single(TokenKind::kLBracket, 1);
    } else if (c == ']') {
      single(TokenKind::kRBracket, 1);
    } else if (c == ',') {
      single(TokenKind::kComma, 1);
    } else if (c == '+') {
      single(TokenKind::kPlus, 1);
    } else if (c == '-') {
      single(TokenKind::kMinus, 1);
    } else {
      return Status::InvalidArgument(
          fmt::format("syntax error at position {}: unexpected character '{}'", pos, c));
    }
    tokens.push_back(std::move(token));
  }
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kString:
      return fmt::format("string '{}'", token.text);
    case TokenKind::kQuotedIdentifier:
      return fmt::format("identifier `{}`", token.text);
    default:
      return fmt::format("'{}'", token.text);
  }
}

}  // namespace ixray::query
