#ifndef CULPRIT_CLI_COMMANDS_H_
#define CULPRIT_CLI_COMMANDS_H_

// The CLI's subcommands, as functions of parsed options, so tests can run
// them against a real daemon and read their output.

#include <ostream>
#include <string>

namespace culprit::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;   // bad arguments or validation error
inline constexpr int kExitServer = 2;  // daemon unreachable or answered an error

struct GlobalOptions {
  std::string daemon = "127.0.0.1:7450";
  double timeout_seconds = 10;
  // Sent as "authorization: Bearer <token>" (--token or $CULPRIT_TOKEN).
  std::string token;
  // TLS: on with --tls or any --tls-* file. Files are PEM; tls_cert and
  // tls_key together give a client certificate (mutual TLS).
  bool tls = false;
  std::string tls_ca, tls_cert, tls_key;
  std::string tls_server_name;  // the name to verify instead of the host's
  // The files' contents, read by LoadTlsFiles() (cli/client.h).
  std::string tls_ca_pem, tls_cert_pem, tls_key_pem;
};

struct StatusOptions {
  bool json = false;
};

int RunStatus(const GlobalOptions& global, const StatusOptions& options, std::ostream& out,
              std::ostream& err);

struct CorrelateOptions {
  std::string at;                 // TS: RFC 3339 or Unix seconds (required)
  std::string client;             // IP[:PORT] (required)
  std::string server;             // IP:PORT
  std::string server_name;
  std::string error;              // ECONNRESET, "SSL: WRONG_VERSION_NUMBER", EOF, ...
  std::string phase;              // connect, tls_handshake, ..., idle_reuse
  std::string request_id;
  std::string clock_uncertainty;  // e.g. "5s"
  int http_status = 0;
  bool json = false;
  bool submit = false;            // store the report and its diagnosis (Submit)
};

// Asks the daemon to diagnose one reset: Correlate (nothing stored), or
// Submit when options.submit (prints the stored report's id first).
int RunCorrelate(const GlobalOptions& global, const CorrelateOptions& options, std::ostream& out,
                 std::ostream& err);

struct EventsOptions {
  std::string from, to;   // TS
  std::string at;         // TS, with around
  std::string around;     // e.g. "10s": at +/- around
  std::string ip;         // address or CIDR
  int port = 0;           // server port
  int client_port = 0;
  std::string source, kind, cause;
  bool with_cause_only = false;
  int limit = 0;
  bool json = false;      // one JSON object per line
};

// Prints the merged timeline, one line per event with its source.
int RunEvents(const GlobalOptions& global, const EventsOptions& options, std::ostream& out,
              std::ostream& err);

struct TopOptions {
  std::string from, to;  // TS
  bool json = false;
};

// Prints how often each cause appeared in reports and in server events.
int RunTop(const GlobalOptions& global, const TopOptions& options, std::ostream& out,
           std::ostream& err);

struct ReportOptions {
  std::string from, to;   // TS (required)
  std::string format = "html";  // html, md, json
  std::string timezone;   // empty: the daemon's [report] timezone
  std::string out;        // a file, written atomically; empty: stdout
};

// Asks the daemon for the report of [from, to) and writes it to
// options.out (printing the path) or to `out`.
int RunReport(const GlobalOptions& global, const ReportOptions& options, std::ostream& out,
              std::ostream& err);

struct ProbeOptions {
  std::string target;             // HOST:PORT (required)
  std::string sni;                // SNI and Host; default: the host when it is a name
  bool no_sni = false;            // send no SNI even for a host name
  std::string client_cert;        // PEM client certificate chain for the TLS checks
  std::string client_key;         // its PEM key
  std::string ca;                 // PEM CAs to verify the server with (reported only)
  std::string timeout = "5s";     // each network operation
  std::string max_idle = "120s";  // bound of the idle keep-alive test
  std::string path = "/";         // of the HTTP request
  bool no_keepalive = false;      // skip the idle keep-alive test
  bool json = false;
  bool report = false;            // submit each failure to the daemon (Submit)
};

// Probes HOST:PORT as a client (TCP, TLS versions and ciphers, HTTP, idle
// keep-alive; see cli/probe/checks.h) and prints a table or JSON. Returns
// kExitOk when the probe ran (whatever it found), kExitUsage for bad
// options, kExitServer when the host does not resolve.
int RunProbe(const GlobalOptions& global, const ProbeOptions& options, std::ostream& out,
             std::ostream& err);

}  // namespace culprit::cli

#endif  // CULPRIT_CLI_COMMANDS_H_
