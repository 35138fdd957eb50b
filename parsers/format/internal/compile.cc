#include "parsers/format/internal/compile.h"

#include <re2/re2.h>

#include <algorithm>

namespace culprit::parsers::internal {
namespace {

constexpr std::pair<std::string_view, FieldType> kTypes[] = {
    {"string", FieldType::kString},     {"int", FieldType::kInt},
    {"ip", FieldType::kIp},             {"port", FieldType::kPort},
    {"endpoint", FieldType::kEndpoint}, {"timestamp", FieldType::kTimestamp},
    {"duration", FieldType::kDuration}, {"enum", FieldType::kEnum},
    {"ignore", FieldType::kIgnore},
};

}  // namespace

Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  // Latin-1: logs are bytes, not text. In UTF-8 mode an invalid sequence
  // cannot be matched by `.`, so one stray byte (a TLS ClientHello sent to
  // a plain port, echoed into nginx's error.log) would make a whole line
  // unmatchable. ASCII patterns mean the same in both encodings.
  options.set_encoding(re2::RE2::Options::EncodingLatin1);
  auto re = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()),
                                             options);
  if (!re->ok()) {
    std::string msg = "regex does not compile: " + re->error();
    if (!re->error_arg().empty()) msg += " (at \"" + re->error_arg() + "\")";
    return Status::InvalidArgument(std::move(msg));
  }
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

const std::map<std::string, int>& NamedGroups(const re2::RE2& re) {
  return re.NamedCapturingGroups();
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
  for (const auto& [n, t] : kTypes) {
    if (n == name) return t;
  }
  return std::nullopt;
}

std::string_view FieldTypeName(FieldType type) {
  for (const auto& [n, t] : kTypes) {
    if (t == type) return n;
  }
  return "?";
}

std::string CheckTypeTarget(FieldType type, const FieldRef& ref) {
  const Target t = ref.target;
  bool ok = false;
  switch (type) {
    case FieldType::kIgnore:
      ok = true;
      break;
    case FieldType::kTimestamp:
      ok = t == Target::kTime;
      break;
    case FieldType::kDuration:
      ok = t == Target::kDuration;
      break;
    case FieldType::kEndpoint:
      ok = t == Target::kClient || t == Target::kServer;
      break;
    case FieldType::kIp:
      ok = t == Target::kClientIp || t == Target::kServerIp || t == Target::kExtra;
      break;
    case FieldType::kPort:
      ok = t == Target::kClientPort || t == Target::kServerPort || t == Target::kExtra;
      break;
    case FieldType::kInt:
      ok = t == Target::kStatus || t == Target::kLevel || t == Target::kBytesIn ||
           t == Target::kBytesOut || t == Target::kClientPort || t == Target::kServerPort ||
           t == Target::kConnId || t == Target::kRequestId || t == Target::kExtra;
      break;
    case FieldType::kString:
    case FieldType::kEnum:
      ok = t != Target::kTime;
      break;
  }
  if (ok) return {};
  if (t == Target::kTime) return "target \"time\" needs type = \"timestamp\"";
  return "type \"" + std::string(FieldTypeName(type)) + "\" cannot set \"" + FieldRefName(ref) +
         "\"";
}

int FinishFields(std::vector<FieldSpec>* fields) {
  std::erase_if(*fields, [](const FieldSpec& f) { return f.type == FieldType::kIgnore; });
  int n = 1;
  for (const FieldSpec& f : *fields) n = std::max(n, f.group + 1);
  return n;
}

std::optional<double> DurationUnit(std::string_view unit) {
  if (unit == "s") return 1e6;
  if (unit == "ms") return 1e3;
  if (unit == "us") return 1.0;
  if (unit == "ns") return 1e-3;
  return std::nullopt;
}

const std::vector<std::string_view>& TargetNames() {
  static const std::vector<std::string_view> kNames = {
      "time",     "client",    "client_ip", "client_port", "server", "server_ip", "server_port",
      "status",   "conn_id",   "request_id", "duration",   "bytes_in", "bytes_out", "phase",
      "detail",   "message",   "level",     "kind",        "cause",
  };
  return kNames;
}

}  // namespace culprit::parsers::internal
