#include "parsers/event.h"

#include <array>

namespace culprit {
namespace {

constexpr std::array<std::string_view, kCauseCount> kCauseNames = {
    "NONE",
    "PROTOCOL_MISMATCH",
    "TLS_HANDSHAKE_FAILED",
    "IDLE_TIMEOUT",
    "REQUEST_TIMEOUT",
    "UPSTREAM_FAILURE",
    "UPSTREAM_TIMEOUT",
    "APP_ERROR",
    "REQUEST_REJECTED",
    "RATE_LIMITED",
    "FIREWALL",
    "SERVER_SHUTDOWN",
    "RESOURCE_EXHAUSTION",
    "CLIENT_ABORT",
    "NONE_ON_SERVER",
};

constexpr std::array<std::string_view, kEventKindCount> kKindNames = {
    "other", "request", "error", "tls", "connection", "firewall", "process", "app",
};

}  // namespace

std::string_view CauseName(Cause cause) {
  const auto i = static_cast<size_t>(cause);
  return i < kCauseNames.size() ? kCauseNames[i] : "NONE";
}

std::optional<Cause> CauseFromName(std::string_view name) {
  for (size_t i = 0; i < kCauseNames.size(); ++i) {
    if (kCauseNames[i] == name) return static_cast<Cause>(i);
  }
  return std::nullopt;
}

std::string_view EventKindName(EventKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : "other";
}

std::optional<EventKind> EventKindFromName(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<EventKind>(i);
  }
  return std::nullopt;
}

namespace parsers {

void Event::Clear() {
  time = Timestamp();
  precision = std::chrono::seconds(1);
  kind = EventKind::kOther;
  cause = Cause::kNone;
  level.reset();
  client_ip.reset();
  client_port = 0;
  server_ip.reset();
  server_port = 0;
  status.reset();
  conn_id.clear();
  request_id.clear();
  duration.reset();
  bytes_in.reset();
  bytes_out.reset();
  phase.clear();
  detail.clear();
  message.clear();
  flags = 0;
  extra.clear();
}

void Event::SetExtra(std::string_view key, std::string_view value) {
  for (auto& [k, v] : extra) {
    if (k == key) {
      v = value;
      return;
    }
  }
  extra.emplace_back(std::string(key), std::string(value));
}

std::string_view Event::Extra(std::string_view key) const {
  for (const auto& [k, v] : extra) {
    if (k == key) return v;
  }
  return {};
}

}  // namespace parsers
}  // namespace culprit
