// libFuzzer harness: one input is one JSON-lines record, parsed with the
// default field names, with an explicit field map (examples/culprit.toml),
// and behind a container-runtime prefix (CRI "<time> stdout F ").

#include "tests/fuzz/line_fuzzer.h"

namespace {

std::vector<culprit::parsers::ParserSpec> Specs() {
  culprit::parsers::ParserSpec plain;
  plain.format = "json";
  culprit::parsers::ParserSpec mapped;
  mapped.format = "json";
  mapped.fields = {{"time", "ts"}, {"client_ip", "forwarded_for"}, {"request_id", "request_id"}};
  culprit::parsers::ParserSpec cri;
  cri.format = "json";
  cri.prefix = R"(^\S+ stdout F )";
  return {plain, mapped, cri};
}

}  // namespace

CULPRIT_LINE_FUZZER(Specs())
