#ifndef CULPRIT_CLI_PROBE_TLS_H_
#define CULPRIT_CLI_PROBE_TLS_H_

// TLS client handshakes for `culprit probe`, with OpenSSL.
//
// The probe wants to learn what a server accepts, so the client offers
// everything OpenSSL can: security level 0 ("@SECLEVEL=0"), which Debian's
// OpenSSL 3 needs before it will offer TLS 1.0/1.1 or plain-RSA key
// exchange. Certificates are never enforced: the verification result is
// reported (against --ca or the system's CAs, and the host name), and the
// handshake goes on either way.
//
// Thread-compatible; each handshake has its own SSL_CTX.
// REQUIRES: SIGPIPE ignored in the process (OpenSSL writes with write(2),
// and a server that closed must yield EPIPE, not kill the client);
// RunProbe() does this.

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "cli/probe/stream.h"

struct ssl_st;
struct ssl_ctx_st;

namespace culprit::cli::probe {

// Protocol versions as on the wire (OpenSSL's TLS1_VERSION...).
inline constexpr int kTls10 = 0x0301;
inline constexpr int kTls11 = 0x0302;
inline constexpr int kTls12 = 0x0303;
inline constexpr int kTls13 = 0x0304;

// "TLSv1.0".."TLSv1.3"; "any" for 0.
std::string TlsVersionName(int version);

struct TlsConfig {
  int min_version = 0;         // 0: the lowest OpenSSL supports
  int max_version = 0;         // 0: the highest
  std::string cipher_list;     // TLS <= 1.2, OpenSSL syntax; "" = "DEFAULT"
  std::string ciphersuites;    // TLS 1.3; "" = OpenSSL's default
  std::string sni;             // server name sent; "" = none
  std::string verify_host;     // name or IP the certificate is checked for
  std::string cert_file;       // client certificate chain (PEM), optional
  std::string key_file;        // its key (PEM); with cert_file
  std::string ca_file;         // CAs to verify with; "" = system default
  std::vector<std::string> alpn;  // protocols offered, e.g. {"h2", "http/1.1"}
};

// What a successful handshake negotiated.
struct TlsInfo {
  std::string version;    // "TLSv1.3"
  std::string cipher;     // "TLS_AES_256_GCM_SHA384"
  std::string alpn;       // selected protocol, "" if none
  std::string subject;    // leaf certificate subject, RFC 2253 ("CN=e2e.local")
  std::string issuer;
  std::string not_after;  // "2026-11-25T20:01:30Z"
  std::string verify;     // "ok" or OpenSSL's verify error text
};

// Checks that the client certificate and key (and CA file) load. Error
// (InvalidArgument) names the file and OpenSSL's reason.
Status CheckTlsFiles(const TlsConfig& config);

// A TLS connection after a successful handshake.
class TlsStream final : public Stream {
 public:
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Runs a client handshake over `socket` until `deadline`. On success
  // *out is the stream and *info what was negotiated. On failure the
  // outcome says how it ended: kTlsError with OpenSSL's reason (an alert
  // from the server, "wrong version number" for a non-TLS answer), kClosed
  // (FIN mid-handshake; reason "unexpected eof while reading" if OpenSSL
  // gave one), kReset, kTimeout.
  static IoResult Handshake(Socket socket, const TlsConfig& config, SteadyTime deadline,
                            std::unique_ptr<TlsStream>* out, TlsInfo* info);

  IoResult Send(std::string_view data, SteadyTime deadline) override;
  IoResult Recv(std::string* out, SteadyTime deadline) override;
  Socket& socket() override { return socket_; }

 private:
  TlsStream(Socket socket, ssl_ctx_st* ctx, ssl_st* ssl);
  Socket socket_;
  ssl_ctx_st* ctx_;
  ssl_st* ssl_;
};

}  // namespace culprit::cli::probe

#endif  // CULPRIT_CLI_PROBE_TLS_H_
