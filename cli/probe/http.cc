#include "cli/probe/http.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace culprit::cli::probe {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool ContainsNoCase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (EqualsNoCase(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Parses up to 18 decimal digits (no sign); false on anything else.
bool ParseSize(std::string_view s, int base, size_t* out) {
  s = Trim(s);
  if (s.empty() || s.size() > 15) return false;
  size_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = v * static_cast<size_t>(base) + static_cast<size_t>(d);
  }
  *out = v;
  return true;
}

void KeepBody(HttpResponse* r, std::string_view part) {
  r->body_size += part.size();
  if (r->body.size() < kMaxBody) {
    r->body.append(part.substr(0, kMaxBody - r->body.size()));
  }
}

HttpParse Malformed(std::string error) {
  HttpParse p;
  p.state = HttpParseState::kMalformed;
  p.error = std::move(error);
  return p;
}

// Reads a chunked body starting at `pos`; sets p->consumed when complete.
void ParseChunked(std::string_view buf, size_t pos, HttpParse* p) {
  // Each round consumes one chunk; the buffer bounds the loop.
  for (;;) {
    const size_t eol = buf.find('\n', pos);
    if (eol == std::string_view::npos) {
      if (buf.size() - pos > 1024) *p = Malformed("chunk size line longer than 1 KiB");
      return;
    }
    std::string_view line = buf.substr(pos, eol - pos);
    if (const size_t semi = line.find(';'); semi != std::string_view::npos) {
      line = line.substr(0, semi);
    }
    size_t size = 0;
    if (!ParseSize(line, 16, &size)) {
      *p = Malformed("bad chunk size \"" + Printable(line, 32) + "\"");
      return;
    }
    pos = eol + 1;
    if (size == 0) {
      // Trailers, then an empty line.
      for (;;) {
        const size_t end = buf.find('\n', pos);
        if (end == std::string_view::npos) return;
        const bool empty = Trim(buf.substr(pos, end - pos)).empty();
        pos = end + 1;
        if (empty) {
          p->state = HttpParseState::kComplete;
          p->consumed = pos;
          return;
        }
      }
    }
    if (buf.size() - pos < size + 1) return;
    KeepBody(&p->response, buf.substr(pos, size));
    pos += size;
    if (buf.compare(pos, 2, "\r\n") == 0) {
      pos += 2;
    } else if (buf[pos] == '\n') {
      pos += 1;
    } else if (buf.size() - pos < 2) {
      return;
    } else {
      *p = Malformed("chunk not followed by CRLF");
      return;
    }
  }
}

}  // namespace

std::string BuildRequest(std::string_view path, std::string_view host, bool keep_alive) {
  auto clean = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c > 0x20 && c < 0x7f) out += c;
    }
    return out;
  };
  std::string p = clean(path);
  if (p.empty() || p.front() != '/') p = "/" + p;
  std::string r = "GET " + p + " HTTP/1.1\r\nHost: " + clean(host) +
                  "\r\nUser-Agent: culprit-probe\r\nAccept: */*\r\n";
  if (!keep_alive) r += "Connection: close\r\n";
  r += "\r\n";
  return r;
}

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsNoCase(k, name)) return v;
  }
  return "";
}

