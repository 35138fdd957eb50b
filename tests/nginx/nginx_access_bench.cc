// nginx_access_bench: parse rate of the nginx access parser, one thread.
//
//   nginx_access_bench [seconds-per-file]
//
// Parses lab-dev/logs/nginx/access.log (combined) and access_ext.log (ext)
// in a loop for about the given time (default 2 s) each, reusing one Event
// as ingestion does, and prints lines/s per second of this thread's CPU time
// (the machine is shared: wall time would measure the neighbours too) and
// per wall-clock second. Not a test: it is not registered with ctest and
// asserts nothing.

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/time_zone.h"
#include "parsers/nginx/nginx_access_parser.h"
#include "tests/nginx/nginx_test_formats.h"

namespace culprit::parsers {
namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int Run(double seconds) {
  struct File {
    const char* path;
    std::string_view format;
  };
  const File files[] = {
      {"lab-dev/logs/nginx/access.log", kNginxCombinedLogFormat},
      {"lab-dev/logs/nginx/access_ext.log", nginx_test::kLabExt},
  };
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  for (const File& f : files) {
    const std::vector<std::string> lines = nginx_test::ReadLines(nginx_test::CorpusPath(f.path));
    if (lines.empty()) {
      std::fprintf(stderr, "cannot read %s\n", f.path);
      return 1;
    }
    const std::vector<std::string> formats = {std::string(f.format)};
    auto parser = NewNginxAccessParser(formats);
    if (!parser.ok()) {
      std::fprintf(stderr, "%s\n", parser.status().message().c_str());
      return 1;
    }
    Event event;
    size_t bytes = 0;
    for (const std::string& l : lines) bytes += l.size() + 1;
    size_t parsed = 0;
    size_t total = 0;
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const double cpu_start = ThreadCpuSeconds();
    double cpu = 0;
    while (cpu < seconds) {
      for (const std::string& l : lines) parsed += (*parser)->Parse(l, ctx, &event).ok();
      total += lines.size();
      cpu = ThreadCpuSeconds() - cpu_start;
    }
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    const double n = static_cast<double>(total);
    std::printf(
        "%-34s %6.2f M lines/s CPU  %6.1f MB/s CPU  %6.2f M lines/s wall  (%zu lines, %zu "
        "parsed)\n",
        f.path, n / cpu / 1e6,
        static_cast<double>(bytes) * n / static_cast<double>(lines.size()) / cpu / 1e6,
        n / wall / 1e6, total, parsed);
  }
  return 0;
}

}  // namespace
}  // namespace culprit::parsers

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  return culprit::parsers::Run(seconds > 0 ? seconds : 2.0);
}
