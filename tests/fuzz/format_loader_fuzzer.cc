// libFuzzer harness: one input is the TOML text of a format file
// (parsers/formats/*.toml are the seeds). LoadFormat must return a value or
// an error naming the problem, never throw or crash (a format that loads has
// already run its own samples); a format that loads must give a parser that
// survives the input itself as a line.

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "base/time_zone.h"
#include "parsers/format/format_loader.h"
#include "parsers/format/format_parser.h"
#include "tests/fuzz/line_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto def = culprit::parsers::LoadFormat(text, "fuzz.toml");
  if (!def.ok()) {
    if (def.status().message().empty()) culprit::fuzz::Broken("load error without a message", "");
    return 0;
  }
  auto parser = culprit::parsers::NewFormatParser(*def);
  if (!parser.ok()) return 0;
  static const culprit::TimeZone zone = culprit::TimeZone::Utc();
  culprit::parsers::LineContext ctx;
  ctx.zone = &zone;
  ctx.now = culprit::FromUnixMicros(1795449600LL * 1000000);
  culprit::parsers::Event event;
  culprit::fuzz::CheckResult((*parser)->Parse(text, ctx, &event), event);
  return 0;
}
