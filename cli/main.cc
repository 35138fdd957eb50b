// culprit: the command-line client of culpritd.
//
// Exit codes: 0 ok; 1 usage or validation error; 2 the daemon is unreachable
// or answered with an error (its gRPC status and message are printed).

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "base/version.h"
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
  app.add_option("--timeout", global.timeout_seconds, "seconds to wait for an answer")
      ->check(CLI::PositiveNumber);

  StatusOptions status;
  CLI::App* status_cmd = app.add_subcommand("status", "show the daemon's sources and progress");
  status_cmd->add_flag("--json", status.json, "print the response in protobuf's JSON mapping");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (status_cmd->parsed()) return RunStatus(global, status, std::cout, std::cerr);
  return kExitUsage;
}
