#include "parsers/syslog/syslog_header.h"

#include <cstdint>

#include "base/time.h"
#include "base/time_zone.h"

namespace culprit::parsers {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr size_t kMaxTokenBytes = 255;  // hostnames, tags, msgids: longer means "not a header"

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A read position in the line. Every accessor is bounds-checked, so no parse
// step can run past the end whatever the bytes are.
struct Cursor {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek(size_t k = 0) const { return i + k < s.size() ? s[i + k] : '\0'; }
  bool Eat(char c) {
    if (peek() != c || done()) return false;
    ++i;
    return true;
  }
  // Reads exactly n digits.
  bool Digits(int n, int* out) {
    int v = 0;
    for (int k = 0; k < n; ++k) {
      const char c = peek(static_cast<size_t>(k));
      if (!IsDigit(c) || i + static_cast<size_t>(k) >= s.size()) return false;
      v = v * 10 + (c - '0');
    }
    i += static_cast<size_t>(n);
    *out = v;
    return true;
  }
  // A run of non-space bytes (may be empty), at most kMaxTokenBytes.
  bool Token(std::string_view* out) {
    const size_t begin = i;
    while (!done() && s[i] != ' ') {
      if (i - begin >= kMaxTokenBytes) return false;
      ++i;
    }
    *out = s.substr(begin, i - begin);
    return true;
  }
};

// Month from its 3-letter English name, any case; 0 if none.
int MonthFromName(std::string_view m) {
  static constexpr std::string_view kNames = "janfebmaraprmayjunjulaugsepoctnovdec";
  if (m.size() != 3) return 0;
  char low[3];
  for (int k = 0; k < 3; ++k) {
    char c = m[static_cast<size_t>(k)];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    low[k] = c;
  }
  for (size_t k = 0; k < 12; ++k) {
    if (kNames.compare(k * 3, 3, std::string_view(low, 3)) == 0) return static_cast<int>(k) + 1;
  }
  return 0;
}

// "HH:MM:SS" -> seconds of the day. A leap second 60 is read as 59.
bool ReadClock(Cursor* c, int64_t* seconds) {
  int h = 0, m = 0, s = 0;
  if (!c->Digits(2, &h) || !c->Eat(':') || !c->Digits(2, &m) || !c->Eat(':') ||
      !c->Digits(2, &s)) {
    return false;
  }
  if (h > 23 || m > 59 || s > 60) return false;
  if (s == 60) s = 59;
  *seconds = h * 3600 + m * 60 + s;
  return true;
}

// ".123456" -> micros and precision; leaves the cursor alone when absent.
void ReadFraction(Cursor* c, int64_t* micros, Duration* precision) {
  if (c->peek() != '.' && c->peek() != ',') return;
  if (!IsDigit(c->peek(1))) return;
  ++c->i;
  int64_t v = 0;
  int n = 0;
  while (!c->done() && IsDigit(c->peek())) {
    if (n < 6) v = v * 10 + (c->peek() - '0');
    ++n;
    ++c->i;
  }
  const int kept = n < 6 ? n : 6;
  int64_t scale = 1;
  for (int k = kept; k < 6; ++k) scale *= 10;
  *micros = v * scale;
  *precision = Duration(scale);
}

Timestamp CivilToTimestamp(int year, int month, int day, int64_t seconds, int64_t micros) {
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return FromUnixMicros((days * 86400 + seconds) * kMicrosPerSecond + micros);
}

// RFC 3339 as syslog writes it: "2026-11-23T20:01:26[.frac][Z|+HH:MM|+HHMM]".
// A stamp without a zone is local to ctx.zone.
bool ReadIsoStamp(Cursor* c, const LineContext& ctx, ParsedTime* out) {
  int year = 0, month = 0, day = 0;
  if (!c->Digits(4, &year) || !c->Eat('-') || !c->Digits(2, &month) || !c->Eat('-') ||
      !c->Digits(2, &day)) {
    return false;
  }
  if (!c->Eat('T') && !c->Eat('t')) return false;
  int64_t seconds = 0;
  if (!ReadClock(c, &seconds) || !IsValidDate(year, month, day)) return false;
  int64_t micros = 0;
  Duration precision = std::chrono::seconds(1);
  ReadFraction(c, &micros, &precision);
  const Timestamp civil = CivilToTimestamp(year, month, day, seconds, micros);
  const char z = c->peek();
  if (z == 'Z' || z == 'z') {
    ++c->i;
    out->time = civil;
  } else if ((z == '+' || z == '-') && IsDigit(c->peek(1))) {
    ++c->i;
    int oh = 0, om = 0;
    if (!c->Digits(2, &oh)) return false;
    c->Eat(':');
    if (!c->Digits(2, &om) || oh > 23 || om > 59) return false;
    const int64_t offset = (oh * 3600 + om * 60) * kMicrosPerSecond;
    out->time = civil - Duration(z == '+' ? offset : -offset);
  } else {
    out->time = ctx.zone->LocalToUtc(civil);
  }
  out->precision = precision;
  return true;
}

// "Nov 23 20:01:26", "Nov  3 09:23:38", "Nov 2 15:40:14", "Aug 03 21:39:20",
// optionally with a fraction. The year comes from InferYear().
bool ReadBsdStamp(Cursor* c, const LineContext& ctx, ParsedTime* out) {
  if (c->s.size() - c->i < 3) return false;
  const int month = MonthFromName(c->s.substr(c->i, 3));
  if (month == 0) return false;
  c->i += 3;
  if (!c->Eat(' ')) return false;
  c->Eat(' ');  // space-padded day
  int day = 0;
  if (IsDigit(c->peek()) && IsDigit(c->peek(1))) {
    c->Digits(2, &day);
  } else if (!c->Digits(1, &day)) {
    return false;
  }
  if (!c->Eat(' ')) return false;
  int64_t seconds = 0;
  if (day < 1 || day > 31 || !ReadClock(c, &seconds)) return false;
  int64_t micros = 0;
  Duration precision = std::chrono::seconds(1);
  ReadFraction(c, &micros, &precision);
  const int year = InferYear(month, day, ctx.now);
  if (!IsValidDate(year, month, day)) return false;
  out->time = ctx.zone->LocalToUtc(CivilToTimestamp(year, month, day, seconds, micros));
  out->precision = precision;
  return true;
}

// A BSD tag at the cursor: "app:" or "app[pid]:", followed by a space or the
// end of the line. On success fills app/pid and moves past the space.
bool ReadTag(Cursor* c, SyslogHeader* h) {
  Cursor t = *c;
  const size_t begin = t.i;
  while (!t.done() && t.peek() != ' ' && t.peek() != '[' && t.peek() != ':') {
    if (t.i - begin >= kMaxTokenBytes) return false;
    ++t.i;
  }
  if (t.i == begin) return false;
  const std::string_view app = t.s.substr(begin, t.i - begin);
  std::string_view pid;
  if (t.Eat('[')) {
    const size_t pid_begin = t.i;
    while (!t.done() && t.peek() != ']' && t.peek() != ' ') {
      if (t.i - pid_begin >= 32) return false;
      ++t.i;
    }
    if (!t.Eat(']')) return false;
    pid = t.s.substr(pid_begin, t.i - pid_begin - 1);
  }
  if (!t.Eat(':')) return false;
  if (!t.done() && !t.Eat(' ')) return false;
  // ulogd writes no tag, so a netfilter log prefix that ends in ':'
  // ("vm IPTABLES-DROP: IN=...") would look like one; it belongs to the
  // body. The kernel's own tag ("kernel: IN=...", no printk stamp) stays a
  // tag, and so does anything with a [pid] (a prefix never has one).
  if (pid.empty() && app != "kernel" && t.s.substr(t.i).starts_with("IN=")) return false;
  h->app = app;
  h->pid = pid;
  c->i = t.i;
  return true;
}

// RFC 5424 STRUCTURED-DATA: "-" or one or more "[id k="v" ...]" elements;
// param values may hold escaped '"', ']' and '\'.
bool SkipStructuredData(Cursor* c) {
  if (c->Eat('-')) return true;
  if (c->peek() != '[') return false;
  while (c->peek() == '[' && !c->done()) {
    ++c->i;
    bool in_quotes = false;
    while (true) {
      if (c->done()) return false;
      const char ch = c->s[c->i++];
      if (in_quotes) {
        if (ch == '\\') {
          if (c->done()) return false;
          ++c->i;
        } else if (ch == '"') {
          in_quotes = false;
        }
      } else if (ch == '"') {
        in_quotes = true;
      } else if (ch == ']') {
        break;
      }
    }
  }
  return true;
}

std::string_view Nil(std::string_view v) { return v == "-" ? std::string_view() : v; }

// The fields after an RFC 5424 TIMESTAMP: SP HOSTNAME SP APP-NAME SP PROCID
// SP MSGID SP STRUCTURED-DATA [SP MSG]. Leaves *h alone on failure.
bool Read5424Rest(Cursor* c, SyslogHeader* h) {
  Cursor t = *c;
  std::string_view host, app, procid, msgid;
  if (!t.Eat(' ') || !t.Token(&host) || host.empty() || !t.Eat(' ') || !t.Token(&app) ||
      app.empty() || !t.Eat(' ') || !t.Token(&procid) || procid.empty() || !t.Eat(' ') ||
      !t.Token(&msgid) || msgid.empty() || !t.Eat(' ') || !SkipStructuredData(&t)) {
    return false;
  }
  if (!t.done() && !t.Eat(' ')) return false;
  h->host = Nil(host);
  h->app = Nil(app);
  h->pid = Nil(procid);
  h->body_offset = t.i;
  return true;
}

// After a BSD or ISO stamp: [SP HOST] [SP TAG] SP body.
void ReadHostAndTag(Cursor* c, SyslogHeader* h) {
  if (c->done()) {
    h->body_offset = c->i;
    return;
  }
  if (!c->Eat(' ')) {  // glued to the stamp: everything after is body
    h->body_offset = c->i;
    return;
  }
  // No hostname: the first word is already the tag (HAProxy sending
  // "<134>Nov 23 20:01:26 haproxy[1]: ..." without log-send-hostname).
  if (ReadTag(c, h)) {
    h->body_offset = c->i;
    return;
  }
  Cursor t = *c;
  std::string_view host;
  if (!t.Token(&host) || host.empty()) {
    h->body_offset = c->i;
    return;
  }
  h->host = host;
  c->i = t.i;
  if (c->done() || !c->Eat(' ')) {
    h->body_offset = c->i;
    return;
  }
  ReadTag(c, h);  // optional: ulogd writes "host [UFW BLOCK] IN=..."
  h->body_offset = c->i;
}

}  // namespace

