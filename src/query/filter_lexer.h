// The tokenizer of the filter language (internal to filter_parser.cc).
//
// Tokens: bare identifiers and keywords ([A-Za-z_][A-Za-z0-9_]*, bytes of
// UTF-8 letters allowed; keywords are recognized by the parser, case
// insensitively), identifiers quoted with backticks or double quotes (a
// doubled quote inside stands for one), string literals in single quotes
// ('' for a quote), unsigned integer and float literals (signs are tokens of
// their own), punctuation ( ) [ ] , + - and the comparison operators
// = == != <> < <= > >=.
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/status.h"

namespace ixray::query {

enum class TokenKind : uint8_t {
  kEnd,
  kIdentifier,        // bare: a column name, a keyword or a function name
  kQuotedIdentifier,  // text holds the name without quotes
  kString,            // text holds the value without quotes
  kInteger,           // digits only
  kFloat,             // digits with a '.' or an exponent
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kPlus,
  kMinus,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  size_t position = 0;  // byte offset of the token in the filter text
};

// The tokens of `text`, ending with one kEnd token. InvalidArgument with the
// position for an unexpected character or an unterminated quote.
Result<std::vector<Token>> Tokenize(std::string_view text);

// How a token reads in an error message: "end of input", "'AND'", ...
std::string DescribeToken(const Token& token);

}  // namespace ixray::query
