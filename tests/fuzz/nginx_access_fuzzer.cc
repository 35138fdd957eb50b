// libFuzzer harness: one input is one nginx access log line, parsed with the
// default combined format and with the lab's extended log_format
// (examples/lab-dev.toml), which has most variables culprit reads.

#include "tests/fuzz/line_fuzzer.h"

namespace {

std::vector<culprit::parsers::ParserSpec> Specs() {
  culprit::parsers::ParserSpec combined;
  combined.format = "nginx_combined";
  culprit::parsers::ParserSpec extended;
  extended.format = "nginx";
  extended.log_formats = {
      R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rport=$remote_port conn=$connection creq=$connection_requests rt=$request_time msec=$msec tls=$ssl_protocol cipher=$ssl_cipher saddr=$server_addr sport=$server_port ups=$upstream_addr ustatus=$upstream_status urt=$upstream_response_time rid=$request_id)"};
  return {combined, extended};
}

}  // namespace

CULPRIT_LINE_FUZZER(Specs())
