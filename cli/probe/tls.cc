#include "cli/probe/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace culprit::cli::probe {
namespace {

struct CtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

// OpenSSL's reason for the oldest queued error, then clears the queue.
std::string TakeReason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "";
  const char* reason = ERR_reason_error_string(code);
  if (reason != nullptr) return reason;
  return "error " + std::to_string(ERR_GET_REASON(code));
}

// Turns a failed SSL_* call into an outcome. `saved_errno` is errno right
// after the call.
IoResult FailureOf(SSL* ssl, int ret, int saved_errno) {
  IoResult r;
  const int e = SSL_get_error(ssl, ret);
  const unsigned long code = ERR_peek_error();
  if (e == SSL_ERROR_ZERO_RETURN) {
    ERR_clear_error();
    r.outcome = NetOutcome::kClosed;
    r.reason = "close_notify";
    return r;
  }
  // A socket error: OpenSSL 3 queues it as a system error whose reason is
  // errno; older paths leave only errno.
  if (code != 0 && ERR_GET_LIB(code) == ERR_LIB_SYS) saved_errno = ERR_GET_REASON(code);
  if (e == SSL_ERROR_SYSCALL && (code == 0 || ERR_GET_LIB(code) == ERR_LIB_SYS)) {
    ERR_clear_error();
    if (saved_errno == 0) {
      r.outcome = NetOutcome::kClosed;  // EOF that OpenSSL did not name
      return r;
    }
    r.outcome = OutcomeOfErrno(saved_errno);
    r.err = saved_errno;
    return r;
  }
  if (code != 0 && ERR_GET_LIB(code) == ERR_LIB_SSL &&
      ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    r.outcome = NetOutcome::kClosed;
    r.reason = TakeReason();
    return r;
  }
  if (code != 0 && ERR_GET_LIB(code) == ERR_LIB_SYS) {
    ERR_clear_error();
    r.outcome = OutcomeOfErrno(saved_errno);
    r.err = saved_errno;
    return r;
  }
  r.outcome = NetOutcome::kTlsError;
  r.reason = TakeReason();
  if (r.reason.empty()) r.reason = "SSL_get_error " + std::to_string(e);
  return r;
}

// Drives one non-blocking SSL_* call to completion or to `deadline`.
template <typename Fn>
IoResult Drive(SSL* ssl, const Socket& socket, SteadyTime deadline, Fn call, int* ret_out) {
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int ret = call();
    const int saved_errno = errno;
    if (ret > 0) {
      *ret_out = ret;
      return {};
    }
    const int e = SSL_get_error(ssl, ret);
    IoResult w;
    if (e == SSL_ERROR_WANT_READ) {
      w = socket.WaitReadable(deadline);
    } else if (e == SSL_ERROR_WANT_WRITE) {
      w = socket.WaitWritable(deadline);
    } else {
      return FailureOf(ssl, ret, saved_errno);
    }
    if (!w.ok()) return w;
  }
}

std::string NameText(const X509_NAME* name) {
  if (name == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "";
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data != nullptr && n > 0 ? std::string(data, static_cast<size_t>(n)) : "");
  BIO_free(bio);
  return out;
}

std::string TimeText(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The system's CAs, loaded once: parsing them costs ~30 ms, and every
// check makes a context. Static initialization is thread-safe; the store is
// only read afterwards (X509_STORE lookups lock internally).
X509_STORE* DefaultStore() {
  static X509_STORE* const store = [] {
    X509_STORE* s = X509_STORE_new();
    if (s != nullptr) X509_STORE_set_default_paths(s);
    ERR_clear_error();
    return s;
  }();
  return store;
}

// Builds the context for `config`. Error names the file or setting.
Result<CtxPtr> MakeContext(const TlsConfig& config) {
  CtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return Status::Internal("SSL_CTX_new: " + TakeReason());
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  if (config.min_version != 0) SSL_CTX_set_min_proto_version(ctx.get(), config.min_version);
  if (config.max_version != 0) SSL_CTX_set_max_proto_version(ctx.get(), config.max_version);
  const std::string list =
      (config.cipher_list.empty() ? std::string("DEFAULT") : config.cipher_list) + ":@SECLEVEL=0";
  if (SSL_CTX_set_cipher_list(ctx.get(), list.c_str()) != 1) {
    return Status::InvalidArgument("cipher list \"" + list + "\": " + TakeReason());
  }
  if (!config.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ctx.get(), config.ciphersuites.c_str()) != 1) {
    return Status::InvalidArgument("TLS 1.3 suites \"" + config.ciphersuites +
                                   "\": " + TakeReason());
  }
  if (!config.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), config.ca_file.c_str(), nullptr) != 1) {
      return Status::InvalidArgument(config.ca_file + ": " + TakeReason());
    }
  } else if (X509_STORE* store = DefaultStore(); store != nullptr) {
    SSL_CTX_set1_cert_store(ctx.get(), store);
  }
  if (!config.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), config.cert_file.c_str()) != 1) {
      return Status::InvalidArgument(config.cert_file + ": " + TakeReason());
    }
    const std::string& key = config.key_file.empty() ? config.cert_file : config.key_file;
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Status::InvalidArgument(key + ": " + TakeReason());
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
      return Status::InvalidArgument(key + ": does not match " + config.cert_file);
    }
  }
  if (!config.alpn.empty()) {
    std::string wire;
    for (const std::string& p : config.alpn) {
      if (p.empty() || p.size() > 255) continue;
      wire += static_cast<char>(p.size());
      wire += p;
    }
    SSL_CTX_set_alpn_protos(ctx.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size()));
  }
  return ctx;
}

}  // namespace

