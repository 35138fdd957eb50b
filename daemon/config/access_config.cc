// [auth], [tls], [limits] and the remote-listener check
// (daemon/config/internal/access_parse.h).

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/ip_address.h"
#include "base/log.h"
#include "base/suggest.h"
#include "daemon/config/internal/access_parse.h"

namespace culprit::config {
namespace internal {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMaxPerMinute = 1'000'000;

int64_t LineOf(const toml::node& node) { return static_cast<int64_t>(node.source().begin.line); }
int64_t LineOf(const toml::key& key) { return static_cast<int64_t>(key.source().begin.line); }

std::string Unknown(std::string_view key, const std::vector<std::string_view>& allowed) {
  return "unknown key \"" + std::string(key) + "\"" + Suggest(key, allowed);
}

const char* Kind(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date or time";
  }
}

std::optional<std::string> String(const toml::node& n, const std::string& key, const AddError& add) {
  if (const auto* s = n.as_string()) return s->get();
  add(LineOf(n), key, std::string("must be a string, not ") + Kind(n));
  return std::nullopt;
}

std::optional<bool> Bool(const toml::node& n, const std::string& key, const AddError& add) {
  if (const auto* b = n.as_boolean()) return b->get();
  add(LineOf(n), key, std::string("must be true or false, not ") + Kind(n));
  return std::nullopt;
}

std::optional<int64_t> Int(const toml::node& n, const std::string& key, int64_t lo, int64_t hi,
                           const AddError& add) {
  const auto* i = n.as_integer();
  if (i == nullptr) {
    add(LineOf(n), key, std::string("must be an integer, not ") + Kind(n));
    return std::nullopt;
  }
  if (i->get() < lo || i->get() > hi) {
    add(LineOf(n), key, std::to_string(i->get()) + " is out of range (" + std::to_string(lo) +
                            " .. " + std::to_string(hi) + ")");
    return std::nullopt;
  }
  return i->get();
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ParseToken(const toml::table& t, const std::string& path, size_t index, const AddError& add,
                TokenConfig* out) {
  out->line = static_cast<int>(LineOf(t));
  bool ok = true;
  for (auto&& [key, node] : t) {
    const std::string_view k = key.str();
    const std::string kp = path + "." + std::string(k);
    if (k == "name") {
      auto v = String(node, kp, add);
      if (v && v->empty()) add(LineOf(node), kp, "must not be empty");
      if (v && !v->empty()) out->name = *v;
      ok = ok && v && !v->empty();
    } else if (k == "role") {
      auto v = String(node, kp, add);
      if (v && *v != "reporter" && *v != "operator") {
        add(LineOf(node), kp,
            "\"" + *v + "\" is not a role (reporter or operator)" +
                Suggest(*v, {"reporter", "operator"}));
        ok = false;
      } else if (v) {
        out->role = *v;
      } else {
        ok = false;
      }
    } else if (k == "sha256") {
      // Never echo the value: an operator may have pasted the token itself.
      auto v = String(node, kp, add);
      if (v && !IsHex64(*v)) {
        add(LineOf(node), kp,
            "must be the token's SHA-256 as 64 hex digits (printf %s \"$TOKEN\" | sha256sum), "
            "not " + std::to_string(v->size()) + " characters" +
                (v->size() == 64 ? " with a non-hex digit" : ""));
        ok = false;
      } else if (v) {
        out->sha256 = Lower(*v);
      } else {
        ok = false;
      }
    } else {
      add(LineOf(key), kp, Unknown(k, {"name", "role", "sha256"}));
      ok = false;
    }
  }
  for (const char* required : {"role", "sha256"}) {
    if (t.get(required) == nullptr) {
      add(out->line, path, std::string("missing required key \"") + required + "\"");
      ok = false;
    }
  }
  if (out->name.empty()) out->name = "tokens[" + std::to_string(index + 1) + "]";
  return ok;
}

// Reads a PEM file named by `key`; adds an error and returns false when it
// cannot be read or does not look like PEM.
bool CheckPemFile(const std::string& file, int64_t line, const std::string& key,
                  const AddError& add) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    add(line, key, "cannot read \"" + file + "\": " + ErrnoText(errno));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    add(line, key, "\"" + file + "\" is not PEM (no \"-----BEGIN\" line)");
    return false;
  }
  return true;
}

}  // namespace

void ParseAuth(const toml::table& t, int64_t line, const AddError& add, AuthConfig* out) {
  for (auto&& [key, node] : t) {
    const std::string_view k = key.str();
    const std::string kp = "auth." + std::string(k);
    if (k == "reporter_sees_evidence") {
      if (auto v = Bool(node, kp, add)) out->reporter_sees_evidence = *v;
    } else if (k == "tokens") {
      const toml::array* a = node.as_array();
      if (a == nullptr) {
        add(LineOf(node), kp,
            std::string("must be an array of tables such as [{ role = \"operator\", sha256 = "
                        "\"...\" }], not ") + Kind(node));
        continue;
      }
      std::set<std::string> names;
      std::set<std::string> hashes;
      for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& elem = (*a)[i];
        const std::string path = kp + "[" + std::to_string(i + 1) + "]";
        const toml::table* tt = elem.as_table();
        if (tt == nullptr) {
          add(LineOf(elem), path, std::string("must be a table, not ") + Kind(elem));
          continue;
        }
        TokenConfig token;
        if (!ParseToken(*tt, path, i, add, &token)) continue;
        if (!names.insert(token.name).second) {
          add(token.line, path, "another token already has the name \"" + token.name + "\"");
          continue;
        }
        if (!hashes.insert(token.sha256).second) {
          add(token.line, path, "the same sha256 is listed twice (one token, one role)");
          continue;
        }
        out->tokens.push_back(std::move(token));
      }
    } else {
      add(LineOf(key), kp, Unknown(k, {"tokens", "reporter_sees_evidence"}));
    }
  }
  (void)line;
}

