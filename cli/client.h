#ifndef CULPRIT_CLI_CLIENT_H_
#define CULPRIT_CLI_CLIENT_H_

// Connecting to culpritd and reporting RPC failures the same way in every
// subcommand.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <ostream>
#include <string>

#include "cli/commands.h"
#include "culprit/v1/culprit.pb.h"

namespace culprit::cli {

// Checks --token and reads the --tls-* files into global->tls_*_pem (and
// sets global->tls when any is given). On a problem prints
// "culprit: --tls-ca: cannot read ..." to `err` and returns kExitUsage;
// else kExitOk.
int LoadTlsFiles(GlobalOptions* global, std::ostream& err);

// A channel to global.daemon ("host:port" or "unix:/path"): TLS with the
// loaded PEM (system roots without --tls-ca) when global.tls, else
// plaintext.
std::shared_ptr<grpc::Channel> MakeChannel(const GlobalOptions& global);

// Sets the call deadline from --timeout, and the bearer token when given.
void PrepareCall(const GlobalOptions& global, grpc::ClientContext* context);

// Prints "culprit: <rpc> failed: <CODE>: <message>" with a hint for the
// usual cases (daemon not running, timeout, token missing or refused, rate
// limited); returns kExitServer.
int ReportRpcError(const GlobalOptions& global, const std::string& rpc,
                   const grpc::Status& status, std::ostream& err);

// The phase named as the API and the CLI spell it ("idle_reuse"); false
// for any other name.
bool ParsePhase(const std::string& name, v1::Phase* out);

}  // namespace culprit::cli

#endif  // CULPRIT_CLI_CLIENT_H_
