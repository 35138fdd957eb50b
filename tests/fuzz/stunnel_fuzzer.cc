// libFuzzer harness: one input is one line of the built-in "stunnel" format
// (parsers/formats/stunnel.toml). See tests/fuzz/README.md.

#include "tests/fuzz/line_fuzzer.h"

namespace {

std::vector<culprit::parsers::ParserSpec> Specs() {
  culprit::parsers::ParserSpec spec;
  spec.format = "stunnel";
  return {spec};
}

}  // namespace

CULPRIT_LINE_FUZZER(Specs())
