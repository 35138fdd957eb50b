// libFuzzer harness: one input is one line of the built-in "nginx_error" format
// (parsers/formats/nginx_error.toml). See tests/fuzz/README.md.

#include "tests/fuzz/line_fuzzer.h"

namespace {

std::vector<culprit::parsers::ParserSpec> Specs() {
  culprit::parsers::ParserSpec spec;
  spec.format = "nginx_error";
  return {spec};
}

}  // namespace

CULPRIT_LINE_FUZZER(Specs())
