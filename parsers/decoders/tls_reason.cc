#include "parsers/decoders/tls_reason.h"

#include <array>
#include <cstddef>
#include <string>

namespace culprit::parsers {
namespace {

constexpr size_t kMaxRawBytes = 200;
constexpr size_t kMaxSearchBytes = 4096;

// One known reason. `needle` is lower case with spaces; it is matched
// case-insensitively against the text with '_' read as ' ', so BoringSSL's
// "WRONG_VERSION_NUMBER" and OpenSSL's "wrong version number" both hit.
struct Reason {
  std::string_view needle;
  std::string_view detail;
  Cause cause;
};

// Order matters: the first entry found in the text wins, so more specific
// texts come before the texts they contain ("https proxy request" before
// "http request", "unable to get local issuer" before "certificate verify
// failed", alerts before generic failures).
constexpr std::array<Reason, 57> kReasons = {{
    // The peer did not speak TLS.
    {"https proxy request", "https_proxy_request", Cause::kProtocolMismatch},
    {"http request", "http_request", Cause::kProtocolMismatch},
    {"wrong version number", "wrong_version_number", Cause::kProtocolMismatch},
    {"first record does not look like a tls handshake", "not_tls", Cause::kProtocolMismatch},
    {"unknown protocol", "unknown_protocol", Cause::kProtocolMismatch},
    {"gave http response to https client", "http_response", Cause::kProtocolMismatch},
    {"plain http request", "http_request", Cause::kProtocolMismatch},
    {"packet length too long", "packet_length_too_long", Cause::kProtocolMismatch},
    // Versions.
    {"inappropriate fallback", "inappropriate_fallback", Cause::kTlsHandshakeFailed},
    {"unsupported protocol", "unsupported_protocol", Cause::kTlsHandshakeFailed},
    {"offered only unsupported versions", "unsupported_protocol", Cause::kTlsHandshakeFailed},
    {"unsupported, maximum protocol version", "unsupported_protocol", Cause::kTlsHandshakeFailed},
    {"version too low", "version_too_low", Cause::kTlsHandshakeFailed},
    {"version too high", "version_too_high", Cause::kTlsHandshakeFailed},
    {"alert protocol version", "protocol_version", Cause::kTlsHandshakeFailed},
    {"tls: protocol version not supported", "protocol_version", Cause::kTlsHandshakeFailed},
    {"unsupported sslv2 handshake", "sslv2_hello", Cause::kTlsHandshakeFailed},
    // Ciphers, groups, signature algorithms, ALPN.
    {"no shared cipher", "no_shared_cipher", Cause::kTlsHandshakeFailed},
    {"no cipher suite supported by both", "no_shared_cipher", Cause::kTlsHandshakeFailed},
    {"no cipher suites in common", "no_shared_cipher", Cause::kTlsHandshakeFailed},
    {"no ciphers available", "no_shared_cipher", Cause::kTlsHandshakeFailed},
    {"no suitable signature algorithm", "no_shared_sigalgs", Cause::kTlsHandshakeFailed},
    {"no shared signature algorithms", "no_shared_sigalgs", Cause::kTlsHandshakeFailed},
    {"no shared group", "no_shared_group", Cause::kTlsHandshakeFailed},
    {"bad key share", "no_shared_group", Cause::kTlsHandshakeFailed},
    {"no application protocol", "no_application_protocol", Cause::kTlsHandshakeFailed},
    {"unsupported application protocols", "no_application_protocol", Cause::kTlsHandshakeFailed},
    // Certificates (ours rejected by the client, or the client's rejected).
    {"certificate required", "certificate_required", Cause::kTlsHandshakeFailed},
    {"peer did not return a certificate", "certificate_required", Cause::kTlsHandshakeFailed},
    {"didn't provide a certificate", "certificate_required", Cause::kTlsHandshakeFailed},
    {"no required ssl certificate", "certificate_required", Cause::kTlsHandshakeFailed},
    {"unknown ca", "unknown_ca", Cause::kTlsHandshakeFailed},
    {"unknown certificate authority", "unknown_ca", Cause::kTlsHandshakeFailed},
    {"signed by unknown authority", "unknown_ca", Cause::kTlsHandshakeFailed},
    {"unable to get local issuer", "unknown_ca", Cause::kTlsHandshakeFailed},
    {"unable to get issuer certificate", "unknown_ca", Cause::kTlsHandshakeFailed},
    {"self-signed certificate", "unknown_ca", Cause::kTlsHandshakeFailed},
    {"self signed certificate", "unknown_ca", Cause::kTlsHandshakeFailed},
    {"certificate expired", "certificate_expired", Cause::kTlsHandshakeFailed},
    {"certificate has expired", "certificate_expired", Cause::kTlsHandshakeFailed},
    {"certificate revoked", "certificate_revoked", Cause::kTlsHandshakeFailed},
    {"bad certificate", "bad_certificate", Cause::kTlsHandshakeFailed},
    {"certificate unknown", "certificate_unknown", Cause::kTlsHandshakeFailed},
    {"unsupported certificate", "unsupported_certificate", Cause::kTlsHandshakeFailed},
    {"unrecognized name", "unrecognized_name", Cause::kTlsHandshakeFailed},
    {"missing server name", "unrecognized_name", Cause::kTlsHandshakeFailed},
    {"no certificate available for", "unrecognized_name", Cause::kTlsHandshakeFailed},
    {"certificate is valid for", "certificate_name_mismatch", Cause::kTlsHandshakeFailed},
    {"certificate verify failed", "certificate_verify_failed", Cause::kTlsHandshakeFailed},
    {"failed to verify certificate", "certificate_verify_failed", Cause::kTlsHandshakeFailed},
    {"certificate not trusted", "certificate_verify_failed", Cause::kTlsHandshakeFailed},
    {"ca chain cannot be verified", "certificate_verify_failed", Cause::kTlsHandshakeFailed},
    {"certificate verify error", "certificate_verify_failed", Cause::kTlsHandshakeFailed},
    // The peer went away or stalled mid-handshake.
    {"unexpected eof", "unexpected_eof", Cause::kClientAbort},
    {"connection reset by peer", "connection_reset", Cause::kClientAbort},
    {"i/o timeout", "timeout", Cause::kRequestTimeout},
    {"heartbeat", "heartbeat", Cause::kTlsHandshakeFailed},
}};

// Texts checked after kReasons (they are broad and would shadow it).
constexpr std::array<Reason, 13> kLateReasons = {{
    {"peer suddenly disconnected", "unexpected_eof", Cause::kClientAbort},
    {"peer closed connection", "unexpected_eof", Cause::kClientAbort},
    {"closed during ssl handshake", "unexpected_eof", Cause::kClientAbort},
    {"error during ssl handshake", "connection_reset", Cause::kClientAbort},
    {"timeout during ssl handshake", "timeout", Cause::kRequestTimeout},
    {"handshake timeout", "timeout", Cause::kRequestTimeout},
    {"renegotiation", "renegotiation_rejected", Cause::kTlsHandshakeFailed},
    {"bad record mac", "bad_record_mac", Cause::kTlsHandshakeFailed},
    {"decrypt error", "decrypt_error", Cause::kTlsHandshakeFailed},
    {"decode error", "decode_error", Cause::kTlsHandshakeFailed},
    {"illegal parameter", "illegal_parameter", Cause::kTlsHandshakeFailed},
    {"unexpected message", "unexpected_message", Cause::kTlsHandshakeFailed},
    {"handshake failure", "handshake_failure", Cause::kTlsHandshakeFailed},
}};

char Fold(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  if (c == '_') return ' ';
  return c;
}

// Position of `needle` (lower case) in `text`, compared through Fold(); npos
// if absent. Quadratic in the worst case, but texts are short (the engine
// passes one capture) and needles are a few dozen bytes.
size_t FindFolded(std::string_view text, std::string_view needle) {
  if (needle.empty() || needle.size() > text.size()) return std::string_view::npos;
  const size_t last = text.size() - needle.size();
  for (size_t i = 0; i <= last; ++i) {
    size_t j = 0;
    while (j < needle.size() && Fold(text[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// An OpenSSL error-queue entry "error:CODE:LIB:FUNC:REASON[:extra]" (1.1.1
// has a function name, 3.x leaves it empty). `reason` ends at ':' or ')'
// or the end; entries are separated by spaces in nginx's rendering.
struct OpensslEntry {
  std::string_view code;
  std::string_view reason;
};

// Finds the first entry at or after `from`; returns the position after it,
// or npos when there is none.
size_t NextOpensslEntry(std::string_view text, size_t from, OpensslEntry* out) {
  while (true) {
    const size_t at = text.find("error:", from);
    if (at == std::string_view::npos) return at;
    size_t p = at + 6;
    const size_t code_begin = p;
    while (p < text.size() && IsHex(text[p])) ++p;
    const size_t code_end = p;
    if (code_end - code_begin < 1 || code_end - code_begin > 16 || p >= text.size() ||
        text[p] != ':') {
      from = at + 6;
      continue;
    }
    // Skip LIB and FUNC (two more ':'-terminated fields).
    int fields = 0;
    ++p;
    while (p < text.size() && fields < 2) {
      if (text[p] == ':') ++fields;
      if (text[p] == ')') break;
      ++p;
    }
    if (fields < 2) {
      from = at + 6;
      continue;
    }
    const size_t reason_begin = p;
    while (p < text.size() && text[p] != ':' && text[p] != ')' &&
           !(text[p] == ' ' && text.substr(p + 1).starts_with("error:"))) {
      ++p;
    }
    out->code = text.substr(code_begin, code_end - code_begin);
    out->reason = Trim(text.substr(reason_begin, p - reason_begin));
    return p;
  }
}

const Reason* Lookup(std::string_view text) {
  for (const Reason& r : kReasons) {
    if (FindFolded(text, r.needle) != std::string_view::npos) return &r;
  }
  for (const Reason& r : kLateReasons) {
    if (FindFolded(text, r.needle) != std::string_view::npos) return &r;
  }
  return nullptr;
}

// "SSL alert number 46" -> "46"; empty if absent.
std::string_view AlertNumber(std::string_view text) {
  const size_t at = FindFolded(text, "alert number ");
  if (at == std::string_view::npos) return {};
  size_t p = at + 13;
  const size_t begin = p;
  while (p < text.size() && p - begin < 3 && text[p] >= '0' && text[p] <= '9') ++p;
  return text.substr(begin, p - begin);
}

}  // namespace

Status DecodeTlsReason(std::string_view text, const LineContext& /*ctx*/, Event* event) {
  // TLS error texts are short; a huge capture is searched only at its start
  // so the cost per line stays bounded.
  const std::string_view trimmed = Trim(text.substr(0, kMaxSearchBytes));
  if (trimmed.empty()) return Status::InvalidArgument("tls_reason: empty TLS error text");

  event->kind = EventKind::kTls;

  // Prefer the reason field of an OpenSSL queue entry: it is the stable
  // part, and it keeps "SSL routines" out of the substring search. With
  // several queued entries the first known reason wins.
  const Reason* found = nullptr;
  OpensslEntry entry;
  OpensslEntry first_entry;
  bool have_entry = false;
  for (size_t pos = 0; (pos = NextOpensslEntry(trimmed, pos, &entry)) != std::string_view::npos;) {
    if (!have_entry) first_entry = entry;
    have_entry = true;
    if ((found = Lookup(entry.reason)) != nullptr) {
      first_entry = entry;
      break;
    }
  }
  if (found == nullptr) found = Lookup(trimmed);

  // Go logs a bare "EOF" when the client closes before its ClientHello.
  if (found == nullptr && (trimmed == "EOF" || trimmed.ends_with(": EOF"))) {
    static constexpr Reason kEof = {"eof", "unexpected_eof", Cause::kClientAbort};
    found = &kEof;
  }

  if (found != nullptr) {
    event->detail.assign(found->detail);
    event->cause = found->cause;
  } else {
    // TLS-related text outside the table: still a handshake failure (the
    // format only sends TLS error text here), so keep the line and its join
    // keys rather than rejecting it; the raw text is kept below.
    event->detail.assign("other");
    event->cause = Cause::kTlsHandshakeFailed;
  }

  std::string_view raw = have_entry && !first_entry.reason.empty() ? first_entry.reason : trimmed;
  if (raw.size() > kMaxRawBytes) raw = raw.substr(0, kMaxRawBytes);
  event->SetExtra("tls_error", raw);
  if (have_entry) event->SetExtra("tls_error_code", first_entry.code);
  if (const std::string_view alert = AlertNumber(trimmed); !alert.empty()) {
    event->SetExtra("tls_alert", alert);
  }
  return Status::Ok();
}

}  // namespace culprit::parsers
