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
};

struct StatusOptions {
  bool json = false;
};

int RunStatus(const GlobalOptions& global, const StatusOptions& options, std::ostream& out,
              std::ostream& err);

}  // namespace culprit::cli

#endif  // CULPRIT_CLI_COMMANDS_H_
