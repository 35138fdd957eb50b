#ifndef CULPRIT_DAEMON_SERVICE_GRPC_STATUS_H_
#define CULPRIT_DAEMON_SERVICE_GRPC_STATUS_H_

// The one place culprit::Status becomes a grpc::Status.

#include <grpcpp/support/status.h>

#include "base/status.h"

namespace culprit::service {

// Same code (the numbering is shared), message capped near 1 KiB so a huge
// message cannot blow up a response's trailers.
grpc::Status ToGrpcStatus(const culprit::Status& status);

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_GRPC_STATUS_H_
