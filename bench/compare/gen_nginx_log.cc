// gen_nginx_log: writes the nginx `combined` log that `make bench-compare`
// feeds to culprit, lnav and GoAccess, plus a list of lookups to ask each.
//
//   gen_nginx_log --lines N --out access.log [--queries K --queries-out q.tsv]
//
// The log has the distribution of ingest_bench's GenerateCombined() (the
// logic is copied, not shared, so that benchmark can change independently):
// client addresses drawn log-uniformly from 200k ranks (a few very busy
// clients, a long tail; ~10 % IPv6), 2000 requests/s from 2026-11-23 20:00:00
// UTC, and a busy edge's status mix with ~3 % reset-causing statuses. The
// output is deterministic for a given N.
//
// The lookup list has K lines "<address>\t<unix seconds>", each an address and
// the time of a line of the log, spread evenly over the file: a lookup "this
// client, +/- 10 s around then" always has at least one answer, and busy
// clients come up about as often as they do in the log.
//
// Exit status: 0 on success, 1 on bad arguments or a write error (named on
// stderr).

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

// 2026-11-23 00:00:00 UTC.
constexpr int64_t kDayStartUnix = 1795392000LL;
constexpr int64_t kFirstSecond = 20 * 3600;  // the log starts at 20:00 UTC
constexpr int64_t kRequestsPerSecond = 2000;
// The date in the lines is fixed, so the log must end before midnight.
constexpr int64_t kMaxLines = (86400 - kFirstSecond) * kRequestsPerSecond;  // 28.8M

// Same as ingest_bench's ClientAddress(): rank ~ log-uniform over [1, 200000]
// (a Zipf-like skew), every tenth rank an IPv6 address.
std::string ClientAddress(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  const auto rank = static_cast<uint32_t>(std::pow(200000.0, u(rng)));
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

struct Options {
  int64_t lines = 2'000'000;
  std::string out;
  int64_t queries = 0;
  std::string queries_out;
};

bool ParseInt(const char* text, int64_t* out) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < 0) return false;
  *out = v;
  return true;
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--lines") {
      if (!ParseInt(v, &o->lines) || o->lines == 0 || o->lines > kMaxLines) {
        std::fprintf(stderr, "gen_nginx_log: --lines: \"%s\" is not in 1..%" PRId64 "\n", v,
                     kMaxLines);
        return false;
      }
    } else if (k == "--out") {
      o->out = v;
    } else if (k == "--queries") {
      if (!ParseInt(v, &o->queries)) {
        std::fprintf(stderr, "gen_nginx_log: --queries: \"%s\" is not a number\n", v);
        return false;
      }
    } else if (k == "--queries-out") {
      o->queries_out = v;
    } else {
      std::fprintf(stderr, "gen_nginx_log: unknown option \"%s\"\n", k.c_str());
      return false;
    }
  }
  if (argc % 2 == 0 || o->out.empty() || (o->queries > 0 && o->queries_out.empty())) {
    std::fprintf(stderr,
                 "usage: gen_nginx_log --lines N --out FILE [--queries K --queries-out FILE]\n");
    return false;
  }
  return true;
}

// Writes the log (and the lookups) as described at the top; false after
// printing what failed.
bool Generate(const Options& o) {
  static const char* kPaths[] = {"/", "/api/orders?page=2", "/static/app.3f9a1c.js",
                                 "/api/session", "/login", "/images/logo.png",
                                 "/api/items/18231", "/healthz", "/search?q=reset+by+peer"};
  static const char* kAgents[] = {
      "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
      "curl/7.88.1", "python-requests/2.31.0",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0 Safari/537.36"};
  // Per mille, as in ingest_bench: mostly 2xx/3xx, some 404s, and ~3 % of
  // statuses that indicate a reset cause (400, 408, 429, 444, 499, 5xx).
  static const std::pair<int, int> kStatusMix[] = {
      {200, 860}, {304, 50}, {301, 20}, {404, 40}, {400, 5}, {499, 10},
      {502, 3},   {504, 2},  {500, 3},  {408, 2},  {429, 3}, {444, 2}};
  std::vector<int> statuses;
  for (const auto& [status, per_mille] : kStatusMix) {
    statuses.insert(statuses.end(), per_mille, status);
  }

  FILE* f = std::fopen(o.out.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "gen_nginx_log: %s: %s\n", o.out.c_str(), std::strerror(errno));
    return false;
  }
  FILE* q = nullptr;
  if (o.queries > 0) {
    q = std::fopen(o.queries_out.c_str(), "w");
    if (q == nullptr) {
      std::fprintf(stderr, "gen_nginx_log: %s: %s\n", o.queries_out.c_str(),
                   std::strerror(errno));
      std::fclose(f);
      return false;
    }
  }
  std::vector<char> buf(1 << 20);
  std::setvbuf(f, buf.data(), _IOFBF, buf.size());
  // Lookup k uses the line at (k + 0.5) * lines / queries: evenly spread,
  // never the very first or last second.
  const int64_t queries = std::min(o.queries, o.lines);
  int64_t next_query = 0;
  auto QueryLine = [&](int64_t k) { return (2 * k + 1) * o.lines / (2 * queries); };

  std::mt19937_64 rng(42);
  uint64_t bytes = 0;
  for (int64_t i = 0; i < o.lines; ++i) {
    const int64_t sec = kFirstSecond + i / kRequestsPerSecond;
    const std::string ip = ClientAddress(rng);
    char line[512];
    const int n = std::snprintf(
        line, sizeof line,
        "%s - - [23/Nov/2026:%02" PRId64 ":%02" PRId64 ":%02" PRId64
        " +0000] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\"\n",
        ip.c_str(), (sec / 3600) % 24, (sec / 60) % 60, sec % 60, kPaths[rng() % 9],
        statuses[rng() % statuses.size()], static_cast<int>(rng() % 40000), kAgents[rng() % 4]);
    std::fwrite(line, 1, static_cast<size_t>(n), f);
    bytes += static_cast<uint64_t>(n);
    if (q != nullptr && next_query < queries && i == QueryLine(next_query)) {
      std::fprintf(q, "%s\t%" PRId64 "\n", ip.c_str(), kDayStartUnix + sec);
      ++next_query;
    }
  }
  bool ok = std::ferror(f) == 0;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::fprintf(stderr, "gen_nginx_log: %s: write failed\n", o.out.c_str());
  }
  if (q != nullptr) {
    const bool q_ok = std::ferror(q) == 0 && std::fclose(q) == 0;
    if (!q_ok) std::fprintf(stderr, "gen_nginx_log: %s: write failed\n", o.queries_out.c_str());
    ok = ok && q_ok;
  }
  if (ok) {
    std::printf("%" PRId64 " lines %" PRIu64 " bytes %" PRId64 " lookups\n", o.lines, bytes,
                next_query);
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 1;
  return Generate(o) ? 0 : 1;
}
