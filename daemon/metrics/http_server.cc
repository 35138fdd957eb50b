#include "daemon/metrics/http_server.h"

#include <httplib.h>
#include <pthread.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <thread>

#include "base/check.h"
#include "base/ip_address.h"
#include "base/log.h"
#include "daemon/metrics/exposition.h"

namespace culprit::metrics {
namespace {

struct HostPort {
  std::string host;  // for getaddrinfo: an IPv6 address without brackets
  int port = 0;
};

// "<ipv4>:<port>" or "[<ipv6>]:<port>".
Result<HostPort> ParseListen(const std::string& listen) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("metrics listen address \"" + listen + "\": " +
                                   std::string(why) +
                                   " (expected \"127.0.0.1:9750\" or \"[::1]:9750\")");
  };
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) return bad("no port");
  std::string_view host = std::string_view(listen).substr(0, colon);
  const std::string_view port_text = std::string_view(listen).substr(colon + 1);
  if (host.starts_with('[')) {
    if (!host.ends_with(']')) return bad("unbalanced brackets");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("an IPv6 address needs brackets");
  }
  auto ip = IpAddress::Parse(host);
  if (!ip.ok()) return bad("\"" + std::string(host) + "\" is not an IP address");
  int port = -1;
  const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return bad("the port is not a number from 0 to 65535");
  }
  return HostPort{std::string(host), port};
}

}  // namespace

struct MetricsServer::Impl {
  httplib::Server http;
  std::thread thread;
  std::atomic<bool> done{false};  // the listen loop has returned
  bool stopped = false;
  int port = 0;
  std::mutex stop_mu;
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsServer::~MetricsServer() { Stop(); }

int MetricsServer::port() const { return impl_->port; }

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const Registry* registry,
                                                            Options options) {
  CULPRIT_CHECK(registry != nullptr && options.threads >= 1);
  CULPRIT_ASSIGN_OR_RETURN(HostPort where, ParseListen(options.listen));
  auto impl = std::make_unique<Impl>();
  httplib::Server& http = impl->http;
  const int threads = options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // httplib's default sets SO_REUSEPORT, which would let a second culpritd
  // bind the same port silently; SO_REUSEADDR alone only allows a restart
  // while old connections sit in TIME_WAIT.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const auto seconds = [](Duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d);
  };
  http.set_read_timeout(seconds(options.read_timeout));
  http.set_write_timeout(seconds(options.write_timeout));
  http.set_payload_max_length(64 * 1024);
  http.set_keep_alive_max_count(100);

  http.Get("/metrics", [registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry->Render(), std::string(kTextContentType).c_str());
  });
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) {
      res.set_content("not found: metrics are served at /metrics\n", "text/plain; charset=utf-8");
    }
  });

  int port = where.port;
  if (port == 0) {
    port = http.bind_to_any_port(where.host);
    if (port < 0) port = 0;
  } else if (!http.bind_to_port(where.host, port)) {
    port = 0;
  }
  if (port == 0) {
    return Status::Unavailable("cannot listen for metrics on \"" + options.listen +
                               "\" (address in use, not an address of this host, or no "
                               "permission)");
  }
  impl->port = port;
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] {
    pthread_setname_np(pthread_self(), "culprit-metrics");  // for top -H, perf
    if (!raw->http.listen_after_bind()) {
      CULPRIT_LOG(kError) << "metrics endpoint: the listener failed; metrics are no longer served";
    }
    raw->done = true;
  });
  CULPRIT_LOG(kInfo) << "serving metrics on http://" << options.listen.substr(0, options.listen.rfind(':'))
                     << ":" << port << "/metrics";
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

void MetricsServer::Stop() {
  std::lock_guard lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  // httplib's stop() only acts once the listen loop is running; the thread
  // may not have reached it yet, so wait for either (the loop starts within
  // microseconds of the thread, or has already failed and set `done`).
  while (!impl_->done.load()) {
    if (impl_->http.is_running()) {
      impl_->http.stop();
      break;
    }
    std::this_thread::yield();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace culprit::metrics
