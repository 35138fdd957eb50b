// `culprit probe HOST:PORT`: option validation, then the checks, then
// --report and the output.

#include <csignal>
#include <ostream>

#include "base/clock.h"
#include "base/time.h"
#include "cli/commands.h"
#include "cli/probe/checks.h"
#include "cli/probe/render.h"
#include "cli/probe/report.h"

namespace culprit::cli {

int RunProbe(const GlobalOptions& global, const ProbeOptions& options, std::ostream& out,
             std::ostream& err) {
  using namespace probe;
  auto target = ParseTarget(options.target);
  if (!target.ok()) {
    err << "culprit probe: " << target.status().message() << "\n";
    return kExitUsage;
  }
  ProbeConfig config;
  config.target = *target;
  const struct {
    const char* flag;
    const std::string& text;
    Duration* value;
    Duration max;
  } durations[] = {
      {"--timeout", options.timeout, &config.timeout, std::chrono::minutes(10)},
      {"--max-idle", options.max_idle, &config.max_idle, std::chrono::hours(1)},
  };
  for (const auto& d : durations) {
    auto v = ParseDuration(d.text);
    if (!v.ok()) {
      err << "culprit probe: " << d.flag << ": " << v.status().message() << "\n";
      return kExitUsage;
    }
    if (v->count() <= 0 || *v > d.max) {
      err << "culprit probe: " << d.flag << ": \"" << d.text << "\" must be above 0 and at most "
          << FormatDuration(d.max) << "\n";
      return kExitUsage;
    }
    *d.value = *v;
  }
  if (!options.sni.empty()) {
    config.sni = options.sni;
  } else if (!options.no_sni && !config.target.host_is_ip) {
    config.sni = config.target.host;  // as a browser would
  }
  config.path = options.path.empty() ? "/" : options.path;
  config.keepalive = !options.no_keepalive;
  if (options.client_cert.empty() != options.client_key.empty()) {
    err << "culprit probe: --client-cert and --client-key go together\n";
    return kExitUsage;
  }
  config.tls.cert_file = options.client_cert;
  config.tls.key_file = options.client_key;
  config.tls.ca_file = options.ca;
  if (const Status st = CheckTlsFiles(config.tls); !st.ok()) {
    err << "culprit probe: " << st.message() << "\n";
    return kExitUsage;
  }
  auto address = Resolve(config.target);
  if (!address.ok()) {
    err << "culprit probe: " << address.status().message() << "\n";
    return kExitServer;
  }
  config.address = *address;
  const SystemClock clock;
  config.clock = &clock;
  // OpenSSL writes with write(2), not send(MSG_NOSIGNAL): reusing a
  // connection the server closed must give EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  ProbeResult result = RunChecks(config);
  if (options.report) SubmitFailures(global, &result, err);
  if (options.json) {
    PrintJson(result, out);
  } else {
    PrintTable(result, out);
  }
  return kExitOk;
}

}  // namespace culprit::cli
