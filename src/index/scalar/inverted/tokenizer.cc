#include "index/scalar/inverted/tokenizer.h"

#include <fmt/format.h>
#include <libstemmer.h>
#include <utf8proc.h>

#include <array>
#include <cctype>
#include <optional>

#include "index/scalar/inverted/stop_words.h"

namespace ixray::scalar::inverted {

namespace {

bool IsAsciiAlnum(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsAsciiSpace(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Decodes the code point at text[i]; returns its byte length, or -1 for an
// invalid sequence (then `cp` is unset).
int Decode(std::string_view text, size_t i, utf8proc_int32_t* cp) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i);
  const utf8proc_ssize_t n =
      utf8proc_iterate(p, static_cast<utf8proc_ssize_t>(text.size() - i), cp);
  return n > 0 ? static_cast<int>(n) : -1;
}

bool IsWordCodePoint(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool IsSpaceCodePoint(utf8proc_int32_t cp) {
  if (cp == 0x85) return true;
  const auto category = utf8proc_category(cp);
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
         category == UTF8PROC_CATEGORY_ZP;
}

void AppendCodePoint(utf8proc_int32_t cp, std::string* out) {
  utf8proc_uint8_t bytes[4];
  const auto n = utf8proc_encode_char(cp, bytes);
  out->append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(n));
}

// Letters that Unicode does not decompose but readers expect folded.
const char* FoldSpecial(utf8proc_int32_t cp) {
  switch (cp) {
    case 0xDF:
      return "ss";  // ß
    case 0xE6:
      return "ae";  // æ
    case 0xC6:
      return "AE";  // Æ
    case 0xF8:
      return "o";  // ø
    case 0xD8:
      return "O";  // Ø
    case 0x153:
      return "oe";  // œ
    case 0x152:
      return "OE";  // Œ
    case 0x142:
      return "l";  // ł
    case 0x141:
      return "L";  // Ł
    case 0x111:
      return "d";  // đ
    case 0x110:
      return "D";  // Đ
    case 0xFE:
      return "th";  // þ
    case 0xDE:
      return "TH";  // Þ
    case 0xF0:
      return "d";  // ð
    case 0xD0:
      return "D";  // Ð
    case 0x131:
      return "i";  // ı
    default:
      return nullptr;
  }
}

// Appends `token` with diacritics and compatibility forms removed.
void Fold(std::string_view token, std::string* out) {
  out->clear();
  for (size_t i = 0; i < token.size();) {
    const auto c = static_cast<uint8_t>(token[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    utf8proc_int32_t cp;
    const int n = Decode(token, i, &cp);
    i += n > 0 ? n : 1;
    if (n < 0) continue;
    if (const char* special = FoldSpecial(cp)) {
      out->append(special);
      continue;
    }
    utf8proc_int32_t parts[32];
    int boundclass = 0;
    const utf8proc_ssize_t count = utf8proc_decompose_char(
        cp, parts, 32,
        static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK),
        &boundclass);
    if (count < 0 || count > 32) {
      AppendCodePoint(cp, out);
      continue;
    }
    for (utf8proc_ssize_t j = 0; j < count; ++j) AppendCodePoint(parts[j], out);
  }
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> Tokenizer::Make(const TokenizerOptions& options) {
  std::unique_ptr<Tokenizer> tokenizer(new Tokenizer(options));
  if (options.stem) {
    std::string algorithm = options.language;
    for (char& c : algorithm) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    tokenizer->stemmer_ = sb_stemmer_new(algorithm.c_str(), "UTF_8");
    if (tokenizer->stemmer_ == nullptr) {
      return Status::InvalidArgument(
          fmt::format("no Snowball stemmer for language '{}'", options.language));
    }
  }
  return tokenizer;
}

Tokenizer::~Tokenizer() {
  if (stemmer_ != nullptr) sb_stemmer_delete(stemmer_);
}

void Tokenizer::Emit(std::string_view raw, uint32_t position, TokenBuffer* out) {
  // Lower case (or copy) code point by code point, dropping invalid bytes
  // and counting code points for max_token_length.
  const size_t start = out->bytes.size();
  int64_t code_points = 0;
  for (size_t i = 0; i < raw.size();) {
    const auto c = static_cast<uint8_t>(raw[i]);
    if (c < 0x80) {
      out->bytes.push_back(
          static_cast<char>(options_.lower_case && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
      ++i;
      ++code_points;
      continue;
    }
    utf8proc_int32_t cp;
    const int n = Decode(raw, i, &cp);
    if (n < 0) {
      ++i;
      continue;
    }
    i += n;
    ++code_points;
    AppendCodePoint(options_.lower_case ? utf8proc_tolower(cp) : cp, &out->bytes);
  }
  if (out->bytes.size() == start || code_points > options_.max_token_length) {
    out->bytes.resize(start);
    return;
  }
  out->ends.push_back(static_cast<uint32_t>(out->bytes.size()));
  out->positions.push_back(position);
}

std::optional<std::string_view> Tokenizer::Refine(std::string_view token) {
  if (options_.remove_stop_words && IsStopWord(options_.language, token)) return std::nullopt;
  if (stemmer_ != nullptr) {
    const sb_symbol* stemmed = sb_stemmer_stem(
        stemmer_, reinterpret_cast<const sb_symbol*>(token.data()), static_cast<int>(token.size()));
    if (stemmed != nullptr) {
      token = std::string_view(reinterpret_cast<const char*>(stemmed),
                               static_cast<size_t>(sb_stemmer_length(stemmer_)));
    }
  }
  if (options_.ascii_folding) {
    bool ascii = true;
    for (char c : token) ascii &= static_cast<uint8_t>(c) < 0x80;
    if (!ascii) {
      Fold(token, &folded_);
      token = folded_;
    }
  }
  if (token.empty()) return std::nullopt;
  return token;
}

uint32_t Tokenizer::Tokenize(std::string_view text, uint32_t first_position, TokenBuffer* out) {
  split_.clear();
  const uint32_t next = Split(text, first_position, &split_);
  for (size_t i = 0; i < split_.size(); ++i) {
    if (auto token = Refine(split_.token(i))) {
      out->bytes.append(*token);
      out->ends.push_back(static_cast<uint32_t>(out->bytes.size()));
      out->positions.push_back(split_.positions[i]);
    }
  }
  return next;
}

uint32_t Tokenizer::Split(std::string_view text, uint32_t first_position, TokenBuffer* out) {
  uint32_t position = first_position;
  switch (options_.base) {
    case BaseTokenizer::kRaw:
      Emit(text, position, out);
      return position + 1;
    case BaseTokenizer::kNGram: {
      // Byte offsets of the code points (invalid bytes count as one each;
      // Emit drops them).
      std::vector<size_t> starts;
      for (size_t i = 0; i < text.size();) {
        starts.push_back(i);
        utf8proc_int32_t cp;
        const int n = static_cast<uint8_t>(text[i]) < 0x80 ? 1 : Decode(text, i, &cp);
        i += n > 0 ? n : 1;
      }
      starts.push_back(text.size());
      const size_t count = starts.size() - 1;
      for (size_t begin = 0; begin < count; ++begin, ++position) {
        for (int64_t n = options_.min_ngram_length; n <= options_.max_ngram_length; ++n) {
          if (begin + n > count) break;
          Emit(text.substr(starts[begin], starts[begin + n] - starts[begin]), position, out);
        }
      }
      return position;
    }
    case BaseTokenizer::kSimple:
    case BaseTokenizer::kWhitespace: {
      const bool simple = options_.base == BaseTokenizer::kSimple;
      size_t token_begin = 0;
      bool in_token = false;
      for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<uint8_t>(text[i]);
        bool word;
        int n = 1;
        if (c < 0x80) {
          word = simple ? IsAsciiAlnum(c) : !IsAsciiSpace(c);
        } else {
          utf8proc_int32_t cp;
          n = Decode(text, i, &cp);
          if (n < 0) {
            n = 1;
            word = false;
          } else {
            word = simple ? IsWordCodePoint(cp) : !IsSpaceCodePoint(cp);
          }
        }
        if (word && !in_token) {
          token_begin = i;
          in_token = true;
        } else if (!word && in_token) {
          Emit(text.substr(token_begin, i - token_begin), position++, out);
          in_token = false;
        }
        i += n;
      }
      if (in_token) Emit(text.substr(token_begin), position++, out);
      return position;
    }
  }
  return position;
}

std::vector<std::string> Tokenizer::TokenStrings(std::string_view text) {
  TokenBuffer buffer;
  Tokenize(text, 0, &buffer);
  std::vector<std::string> out;
  for (size_t i = 0; i < buffer.size(); ++i) out.emplace_back(buffer.token(i));
  return out;
}

}  // namespace ixray::scalar::inverted
