// Informal single-thread speed figure for a built-in format (not a test):
//   format_speed [format] [file] [rounds]
// Prints lines/s and MB/s. Defaults: nginx_error on the lab-dev error.log.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "base/time_zone.h"
#include "parsers/format/format_loader.h"
#include "parsers/format/format_parser.h"

int main(int argc, char** argv) {
  using namespace culprit;
  const std::string format = argc > 1 ? argv[1] : "nginx_error";
  const std::string file =
      argc > 2 ? argv[2] : CULPRIT_SOURCE_DIR "/../shared/corpus/lab-dev/logs/nginx/error.log";
  const int rounds = argc > 3 ? std::stoi(argv[3]) : 400;
  auto def = parsers::BuiltinFormat(format);
  if (!def.ok()) {
    std::fprintf(stderr, "%s\n", def.status().ToString().c_str());
    return 1;
  }
  auto parser = std::move(parsers::NewFormatParser(*def)).value();
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> lines;
  size_t bytes = 0;
  for (std::string l; std::getline(in, l);) {
    bytes += l.size() + 1;
    lines.push_back(std::move(l));
  }
  TimeZone utc;
  parsers::LineContext ctx{&utc, Timestamp(std::chrono::seconds(1795478400))};
  parsers::Event event;
  size_t ok = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const std::string& l : lines) ok += parser->Parse(l, ctx, &event).ok();
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double n = static_cast<double>(lines.size()) * rounds;
  std::printf("%s on %s: %.0f lines/s, %.1f MB/s (%zu lines x %d rounds, %zu parsed)\n",
              format.c_str(), file.c_str(), n / secs, bytes * rounds / secs / 1e6, lines.size(),
              rounds, ok);
  return 0;
}
