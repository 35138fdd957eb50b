#ifndef CULPRIT_CLI_CLIENT_H_
#define CULPRIT_CLI_CLIENT_H_

// Connecting to culpritd and reporting RPC failures the same way in every
// subcommand.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <ostream>
#include <string>

#include "cli/commands.h"

namespace culprit::cli {

// An insecure channel to `address` ("host:port" or "unix:/path").
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

// Sets the call deadline from --timeout.
void SetDeadline(const GlobalOptions& global, grpc::ClientContext* context);

// Prints "culprit: <rpc> failed: <CODE>: <message>" with a hint for the
// usual cases (daemon not running, timeout); returns kExitServer.
int ReportRpcError(const GlobalOptions& global, const std::string& rpc,
                   const grpc::Status& status, std::ostream& err);

}  // namespace culprit::cli

#endif  // CULPRIT_CLI_CLIENT_H_
