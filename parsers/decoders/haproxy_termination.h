#ifndef CULPRIT_PARSERS_DECODERS_HAPROXY_TERMINATION_H_
#define CULPRIT_PARSERS_DECODERS_HAPROXY_TERMINATION_H_

// haproxy_termination decoder: HAProxy's "termination state" field
// (haproxy/haproxy doc/configuration.txt §8.5 "Session state at
// disconnection"): 4 characters in the HTTP log ("SD--", "cR--", "----"),
// 2 in the TCP log ("SC", "--").
//
//   1st  who or what ended the session: C client abort, c client timeout,
//        S server abort/refusal, s server timeout, P proxy (deny, limit,
//        security check), R local resource exhausted, I internal error,
//        D server went DOWN, U backup killed on active UP, K killed by the
//        admin (or a hard-stop), L handled locally, - normal
//   2nd  the phase: R waiting for the request, Q queued, C connecting to
//        the server, H waiting for response headers, D data, L last data,
//        T tarpitted, - normal
//   3rd  persistence cookie sent by the client, 4th cookie set by HAProxy
//
// Sets on *event: detail = the text as written; phase = a readable phase
// ("waiting for response headers") unless the 2nd char is '-'; cause per
// RESET_SIGNATURES §3.4 (CD -> CLIENT_ABORT, cR -> REQUEST_TIMEOUT,
// cD -> IDLE_TIMEOUT, SH/SD/SC -> UPSTREAM_FAILURE, sH/sC/sD ->
// UPSTREAM_TIMEOUT, sQ/R?/PC -> RESOURCE_EXHAUSTION, PR/PT ->
// REQUEST_REJECTED, PH/PD -> UPSTREAM_FAILURE, K? -> SERVER_SHUTDOWN,
// D?/U? -> UPSTREAM_FAILURE, I? -> APP_ERROR, -- -> NONE; L? ->
// REQUEST_REJECTED when event->status is already >= 400, else NONE);
// extra "ended_by" (a readable 1st char) and "cookie" (3rd+4th chars,
// only when not "--"). Status-based refinements (429 -> RATE_LIMITED) are
// left to the format's rules.
//
// Pure function; thread-safe. INVALID_ARGUMENT, naming the text, when it is
// not 2 or 4 characters from the documented sets.
// REQUIRES: event != nullptr.

#include <string_view>

#include "base/status.h"
#include "parsers/event.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

Status DecodeHaproxyTermination(std::string_view text, const LineContext& ctx, Event* event);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_DECODERS_HAPROXY_TERMINATION_H_
