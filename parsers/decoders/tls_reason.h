#ifndef CULPRIT_PARSERS_DECODERS_TLS_REASON_H_
#define CULPRIT_PARSERS_DECODERS_TLS_REASON_H_

// tls_reason decoder: turns the TLS error text that servers log into a
// stable reason and a cause.
//
// Accepts the whole message or just the error part, from:
//   OpenSSL 1.1/3 via nginx   "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number)"
//   stunnel                   "SSL_accept: ../ssl/statem/statem_srvr.c:1710: error:0A000102:SSL routines::unsupported protocol"
//   HAProxy                   "SSL handshake failure (error:0A0000C1:SSL routines::no shared cipher)"
//   Go crypto/tls             "tls: client offered only unsupported versions: [302 301]", "EOF"
//   BoringSSL / Python        "WRONG_VERSION_NUMBER", "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca"
//
// Sets on *event:
//   detail  a stable snake_case reason: "wrong_version_number", "http_request",
//           "unsupported_protocol", "no_shared_cipher", "certificate_required",
//           "unknown_ca", "bad_certificate", "certificate_expired",
//           "unrecognized_name", "inappropriate_fallback", "unexpected_eof", ...
//           ("other" when the text is TLS-related but not in the table).
//   cause   PROTOCOL_MISMATCH when the peer did not speak TLS at all
//           ("http request", "wrong version number", Go's "first record does
//           not look like a TLS handshake"); CLIENT_ABORT when the peer just
//           went away mid-handshake (EOF, reset); REQUEST_TIMEOUT for a
//           handshake timeout; otherwise TLS_HANDSHAKE_FAILED.
//   kind    tls
//   extra   "tls_error": the raw reason text (OpenSSL's reason field, or the
//           trimmed text, at most 200 bytes); "tls_error_code": the OpenSSL
//           hex code when present; "tls_alert": the alert number when the
//           text carries "SSL alert number N".
//
// Pure function; thread-safe. Fails (INVALID_ARGUMENT) only on empty text.
// REQUIRES: event != nullptr.

#include <string_view>

#include "base/status.h"
#include "parsers/event.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

Status DecodeTlsReason(std::string_view text, const LineContext& ctx, Event* event);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_DECODERS_TLS_REASON_H_
