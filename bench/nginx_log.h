#ifndef CULPRIT_BENCH_NGINX_LOG_H_
#define CULPRIT_BENCH_NGINX_LOG_H_

// The synthetic traffic every benchmark uses, so their figures describe the
// same log: client addresses drawn log-uniformly from 200k ranks (a few very
// busy clients and a long tail, every tenth an IPv6 address), and nginx
// `combined` lines at 2000 requests/s from 2026-11-23 20:00:00 UTC with a
// busy edge's status mix (about 3 % of lines indicate a reset cause).
// Deterministic for a given seed.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace culprit::bench {

// 2026-11-23 00:00:00 UTC, and the generated log's first second of that day.
inline constexpr int64_t kLogDayUnix = 1795392000;
inline constexpr int64_t kLogFirstSecond = 20 * 3600;
inline constexpr int64_t kLogRequestsPerSecond = 2000;
// The date in the lines is fixed, so the log ends before midnight.
inline constexpr int64_t kLogMaxLines = (86400 - kLogFirstSecond) * kLogRequestsPerSecond;

// One client address of the population.
std::string ClientAddress(std::mt19937_64& rng);

// The request paths and user agents of the lines: the one a random number
// picks (every benchmark's lines draw them the same way).
const char* RequestPath(uint64_t r);
const char* UserAgent(uint64_t r);

// Writes line after line of the combined log. Not thread-safe.
class CombinedLog {
 public:
  explicit CombinedLog(uint64_t seed = 42);

  // The next line, with its '\n' (valid until the next call); its client
  // address and Unix second in *ip and *unix_second.
  // REQUIRES: fewer than kLogMaxLines lines so far.
  std::string_view Next(std::string* ip, int64_t* unix_second);

 private:
  std::mt19937_64 rng_;
  std::vector<int> statuses_;  // the status mix, one entry per mille
  int64_t index_ = 0;
  char line_[512];
};

}  // namespace culprit::bench

#endif  // CULPRIT_BENCH_NGINX_LOG_H_
