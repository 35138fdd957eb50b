#ifndef CULPRIT_DAEMON_CONFIG_INTERNAL_ACCESS_PARSE_H_
#define CULPRIT_DAEMON_CONFIG_INTERNAL_ACCESS_PARSE_H_

// The [auth], [tls] and [limits] tables of culpritd's config, and the check
// that a remote listener is secured. Used by config.cc only; includes
// toml++. Each function reports every problem through `add` (line, key
// path, message) and fills what is valid.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "daemon/config/config.h"

namespace culprit::config::internal {

using AddError = std::function<void(int64_t line, std::string_view key, std::string_view what)>;

// `line`: where the table starts; relative paths resolve against base_dir.
void ParseAuth(const toml::table& t, int64_t line, const AddError& add, AuthConfig* out);
void ParseTls(const toml::table& t, int64_t line, const std::string& base_dir,
              const AddError& add, TlsConfig* out);
void ParseLimits(const toml::table& t, int64_t line, const AddError& add, LimitsConfig* out);

// True for 127.0.0.0/8, ::1, "localhost" and unix sockets.
bool IsLocalListen(const std::string& listen);

// Refuses a listener other hosts can reach unless it has TLS and
// authentication (tokens or client_ca) or allow_insecure_remote is set.
// `listen_key`: "daemon.listen" or "--listen".
void CheckRemoteListener(const Config& config, const std::string& listen_key,
                         const AddError& add);

}  // namespace culprit::config::internal

#endif  // CULPRIT_DAEMON_CONFIG_INTERNAL_ACCESS_PARSE_H_
