// culprit: the command-line client of culpritd.
//
// Exit codes: 0 ok; 1 usage or validation error; 2 the daemon is unreachable
// or answered with an error (its gRPC status and message are printed).

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "base/version.h"
#include "cli/client.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace culprit::cli;
  CLI::App app{"culprit: ask culpritd why a client's connection was reset"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("culprit ") + culprit::kVersion);

  GlobalOptions global;
  if (const char* env = std::getenv("CULPRIT_DAEMON"); env != nullptr && *env != '\0') {
    global.daemon = env;
  }
  app.add_option("--daemon", global.daemon,
                 "culpritd's address (default 127.0.0.1:7450, or $CULPRIT_DAEMON)");
  CLI::Option* timeout_opt =
      app.add_option("--timeout", global.timeout_seconds, "seconds to wait for an answer")
          ->check(CLI::PositiveNumber);
  if (const char* env = std::getenv("CULPRIT_TOKEN"); env != nullptr && *env != '\0') {
    global.token = env;
  }
  app.add_option("--token", global.token,
                 "bearer token for a daemon with [auth] tokens (default $CULPRIT_TOKEN, "
                 "which keeps it out of the process list)");
  app.add_flag("--tls", global.tls, "connect with TLS, trusting the system's CA certificates");
  app.add_option("--tls-ca", global.tls_ca, "PEM CA certificate(s) to verify culpritd with")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-cert", global.tls_cert, "PEM client certificate (mutual TLS)")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", global.tls_key, "PEM key of --tls-cert")->check(CLI::ExistingFile);
  app.add_option("--tls-server-name", global.tls_server_name,
                 "the name culpritd's certificate must have, when not the --daemon host");

  StatusOptions status;
  CLI::App* status_cmd = app.add_subcommand("status", "show the daemon's sources and progress");
  status_cmd->add_flag("--json", status.json, "print the response in protobuf's JSON mapping");

  // correlate and submit take the same report flags.
  CorrelateOptions correlate;
  CorrelateOptions submit;
  submit.submit = true;
  auto add_report_flags = [](CLI::App* cmd, CorrelateOptions& o) {
    cmd->add_option("--at", o.at, "when the client saw the error: RFC 3339 or Unix seconds")
        ->required();
    cmd->add_option("--client", o.client, "the client's IP[:PORT]")->required();
    cmd->add_option("--server", o.server, "the server's IP:PORT it connected to");
    cmd->add_option("--server-name", o.server_name, "SNI / Host");
    cmd->add_option("--error", o.error,
                    "the error as the client saw it: ECONNRESET, WSAECONNRESET, "
                    "\"SSL: WRONG_VERSION_NUMBER\", EOF, ...");
    cmd->add_option("--phase", o.phase,
                    "connect, tls_handshake, request_sent, awaiting_response, "
                    "reading_response or idle_reuse");
    cmd->add_option("--request-id", o.request_id, "the request id, if known");
    cmd->add_option("--http-status", o.http_status, "the HTTP status, if one arrived");
    cmd->add_option("--clock-uncertainty", o.clock_uncertainty,
                    "how far the client's clock may be off (default 5s)");
    cmd->add_flag("--json", o.json, "print the Diagnosis in protobuf's JSON mapping");
  };
  CLI::App* correlate_cmd =
      app.add_subcommand("correlate", "diagnose one reset from the server's logs (nothing stored)");
  add_report_flags(correlate_cmd, correlate);
  CLI::App* submit_cmd =
      app.add_subcommand("submit", "diagnose one reset and store the report with its diagnosis");
  add_report_flags(submit_cmd, submit);

  EventsOptions events;
  CLI::App* events_cmd =
      app.add_subcommand("events", "the merged timeline of server-side events");
  events_cmd->add_option("--from", events.from, "start of the range: RFC 3339 or Unix seconds");
  events_cmd->add_option("--to", events.to, "end of the range");
  events_cmd->add_option("--at", events.at, "a moment, with --around");
  events_cmd->add_option("--around", events.around, "half-width around --at (default 10s)");
  events_cmd->add_option("--ip", events.ip, "a client address or network (CIDR)");
  events_cmd->add_option("--port", events.port, "the server port");
  events_cmd->add_option("--client-port", events.client_port, "the client port");
  events_cmd->add_option("--source", events.source, "a source's name");
  events_cmd->add_option("--kind", events.kind,
                         "request, error, tls, connection, firewall, process, app, other");
  events_cmd->add_option("--cause", events.cause, "a cause, e.g. TLS_HANDSHAKE_FAILED");
  events_cmd->add_flag("--causes-only", events.with_cause_only,
                       "only events that indicate a reset cause");
  events_cmd->add_option("--limit", events.limit, "at most this many (default 1000)");
  events_cmd->add_flag("--json", events.json, "one JSON object per line");

  TopOptions top;
  CLI::App* top_cmd = app.add_subcommand("top", "reset causes ranked over a time range");
  top_cmd->add_option("--from", top.from, "start: RFC 3339 or Unix seconds")->required();
  top_cmd->add_option("--to", top.to, "end: RFC 3339 or Unix seconds")->required();
  top_cmd->add_flag("--json", top.json, "print the response in protobuf's JSON mapping");

  ReportOptions report;
  CLI::App* report_cmd = app.add_subcommand(
      "report", "the reset report of a period (causes, changes, examples, remedies, advice)");
  report_cmd->add_option("--from", report.from, "start: RFC 3339 or Unix seconds")->required();
  report_cmd->add_option("--to", report.to, "end (exclusive): RFC 3339 or Unix seconds")
      ->required();
  report_cmd->add_option("--format", report.format, "html (default), md or json");
  report_cmd->add_option("--timezone", report.timezone,
                         "zone for times and hours of day (default: the daemon's [report] "
                         "timezone, else UTC)");
  report_cmd->add_option("--out", report.out,
                         "write the report to this file (atomically) and print its path");

  ProbeOptions probe;
  CLI::App* probe_cmd = app.add_subcommand(
      "probe", "connect to HOST:PORT as a client: TCP, TLS versions and ciphers, HTTP, "
               "idle keep-alive");
  probe_cmd->add_option("target", probe.target, "HOST:PORT, e.g. example.com:443, [::1]:8443")
      ->required();
  probe_cmd->add_option("--sni", probe.sni, "server name (SNI and Host); default: HOST if a name");
  probe_cmd->add_flag("--no-sni", probe.no_sni, "send no SNI");
  probe_cmd->add_option("--client-cert", probe.client_cert, "PEM client certificate for TLS")
      ->check(CLI::ExistingFile);
  probe_cmd->add_option("--client-key", probe.client_key, "PEM key of --client-cert")
      ->check(CLI::ExistingFile);
  probe_cmd->add_option("--ca", probe.ca, "PEM CA certificate(s) to verify the server with")
      ->check(CLI::ExistingFile);
  probe_cmd->add_option("--timeout", probe.timeout,
                        "limit of each network operation (default 5s)");
  probe_cmd->add_option("--max-idle", probe.max_idle,
                        "how long to watch an idle keep-alive connection (default 120s)");
  probe_cmd->add_option("--path", probe.path, "path of the HTTP request (default /)");
  probe_cmd->add_flag("--no-keepalive", probe.no_keepalive, "skip the idle keep-alive test");
  probe_cmd->add_flag("--json", probe.json, "one JSON object with every check");
  probe_cmd->add_flag("--report", probe.report,
                      "submit each failure to culpritd and show its diagnosis");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (const int rc = LoadTlsFiles(&global, std::cerr); rc != kExitOk) return rc;
  if (status_cmd->parsed()) return RunStatus(global, status, std::cout, std::cerr);
  if (correlate_cmd->parsed()) return RunCorrelate(global, correlate, std::cout, std::cerr);
  if (submit_cmd->parsed()) return RunCorrelate(global, submit, std::cout, std::cerr);
  if (events_cmd->parsed()) return RunEvents(global, events, std::cout, std::cerr);
  if (top_cmd->parsed()) return RunTop(global, top, std::cout, std::cerr);
  if (probe_cmd->parsed()) return RunProbe(global, probe, std::cout, std::cerr);
  if (report_cmd->parsed()) {
    // A long period takes the daemon a while; give it more than the usual
    // 10 s unless --timeout says otherwise.
    if (timeout_opt->count() == 0) global.timeout_seconds = 120;
    return RunReport(global, report, std::cout, std::cerr);
  }
  return kExitUsage;
}
