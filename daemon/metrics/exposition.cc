#include "daemon/metrics/exposition.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/check.h"
#include "base/utf8.h"  // Utf8SequenceLength

namespace culprit::metrics {
namespace {

// Escapes `s` for the exposition: backslash and newline always, the double
// quote when `quote`. Bytes outside valid UTF-8 and other control bytes are
// written \\xNN: the format knows only the escapes \\ \" \n, so the
// backslash of \xNN is itself escaped and a parser reads back the four
// characters \xNN, never a raw invalid or control byte.
std::string Escape(std::string_view s, bool quote) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = Utf8SequenceLength(s, i);
    const auto byte = static_cast<unsigned char>(s[i]);
    if (n == 0 || (byte < 0x20 && byte != '\n') || byte == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    const char c = s[i++];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

void AppendLabels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                  std::string_view extra_name, std::string_view extra_value, std::string* out) {
  if (names.empty() && extra_name.empty()) return;
  *out += '{';
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) *out += ',';
    first = false;
    *out += names[i];
    *out += "=\"";
    *out += EscapeLabelValue(values[i]);
    *out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) *out += ',';
    *out += extra_name;
    *out += "=\"";
    *out += extra_value;  // a formatted number: nothing to escape
    *out += '"';
  }
  *out += '}';
}

void AppendSample(std::string_view name, std::string_view suffix, const FamilySnapshot& family,
                  const std::vector<std::string>& values, std::string_view extra_name,
                  std::string_view extra_value, std::string_view value, std::string* out) {
  *out += name;
  *out += suffix;
  AppendLabels(family.label_names, values, extra_name, extra_value, out);
  *out += ' ';
  *out += value;
  *out += '\n';
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) { return Escape(value, /*quote=*/true); }

std::string EscapeHelp(std::string_view help) { return Escape(help, /*quote=*/false); }

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as `value`. Plain to_chars picks
  // whichever of fixed and scientific is shorter ("5e-04"); like Go's 'g'
  // (what Prometheus' own clients print), this keeps fixed notation for
  // decimal exponents -4..20, so bucket bounds read "0.0005" and counts
  // stay integers up to 1e21.
  char buf[400];  // fixed notation of a double needs at most ~330 chars
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  CULPRIT_CHECK(r.ec == std::errc());
  const std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  int exponent = 0;
  const size_t e = sci.find('e');
  CULPRIT_CHECK(e != std::string_view::npos);
  const char* exp_begin = sci.data() + e + 1;
  if (*exp_begin == '+') ++exp_begin;
  std::from_chars(exp_begin, sci.data() + sci.size(), exponent);
  if (exponent < -4 || exponent > 20) return std::string(sci);
  r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  CULPRIT_CHECK(r.ec == std::errc());
  return std::string(buf, r.ptr);
}

std::string RenderText(const std::vector<FamilySnapshot>& families) {
  std::string out;
  for (const FamilySnapshot& f : families) {
    if (f.children.empty()) continue;
    out += "# HELP ";
    out += f.name;
    out += ' ';
    out += EscapeHelp(f.help);
    out += "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += TypeName(f.type);
    out += '\n';
    for (const FamilySnapshot::Child& c : f.children) {
      CULPRIT_CHECK(c.label_values.size() == f.label_names.size());
      if (f.type != MetricType::kHistogram) {
        AppendSample(f.name, "", f, c.label_values, "", "", FormatValue(c.value), &out);
        continue;
      }
      const Histogram::Snapshot& h = c.histogram;
      for (size_t i = 0; i < h.bounds.size() && i < h.cumulative.size(); ++i) {
        AppendSample(f.name, "_bucket", f, c.label_values, "le", FormatValue(h.bounds[i]),
                     std::to_string(h.cumulative[i]), &out);
      }
      AppendSample(f.name, "_bucket", f, c.label_values, "le", "+Inf", std::to_string(h.count),
                   &out);
      AppendSample(f.name, "_sum", f, c.label_values, "", "", FormatValue(h.sum), &out);
      AppendSample(f.name, "_count", f, c.label_values, "", "", std::to_string(h.count), &out);
    }
  }
  return out;
}

void SortForExposition(std::vector<FamilySnapshot>* families) {
  std::stable_sort(families->begin(), families->end(),
                   [](const FamilySnapshot& a, const FamilySnapshot& b) { return a.name < b.name; });
  for (FamilySnapshot& f : *families) {
    std::stable_sort(f.children.begin(), f.children.end(),
                     [](const FamilySnapshot::Child& a, const FamilySnapshot::Child& b) {
                       return a.label_values < b.label_values;
                     });
  }
}

}  // namespace culprit::metrics
