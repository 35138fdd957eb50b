#include "daemon/service/grpc_status.h"

namespace culprit::service {
namespace {
constexpr size_t kMaxMessageBytes = 1024;
}  // namespace

grpc::Status ToGrpcStatus(const culprit::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  std::string msg = status.message();
  if (msg.size() > kMaxMessageBytes) {
    // Cut on a UTF-8 character boundary.
    size_t cut = kMaxMessageBytes;
    while (cut > 0 && (static_cast<unsigned char>(msg[cut]) & 0xC0) == 0x80) --cut;
    msg.resize(cut);
    msg += "...";
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::move(msg));
}

}  // namespace culprit::service
