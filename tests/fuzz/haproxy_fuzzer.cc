// libFuzzer harness: one input is one line of the built-in "haproxy" format
// (parsers/formats/haproxy.toml). See tests/fuzz/README.md.

#include "tests/fuzz/line_fuzzer.h"

namespace {

std::vector<culprit::parsers::ParserSpec> Specs() {
  culprit::parsers::ParserSpec spec;
  spec.format = "haproxy";
  return {spec};
}

}  // namespace

CULPRIT_LINE_FUZZER(Specs())
