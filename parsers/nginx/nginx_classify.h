#ifndef CULPRIT_PARSERS_NGINX_NGINX_CLASSIFY_H_
#define CULPRIT_PARSERS_NGINX_NGINX_CLASSIFY_H_

// What an nginx access-log entry says about an abrupt close: the cause hint
// of one request from its status and request line, per RESET_SIGNATURES.md
// (§1.4 protocol mismatch, §1.5 client aborts, §1.6 upstream, §1.7
// rejections and rate limits, §2.2 status meanings).
//
// Internal to parsers/nginx/. Pure; thread-safe.

#include <string_view>

#include "parsers/event.h"

namespace culprit::parsers::nginx {

struct RequestFacts {
  int status = -1;           // -1: the format has no $status
  std::string_view request;  // $request as logged (escaped); empty when absent
  // Whether the format has $upstream_addr or $upstream_status, and whether
  // either had a value (not "-") on this line: an upstream answered.
  bool has_upstream_vars = false;
  bool upstream_used = false;
};

// Sets event->kind = kRequest, and cause and detail ("status 502", ...) when
// the entry points at one; leaves cause kNone and detail empty for ordinary
// responses (2xx, 3xx, 404, ...). REQUIRES: event != nullptr.
void ClassifyRequest(const RequestFacts& facts, Event* event);

// True when a logged $request starts with a TLS handshake record
// ("\x16\x03", as nginx escapes it, or the raw bytes with escape=none): a TLS
// client spoke to a plain-HTTP port.
bool IsTlsClientHello(std::string_view request);

}  // namespace culprit::parsers::nginx

#endif  // CULPRIT_PARSERS_NGINX_NGINX_CLASSIFY_H_
