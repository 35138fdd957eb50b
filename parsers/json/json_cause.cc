#include "parsers/json/json_cause.h"

#include <algorithm>

namespace culprit::parsers::json_internal {
namespace {

struct Needle {
  std::string_view text;  // lower case
  Cause cause;
};

// Envoy %RESPONSE_FLAGS% short names (envoyproxy/envoy:
// source/common/stream_info/utility.h) -> category, RESET_SIGNATURES §5.1.
constexpr Needle kEnvoyFlags[] = {
    {"DC", Cause::kClientAbort},         {"DR", Cause::kClientAbort},
    {"DPE", Cause::kProtocolMismatch},   {"SI", Cause::kIdleTimeout},
    {"DT", Cause::kIdleTimeout},         {"UC", Cause::kUpstreamFailure},
    {"UF", Cause::kUpstreamFailure},     {"UR", Cause::kUpstreamFailure},
    {"LR", Cause::kUpstreamFailure},     {"UT", Cause::kUpstreamTimeout},
    {"UMSDR", Cause::kUpstreamTimeout},  {"URX", Cause::kUpstreamFailure},
    {"UH", Cause::kUpstreamFailure},     {"UO", Cause::kResourceExhaustion},
    {"UPE", Cause::kUpstreamFailure},    {"NR", Cause::kRequestRejected},
    {"NC", Cause::kRequestRejected},     {"NFCF", Cause::kRequestRejected},
    {"RL", Cause::kRateLimited},         {"RLSE", Cause::kRateLimited},
    {"UAEX", Cause::kRequestRejected},   {"IH", Cause::kRequestRejected},
    {"OM", Cause::kResourceExhaustion},  {"DO", Cause::kResourceExhaustion},
    {"DF", Cause::kUpstreamFailure},     {"LH", Cause::kUpstreamFailure},
};

// Go's `http: TLS handshake error from ip:port: <err>` (§6.4), also bridged
// by Caddy as logger http.stdlib and logged by Traefik at debug.
constexpr Needle kTlsHandshakeErrors[] = {
    {"first record does not look like a tls handshake", Cause::kProtocolMismatch},
    {"connection reset by peer", Cause::kClientAbort},
    {"i/o timeout", Cause::kRequestTimeout},
    {": eof", Cause::kClientAbort},
};

// Specific texts, checked in order against error then message.
constexpr Needle kTexts[] = {
    {"out of memory", Cause::kResourceExhaustion},
    {"outofmemoryerror", Cause::kResourceExhaustion},
    {"memoryerror", Cause::kResourceExhaustion},
    {"too many open files", Cause::kResourceExhaustion},
    {"cannot allocate memory", Cause::kResourceExhaustion},
    {"was sent sigkill", Cause::kResourceExhaustion},
    {"panic serving", Cause::kAppError},
    {"worker timeout", Cause::kAppError},
    {"harakiri", Cause::kAppError},
    {"rate limit", Cause::kRateLimited},
    {"too many requests", Cause::kRateLimited},
    {"dial tcp", Cause::kUpstreamFailure},
    {"no healthy upstream", Cause::kUpstreamFailure},
    {"upstream connect error", Cause::kUpstreamFailure},
    {"context deadline exceeded", Cause::kUpstreamTimeout},
    {"i/o timeout", Cause::kUpstreamTimeout},
    {"gateway timeout", Cause::kUpstreamTimeout},
    {"context canceled", Cause::kClientAbort},
    {"broken pipe", Cause::kClientAbort},
    {"brokenpipeerror", Cause::kClientAbort},
    {"connection reset by peer", Cause::kClientAbort},
    {"connectionreseterror", Cause::kClientAbort},
    {"connection reset", Cause::kClientAbort},
    {"clientabortexception", Cause::kClientAbort},
    {"eofexception", Cause::kClientAbort},
    {"client went away", Cause::kClientAbort},
    {"client closed", Cause::kClientAbort},
    {"client disconnected", Cause::kClientAbort},
    {"downstream_remote_disconnect", Cause::kClientAbort},
    {"unexpected eof", Cause::kUpstreamFailure},
    {"bad gateway", Cause::kUpstreamFailure},
};

// Process lifecycle, checked at any level.
constexpr Needle kLifecycle[] = {
    {"shutting down", Cause::kServerShutdown},
    {"handling signal", Cause::kServerShutdown},
    {"graceful shutdown", Cause::kServerShutdown},
    {"received sigterm", Cause::kServerShutdown},
    {"worker exiting", Cause::kServerShutdown},
    {"exiting", Cause::kServerShutdown},
    {"shutdown complete", Cause::kServerShutdown},
};

// With an error-or-worse level: the app failed mid-request.
constexpr std::string_view kCrashWords[] = {
    "exception", "traceback", "crash",   "aborting connection", "unhandled",
    "fatal",     "panic",     "died",    "killed",              "exited",
    "segfault",  "core dump", "aborted",
};

constexpr size_t kScanBytes = 512;

// Lower-cases the first kScanBytes of `in` into `buf`.
std::string_view LowerPrefix(std::string_view in, char* buf) {
  const size_t n = std::min(in.size(), kScanBytes);
  for (size_t i = 0; i < n; ++i) {
    const char c = in[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::string_view(buf, n);
}

bool FirstNeedle(std::string_view text, const Needle* begin, const Needle* end, Cause* out) {
  if (text.empty()) return false;
  for (const Needle* n = begin; n != end; ++n) {
    if (text.find(n->text) != std::string_view::npos) {
      *out = n->cause;
      return true;
    }
  }
  return false;
}

template <size_t N>
bool FirstNeedle(std::string_view text, const Needle (&table)[N], Cause* out) {
  return FirstNeedle(text, table, table + N, out);
}

bool EnvoyFlags(std::string_view flags, Cause* out) {
  // "UC", "UF,URX": the first known flag wins.
  while (!flags.empty()) {
    const size_t comma = flags.find(',');
    const std::string_view flag = flags.substr(0, comma);
    for (const Needle& n : kEnvoyFlags) {
      if (n.text == flag) {
        *out = n.cause;
        return true;
      }
    }
    if (comma == std::string_view::npos) break;
    flags.remove_prefix(comma + 1);
  }
  return false;
}

bool TextCause(std::string_view lower, Cause* out) {
  if (lower.empty()) return false;
  // Caddy's reverse proxy says which side failed (§5.2).
  if (lower.starts_with("reading: ")) {
    *out = Cause::kUpstreamFailure;
    return true;
  }
  if (lower.starts_with("writing: ")) {
    *out = Cause::kClientAbort;
    return true;
  }
  if (lower.find("tls handshake error") != std::string_view::npos) {
    if (!FirstNeedle(lower, kTlsHandshakeErrors, out)) *out = Cause::kTlsHandshakeFailed;
    return true;
  }
  return FirstNeedle(lower, kTexts, out);
}

bool StatusCause(int status, Cause* out) {
  switch (status) {
    case 499: *out = Cause::kClientAbort; return true;
    case 408: *out = Cause::kRequestTimeout; return true;
    case 429: *out = Cause::kRateLimited; return true;
    case 502:
    case 503: *out = Cause::kUpstreamFailure; return true;
    case 504: *out = Cause::kUpstreamTimeout; return true;
    default: break;
  }
  if (status >= 500 && status <= 599) {
    *out = Cause::kAppError;
    return true;
  }
  return false;
}

bool MentionsCrash(std::string_view lower) {
  for (std::string_view w : kCrashWords) {
    if (lower.find(w) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

Cause ClassifyJsonLine(const CauseInput& in) {
  Cause cause = Cause::kNone;
  if (!in.detail.empty() && in.detail != "-" && EnvoyFlags(in.detail, &cause)) return cause;

  const bool bad_status = in.status.has_value() && *in.status >= 400;
  const bool noteworthy = !in.error.empty() || bad_status ||
                          (in.severity.has_value() && *in.severity <= 4);
  char error_buf[kScanBytes];
  char message_buf[kScanBytes];
  const std::string_view error = LowerPrefix(in.error, error_buf);
  const std::string_view message = LowerPrefix(in.message, message_buf);

  if (noteworthy) {
    if (TextCause(error, &cause) || TextCause(message, &cause)) return cause;
    if (in.status.has_value() && StatusCause(*in.status, &cause)) return cause;
    if (in.severity.has_value() && *in.severity <= 3 &&
        (MentionsCrash(message) || MentionsCrash(error))) {
      return Cause::kAppError;
    }
    // An error-or-worse line that carries an error of its own ("IndexError:
    // list index out of range", "OperationalError: deadlock detected"): the
    // request failed in the app, whatever the words. Not with a 4xx status:
    // then the app refused the request (an invalid token, a missing route).
    if (in.severity.has_value() && *in.severity <= 3 && !in.error.empty() &&
        !(in.status.has_value() && *in.status < 500)) {
      return Cause::kAppError;
    }
  }
  // Whatever the level: Traefik logs TLS handshake errors at debug.
  if (message.find("tls handshake error") != std::string_view::npos) {
    TextCause(message, &cause);
    return cause;
  }
  if (FirstNeedle(message, kLifecycle, &cause)) return cause;
  return Cause::kNone;
}

}  // namespace culprit::parsers::json_internal
