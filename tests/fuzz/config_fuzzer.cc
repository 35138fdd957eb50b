// libFuzzer harness: one input is the TOML text of a culpritd config file
// (examples/*.toml are the seeds). ParseConfig must return a Config or an
// error naming the problem, never throw or crash. Relative paths resolve
// against /tmp, which exists, so the checks past "directory exists" run too;
// ParseConfig only stat()s and access()es paths, it creates nothing.

#include <cstdlib>
#include <string_view>

#include "daemon/config/config.h"
#include "tests/fuzz/line_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = culprit::config::ParseConfig(text, "fuzz.toml", "/tmp");
  if (!config.ok() && config.status().message().empty()) {
    culprit::fuzz::Broken("config error without a message", "");
  }
  return 0;
}
