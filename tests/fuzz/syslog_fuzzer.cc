// libFuzzer harness: one input is one line of the built-in "syslog" format
// (parsers/formats/syslog.toml). See tests/fuzz/README.md.

#include "tests/fuzz/line_fuzzer.h"

namespace {

std::vector<culprit::parsers::ParserSpec> Specs() {
  culprit::parsers::ParserSpec spec;
  spec.format = "syslog";
  return {spec};
}

}  // namespace

CULPRIT_LINE_FUZZER(Specs())
