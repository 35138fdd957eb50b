#include "parsers/decoders/haproxy_termination.h"

#include <string>

namespace culprit::parsers {
namespace {

constexpr std::string_view kWho = "CcSsPRIDUKL-";
constexpr std::string_view kPhase = "RQCHDLT-";
constexpr std::string_view kCookieIn = "NIDVEOU-";
constexpr std::string_view kCookieOut = "NIUPRD-";

std::string_view EndedBy(char who) {
  switch (who) {
    case 'C': return "client abort";
    case 'c': return "client timeout";
    case 'S': return "server abort";
    case 's': return "server timeout";
    case 'P': return "proxy";
    case 'R': return "resource exhausted";
    case 'I': return "internal error";
    case 'D': return "server down";
    case 'U': return "backup killed (active up)";
    case 'K': return "killed by admin";
    case 'L': return "handled locally";
    default: return "normal";
  }
}

std::string_view PhaseName(char phase) {
  switch (phase) {
    case 'R': return "waiting for request";
    case 'Q': return "queued";
    case 'C': return "connecting to server";
    case 'H': return "waiting for response headers";
    case 'D': return "data transfer";
    case 'L': return "sending last data";
    case 'T': return "tarpitted";
    default: return "";
  }
}

Cause CauseOf(char who, char phase, const Event& event) {
  switch (who) {
    case 'C':
      return Cause::kClientAbort;
    case 'c':
      // timeout client in the data phase: the client went quiet (or an
      // idle tunnel); before that, a slow or stalled request.
      return phase == 'D' ? Cause::kIdleTimeout : Cause::kRequestTimeout;
    case 'S':
      return Cause::kUpstreamFailure;
    case 's':
      // timeout queue expiring is a capacity problem, not a slow server.
      return phase == 'Q' ? Cause::kResourceExhaustion : Cause::kUpstreamTimeout;
    case 'P':
      switch (phase) {
        case 'H':
        case 'D':
        case 'L':
          return Cause::kUpstreamFailure;  // invalid response blocked (502)
        case 'C':
        case 'Q':
          return Cause::kResourceExhaustion;  // socket/connection limit
        default:
          return Cause::kRequestRejected;  // deny, reject, tarpit, bad request
      }
    case 'R':
      return Cause::kResourceExhaustion;
    case 'I':
      return Cause::kAppError;
    case 'D':
    case 'U':
      return Cause::kUpstreamFailure;
    case 'K':
      return Cause::kServerShutdown;
    case 'L':
      return event.status.has_value() && *event.status >= 400 ? Cause::kRequestRejected
                                                              : Cause::kNone;
    default:
      return Cause::kNone;
  }
}

Status Invalid(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 16));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return Status::InvalidArgument("haproxy_termination: \"" + shown + "\" " + std::string(why));
}

}  // namespace

Status DecodeHaproxyTermination(std::string_view text, const LineContext& /*ctx*/,
                                Event* event) {
  if (text.size() != 2 && text.size() != 4) {
    return Invalid(text, "is not a 2- or 4-character termination state");
  }
  const char who = text[0];
  const char phase = text[1];
  if (kWho.find(who) == std::string_view::npos) return Invalid(text, "has an unknown 1st char");
  if (kPhase.find(phase) == std::string_view::npos) {
    return Invalid(text, "has an unknown 2nd char");
  }
  if (text.size() == 4 && (kCookieIn.find(text[2]) == std::string_view::npos ||
                           kCookieOut.find(text[3]) == std::string_view::npos)) {
    return Invalid(text, "has an unknown cookie char");
  }

  event->detail.assign(text);
  event->cause = CauseOf(who, phase, *event);
  if (phase != '-') event->phase.assign(PhaseName(phase));
  if (who != '-') event->SetExtra("ended_by", EndedBy(who));
  if (text.size() == 4 && (text[2] != '-' || text[3] != '-')) {
    event->SetExtra("cookie", text.substr(2));
  }
  return Status::Ok();
}

}  // namespace culprit::parsers
