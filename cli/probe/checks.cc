#include "cli/probe/checks.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/probe/http.h"
#include "cli/probe/keepalive.h"
#include "cli/probe/stream.h"

namespace culprit::cli::probe {
namespace {

using std::chrono::steady_clock;

struct Family {
  const char* label;
  const char* ciphers;  // TLS <= 1.2
  const char* suites;   // TLS 1.3
};

// The main cipher families a client may depend on. TLS <= 1.2 families are
// OpenSSL cipher strings offered with versions 1.0-1.2; the 1.3 suites are
// offered alone with TLS 1.3.
constexpr Family kFamilies[] = {
    {"ECDHE-ECDSA AES-GCM", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384", ""},
    {"ECDHE-RSA AES-GCM", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", ""},
    {"ECDHE CHACHA20-POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305", ""},
    {"ECDHE AES-CBC", "kECDHE+AES:!AESGCM:!AESCCM", ""},
    {"DHE AES", "kDHE+AES", ""},
    {"RSA key exchange", "kRSA+AES", ""},
    {"TLS_AES_128_GCM_SHA256", "", "TLS_AES_128_GCM_SHA256"},
    {"TLS_AES_256_GCM_SHA384", "", "TLS_AES_256_GCM_SHA384"},
    {"TLS_CHACHA20_POLY1305_SHA256", "", "TLS_CHACHA20_POLY1305_SHA256"},
};

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

std::string Seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
  return buf;
}

bool Contains(const std::string& s, std::string_view needle) {
  return s.find(needle) != std::string::npos;
}

// The server answered the ClientHello with bytes that are not TLS.
bool NotTlsAnswer(const std::string& reason) {
  return Contains(reason, "wrong version number") || Contains(reason, "packet length too long") ||
         Contains(reason, "record layer failure") || Contains(reason, "http request");
}

// `full`: with the certificate and its verification (the matrix rows
// repeat only what differs).
std::string TlsSummary(const TlsInfo& t, bool full) {
  std::string s = t.version + " " + t.cipher;
  if (!t.alpn.empty()) s += ", ALPN " + t.alpn;
  if (!full) return s;
  if (!t.subject.empty()) s += "; cert " + t.subject;
  if (!t.not_after.empty()) s += " until " + t.not_after.substr(0, 10);
  if (!t.verify.empty()) s += "; verify: " + t.verify;
  return s;
}

// Words for a failed operation, for the detail column.
std::string FailureText(const IoResult& io, std::string_view during, const std::string& timeout) {
  std::string s;
  switch (io.outcome) {
    case NetOutcome::kRefused: s = "refused (RST to the SYN: nothing listens)"; break;
    case NetOutcome::kReset: s = "reset (RST) " + std::string(during); break;
    case NetOutcome::kClosed:
      s = io.reason == "close_notify" ? "closed (close_notify) " + std::string(during)
                                       : "closed (FIN) " + std::string(during);
      if (!io.reason.empty() && io.reason != "close_notify") s += ": " + io.reason;
      break;
    case NetOutcome::kTimeout: s = "no answer within " + timeout + " " + std::string(during); break;
    case NetOutcome::kTlsError: s = io.reason; break;
    case NetOutcome::kUnreachable: s = "unreachable: " + io.ClientError(); break;
    default: s = io.reason.empty() ? io.ClientError() : io.reason; break;
  }
  return s;
}

std::string ResultWord(const IoResult& io, bool tls) {
  if (io.outcome == NetOutcome::kTlsError && tls) return "rejected";
  return std::string(NetOutcomeName(io.outcome));
}

class Runner {
 public:
  explicit Runner(const ProbeConfig& c) : c_(c), timeout_text_(FormatDuration(c.timeout)) {}

  SteadyTime Deadline() const { return steady_clock::now() + c_.timeout; }

  void Fail(CheckResult* check, const IoResult& io, std::string phase, std::string_view during,
            bool tls) {
    check->passed = false;
    check->outcome = std::string(NetOutcomeName(io.outcome));
    check->result = ResultWord(io, tls);
    check->error = io.ClientError();
    check->phase = std::move(phase);
    check->detail = FailureText(io, during, timeout_text_);
    check->at = c_.clock->Now();
    check->reportable = true;
  }

  // Connects for `check`. Returns false (the check failed) or the socket.
  bool Connect(CheckResult* check, Socket* out) {
    const SteadyTime start = steady_clock::now();
    const IoResult io = Socket::Connect(c_.address, Deadline(), out);
    check->ms = MillisSince(start);
    check->remote = c_.address.ToString();
    if (!io.ok()) {
      Fail(check, io, "connect", "while connecting", false);
      return false;
    }
    check->local = out->LocalAddress();
    return true;
  }

  // A handshake with `tls`; keeps the stream in *keep when given.
  CheckResult Handshake(std::string name, std::string label, const TlsConfig& tls,
                        bool full_detail, std::unique_ptr<TlsStream>* keep = nullptr) {
    CheckResult check;
    check.name = std::move(name);
    check.label = std::move(label);
    Socket s;
    if (!Connect(&check, &s)) return check;
    const SteadyTime start = steady_clock::now();
    std::unique_ptr<TlsStream> stream;
    TlsInfo info;
    IoResult io = TlsStream::Handshake(std::move(s), tls, Deadline(), &stream, &info);
    check.ms = MillisSince(start);
    if (io.ok() && info.version == "TLSv1.3") {
      // In TLS 1.3 the server judges the client's certificate after the
      // client's side is done; its alert comes with the first read.
      const double wait_ms = std::clamp(check.ms * 2, 100.0, 1000.0);
      std::string ignored;
      const IoResult r =
          stream->Recv(&ignored, steady_clock::now() + std::chrono::microseconds(
                                                           static_cast<int64_t>(wait_ms * 1000)));
      if (r.outcome != NetOutcome::kTimeout && !r.ok()) io = r;
    }
    if (!io.ok()) {
      Fail(&check, io, "tls_handshake", "during the TLS handshake", true);
      return check;
    }
    check.passed = true;
    check.outcome = "ok";
    check.result = "accepted";
    check.detail = TlsSummary(info, full_detail);
    check.tls = info;
    check.at = c_.clock->Now();
    if (keep != nullptr) *keep = std::move(stream);
    return check;
  }

  TlsConfig Tls() const {
    TlsConfig t = c_.tls;
    t.sni = c_.sni;
    t.verify_host = c_.sni.empty() ? c_.target.host : c_.sni;
    return t;
  }

  std::string Host() const {
    if (!c_.sni.empty()) return c_.sni;
    return c_.target.port == 80 || c_.target.port == 443 ? c_.target.host : c_.target.ToString();
  }

  // plain_http: a plain GET, and how the server answers and closes.
  CheckResult PlainHttp(bool* got_http, bool* plain_to_https) {
    CheckResult check;
    check.name = "plain_http";
    check.label = "plain HTTP GET " + c_.path;
    Socket s;
    if (!Connect(&check, &s)) return check;
    PlainStream stream(std::move(s));
    const HttpExchange x = Exchange(stream, BuildRequest(c_.path, Host(), true), Deadline());
    check.ms = x.total_ms;
    const bool complete = x.parse.state == HttpParseState::kComplete;
    if (!complete) {
      // Non-HTTP bytes, or nothing before a close, reset or timeout.
      IoResult io = x.io;
      if (x.bytes_received > 0 && io.outcome == NetOutcome::kError) {
        // Garbage: wait for how the server ends it.
        std::string more;
        io = stream.Recv(&more, steady_clock::now() + std::chrono::milliseconds(500));
      }
      if (x.bytes_received == 0 || io.outcome != NetOutcome::kOk) {
        Fail(&check, io.outcome == NetOutcome::kOk ? IoResult{NetOutcome::kTimeout, 0, 0, {}} : io,
             x.phase.empty() ? "awaiting_response" : x.phase, "without an HTTP answer", false);
      }
      if (x.bytes_received > 0) {
        check.detail = "answered " + std::to_string(x.bytes_received) +
                       " bytes that are not HTTP: \"" + Printable(x.raw_start, 24) + "\"; then " +
                       (check.outcome.empty() ? "open" : check.outcome);
        check.reportable = false;
        check.result = "not HTTP";
      }
      return check;
    }
    const HttpResponse& r = x.parse.response;
    *got_http = true;
    const std::string text = BodyText(r.body, 200);
    *plain_to_https = r.status == 400 && (Contains(text, "plain HTTP request was sent to HTTPS") ||
                                          Contains(text, "HTTPS port"));
    check.passed = true;
    check.outcome = "ok";
    check.http_status = r.status;
    check.result = std::to_string(r.status);
    check.at = c_.clock->Now();
    // How the connection ends after the answer (a short look).
    std::string more;
    const IoResult after = stream.Recv(&more, steady_clock::now() + std::chrono::milliseconds(500));
    std::string close = after.outcome == NetOutcome::kClosed  ? "then close (FIN)"
                        : after.outcome == NetOutcome::kReset ? "then reset (RST)"
                        : after.outcome == NetOutcome::kTimeout ? "connection stays open"
                                                                : "then " + after.ClientError();
    check.detail = std::to_string(r.status) + (r.reason.empty() ? "" : " " + r.reason);
    if (*plain_to_https) {
      check.detail = "400 \"The plain HTTP request was sent to HTTPS port\"";
    } else if (!r.Header("Server").empty()) {
      check.detail += ", server " + Printable(r.Header("Server"), 40);
    }
    check.detail += ", " + close;
    return check;
  }

  // http + keepalive_idle + idle_reuse, on one connection.
  void HttpAndKeepAlive(bool use_tls, ProbeResult* result) {
    CheckResult check;
    check.name = "http";
    check.label = std::string(use_tls ? "HTTPS" : "HTTP") + " GET " + c_.path;
    std::unique_ptr<Stream> stream;
    double tls_ms = -1;
    if (use_tls) {
      TlsConfig t = Tls();
      t.alpn = {"http/1.1"};
      std::unique_ptr<TlsStream> tls_stream;
      CheckResult hs = Handshake("http", check.label, t, false, &tls_stream);
      if (!hs.passed) {
        hs.label = check.label;
        result->checks.push_back(std::move(hs));
        return;
      }
      tls_ms = hs.ms;
      check.local = hs.local;
      check.remote = hs.remote;
      check.tls = hs.tls;
      stream = std::move(tls_stream);
    } else {
      Socket s;
      if (!Connect(&check, &s)) {
        result->checks.push_back(std::move(check));
        return;
      }
      stream = std::make_unique<PlainStream>(std::move(s));
    }
    const std::string request = BuildRequest(c_.path, Host(), true);
    const HttpExchange x = Exchange(*stream, request, Deadline());
    const SteadyTime response_end = steady_clock::now();
    check.ms = x.total_ms;
    if (x.parse.state != HttpParseState::kComplete) {
      Fail(&check, x.io, x.phase, "without an HTTP answer", false);
      if (x.bytes_received > 0) {
        check.detail += "; received \"" + Printable(x.raw_start, 24) + "\"";
      }
      result->checks.push_back(std::move(check));
      return;
    }
    const HttpResponse& r = x.parse.response;
    check.passed = true;
    check.outcome = "ok";
    check.http_status = r.status;
    check.result = std::to_string(r.status);
    check.at = c_.clock->Now();
    check.detail = r.version + " " + std::to_string(r.status) + (r.reason.empty() ? "" : " " + r.reason);
    if (!r.Header("Server").empty()) check.detail += ", server " + Printable(r.Header("Server"), 40);
    check.detail += r.keep_alive ? ", keep-alive" : ", Connection: close";
    if (!r.Header("Keep-Alive").empty()) {
      check.detail += " (" + Printable(r.Header("Keep-Alive"), 40) + ")";
    }
    if (tls_ms >= 0) check.detail += "; TLS " + Ms(tls_ms);
    if (x.first_byte_ms >= 0) check.detail += ", first byte " + Ms(x.first_byte_ms);
    const std::string local = check.local, remote = check.remote;
    result->checks.push_back(std::move(check));
    if (!c_.keepalive) return;

    CheckResult idle;
    idle.name = "keepalive_idle";
    idle.label = "keep-alive idle";
    idle.local = local;
    idle.remote = remote;
    result->max_idle_s = std::chrono::duration<double>(c_.max_idle).count();
    if (!r.keep_alive) {
      // Did the server close right after the response?
      std::string more;
      const IoResult after = stream->Recv(&more, Deadline());
      idle.passed = true;
      idle.outcome = std::string(NetOutcomeName(after.outcome));
      idle.result = "no keep-alive";
      idle.detail = "the server ends the connection after each response (" +
                    std::string(after.outcome == NetOutcome::kClosed ? "FIN" : idle.outcome) + ")";
      result->checks.push_back(std::move(idle));
      return;
    }
    const IdleWatch w = WatchIdle(*stream, response_end, response_end + c_.max_idle);
    idle.idle_ms = w.idle_ms;
    idle.ms = w.idle_ms;
    idle.at = c_.clock->Now();
    idle.passed = true;
    idle.outcome = std::string(NetOutcomeName(w.end.outcome));
    if (w.end.outcome == NetOutcome::kTimeout) {
      result->idle_kept_open = true;
      idle.result = ">= " + Seconds(w.idle_ms);
      idle.detail = "still open after " + Seconds(w.idle_ms) + " (--max-idle)";
      result->checks.push_back(std::move(idle));
      return;
    }
    std::string how = w.end.outcome == NetOutcome::kClosed
                          ? (w.end.reason == "close_notify" ? "close_notify" : "fin")
                          : w.end.outcome == NetOutcome::kReset ? "reset" : idle.outcome;
    result->idle_close_s = w.idle_ms / 1000;
    result->idle_close_how = how;
    idle.result = Seconds(w.idle_ms);
    idle.detail = "the server closed the idle connection after " + Seconds(w.idle_ms) + " (" +
                  (how == "fin" ? "FIN" : how == "reset" ? "RST" : how == "close_notify"
                                                                   ? "TLS close_notify, FIN"
                                                                   : w.end.ClientError()) +
                  ")";
    if (w.unexpected_bytes > 0) {
      idle.detail += "; it sent " + std::to_string(w.unexpected_bytes) + " bytes while idle";
    }
    result->checks.push_back(std::move(idle));

    // Reuse it, as a pooling client that missed the close would.
    CheckResult reuse;
    reuse.name = "idle_reuse";
    reuse.label = "reuse after idle close";
    reuse.local = local;
    reuse.remote = remote;
    reuse.idle_ms = MillisBetween(response_end, steady_clock::now());
    std::string phase;
    int status = 0;
    const SteadyTime start = steady_clock::now();
    const std::string error = ReuseAfterClose(*stream, request, Deadline(), &phase, &status);
    reuse.ms = MillisSince(start);
    reuse.at = c_.clock->Now();
    reuse.http_status = status;
    if (error.empty()) {
      reuse.passed = true;
      reuse.outcome = "ok";
      reuse.result = std::to_string(status);
      reuse.detail = "a response came on the closed connection";
    } else {
      reuse.passed = false;
      reuse.outcome = error == "EOF" ? "closed" : Contains(error, "SSL") ? "tls_error" : "reset";
      reuse.result = error;
      reuse.error = error;
      reuse.phase = "idle_reuse";
      reuse.reportable = true;
      reuse.detail = "a request after " + Seconds(reuse.idle_ms) + " idle gets " + error +
                     (error == "EOF" ? " (no response)" : "");
    }
    result->checks.push_back(std::move(reuse));
  }

  const ProbeConfig& c_;
  const std::string timeout_text_;
};

}  // namespace

ProbeResult RunChecks(const ProbeConfig& config) {
  Runner run(config);
  ProbeResult result;
  result.target = config.target.ToString();
  result.address = config.address.ToString();
  result.sni = config.sni;
  result.max_idle_s = std::chrono::duration<double>(config.max_idle).count();

  CheckResult connect;
  connect.name = "tcp_connect";
  connect.label = "TCP connect";
  {
    Socket s;
    if (!run.Connect(&connect, &s)) {
      result.speaks = "none";
      result.speaks_detail = "no connection: " + connect.detail;
      result.checks.push_back(std::move(connect));
      return result;
    }
    connect.passed = true;
    connect.outcome = connect.result = "ok";
    connect.detail = connect.local + " -> " + connect.remote;
    connect.at = config.clock->Now();
  }
  result.checks.push_back(std::move(connect));

  // What the port speaks.
  TlsConfig tls = run.Tls();
  TlsConfig offered = tls;
  offered.alpn = {"h2", "http/1.1"};
  CheckResult hello = run.Handshake(
      "tls", config.sni.empty() ? "TLS handshake (no SNI)" : "TLS handshake (SNI " + config.sni + ")",
      offered, true);
  bool got_http = false, plain_to_https = false;
  CheckResult plain = run.PlainHttp(&got_http, &plain_to_https);
  const bool tls_alert = !hello.passed && hello.outcome == "tls_error" &&
                         Contains(hello.detail, "alert");
  const bool not_tls = !hello.passed && hello.outcome == "tls_error" && NotTlsAnswer(hello.detail);
  const bool speaks_tls = hello.passed || tls_alert || plain_to_https;
  const bool speaks_http = got_http && !plain_to_https;
  result.speaks = speaks_tls && speaks_http ? "tls+http"
                  : speaks_tls             ? "tls"
                  : speaks_http            ? "http"
                                           : "unknown";
  if (speaks_tls) {
    result.speaks_detail = "speaks TLS" + (hello.tls ? " (" + hello.tls->version + ")" : "") +
                           "; plain HTTP gets: " + plain.detail;
  } else if (speaks_http) {
    result.speaks_detail =
        "speaks plain HTTP; a TLS ClientHello gets: " + hello.detail +
        (not_tls ? " (the server answered with non-TLS bytes)" : "");
  } else {
    result.speaks_detail = "neither TLS nor HTTP answered: TLS gets: " + hello.detail +
                           "; plain HTTP gets: " + plain.detail;
  }
  // A failed TLS handshake on a plain port is the expected mismatch, still
  // what a TLS client there would see: keep it reportable.
  result.checks.push_back(hello);
  result.checks.push_back(plain);

  if (speaks_tls) {
    bool any12 = false, any13 = false;
    for (int v : {kTls10, kTls11, kTls12, kTls13}) {
      TlsConfig t = tls;
      t.min_version = t.max_version = v;
      CheckResult c = run.Handshake("tls_version", TlsVersionName(v), t, false);
      if (c.passed) (v == kTls13 ? any13 : any12) = true;
      result.checks.push_back(std::move(c));
    }
    for (const Family& f : kFamilies) {
      const bool v13 = *f.suites != '\0';
      if (v13 ? !any13 : !any12) continue;  // the version check already says why
      TlsConfig t = tls;
      if (v13) {
        t.min_version = t.max_version = kTls13;
        t.ciphersuites = f.suites;
      } else {
        t.min_version = kTls10;
        t.max_version = kTls12;
        t.cipher_list = f.ciphers;
      }
      result.checks.push_back(run.Handshake("cipher", f.label, t, false));
    }
    if (!config.sni.empty()) {
      TlsConfig t = tls;
      t.sni.clear();
      result.checks.push_back(run.Handshake("tls_no_sni", "TLS handshake without SNI", t, true));
    }
    if (!config.tls.cert_file.empty()) {
      TlsConfig t = tls;
      t.cert_file.clear();
      t.key_file.clear();
      result.checks.push_back(
          run.Handshake("tls_no_client_cert", "TLS handshake without client cert", t, false));
    }
  }
  if (speaks_tls || speaks_http) run.HttpAndKeepAlive(speaks_tls, &result);
  return result;
}

}  // namespace culprit::cli::probe
