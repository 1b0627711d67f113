#include "ingest/value_format.h"

#include <fmt/format.h>

#include <cmath>

#include "ingest/value_parse.h"

namespace ixray::ingest {

namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

bool IsUtcZone(std::string_view tz) {
  return tz == "UTC" || tz == "utc" || tz == "Z" || tz == "Etc/UTC" || tz == "GMT" ||
         tz == "+00:00" || tz == "-00:00" || tz == "+0000";
}

// Parses a fixed offset "+HH:MM", "+HHMM" or "+HH" into seconds.
bool ParseFixedOffset(std::string_view tz, int64_t* seconds) {
  if (tz.size() < 3 || (tz[0] != '+' && tz[0] != '-')) return false;
  std::string digits;
  for (char c : tz.substr(1)) {
    if (c == ':') continue;
    if (c < '0' || c > '9') return false;
    digits.push_back(c);
  }
  if (digits.size() != 2 && digits.size() != 4) return false;
  const int hours = std::stoi(digits.substr(0, 2));
  const int minutes = digits.size() == 4 ? std::stoi(digits.substr(2)) : 0;
  if (hours > 23 || minutes > 59) return false;
  *seconds = (tz[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  return true;
}

// Floor division and modulo for negative instants.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

template <typename T>
void AppendFloat(T value, bool json, std::string* out) {
  if (json && !std::isfinite(value)) {
    out->append("null");
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", value);
  }
}

void AppendTextEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendList(const Array& array, int64_t i, bool json, int max_items, std::string* out) {
  int64_t begin, end;
  if (array.type()->id() == TypeId::kList) {
    begin = array.ValueOffset(i);
    end = array.ValueOffset(i + 1);
  } else {
    const int64_t size = array.type()->list_size();
    begin = (array.offset() + i) * size;
    end = begin + size;
  }
  // Child offsets are relative to the child's own view.
  const Array& values = *array.values();
  out->push_back('[');
  for (int64_t k = begin; k < end; ++k) {
    if (k > begin) out->append(json ? "," : ", ");
    if (!json && max_items >= 0 && k - begin >= max_items) {
      fmt::format_to(std::back_inserter(*out), "... ({} items)", end - begin);
      break;
    }
    if (json) {
      AppendValueJson(values, k, out);
    } else {
      AppendValueText(values, k, out, max_items);
    }
  }
  out->push_back(']');
}

void AppendValue(const Array& array, int64_t i, bool json, int max_items, std::string* out) {
  if (array.IsNull(i)) {
    out->append("null");
    return;
  }
  const DataType& type = *array.type();
  switch (type.id()) {
    case TypeId::kBool:
      out->append(array.BoolValue(i) ? "true" : "false");
      return;
    case TypeId::kInt8:
      fmt::format_to(std::back_inserter(*out), "{}", array.Value<int8_t>(i));
      return;
    case TypeId::kInt16:
      fmt::format_to(std::back_inserter(*out), "{}", array.Value<int16_t>(i));
      return;
    case TypeId::kInt32:
      fmt::format_to(std::back_inserter(*out), "{}", array.Value<int32_t>(i));
      return;
    case TypeId::kInt64:
      fmt::format_to(std::back_inserter(*out), "{}", array.Value<int64_t>(i));
      return;
    case TypeId::kUInt8:
      fmt::format_to(std::back_inserter(*out), "{}", array.Value<uint8_t>(i));
      return;
    case TypeId::kUInt16:
      fmt::format_to(std::back_inserter(*out), "{}", array.Value<uint16_t>(i));
      return;
    case TypeId::kUInt32:
      fmt::format_to(std::back_inserter(*out), "{}", array.Value<uint32_t>(i));
      return;
    case TypeId::kUInt64:
      fmt::format_to(std::back_inserter(*out), "{}", array.Value<uint64_t>(i));
      return;
    case TypeId::kFloat16:
      AppendFloat(HalfToFloat(array.Value<uint16_t>(i)), json, out);
      return;
    case TypeId::kFloat32:
      AppendFloat(array.Value<float>(i), json, out);
      return;
    case TypeId::kFloat64:
      AppendFloat(array.Value<double>(i), json, out);
      return;
    case TypeId::kString:
    case TypeId::kLargeString:
      if (json) {
        AppendJsonString(array.StringValue(i), out);
      } else {
        AppendTextEscaped(array.StringValue(i), out);
      }
      return;
    case TypeId::kBinary:
      if (json) out->push_back('"');
      out->append(Base64Encode(array.StringValue(i)));
      if (json) out->push_back('"');
      return;
    case TypeId::kDate32:
      if (json) out->push_back('"');
      out->append(FormatDate32(array.Value<int32_t>(i)));
      if (json) out->push_back('"');
      return;
    case TypeId::kTimestamp:
      if (json) out->push_back('"');
      out->append(FormatTimestamp(array.Value<int64_t>(i), type.timezone()));
      if (json) out->push_back('"');
      return;
    case TypeId::kList:
    case TypeId::kFixedSizeList:
      AppendList(array, i, json, max_items, out);
      return;
  }
}

}  // namespace

std::string FormatDate32(int32_t days) {
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

std::string FormatTimestamp(int64_t micros, std::string_view timezone) {
  std::string suffix;
  int64_t offset_seconds = 0;
  if (!timezone.empty()) {
    if (!IsUtcZone(timezone) && ParseFixedOffset(timezone, &offset_seconds)) {
      const int64_t magnitude = offset_seconds < 0 ? -offset_seconds : offset_seconds;
      suffix = fmt::format("{}{:02}:{:02}", offset_seconds < 0 ? '-' : '+', magnitude / 3600,
                           magnitude % 3600 / 60);
    } else {
      offset_seconds = 0;
      suffix = "Z";
    }
  }
  const int64_t local = micros + offset_seconds * 1000000;
  const int64_t days = FloorDiv(local, kMicrosPerDay);
  const int64_t micros_of_day = local - days * kMicrosPerDay;
  const int64_t seconds_of_day = micros_of_day / 1000000;
  const int64_t fraction = micros_of_day % 1000000;
  std::string text =
      fmt::format("{}T{:02}:{:02}:{:02}", FormatDate32(static_cast<int32_t>(days)),
                  seconds_of_day / 3600, seconds_of_day % 3600 / 60, seconds_of_day % 60);
  if (fraction % 1000 == 0 && fraction != 0) {
    text += fmt::format(".{:03}", fraction / 1000);
  } else if (fraction != 0) {
    text += fmt::format(".{:06}", fraction);
  }
  return text + suffix;
}

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[n >> 18]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[n >> 18]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

void AppendValueText(const Array& array, int64_t i, std::string* out, int max_list_items) {
  AppendValue(array, i, /*json=*/false, max_list_items, out);
}

void AppendValueJson(const Array& array, int64_t i, std::string* out) {
  AppendValue(array, i, /*json=*/true, -1, out);
}

void AppendRowJson(const RecordBatch& batch, int64_t row, std::string* out) {
  out->push_back('{');
  for (int c = 0; c < batch.num_columns(); ++c) {
    if (c > 0) out->push_back(',');
    AppendJsonString(batch.schema()->field(c)->name, out);
    out->push_back(':');
    AppendValueJson(*batch.column(c), row, out);
  }
  out->push_back('}');
}

int64_t DisplayWidth(std::string_view text) {
  int64_t width = 0;
  for (char c : text) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

}  // namespace ixray::ingest
