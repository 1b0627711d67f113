#include "index/scalar/scalar_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "format/byte_coding.h"
#include "format/data_file_format.h"

namespace ixray::scalar {

namespace {

constexpr std::string_view kConfigMagic = "IXSC";
constexpr uint32_t kConfigVersion = 1;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string ScalarIndexConfig::Serialize() const {
  std::string out;
  format::ByteWriter w(&out);
  w.PutBytes(kConfigMagic.data(), kConfigMagic.size());
  w.PutU32(kConfigVersion);
  w.PutString(index_type);
  w.PutU32(static_cast<uint32_t>(params.size()));
  for (const auto& [name, value] : params) {  // std::map: sorted, so bytes are canonical
    w.PutString(name);
    w.PutString(value);
  }
  return out;
}

bool ScalarIndexConfig::Recognize(std::string_view bytes) {
  return bytes.size() >= kConfigMagic.size() &&
         std::memcmp(bytes.data(), kConfigMagic.data(), kConfigMagic.size()) == 0;
}

Result<ScalarIndexConfig> ScalarIndexConfig::Deserialize(std::string_view bytes) {
  auto bad = Status::InvalidArgument("not a scalar index model (config)");
  if (!Recognize(bytes)) return bad;
  format::ByteReader r({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  IXRAY_RETURN_NOT_OK(r.GetBytes(kConfigMagic.size(), "magic").status());
  IXRAY_ASSIGN_OR_RAISE(uint32_t version, r.GetU32("version"));
  if (version != kConfigVersion) {
    return Status::InvalidArgument(
        fmt::format("scalar index config version {} is not supported", version));
  }
  ScalarIndexConfig config;
  IXRAY_ASSIGN_OR_RAISE(config.index_type, r.GetString("index type"));
  IXRAY_ASSIGN_OR_RAISE(uint32_t count, r.GetU32("parameter count"));
  IXRAY_RETURN_NOT_OK(r.CheckCount(count, 8, "parameters"));
  for (uint32_t i = 0; i < count; ++i) {
    IXRAY_ASSIGN_OR_RAISE(std::string name, r.GetString("parameter name"));
    IXRAY_ASSIGN_OR_RAISE(std::string value, r.GetString("parameter value"));
    config.params.emplace(std::move(name), std::move(value));
  }
  if (r.remaining() != 0) return bad;
  return config;
}

uint64_t ScalarIndexConfig::Digest() const { return format::Checksum(Serialize()); }

Result<std::string> ScalarIndexConfig::GetString(std::string_view name) const {
  auto it = params.find(std::string(name));
  if (it == params.end()) {
    return Status::InvalidArgument(
        fmt::format("{} index config lacks parameter '{}'", index_type, name));
  }
  return it->second;
}

Result<bool> ScalarIndexConfig::GetBool(std::string_view name) const {
  IXRAY_ASSIGN_OR_RAISE(std::string value, GetString(name));
  const std::string v = Upper(value);
  if (v == "TRUE" || v == "1") return true;
  if (v == "FALSE" || v == "0") return false;
  return Status::InvalidArgument(
      fmt::format("parameter '{}' must be true or false, got '{}'", name, value));
}

Result<int64_t> ScalarIndexConfig::GetInt(std::string_view name) const {
  IXRAY_ASSIGN_OR_RAISE(std::string value, GetString(name));
  int64_t out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size()) {
    return Status::InvalidArgument(
        fmt::format("parameter '{}' must be an integer, got '{}'", name, value));
  }
  return out;
}

Result<const ScalarIndexPlugin*> ScalarIndexRegistry::Find(std::string_view type) const {
  std::string wanted = Upper(type);
  if (wanted == "FTS") wanted = "INVERTED";
  for (const auto& plugin : plugins_) {
    if (plugin->name() == wanted) return plugin.get();
  }
  return Status::InvalidArgument(fmt::format("unknown scalar index type '{}'; supported: {}",
                                             type, fmt::join(names(), ", ")));
}

std::vector<std::string> ScalarIndexRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& plugin : plugins_) out.emplace_back(plugin->name());
  if (std::find(out.begin(), out.end(), "INVERTED") != out.end()) out.emplace_back("FTS");
  return out;
}

const ScalarIndexRegistry& ScalarIndexRegistry::BuiltIn() {
  static const ScalarIndexRegistry* registry = [] {
    std::vector<std::unique_ptr<ScalarIndexPlugin>> plugins;
    plugins.push_back(MakeBTreePlugin());
    plugins.push_back(MakeZoneMapPlugin());
    plugins.push_back(MakeBitmapPlugin());
    plugins.push_back(MakeLabelListPlugin());
    plugins.push_back(MakeNGramPlugin());
    plugins.push_back(MakeInvertedPlugin());
    return new ScalarIndexRegistry(std::move(plugins));
  }();
  return *registry;
}

}  // namespace ixray::scalar
