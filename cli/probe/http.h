#ifndef CULPRIT_CLI_PROBE_HTTP_H_
#define CULPRIT_CLI_PROBE_HTTP_H_

// HTTP/1.1 for `culprit probe`: the request it sends, a parser for the
// response (pure, for tests), and one request/response exchange over a
// Stream with timings.
//
// Thread-compatible; no global state.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/probe/stream.h"

namespace culprit::cli::probe {

// "GET <path> HTTP/1.1" with Host, User-Agent, Accept and, unless
// keep_alive, "Connection: close". Bytes outside printable ASCII in `path`
// or `host` are dropped.
std::string BuildRequest(std::string_view path, std::string_view host, bool keep_alive);

struct HttpResponse {
  std::string version;   // "HTTP/1.1"
  int status = 0;        // 100..999
  std::string reason;    // "OK"
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, in order
  std::string body;      // at most kMaxBody bytes kept
  size_t body_size = 0;  // the whole body's size
  // Whether the connection may be reused: HTTP/1.1 without "Connection:
  // close", or HTTP/1.0 with "Connection: keep-alive".
  bool keep_alive = false;

  // The first header named `name` (case-insensitive), "" if absent.
  std::string Header(std::string_view name) const;
};

enum class HttpParseState { kIncomplete, kComplete, kMalformed };

struct HttpParse {
  HttpParseState state = HttpParseState::kIncomplete;
  HttpResponse response;  // meaningful when kComplete
  size_t consumed = 0;    // bytes of `buffer` the response took (kComplete)
  std::string error;      // kMalformed: what was wrong
};

inline constexpr size_t kMaxHeaderBytes = 64 * 1024;
inline constexpr size_t kMaxBody = 4096;          // kept for display
inline constexpr size_t kMaxResponseBytes = 1 << 20;  // read at most

// Parses one response at the start of `buffer`. `eof`: the peer has closed,
// which completes a body delimited by the close. Framing: Content-Length,
// chunked, none (1xx/204/304, or HEAD-less until close). A response to
// HEAD is not supported (the probe only sends GET).
HttpParse ParseHttpResponse(std::string_view buffer, bool eof);

// One exchange: what was sent, what came back and how.
struct HttpExchange {
  IoResult io;            // kOk when a complete response arrived
  std::string phase;      // on failure: "request_sent" or "awaiting_response"
                          // (nothing arrived) or "reading_response"
  HttpParse parse;        // kComplete when a response arrived
  std::string raw_start;  // the first bytes received (up to 512), for display
  size_t bytes_received = 0;
  double first_byte_ms = -1;  // from the send to the first byte
  double total_ms = 0;
};

// Sends `request` and reads one response before `deadline`.
HttpExchange Exchange(Stream& stream, std::string_view request, SteadyTime deadline);

// Printable excerpt: control bytes and non-ASCII as \xNN, at most `max`
// bytes of input.
std::string Printable(std::string_view bytes, size_t max);

// The readable text of an HTML error page: tags dropped, whitespace folded;
// "" when nothing is left. Used to show "The plain HTTP request was sent to
// HTTPS port".
std::string BodyText(std::string_view body, size_t max);

}  // namespace culprit::cli::probe

#endif  // CULPRIT_CLI_PROBE_HTTP_H_
