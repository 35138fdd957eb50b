// gen_nginx_log: writes the nginx `combined` log that `make bench-compare`
// feeds to culprit, lnav and GoAccess, plus a list of lookups to ask each.
//
//   gen_nginx_log --lines N --out access.log [--queries K --queries-out q.tsv]
//
// The log is the one every benchmark generates (bench/nginx_log.h): the
// same client population, rate and status mix as ingest_bench's.
// Deterministic for a given N.
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
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench/nginx_log.h"

namespace {

using culprit::bench::kLogMaxLines;

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
      if (!ParseInt(v, &o->lines) || o->lines == 0 || o->lines > kLogMaxLines) {
        std::fprintf(stderr, "gen_nginx_log: --lines: \"%s\" is not in 1..%" PRId64 "\n", v,
                     kLogMaxLines);
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

  culprit::bench::CombinedLog log;
  std::string ip;
  int64_t second = 0;
  uint64_t bytes = 0;
  for (int64_t i = 0; i < o.lines; ++i) {
    const std::string_view line = log.Next(&ip, &second);
    std::fwrite(line.data(), 1, line.size(), f);
    bytes += line.size();
    if (q != nullptr && next_query < queries && i == QueryLine(next_query)) {
      std::fprintf(q, "%s\t%" PRId64 "\n", ip.c_str(), second);
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
