#include "daemon/report/render_util.h"

#include <cmath>
#include <cstdio>

#include "base/utf8.h"

namespace culprit::report {
namespace {

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second;
};

// Howard Hinnant's civil_from_days, on local seconds.
Civil CivilFrom(int64_t secs) {
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  return {y, m, d, static_cast<unsigned>(rem / 3600), static_cast<unsigned>(rem % 3600 / 60),
          static_cast<unsigned>(rem % 60)};
}

std::string OffsetText(Duration offset) {
  const int64_t mins = std::chrono::duration_cast<std::chrono::minutes>(offset).count();
  const int64_t a = mins < 0 ? -mins : mins;
  char buf[16];
  std::snprintf(buf, sizeof buf, "UTC%c%02d:%02d", mins < 0 ? '-' : '+',
                static_cast<int>(a / 60), static_cast<int>(a % 60));
  return buf;
}

}  // namespace

std::string LocalTime(Timestamp t, const TimeZone& zone, bool with_seconds) {
  const int64_t secs =
      std::chrono::floor<std::chrono::seconds>(t + zone.OffsetAt(t)).time_since_epoch().count();
  const Civil c = CivilFrom(secs);
  char buf[48];
  if (with_seconds) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02u:%02u:%02u",
                  static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second);
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02u:%02u", static_cast<long long>(c.year),
                  c.month, c.day, c.hour, c.minute);
  }
  return buf;
}

std::string ZoneLabel(const TimeZone& zone, Timestamp at) {
  if (zone.name() == "UTC") return "UTC";
  const std::string offset = OffsetText(zone.OffsetAt(at));
  if (zone.name().empty() || zone.name()[0] == '+' || zone.name()[0] == '-') return offset;
  return zone.name() + " (" + offset + ")";
}

std::string PeriodText(Timestamp from, Timestamp to, const TimeZone& zone) {
  return LocalTime(from, zone, false) + " \u2013 " + LocalTime(to, zone, false);
}

std::string Percent(double share) {
  if (share > 0 && share < 0.0005) return "<0.1%";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * share);
  return buf;
}

std::string ChangeText(int64_t now, int64_t previous) {
  if (previous == 0) return now == 0 ? "\u2014" : "new";
  if (now == previous) return "no change";
  const double pct = 100.0 * static_cast<double>(now - previous) / static_cast<double>(previous);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%.0f%%", pct > 0 ? "+" : "\u2212", std::fabs(pct));
  return buf;
}

std::string CauseTitle(Cause cause) {
  switch (cause) {
    case Cause::kNone: return "No cause";
    case Cause::kProtocolMismatch: return "Protocol mismatch";
    case Cause::kTlsHandshakeFailed: return "TLS handshake failed";
    case Cause::kIdleTimeout: return "Idle timeout";
    case Cause::kRequestTimeout: return "Request timeout";
    case Cause::kUpstreamFailure: return "Upstream failure";
    case Cause::kUpstreamTimeout: return "Upstream timeout";
    case Cause::kAppError: return "Application error";
    case Cause::kRequestRejected: return "Request rejected";
    case Cause::kRateLimited: return "Rate limited";
    case Cause::kFirewall: return "Firewall";
    case Cause::kServerShutdown: return "Server shutdown or reload";
    case Cause::kResourceExhaustion: return "Resource exhaustion";
    case Cause::kClientAbort: return "Client abort";
    case Cause::kNoneOnServer: return "No cause on the server";
  }
  return "Unknown";
}

std::string CauseColor(Cause cause) {
  // Colour-blind-friendly hues first (Okabe-Ito, Tol), grey for "none".
  static constexpr const char* kColors[kCauseCount] = {
      "#9e9e9e", "#e69f00", "#0072b2", "#56b4e9", "#009e73", "#d55e00", "#cc79a7", "#882255",
      "#f0e442", "#44aa99", "#332288", "#aa4499", "#117733", "#999933", "#bdbdbd"};
  const int i = static_cast<int>(cause);
  return i >= 0 && i < kCauseCount ? kColors[i] : "#9e9e9e";
}

std::string CleanText(std::string_view s) {
  const std::string valid = EscapeInvalidUtf8(s);
  std::string out;
  out.reserve(valid.size());
  for (char ch : valid) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : CleanText(s)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string MarkdownEscape(std::string_view s) {
  std::string out;
  for (char c : CleanText(s)) {
    switch (c) {
      case '\\': case '`': case '*': case '[': case ']': case '<': case '>': case '|':
        out += '\\';
        out += c;
        break;
      case '\t': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

std::string JsonString(std::string_view s) {
  // EscapeInvalidUtf8 makes the text valid UTF-8; control characters other
  // than the named ones are written as \u00NN.
  const std::string valid = EscapeInvalidUtf8(s);
  std::string out = "\"";
  for (char ch : valid) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  std::string s = buf;
  // Trim trailing zeros ("0.5000" -> "0.5", "1.0000" -> "1").
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

}  // namespace culprit::report