std::optional<SyslogHeader> ParseSyslogHeader(std::string_view line, const LineContext& ctx) {
  Cursor c{line, 0};
  SyslogHeader h;

  // <PRI>: 1-3 digits, at most 191 (facility 23, severity 7).
  if (c.peek() == '<') {
    ++c.i;
    int pri = 0;
    int n = 0;
    while (n < 3 && IsDigit(c.peek()) && !c.done()) {
      pri = pri * 10 + (c.peek() - '0');
      ++c.i;
      ++n;
    }
    if (n == 0 || !c.Eat('>') || pri > 191) return std::nullopt;
    h.severity = pri % 8;

    // RFC 5424: VERSION (1-2 digits, not 0) SP TIMESTAMP.
    Cursor v = c;
    int version = 0;
    if (IsDigit(v.peek()) && v.peek() != '0') {
      v.Digits(IsDigit(v.peek(1)) ? 2 : 1, &version);
      if (v.Eat(' ') && (v.peek() == '-' || IsDigit(v.peek()))) {
        ParsedTime t;
        if (v.Eat('-')) {
          if (!Read5424Rest(&v, &h)) return std::nullopt;
          return h;
        }
        if (ReadIsoStamp(&v, ctx, &t) && Read5424Rest(&v, &h)) {
          h.time = t;
          return h;
        }
        return std::nullopt;
      }
    }
  }

  ParsedTime t;
  if (IsDigit(c.peek())) {
    if (!ReadIsoStamp(&c, ctx, &t)) return std::nullopt;
    h.time = t;
    // Either RFC 5424 without "<PRI>VERSION" (VMware NSX) or rsyslog's
    // RFC 3339 variant of the BSD format ("host app[pid]: msg"). A BSD tag
    // ends in ':'; 5424 has PROCID MSGID STRUCTURED-DATA after the app.
    Cursor probe = c;
    std::string_view host;
    if (probe.Eat(' ') && probe.Token(&host) && probe.Eat(' ')) {
      Cursor tag_probe = probe;
      SyslogHeader ignored;
      if (!ReadTag(&tag_probe, &ignored) && Read5424Rest(&c, &h)) return h;
    }
    ReadHostAndTag(&c, &h);
    return h;
  }

  if (!ReadBsdStamp(&c, ctx, &t)) return std::nullopt;
  h.time = t;
  ReadHostAndTag(&c, &h);
  return h;
}

}  // namespace culprit::parsers
