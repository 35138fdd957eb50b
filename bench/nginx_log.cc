#include "bench/nginx_log.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <utility>

namespace culprit::bench {
namespace {

const char* const kPaths[] = {"/", "/api/orders?page=2", "/static/app.3f9a1c.js",
                              "/api/session", "/login", "/images/logo.png",
                              "/api/items/18231", "/healthz", "/search?q=reset+by+peer"};
const char* const kAgents[] = {
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "curl/7.88.1",
    "python-requests/2.31.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"};
// Per mille: mostly 2xx/3xx, a few percent of 404s, and about 3 % of
// statuses that indicate a reset cause (400, 408, 429, 444, 499, 5xx).
const std::pair<int, int> kStatusMix[] = {{200, 860}, {304, 50}, {301, 20}, {404, 40},
                                          {400, 5},   {499, 10}, {502, 3},  {504, 2},
                                          {500, 3},   {408, 2},  {429, 3},  {444, 2}};

}  // namespace

const char* RequestPath(uint64_t r) { return kPaths[r % std::size(kPaths)]; }
const char* UserAgent(uint64_t r) { return kAgents[r % std::size(kAgents)]; }

std::string ClientAddress(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  const auto rank = static_cast<uint32_t>(std::pow(200000.0, u(rng)));  // log-uniform ~ Zipf
  char buf[64];
  if (rank % 10 == 3) {
    std::snprintf(buf, sizeof buf, "2001:db8:%x:%x::%x", rank >> 12, (rank >> 4) & 0xff,
                  rank & 0xf);
  } else {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", 10 + (rank >> 16) % 200, (rank >> 8) & 0xff,
                  rank & 0xff, 1 + rank % 250);
  }
  return buf;
}

CombinedLog::CombinedLog(uint64_t seed) : rng_(seed) {
  for (const auto& [status, per_mille] : kStatusMix) {
    statuses_.insert(statuses_.end(), per_mille, status);
  }
}

std::string_view CombinedLog::Next(std::string* ip, int64_t* unix_second) {
  const int64_t sec = kLogFirstSecond + index_++ / kLogRequestsPerSecond;
  *ip = ClientAddress(rng_);
  *unix_second = kLogDayUnix + sec;
  const int n = std::snprintf(
      line_, sizeof line_,
      "%s - - [23/Nov/2026:%02" PRId64 ":%02" PRId64 ":%02" PRId64
      " +0000] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\"\n",
      ip->c_str(), (sec / 3600) % 24, (sec / 60) % 60, sec % 60, RequestPath(rng_()),
      statuses_[rng_() % statuses_.size()], static_cast<int>(rng_() % 40000),
      UserAgent(rng_()));
  return {line_, static_cast<size_t>(n)};
}

}  // namespace culprit::bench
