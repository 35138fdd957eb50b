#include "parsers/json/field_table.h"

#include <array>
#include <cstring>

#include "base/status.h"

namespace culprit::parsers::json_internal {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Target::kExtra) + 1> kTargetNames = {
    "time",        "start_time",  "client",      "client_ip",   "client_port", "server",
    "server_ip",   "server_port", "status",      "conn_id",     "request_id",  "duration",
    "duration_s",  "duration_ms", "duration_us", "duration_ns", "bytes_in",    "bytes_out",
    "level",       "message",     "phase",       "detail",      "error",       "extra",
};

constexpr std::string_view kExtraPrefix = "extra.";

struct DefaultField {
  Target target;
  std::string_view extra_name;  // for kExtra
  std::string_view path;
};

using T = Target;

// The built-in mapping, in rank order: within one target an earlier key wins
// when a line has several. Sources: Caddy (zap) access/error logs, Traefik
// access log, Envoy JSON access log, Elastic Common Schema, bunyan, pino,
// generic loggers, and the lab backend (ts/level/msg/client_ip/...).
constexpr DefaultField kDefaults[] = {
    // Times.
    {T::kTime, "", "ts"},  // Caddy/zap (float epoch s), lab app (RFC 3339)
    {T::kTime, "", "time"},  // Traefik, bunyan (RFC 3339), pino (epoch ms)
    {T::kTime, "", "timestamp"},
    {T::kTime, "", "@timestamp"},  // ECS, logstash
    {T::kTime, "", "datetime"},
    {T::kStartTime, "", "start_time"},  // Envoy
    {T::kStartTime, "", "StartUTC"},    // Traefik
    // Client.
    {T::kClient, "", "ClientAddr"},                 // Traefik "ip:port"
    {T::kClient, "", "downstream_remote_address"},  // Envoy "ip:port"
    {T::kClient, "", "client_addr"},
    {T::kClientIp, "", "client_ip"},  // lab app, generic
    {T::kClientIp, "", "ClientHost"},
    {T::kClientIp, "", "request.remote_ip"},  // Caddy: the socket peer
    {T::kClientIp, "", "source.ip"},          // ECS socket peer
    {T::kClientIp, "", "client.ip"},          // ECS
    {T::kClientIp, "", "remote_addr"},        // nginx JSON (ip), Go (ip:port)
    {T::kClientIp, "", "remote_ip"},
    {T::kClientIp, "", "ip"},
    {T::kClientPort, "", "client_port"},
    {T::kClientPort, "", "ClientPort"},
    {T::kClientPort, "", "request.remote_port"},
    {T::kClientPort, "", "source.port"},
    {T::kClientPort, "", "client.port"},
    {T::kClientPort, "", "remote_port"},
    // Server (the local side).
    {T::kServer, "", "downstream_local_address"},  // Envoy
    {T::kServerIp, "", "server_ip"},
    {T::kServerIp, "", "server.ip"},
    {T::kServerPort, "", "server_port"},
    {T::kServerPort, "", "server.port"},
    // Protocol.
    {T::kStatus, "", "status"},
    {T::kStatus, "", "status_code"},
    {T::kStatus, "", "DownstreamStatus"},
    {T::kStatus, "", "response_code"},
    {T::kStatus, "", "http.response.status_code"},
    {T::kStatus, "", "res.statusCode"},  // pino-http
    {T::kConnId, "", "conn_id"},
    {T::kConnId, "", "connection_id"},
    {T::kRequestId, "", "request_id"},
    {T::kRequestId, "", "req_id"},
    {T::kRequestId, "", "reqId"},
    {T::kRequestId, "", "requestId"},
    {T::kRequestId, "", "x-request-id"},  // Envoy
    {T::kRequestId, "", "http.request.id"},
    {T::kRequestId, "", "trace_id"},
    {T::kRequestId, "", "trace.id"},
    {T::kRequestId, "", "traceId"},
    {T::kDuration, "", "duration"},  // Caddy float s, Envoy integer ms
    {T::kDurationS, "", "duration_s"},
    {T::kDurationS, "", "request_time"},  // nginx JSON $request_time
    {T::kDurationMs, "", "duration_ms"},
    {T::kDurationUs, "", "duration_us"},
    {T::kDurationNs, "", "Duration"},        // Traefik
    {T::kDurationNs, "", "duration_ns"},
    {T::kDurationNs, "", "event.duration"},  // ECS
    {T::kBytesIn, "", "bytes_in"},
    {T::kBytesIn, "", "bytes_read"},          // Caddy
    {T::kBytesIn, "", "bytes_received"},      // Envoy
    {T::kBytesIn, "", "RequestContentSize"},  // Traefik
    {T::kBytesOut, "", "bytes_out"},
    {T::kBytesOut, "", "bytes_sent"},  // Envoy, lab app
    {T::kBytesOut, "", "size"},        // Caddy
    {T::kBytesOut, "", "DownstreamContentSize"},
    {T::kBytesOut, "", "body_bytes_sent"},
    {T::kBytesOut, "", "http.response.body.bytes"},
    // Text.
    {T::kLevel, "", "level"},
    {T::kLevel, "", "log.level"},  // ECS
    {T::kLevel, "", "severity"},
    {T::kLevel, "", "levelname"},
    {T::kLevel, "", "lvl"},
    {T::kMessage, "", "msg"},
    {T::kMessage, "", "message"},
    {T::kDetail, "", "response_flags"},  // Envoy "UC", "DC", "-"
    {T::kError, "", "error"},
    {T::kError, "", "err"},
    {T::kError, "", "error.message"},  // ECS
    {T::kError, "", "upstream_transport_failure_reason"},
    {T::kError, "", "connection_termination_details"},
    // Extras: small scalars worth keeping next to the event.
    {T::kExtra, "method", "method"},
    {T::kExtra, "method", "request.method"},
    {T::kExtra, "method", "RequestMethod"},
    {T::kExtra, "method", "http.request.method"},
    {T::kExtra, "path", "path"},
    {T::kExtra, "path", "request.uri"},
    {T::kExtra, "path", "RequestPath"},
    {T::kExtra, "path", "x-envoy-origin-path"},
    {T::kExtra, "path", "url.path"},
    {T::kExtra, "host", "request.host"},
    {T::kExtra, "host", "RequestHost"},
    {T::kExtra, "host", ":authority"},
    {T::kExtra, "proto", "request.proto"},
    {T::kExtra, "proto", "RequestProtocol"},
    {T::kExtra, "proto", "protocol"},
    {T::kExtra, "sni", "requested_server_name"},
    {T::kExtra, "sni", "request.tls.server_name"},
    {T::kExtra, "tls_version", "request.tls.version"},
    {T::kExtra, "tls_version", "TLSVersion"},
    {T::kExtra, "logger", "logger"},
    {T::kExtra, "logger", "log.logger"},
    {T::kExtra, "upstream", "upstream_host"},
    {T::kExtra, "upstream", "ServiceAddr"},
    {T::kExtra, "upstream_cluster", "upstream_cluster"},
    {T::kExtra, "response_code_details", "response_code_details"},
    {T::kExtra, "origin_status", "OriginStatus"},
    {T::kExtra, "router", "RouterName"},
    {T::kExtra, "forwarded_for", "forwarded_for"},
    {T::kExtra, "forwarded_for", "x-forwarded-for"},
    {T::kExtra, "forwarded_port", "forwarded_port"},
};