void ParseTls(const toml::table& t, int64_t line, const std::string& base_dir,
              const AddError& add, TlsConfig* out) {
  out->line = static_cast<int>(line);
  for (auto&& [key, node] : t) {
    const std::string_view k = key.str();
    const std::string kp = "tls." + std::string(k);
    std::string* target = k == "cert"        ? &out->cert
                          : k == "key"       ? &out->key
                          : k == "client_ca" ? &out->client_ca
                                             : nullptr;
    if (target == nullptr) {
      add(LineOf(key), kp, Unknown(k, {"cert", "key", "client_ca"}));
      continue;
    }
    auto v = String(node, kp, add);
    if (!v) continue;
    if (v->empty()) {
      add(LineOf(node), kp, "must not be empty");
      continue;
    }
    fs::path p(*v);
    if (p.is_relative()) p = fs::path(base_dir) / p;
    const std::string file = p.lexically_normal().string();
    if (CheckPemFile(file, LineOf(node), kp, add)) *target = file;
  }
  const bool has_cert = t.get("cert") != nullptr;
  const bool has_key = t.get("key") != nullptr;
  if (has_cert != has_key) {
    add(line, "tls", has_cert ? "missing required key \"key\" (the certificate's private key)"
                              : "missing required key \"cert\" (the key's certificate chain)");
  }
  if (!has_cert && !has_key && t.get("client_ca") != nullptr) {
    add(line, "tls", "client_ca needs \"cert\" and \"key\": mutual TLS is TLS first");
  }
  // A half-valid [tls] must not turn TLS off silently.
  if (out->cert.empty() || out->key.empty()) {
    out->cert.clear();
    out->key.clear();
  }
}

void ParseLimits(const toml::table& t, int64_t line, const AddError& add, LimitsConfig* out) {
  for (auto&& [key, node] : t) {
    const std::string_view k = key.str();
    const std::string kp = "limits." + std::string(k);
    if (k == "submit_per_minute") {
      if (auto v = Int(node, kp, 0, kMaxPerMinute, add)) out->submit_per_minute = *v;
    } else if (k == "submit_burst") {
      if (auto v = Int(node, kp, 1, kMaxPerMinute, add)) out->submit_burst = *v;
    } else {
      add(LineOf(key), kp, Unknown(k, {"submit_per_minute", "submit_burst"}));
    }
  }
  if (out->submit_burst > 0 && t.get("submit_per_minute") == nullptr) {
    add(line, "limits", "submit_burst needs submit_per_minute (the rate it refills at)");
  }
  if (out->submit_per_minute > 0 && out->submit_burst == 0) {
    out->submit_burst = out->submit_per_minute;
  }
}

bool IsLocalListen(const std::string& listen) {
  if (listen.starts_with("unix:")) return true;
  auto ep = Endpoint::Parse(listen);
  if (ep.ok()) {
    if (ep->ip.is_v4()) {
      return ep->ip.Key()[12] == 127;
    }
    return ep->ip == *IpAddress::Parse("::1");
  }
  const size_t colon = listen.rfind(':');
  return Lower(listen.substr(0, colon)) == "localhost";
}

void CheckRemoteListener(const Config& config, const std::string& listen_key,
                         const AddError& add) {
  if (config.daemon.allow_insecure_remote || IsLocalListen(config.daemon.listen)) return;
  const bool tls = config.tls.enabled();
  const bool authenticated = !config.auth.tokens.empty() || !config.tls.client_ca.empty();
  if (tls && authenticated) return;
  std::string missing;
  if (!tls) missing = "no TLS (set [tls] cert and key)";
  if (!authenticated) {
    if (!missing.empty()) missing += " and ";
    missing += "no authentication (set [auth] tokens, or [tls] client_ca for mutual TLS)";
  }
  add(config.daemon.listen_line, listen_key,
      "\"" + config.daemon.listen + "\" can be reached from other hosts, but the listener has " +
          missing +
          "; secure it, listen on loopback, or set [daemon] allow_insecure_remote = true to "
          "accept the risk");
}

}  // namespace internal

Result<TlsPem> ReadTlsFiles(const TlsConfig& tls) {
  TlsPem out;
  const auto read = [](const std::string& file, std::string* text) -> Status {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::Unavailable("cannot read \"" + file + "\": " + ErrnoText(errno));
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) return Status::Unavailable("error reading \"" + file + "\"");
    *text = s.str();
    return Status::Ok();
  };
  CULPRIT_RETURN_IF_ERROR(read(tls.cert, &out.cert));
  CULPRIT_RETURN_IF_ERROR(read(tls.key, &out.key));
  if (!tls.client_ca.empty()) CULPRIT_RETURN_IF_ERROR(read(tls.client_ca, &out.client_ca));
  return out;
}

}  // namespace culprit::config