HttpParse ParseHttpResponse(std::string_view buffer, bool eof) {
  HttpParse p;
  size_t head_end = buffer.find("\r\n\r\n");
  size_t body_start = head_end == std::string_view::npos ? 0 : head_end + 4;
  if (head_end == std::string_view::npos) {
    head_end = buffer.find("\n\n");
    if (head_end != std::string_view::npos) body_start = head_end + 2;
  }
  if (buffer.size() >= 5 && buffer.substr(0, 5) != "HTTP/") {
    return Malformed("not an HTTP response: \"" + Printable(buffer, 16) + "\"");
  }
  if (head_end == std::string_view::npos || head_end > kMaxHeaderBytes) {
    if (buffer.size() > kMaxHeaderBytes) return Malformed("headers longer than 64 KiB");
    if (eof) {
      return Malformed(buffer.empty() ? "no response" : "closed before the end of the headers");
    }
    return p;
  }
  const std::string_view head = buffer.substr(0, head_end);
  size_t line_end = head.find('\n');
  const std::string_view status_line = Trim(head.substr(0, line_end));
  // "HTTP/1.1 200 OK"
  const size_t sp1 = status_line.find(' ');
  if (sp1 == std::string_view::npos || status_line.size() < sp1 + 4) {
    return Malformed("bad status line \"" + Printable(status_line, 64) + "\"");
  }
  HttpResponse& r = p.response;
  r.version = std::string(status_line.substr(0, sp1));
  const std::string_view code = status_line.substr(sp1 + 1, 3);
  size_t status = 0;
  if (!ParseSize(code, 10, &status) || status < 100 || status > 999 ||
      (status_line.size() > sp1 + 4 && status_line[sp1 + 4] != ' ')) {
    return Malformed("bad status line \"" + Printable(status_line, 64) + "\"");
  }
  r.status = static_cast<int>(status);
  if (status_line.size() > sp1 + 5) r.reason = std::string(status_line.substr(sp1 + 5));
  // Header lines; one per round, bounded by the head's size.
  while (line_end != std::string_view::npos && line_end < head.size()) {
    const size_t start = line_end + 1;
    line_end = head.find('\n', start);
    const std::string_view line =
        Trim(head.substr(start, line_end == std::string_view::npos ? head.npos : line_end - start));
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Malformed("bad header line \"" + Printable(line, 64) + "\"");
    }
    r.headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                           std::string(Trim(line.substr(colon + 1))));
  }
  const std::string connection = r.Header("Connection");
  r.keep_alive = r.version == "HTTP/1.1" ? !ContainsNoCase(connection, "close")
                                         : ContainsNoCase(connection, "keep-alive");
  // Framing (RFC 9112 section 6.3).
  if ((r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304) {
    p.state = HttpParseState::kComplete;
    p.consumed = body_start;
    return p;
  }
  if (ContainsNoCase(r.Header("Transfer-Encoding"), "chunked")) {
    ParseChunked(buffer, body_start, &p);
    if (p.state == HttpParseState::kIncomplete && eof) {
      return Malformed("closed in the middle of a chunked body");
    }
    return p;
  }
  const std::string length = r.Header("Content-Length");
  if (!length.empty()) {
    size_t n = 0;
    if (!ParseSize(length, 10, &n)) {
      return Malformed("bad Content-Length \"" + Printable(length, 32) + "\"");
    }
    if (buffer.size() - body_start >= n) {
      KeepBody(&r, buffer.substr(body_start, n));
      p.state = HttpParseState::kComplete;
      p.consumed = body_start + n;
    } else if (eof) {
      return Malformed("closed after " + std::to_string(buffer.size() - body_start) + " of " +
                       std::to_string(n) + " body bytes");
    }
    return p;
  }
  // No length: the body runs to the close, and the connection cannot be reused.
  r.keep_alive = false;
  if (eof) {
    KeepBody(&r, buffer.substr(body_start));
    p.state = HttpParseState::kComplete;
    p.consumed = buffer.size();
  }
  return p;
}

HttpExchange Exchange(Stream& stream, std::string_view request, SteadyTime deadline) {
  HttpExchange x;
  const SteadyTime start = std::chrono::steady_clock::now();
  x.io = stream.Send(request, deadline);
  if (!x.io.ok()) {
    x.phase = "request_sent";
    x.total_ms = MillisSince(start);
    return x;
  }
  std::string buf;
  // Each round receives bytes or ends; the deadline and the size cap bound it.
  for (;;) {
    const IoResult r = stream.Recv(&buf, deadline);
    if (r.ok() && x.first_byte_ms < 0) x.first_byte_ms = MillisSince(start);
    const bool eof = r.outcome == NetOutcome::kClosed;
    if (r.ok() || eof) {
      x.parse = ParseHttpResponse(buf, eof);
      if (x.parse.state == HttpParseState::kComplete) {
        x.io = IoResult{};
        break;
      }
      if (x.parse.state == HttpParseState::kMalformed && (eof || buf.size() >= 5)) {
        x.io = eof ? r : IoResult{NetOutcome::kError, 0, 0, "malformed response: " + x.parse.error};
        break;
      }
      if (r.ok() && buf.size() <= kMaxResponseBytes) continue;
      if (r.ok()) {
        x.io = IoResult{NetOutcome::kError, 0, 0, "response larger than 1 MiB"};
        break;
      }
    }
    x.io = r;
    break;
  }
  x.bytes_received = buf.size();
  x.raw_start = buf.substr(0, 512);
  if (!x.io.ok()) x.phase = buf.empty() ? "awaiting_response" : "reading_response";
  x.total_ms = MillisSince(start);
  return x;
}

std::string Printable(std::string_view bytes, size_t max) {
  std::string out;
  for (unsigned char c : bytes.substr(0, max)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  if (bytes.size() > max) out += "...";
  return out;
}

std::string BodyText(std::string_view body, size_t max) {
  std::string out;
  bool in_tag = false, space = false;
  for (char c : body) {
    if (c == '<') {
      in_tag = true;
      space = true;
      continue;
    }
    if (c == '>') {
      in_tag = false;
      continue;
    }
    if (in_tag) continue;
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u) || u < 0x20 || u >= 0x7f) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
    if (out.size() >= max) break;
  }
  return out;
}

}  // namespace culprit::cli::probe
