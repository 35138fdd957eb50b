// libFuzzer harness: one input is one line of a "regex" source: the lab
// application's pattern and time_format (examples/lab-dev.toml).

#include "tests/fuzz/line_fuzzer.h"

namespace {

std::vector<culprit::parsers::ParserSpec> Specs() {
  culprit::parsers::ParserSpec spec;
  spec.format = "regex";
  spec.pattern =
      R"(^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<level>[A-Z]+) +\[(?P<thread>[^\]]+)\] (?P<message>.*?) client=(?:-:-|(?P<client>\S+)) request_id=(?P<request_id>\S+)(?: (?P<attrs>.*))?$)";
  spec.time_format = "%Y-%m-%d %H:%M:%S,%f";
  return {spec};
}

}  // namespace

CULPRIT_LINE_FUZZER(Specs())