// Cheap on purpose: it runs once per key of every line. Keys are short
// and mostly differ in length, head or tail.
inline uint32_t HashKey(std::string_view key) {
  const size_t n = key.size();
  uint64_t h = n;
  if (n >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, key.data(), 4);
    std::memcpy(&tail, key.data() + n - 4, 4);
    h = (h << 32) ^ head ^ (static_cast<uint64_t>(tail) << 17);
  } else {
    for (size_t i = 0; i < n; ++i) h = (h << 8) | static_cast<uint8_t>(key[i]);
  }
  h *= 0x9E3779B97F4A7C15ULL;
  return static_cast<uint32_t>(h >> 32);
}

// Keys are short: an inline loop beats a call to memcmp.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Parses a target name ("time", "extra.method").
bool ParseTarget(std::string_view name, Target* target, std::string* extra_name) {
  if (name.size() > kExtraPrefix.size() && name.substr(0, kExtraPrefix.size()) == kExtraPrefix) {
    *target = Target::kExtra;
    *extra_name = std::string(name.substr(kExtraPrefix.size()));
    return true;
  }
  for (size_t i = 0; i + 1 < kTargetNames.size(); ++i) {
    if (kTargetNames[i] == name) {
      *target = static_cast<Target>(i);
      return true;
    }
  }
  return false;
}

std::string KnownTargets() {
  std::string out;
  for (size_t i = 0; i + 1 < kTargetNames.size(); ++i) {
    out += kTargetNames[i];
    out += ", ";
  }
  out += "extra.<name>";
  return out;
}

bool SameMapping(const Leaf& a, Target target, std::string_view extra_name) {
  return a.target == target && (target != Target::kExtra || a.extra_name == extra_name);
}

}  // namespace

std::string_view TargetName(Target target) { return kTargetNames[static_cast<size_t>(target)]; }

const KeyTable::Node* KeyTable::Find(std::string_view key) const {
  if (index_.empty()) return nullptr;
  const uint32_t h = HashKey(key);
  uint32_t i = h & mask_;
  while (true) {
    const Slot& slot = index_[i];
    if (slot.entry < 0) return nullptr;
    if (slot.hash == h) {
      const Entry& entry = entries_[static_cast<size_t>(slot.entry)];
      if (entry.key.size() == key.size() && SameBytes(entry.key.data(), key.data(), key.size())) {
        return &entry.node;
      }
    }
    i = (i + 1) & mask_;
  }
}

