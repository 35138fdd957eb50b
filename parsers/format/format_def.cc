#include "parsers/format/format_def.h"

#include <array>

namespace culprit::parsers {
namespace {

// Indexed by Target; kExtra is spelled "extra.<name>".
constexpr std::array<std::string_view, 20> kTargetNames = {
    "time",     "client",    "client_ip", "client_port", "server",   "server_ip", "server_port",
    "status",   "conn_id",   "request_id", "duration",   "bytes_in", "bytes_out", "phase",
    "detail",   "message",   "level",     "kind",        "cause",    "extra",
};

}  // namespace

const ValueTable::Entry* ValueTable::Find(std::string_view key) const {
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::string FieldRefName(const FieldRef& ref) {
  if (ref.target == Target::kExtra) return "extra." + ref.extra;
  return std::string(kTargetNames[static_cast<size_t>(ref.target)]);
}

std::optional<FieldRef> ParseFieldRef(std::string_view name) {
  constexpr std::string_view kExtraPrefix = "extra.";
  if (name.substr(0, kExtraPrefix.size()) == kExtraPrefix) {
    if (name.size() == kExtraPrefix.size()) return std::nullopt;
    return FieldRef{Target::kExtra, std::string(name.substr(kExtraPrefix.size()))};
  }
  for (size_t i = 0; i + 1 < kTargetNames.size(); ++i) {
    if (kTargetNames[i] == name) return FieldRef{static_cast<Target>(i), {}};
  }
  return std::nullopt;
}

}  // namespace culprit::parsers
