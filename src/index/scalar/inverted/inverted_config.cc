#include "index/scalar/inverted/inverted_config.h"

#include <fmt/format.h>
#include <libstemmer.h>

#include <algorithm>
#include <cctype>

namespace ixray::scalar::inverted {

namespace {

// The parameters with their defaults, as NormalizeInvertedConfig fills them in.
const IndexParams& Defaults() {
  static const IndexParams defaults = {
      {"base_tokenizer", "simple"},  {"language", "English"},
      {"lower_case", "true"},        {"stem", "true"},
      {"remove_stop_words", "true"}, {"ascii_folding", "true"},
      {"max_token_length", "40"},    {"min_ngram_length", "3"},
      {"max_ngram_length", "3"},     {"with_position", "false"},
  };
  return defaults;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Capitalize(std::string_view s) {
  std::string out = Lower(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

Result<BaseTokenizer> ParseBaseTokenizer(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "simple") return BaseTokenizer::kSimple;
  if (lower == "whitespace") return BaseTokenizer::kWhitespace;
  if (lower == "raw") return BaseTokenizer::kRaw;
  if (lower == "ngram") return BaseTokenizer::kNGram;
  return Status::InvalidArgument(
      fmt::format("unknown base_tokenizer '{}'; supported: simple, whitespace, raw, ngram", name));
}

std::string_view BaseTokenizerName(BaseTokenizer base) {
  switch (base) {
    case BaseTokenizer::kSimple:
      return "simple";
    case BaseTokenizer::kWhitespace:
      return "whitespace";
    case BaseTokenizer::kRaw:
      return "raw";
    case BaseTokenizer::kNGram:
      return "ngram";
  }
  return "simple";
}

Result<std::string> ParseLanguage(std::string_view name) {
  const std::vector<std::string> languages = SupportedLanguages();
  const std::string wanted = Capitalize(name);
  if (std::find(languages.begin(), languages.end(), wanted) == languages.end()) {
    return Status::InvalidArgument(
        fmt::format("unknown language '{}' for the INVERTED index; "
                    "supported: {}",
                    name, fmt::join(languages, ", ")));
  }
  return wanted;
}

}  // namespace

std::vector<std::string> SupportedLanguages() {
  std::vector<std::string> out;
  for (const char** name = sb_stemmer_list(); *name != nullptr; ++name) {
    // "porter" is the original English algorithm, not a language.
    if (std::string_view(*name) != "porter") out.push_back(Capitalize(*name));
  }
  return out;
}

Result<InvertedConfig> ParseInvertedConfig(const ScalarIndexConfig& config) {
  if (config.index_type != kInvertedIndexType) {
    return Status::InvalidArgument(
        fmt::format("not an INVERTED index config (type '{}')", config.index_type));
  }
  InvertedConfig out;
  TokenizerOptions& t = out.tokenizer;
  IXRAY_ASSIGN_OR_RAISE(std::string base, config.GetString("base_tokenizer"));
  IXRAY_ASSIGN_OR_RAISE(t.base, ParseBaseTokenizer(base));
  IXRAY_ASSIGN_OR_RAISE(std::string language, config.GetString("language"));
  IXRAY_ASSIGN_OR_RAISE(t.language, ParseLanguage(language));
  IXRAY_ASSIGN_OR_RAISE(t.lower_case, config.GetBool("lower_case"));
  IXRAY_ASSIGN_OR_RAISE(t.stem, config.GetBool("stem"));
  IXRAY_ASSIGN_OR_RAISE(t.remove_stop_words, config.GetBool("remove_stop_words"));
  IXRAY_ASSIGN_OR_RAISE(t.ascii_folding, config.GetBool("ascii_folding"));
  IXRAY_ASSIGN_OR_RAISE(t.max_token_length, config.GetInt("max_token_length"));
  IXRAY_ASSIGN_OR_RAISE(t.min_ngram_length, config.GetInt("min_ngram_length"));
  IXRAY_ASSIGN_OR_RAISE(t.max_ngram_length, config.GetInt("max_ngram_length"));
  IXRAY_ASSIGN_OR_RAISE(out.with_position, config.GetBool("with_position"));
  if (t.max_token_length < 1 || t.max_token_length > (1 << 20)) {
    return Status::InvalidArgument(
        fmt::format("max_token_length must be in [1, 1048576], got {}", t.max_token_length));
  }
  if (t.min_ngram_length < 1 || t.max_ngram_length < t.min_ngram_length ||
      t.max_ngram_length > 255) {
    return Status::InvalidArgument(fmt::format(
        "ngram lengths need 1 <= min_ngram_length <= max_ngram_length <= 255, got {} and {}",
        t.min_ngram_length, t.max_ngram_length));
  }
  return out;
}

Result<ScalarIndexConfig> NormalizeInvertedConfig(const IndexParams& params) {
  ScalarIndexConfig config;
  config.index_type = std::string(kInvertedIndexType);
  config.params = Defaults();
  for (const auto& [name, value] : params) {
    auto it = config.params.find(name);
    if (it == config.params.end()) {
      std::vector<std::string> accepted;
      for (const auto& [known, unused] : Defaults()) accepted.push_back(known);
      return Status::InvalidArgument(
          fmt::format("unknown parameter '{}' for an INVERTED index; accepted: {}", name,
                      fmt::join(accepted, ", ")));
    }
    it->second = value;
  }
  IXRAY_ASSIGN_OR_RAISE(InvertedConfig parsed, ParseInvertedConfig(config));
  // Canonical spellings, so equal settings give equal configs (and digests).
  const TokenizerOptions& t = parsed.tokenizer;
  auto boolean = [](bool b) { return std::string(b ? "true" : "false"); };
  config.params = {
      {"base_tokenizer", std::string(BaseTokenizerName(t.base))},
      {"language", t.language},
      {"lower_case", boolean(t.lower_case)},
      {"stem", boolean(t.stem)},
      {"remove_stop_words", boolean(t.remove_stop_words)},
      {"ascii_folding", boolean(t.ascii_folding)},
      {"max_token_length", std::to_string(t.max_token_length)},
      {"min_ngram_length", std::to_string(t.min_ngram_length)},
      {"max_ngram_length", std::to_string(t.max_ngram_length)},
      {"with_position", boolean(parsed.with_position)},
  };
  return config;
}

}  // namespace ixray::scalar::inverted