KeyTable::Node* KeyTable::FindOrAdd(std::string_view key) {
  for (Entry& e : entries_) {
    if (e.key == key) return &e.node;
  }
  entries_.push_back(Entry{std::string(key), Node{}});
  return &entries_.back().node;
}

void KeyTable::BuildIndex() {
  uint32_t size = 8;
  while (size < entries_.size() * 2 + 1) size *= 2;
  index_.assign(size, Slot{0, -1});
  mask_ = size - 1;
  for (size_t e = 0; e < entries_.size(); ++e) {
    const uint32_t h = HashKey(entries_[e].key);
    uint32_t i = h & mask_;
    while (index_[i].entry >= 0) i = (i + 1) & mask_;
    index_[i] = Slot{h, static_cast<int32_t>(e)};
  }
}

void FieldTable::AddAt(int32_t table, std::string_view key, int32_t leaf) {
  KeyTable::Node* node = tables_[static_cast<size_t>(table)].FindOrAdd(key);
  if (node->leaf < 0) node->leaf = leaf;  // an earlier (better-ranked) mapping keeps the key
}

void FieldTable::Add(std::string_view path, Leaf leaf) {
  const auto leaf_index = static_cast<int32_t>(leaves_.size());
  leaves_.push_back(std::move(leaf));
  // The literal key first: ECS writes "log.level" as one key.
  AddAt(0, path, leaf_index);
  if (path.find('.') == std::string_view::npos) return;
  int32_t table = 0;
  while (true) {
    const size_t dot = path.find('.');
    if (dot == std::string_view::npos) {
      AddAt(table, path, leaf_index);
      return;
    }
    const std::string_view segment = path.substr(0, dot);
    path.remove_prefix(dot + 1);
    KeyTable::Node* node = tables_[static_cast<size_t>(table)].FindOrAdd(segment);
    if (node->child < 0) {
      node->child = static_cast<int32_t>(tables_.size());
      tables_.emplace_back();  // invalidates `node`; the index was stored first
    }
    table = tables_[static_cast<size_t>(table)].FindOrAdd(segment)->child;
  }
}

Result<FieldTable> FieldTable::Build(
    const std::vector<std::pair<std::string, std::string>>& configured) {
  struct Mapped {
    Target target;
    std::string extra_name;
    std::string path;
  };
  std::vector<Mapped> mapped;
  for (const auto& [name, path] : configured) {
    Mapped m;
    if (!ParseTarget(name, &m.target, &m.extra_name)) {
      return Status::InvalidArgument("fields: unknown target \"" + name +
                                     "\" (known: " + KnownTargets() + ")");
    }
    if (path.empty()) return Status::InvalidArgument("fields." + name + ": empty JSON key");
    if (path.front() == '.' || path.back() == '.' || path.find("..") != std::string::npos) {
      return Status::InvalidArgument("fields." + name + ": \"" + path +
                                     "\" has an empty path segment");
    }
    for (const Mapped& other : mapped) {
      if (other.target == m.target &&
          (m.target != Target::kExtra || other.extra_name == m.extra_name)) {
        return Status::InvalidArgument("fields: target \"" + name + "\" is mapped twice");
      }
    }
    m.path = path;
    mapped.push_back(std::move(m));
  }

  FieldTable table;
  table.tables_.emplace_back();
  uint16_t rank = 0;
  for (const Mapped& m : mapped) {
    table.Add(m.path, Leaf{m.target, rank++, m.extra_name, 0, m.path});
  }
  for (const DefaultField& d : kDefaults) {
    bool overridden = false;
    for (const Mapped& m : mapped) {
      // An operator mapping replaces every default of its target, and a key
      // the operator mapped feeds only the operator's target.
      if (SameMapping(Leaf{m.target, 0, m.extra_name, 0, {}}, d.target, d.extra_name) ||
          m.path == d.path) {
        overridden = true;
        break;
      }
    }
    if (overridden) continue;
    table.Add(d.path, Leaf{d.target, rank++, std::string(d.extra_name), 0, std::string(d.path)});
  }
  // Number the extra names so the parser compares ids, not strings.
  for (size_t i = 0; i < table.leaves_.size(); ++i) {
    Leaf& leaf = table.leaves_[i];
    if (leaf.target != Target::kExtra) continue;
    leaf.extra_id = static_cast<uint16_t>(i);
    for (size_t j = 0; j < i; ++j) {
      const Leaf& other = table.leaves_[j];
      if (other.target == Target::kExtra && other.extra_name == leaf.extra_name) {
        leaf.extra_id = other.extra_id;
        break;
      }
    }
  }
  for (KeyTable& t : table.tables_) t.BuildIndex();
  return table;
}

}  // namespace culprit::parsers::json_internal
