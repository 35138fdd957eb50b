#include "daemon/store/json_text.h"

#include "base/utf8.h"

#include <cstdint>

namespace culprit::store {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendEscapedByte(unsigned char c, std::string* out) {
  out->append("\\u00");
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xf]);
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      // Copy the run of plain ASCII in one go.
      size_t j = i + 1;
      while (j < text.size()) {
        const auto d = static_cast<unsigned char>(text[j]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++j;
      }
      out->append(text.substr(i, j - i));
      i = j;
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); ++i; continue;
      case '\\': out->append("\\\\"); ++i; continue;
      case '\n': out->append("\\n"); ++i; continue;
      case '\r': out->append("\\r"); ++i; continue;
      case '\t': out->append("\\t"); ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      AppendEscapedByte(c, out);
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      AppendEscapedByte(c, out);
      ++i;
    } else {
      out->append(text.substr(i, n));
      i += n;
    }
  }
  out->push_back('"');
}

void AppendJsonObject(const std::vector<std::pair<std::string, std::string>>& fields,
                      std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [k, v] : fields) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(k, out);
    out->push_back(':');
    AppendJsonString(v, out);
  }
  out->push_back('}');
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Reads a string starting at text[*pos] == '"'; leaves *pos after it.
bool ReadString(std::string_view text, size_t* pos, std::string* out) {
  size_t i = *pos;
  if (i >= text.size() || text[i] != '"') return false;
  ++i;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      *pos = i + 1;
      return true;
    }
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) return false;
    const char e = text[i + 1];
    i += 2;
    switch (e) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'u': {
        if (i + 4 > text.size()) return false;
        uint32_t cp = 0;
        for (int k = 0; k < 4; ++k) {
          const int h = HexValue(text[i + k]);
          if (h < 0) return false;
          cp = cp * 16 + static_cast<uint32_t>(h);
        }
        i += 4;
        // \u00XX is how AppendJsonString wrote a byte that was not UTF-8:
        // give the byte back as it was.
        if (cp < 0x100 && cp >= 0x80) {
          out->push_back(static_cast<char>(cp));
        } else {
          AppendUtf8(cp, out);
        }
        break;
      }
      default: return false;
    }
  }
  return false;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseJsonObject(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  auto bad = [&](const char* what) {
    return Status::InvalidArgument("extra fields: " + std::string(what) + " at byte " +
                                   std::to_string(i));
  };
  if (text.empty() || text[0] != '{') return bad("expected '{'");
  ++i;
  if (i < text.size() && text[i] == '}') return out;
  while (true) {
    std::string key, value;
    if (!ReadString(text, &i, &key)) return bad("expected a string key");
    if (i >= text.size() || text[i] != ':') return bad("expected ':'");
    ++i;
    if (!ReadString(text, &i, &value)) return bad("expected a string value");
    out.emplace_back(std::move(key), std::move(value));
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == '}' && i + 1 == text.size()) return out;
    return bad("expected ',' or a final '}'");
  }
}

}  // namespace culprit::store
