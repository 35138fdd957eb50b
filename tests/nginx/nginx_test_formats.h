#ifndef CULPRIT_TESTS_NGINX_NGINX_TEST_FORMATS_H_
#define CULPRIT_TESTS_NGINX_NGINX_TEST_FORMATS_H_

// log_format strings of the corpus files, and small helpers shared by the
// nginx tests.

#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/nginx/nginx_access_parser.h"

namespace culprit::parsers::nginx_test {

// lab-dev/manifest.json, logs/nginx/access_ext.log.
inline constexpr std::string_view kLabExt =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
    "\"$http_referer\" \"$http_user_agent\" rport=$remote_port conn=$connection "
    "creq=$connection_requests rt=$request_time msec=$msec tls=$ssl_protocol "
    "cipher=$ssl_cipher saddr=$server_addr sport=$server_port ups=$upstream_addr "
    "ustatus=$upstream_status urt=$upstream_response_time rid=$request_id";

// kubernetes/ingress-nginx default `log-format-upstream` (upstreaminfo).
inline constexpr std::string_view kIngressUpstreamInfo =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
    "\"$http_referer\" \"$http_user_agent\" $request_length $request_time "
    "[$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr "
    "$upstream_response_length $upstream_response_time $upstream_status $req_id";

// combined + the X-Forwarded-For header (lnav-shop, beats-nginx-xff).
inline constexpr std::string_view kCombinedXff =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
    "\"$http_referer\" \"$http_user_agent\" \"$http_x_forwarded_for\"";

// X-Forwarded-For in front of combined, quoted and bare (beats-nginx-xff).
inline constexpr std::string_view kXffQuotedFirst =
    "\"$http_x_forwarded_for\" $remote_addr - $remote_user [$time_local] \"$request\" $status "
    "$body_bytes_sent \"$http_referer\" \"$http_user_agent\"";
inline constexpr std::string_view kXffFirst =
    "$http_x_forwarded_for $remote_addr - $remote_user [$time_local] \"$request\" $status "
    "$body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

// Virtual-host prefixed combined (crowdsec-nginx-http-mixed).
inline constexpr std::string_view kVhostCombined =
    "$host $remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
    "\"$http_referer\" \"$http_user_agent\"";

// Nginx Proxy Manager (docker/rootfs/etc/nginx/nginx.conf): `proxy` and
// `standard`.
inline constexpr std::string_view kNpmProxy =
    "[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme "
    "$host \"$request_uri\" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] "
    "[Sent-to $server] \"$http_user_agent\" \"$http_referer\"";
inline constexpr std::string_view kNpmStandard =
    "[$time_local] $status - $request_method $scheme $host \"$request_uri\" "
    "[Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] \"$http_user_agent\" "
    "\"$http_referer\"";

inline std::vector<std::string> Formats(std::initializer_list<std::string_view> list) {
  return std::vector<std::string>(list.begin(), list.end());
}

inline std::string CorpusPath(std::string_view relative) {
  return std::string(CULPRIT_SOURCE_DIR "/../shared/corpus/") + std::string(relative);
}

// Every line of a file (without '\n'); empty when the file cannot be read.
inline std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace culprit::parsers::nginx_test

#endif  // CULPRIT_TESTS_NGINX_NGINX_TEST_FORMATS_H_