std::string TlsVersionName(int version) {
  switch (version) {
    case kTls10: return "TLSv1.0";
    case kTls11: return "TLSv1.1";
    case kTls12: return "TLSv1.2";
    case kTls13: return "TLSv1.3";
    case 0: return "any";
    default: return "0x" + std::to_string(version);
  }
}

Status CheckTlsFiles(const TlsConfig& config) {
  auto ctx = MakeContext(config);
  if (!ctx.ok()) return ctx.status();
  return Status::Ok();
}

TlsStream::TlsStream(Socket socket, ssl_ctx_st* ctx, ssl_st* ssl)
    : socket_(std::move(socket)), ctx_(ctx), ssl_(ssl) {}

TlsStream::~TlsStream() {
  // One non-blocking close_notify, as a polite client sends; its result
  // does not matter.
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
}

IoResult TlsStream::Handshake(Socket socket, const TlsConfig& config, SteadyTime deadline,
                              std::unique_ptr<TlsStream>* out, TlsInfo* info) {
  auto ctx = MakeContext(config);
  if (!ctx.ok()) {
    IoResult r;
    r.outcome = NetOutcome::kError;
    r.reason = ctx.status().message();
    return r;
  }
  CtxPtr c = std::move(*ctx);
  SslPtr ssl(SSL_new(c.get()));
  if (!ssl || SSL_set_fd(ssl.get(), socket.fd()) != 1) {
    IoResult r;
    r.outcome = NetOutcome::kError;
    r.reason = "SSL_new: " + TakeReason();
    return r;
  }
  if (!config.sni.empty()) SSL_set_tlsext_host_name(ssl.get(), config.sni.c_str());
  if (!config.verify_host.empty()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    // An IP is checked against the certificate's IP SANs, a name against DNS.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, config.verify_host.c_str()) != 1) {
      ERR_clear_error();
      SSL_set1_host(ssl.get(), config.verify_host.c_str());
    }
  }
  SSL* s = ssl.get();
  int ret = 0;
  const IoResult r = Drive(s, socket, deadline, [s] { return SSL_connect(s); }, &ret);
  if (!r.ok()) return r;

  *info = TlsInfo{};
  info->version = SSL_get_version(s);
  info->cipher = SSL_get_cipher_name(s);
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(s, &alpn, &alpn_len);
  if (alpn != nullptr) info->alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  if (X509* cert = SSL_get1_peer_certificate(s); cert != nullptr) {
    info->subject = NameText(X509_get_subject_name(cert));
    info->issuer = NameText(X509_get_issuer_name(cert));
    info->not_after = TimeText(X509_get0_notAfter(cert));
    X509_free(cert);
  }
  const long v = SSL_get_verify_result(s);
  info->verify = v == X509_V_OK ? "ok" : X509_verify_cert_error_string(v);
  out->reset(new TlsStream(std::move(socket), c.release(), ssl.release()));
  return {};
}

IoResult TlsStream::Send(std::string_view data, SteadyTime deadline) {
  IoResult total;
  // SSL_write without partial writes sends all of a call or nothing; each
  // round is bounded by the deadline.
  while (total.bytes < data.size()) {
    const int chunk = static_cast<int>(std::min<size_t>(data.size() - total.bytes, 1 << 20));
    const char* p = data.data() + total.bytes;
    SSL* s = ssl_;
    int ret = 0;
    IoResult r = Drive(s, socket_, deadline, [s, p, chunk] { return SSL_write(s, p, chunk); },
                       &ret);
    if (!r.ok()) {
      r.bytes = total.bytes;
      return r;
    }
    total.bytes += static_cast<size_t>(ret);
  }
  return total;
}

IoResult TlsStream::Recv(std::string* out, SteadyTime deadline) {
  char buf[16384];
  SSL* s = ssl_;
  int ret = 0;
  IoResult r = Drive(s, socket_, deadline,
                     [s, &buf] { return SSL_read(s, buf, static_cast<int>(sizeof buf)); }, &ret);
  if (!r.ok()) return r;
  out->append(buf, static_cast<size_t>(ret));
  r.bytes = static_cast<size_t>(ret);
  return r;
}

}  // namespace culprit::cli::probe
