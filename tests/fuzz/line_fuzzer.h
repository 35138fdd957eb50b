#ifndef CULPRIT_TESTS_FUZZ_LINE_FUZZER_H_
#define CULPRIT_TESTS_FUZZ_LINE_FUZZER_H_

// Shared by the per-format libFuzzer harnesses (*_fuzzer.cc): feeds one
// input as one log line to a set of LineParsers and checks the contract of
// parsers/line_parser.h beyond "does not crash":
//   - a line that is not parsed carries a reason;
//   - a parsed event has a time in years 1..9999 and in-range enums.
// A broken contract aborts, which libFuzzer reports as a crash and saves.
//
// Not thread-safe (libFuzzer calls a harness from one thread).

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time.h"
#include "base/time_zone.h"
#include "parsers/line_parser.h"
#include "parsers/parser_factory.h"

namespace culprit::fuzz {

// Builds the parser for `spec`, or aborts: a harness with no parser would
// fuzz nothing and report success.
inline std::unique_ptr<parsers::LineParser> MustNewParser(const parsers::ParserSpec& spec) {
  auto parser = parsers::NewLineParser(spec);
  if (!parser.ok()) {
    std::fprintf(stderr, "fuzz: cannot build the %s parser: %s\n", spec.format.c_str(),
                 parser.status().message().c_str());
    std::abort();
  }
  return std::move(*parser);
}

[[noreturn]] inline void Broken(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz: contract broken: %s: %.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void CheckResult(const parsers::ParseResult& result, const parsers::Event& event) {
  if (!result.ok()) {
    if (result.outcome != parsers::ParseOutcome::kNoMatch &&
        result.outcome != parsers::ParseOutcome::kMalformed) {
      Broken("unknown outcome", "");
    }
    if (result.reason.empty()) Broken("rejected line without a reason", "");
    return;
  }
  // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z: what FormatRfc3339
  // and the store can hold.
  constexpr int64_t kMinMicros = -62135596800LL * 1000000;
  constexpr int64_t kMaxMicros = 253402300800LL * 1000000 - 1;
  const int64_t us = ToUnixMicros(event.time);
  if (us < kMinMicros || us > kMaxMicros) Broken("event time outside years 1..9999", "");
  if (static_cast<int>(event.kind) >= kEventKindCount) Broken("event kind out of range", "");
  if (static_cast<int>(event.cause) >= kCauseCount) Broken("event cause out of range", "");
}

// The zone and clock every harness uses: UTC, and a fixed "now" in the lab
// corpus's week, so runs are reproducible.
class LineFuzzer {
 public:
  explicit LineFuzzer(std::vector<parsers::ParserSpec> specs) {
    for (const auto& spec : specs) parsers_.push_back(MustNewParser(spec));
    ctx_.zone = &zone_;
    ctx_.now = FromUnixMicros(1795449600LL * 1000000);  // 2026-11-23T16:00:00Z
  }

  // Parses `line` with every parser, twice: a parser may keep state about
  // recent lines (stunnel connection ids), and a second pass runs with it.
  void Run(std::string_view line) {
    for (auto& parser : parsers_) {
      for (int pass = 0; pass < 2; ++pass) {
        parsers::Event event;
        const parsers::ParseResult result = parser->Parse(line, ctx_, &event);
        CheckResult(result, event);
      }
    }
  }

 private:
  TimeZone zone_ = TimeZone::Utc();
  parsers::LineContext ctx_;
  std::vector<std::unique_ptr<parsers::LineParser>> parsers_;
};

}  // namespace culprit::fuzz

// Defines the libFuzzer entry point for a LineFuzzer over `specs_expr`.
#define CULPRIT_LINE_FUZZER(specs_expr)                                        \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {    \
    static auto* fuzzer = new culprit::fuzz::LineFuzzer(specs_expr);           \
    fuzzer->Run(std::string_view(reinterpret_cast<const char*>(data), size));  \
    return 0;                                                                  \
  }

#endif  // CULPRIT_TESTS_FUZZ_LINE_FUZZER_H_
