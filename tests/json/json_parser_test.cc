#include "parsers/json/json_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/ip_address.h"
#include "base/time.h"
#include "base/time_zone.h"

namespace culprit::parsers {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Row {
  const char* name;
  std::string line;
  ParseOutcome outcome = ParseOutcome::kParsed;
  const char* reason = "";  // a substring of the reason when not parsed
  const char* time = "";    // RFC 3339, 6 digits
  Duration precision = seconds(1);
  int level = -1;
  const char* client = "";  // Endpoint::ToString, "" = no client
  const char* server = "";
  int status = -1;
  const char* request_id = "";
  int64_t duration_us = -1;
  int64_t bytes_in = -1;
  int64_t bytes_out = -1;
  const char* message = "";
  const char* detail = "";
  const char* cause = "NONE";
  std::vector<std::pair<std::string, std::string>> extras = {};
};

std::string EndpointText(const std::optional<IpAddress>& ip, uint16_t port) {
  if (!ip) return "";
  return Endpoint{*ip, port}.ToString();
}

void Check(const Row& row, const ParseResult& result, const Event& event) {
  ASSERT_EQ(result.outcome, row.outcome) << result.reason;
  if (row.outcome != ParseOutcome::kParsed) {
    EXPECT_NE(result.reason.find(row.reason), std::string::npos) << result.reason;
    return;
  }
  EXPECT_EQ(FormatRfc3339(event.time), row.time);
  EXPECT_EQ(event.precision, row.precision);
  EXPECT_EQ(event.kind, EventKind::kApp);
  EXPECT_EQ(event.level.value_or(-1), row.level);
  EXPECT_EQ(EndpointText(event.client_ip, event.client_port), row.client);
  EXPECT_EQ(EndpointText(event.server_ip, event.server_port), row.server);
  EXPECT_EQ(event.status.value_or(-1), row.status);
  EXPECT_EQ(event.request_id, row.request_id);
  EXPECT_EQ(event.duration ? event.duration->count() : -1, row.duration_us);
  EXPECT_EQ(event.bytes_in.value_or(-1), row.bytes_in);
  EXPECT_EQ(event.bytes_out.value_or(-1), row.bytes_out);
  EXPECT_EQ(event.message, row.message);
  EXPECT_EQ(event.detail, row.detail);
  EXPECT_EQ(CauseName(event.cause), row.cause);
  for (const auto& [key, value] : row.extras) EXPECT_EQ(event.Extra(key), value) << key;
}

class JsonParserTest : public ::testing::Test {
 protected:
  ParseResult Run(LineParser& parser, std::string_view line) {
    LineContext ctx;
    ctx.zone = &zone_;
    ctx.now = FromUnixMicros(1795478400000000);  // 2026-11-24T00:00:00Z
    return parser.Parse(line, ctx, &event_);
  }
  std::unique_ptr<LineParser> Make(JsonParserOptions options = {}) {
    auto parser = NewJsonParser(options);
    EXPECT_TRUE(parser.ok()) << parser.status().ToString();
    return parser.ok() ? *std::move(parser) : nullptr;
  }

  TimeZone zone_ = TimeZone::Utc();
  Event event_;
};

// Real lines: lab-dev logs/app/app.jsonl and public/json/*.log, read with the
// default field table and automatic prefix skipping.
TEST_F(JsonParserTest, RealLinesWithDefaults) {
  const Row rows[] = {
      {.name = "lab_request_completed",
       .line = R"({"ts":"2026-11-23T20:01:27.370123Z","level":"info","msg":"request completed","client_ip":"127.0.0.1","client_port":57844,"request_id":"fa974272f877eb630cda391a16e3629a","error":null,"status":200,"duration_ms":0,"method":"GET","path":"/api/items/362","forwarded_for":"127.50.3.101","forwarded_port":"42697"})",
       .time = "2026-11-23T20:01:27.370123Z", .precision = microseconds(1), .level = 6,
       .client = "127.0.0.1:57844", .status = 200,
       .request_id = "fa974272f877eb630cda391a16e3629a", .duration_us = 0,
       .message = "request completed",
       .extras = {{"method", "GET"}, {"path", "/api/items/362"},
                  {"forwarded_for", "127.50.3.101"}, {"forwarded_port", "42697"}}},
      {.name = "lab_500",
       .line = R"({"ts":"2026-11-23T20:01:27.371562Z","level":"error","msg":"database query failed","client_ip":"127.50.13.231","client_port":46571,"request_id":"fca7fe0f18aa43bd9302","error":"OperationalError: deadlock detected","status":500,"method":"GET","path":"/err500"})",
       .time = "2026-11-23T20:01:27.371562Z", .precision = microseconds(1), .level = 3,
       .client = "127.50.13.231:46571", .status = 500, .request_id = "fca7fe0f18aa43bd9302",
       .message = "database query failed", .detail = "OperationalError: deadlock detected",
       .cause = "APP_ERROR"},
      // An error-level line with an error of its own and no telling words:
      // the app failed the request. With a 4xx status it refused it instead.
      {.name = "error_field_no_crash_words",
       .line = R"({"ts":"2026-11-23T20:01:28.000001Z","level":"error","msg":"request failed","client_ip":"198.51.100.9","client_port":40001,"error":"IndexError: list index out of range"})",
       .time = "2026-11-23T20:01:28.000001Z", .precision = microseconds(1), .level = 3,
       .client = "198.51.100.9:40001", .message = "request failed",
       .detail = "IndexError: list index out of range", .cause = "APP_ERROR"},
      {.name = "error_field_with_4xx",
       .line = R"({"ts":"2026-11-23T20:01:28.000002Z","level":"error","msg":"request failed","client_ip":"198.51.100.9","client_port":40002,"error":"invalid token","status":401})",
       .time = "2026-11-23T20:01:28.000002Z", .precision = microseconds(1), .level = 3,
       .client = "198.51.100.9:40002", .status = 401, .message = "request failed",
       .detail = "invalid token"},
      {.name = "lab_app_crash",
       .line = R"({"ts":"2026-11-23T20:03:38.232315Z","level":"error","msg":"unhandled exception in request handler; aborting connection","client_ip":"127.20.32.10","client_port":33801,"request_id":"ee3a6d0d85fb4c3d909f","error":"KeyError: 'account_id'","method":"GET","path":"/crash/checkout/0"})",
       .time = "2026-11-23T20:03:38.232315Z", .precision = microseconds(1), .level = 3,
       .client = "127.20.32.10:33801", .request_id = "ee3a6d0d85fb4c3d909f",
       .message = "unhandled exception in request handler; aborting connection",
       .detail = "KeyError: 'account_id'", .cause = "APP_ERROR",
       .extras = {{"path", "/crash/checkout/0"}}},
      {.name = "lab_app_crash_mid",
       .line = R"({"ts":"2026-11-23T20:03:40.285492Z","level":"error","msg":"export worker crashed while streaming response; aborting connection","client_ip":"127.20.33.10","client_port":42243,"request_id":"7996c2c2828a4d96a09d","error":"ValueError: corrupt row 4182 in ledger export","status":200,"bytes_sent":19000,"method":"GET","path":"/crash_mid/export.csv"})",
       .time = "2026-11-23T20:03:40.285492Z", .precision = microseconds(1), .level = 3,
       .client = "127.20.33.10:42243", .status = 200, .request_id = "7996c2c2828a4d96a09d",
       .bytes_out = 19000,
       .message = "export worker crashed while streaming response; aborting connection",
       .detail = "ValueError: corrupt row 4182 in ledger export", .cause = "APP_ERROR"},
      {.name = "lab_client_reset",
       .line = R"({"ts":"2026-11-23T20:01:55.254847Z","level":"warn","msg":"connection error","client_ip":"127.0.0.1","client_port":55236,"request_id":"54b455e764c245db87c7","error":"ConnectionResetError: [Errno 104] Connection reset by peer"})",
       .time = "2026-11-23T20:01:55.254847Z", .precision = microseconds(1), .level = 4,
       .client = "127.0.0.1:55236", .request_id = "54b455e764c245db87c7",
       .message = "connection error",
       .detail = "ConnectionResetError: [Errno 104] Connection reset by peer",
       .cause = "CLIENT_ABORT"},
      {.name = "lab_shutdown_dashes_are_absent",
       .line = R"({"ts":"2026-11-23T20:04:52.875225Z","level":"info","msg":"labapp shutting down","client_ip":"-","client_port":"-","request_id":"-","error":null})",
       .time = "2026-11-23T20:04:52.875225Z", .precision = microseconds(1), .level = 6,
       .message = "labapp shutting down", .cause = "SERVER_SHUTDOWN"},
      {.name = "caddy_access_nested_request",
       .line = R"({"level":"info","ts":1693840791.7564995,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"172.17.0.1","remote_port":"44790","client_ip":"127.0.0.1","proto":"HTTP/1.0","method":"GET","host":"127.0.0.1:8080","uri":"/","headers":{"X-Forwarded-Port":["80"],"X-Real-Ip":["127.0.0.1"],"Forwarded":["for=127.0.0.1"],"X-Forwarded-Host":["127.0.0.1"],"User-Agent":["curl/7.74.0"],"Accept":["*/*"],"Connection":["close"],"X-Forwarded-For":["127.0.0.1"],"X-Forwarded-Proto":["http"]}},"bytes_read":0,"user_id":"","duration":0.000002701,"size":0,"status":0,"resp_headers":{"Server":["Caddy"]}})",
       .time = "2023-09-04T15:19:51.756499Z", .precision = microseconds(1), .level = 6,
       .client = "172.17.0.1:44790", .status = 0, .duration_us = 2, .bytes_in = 0,
       .bytes_out = 0, .message = "handled request",
       .extras = {{"logger", "http.log.access"}, {"method", "GET"}, {"path", "/"},
                  {"host", "127.0.0.1:8080"}, {"proto", "HTTP/1.0"}}},
      {.name = "caddy_compose_prefix_shutdown",
       .line = R"(caddy  | {"level":"info","ts":1761019831.8273869,"msg":"shutting down apps, then terminating","signal":"SIGTERM"})",
       .time = "2025-10-21T04:10:31.827386Z", .precision = microseconds(1), .level = 6,
       .message = "shutting down apps, then terminating", .cause = "SERVER_SHUTDOWN"},
      {.name = "envoy_cri_prefix",
       .line = R"(2025-12-31T17:37:40.493035218+01:00 stdout F {":authority":"www.example.com","bytes_received":0,"bytes_sent":121258,"connection_termination_details":null,"downstream_local_address":"10.42.0.77:10443","downstream_remote_address":"10.0.0.12:59292","duration":11,"method":"GET","protocol":"HTTP/2","requested_server_name":null,"response_code":200,"response_code_details":"via_upstream","response_flags":"-","route_name":"httproute/app/app-www-example-com/rule/0/match/0/www_example_com","start_time":"2025-12-31T16:37:40.479Z","upstream_cluster":"httproute/app/app-www-example-com/rule/0","upstream_host":"10.42.0.82:8080","upstream_local_address":"10.42.0.77:51216","upstream_transport_failure_reason":null,"user-agent":"Mozilla/4.0 (Windows NT 9.0; Win64; x64; rv:136.0) Gecko/20101 Firefox/136.0","x-envoy-origin-path":"/assets/image.webp","x-envoy-upstream-service-time":null,"x-forwarded-for":"10.0.0.12","x-request-id":"3bbc0252-2d5c-49fe-bd89-104e9b61770b"})",
       .time = "2025-12-31T16:37:40.490000Z", .precision = milliseconds(1),
       .client = "10.0.0.12:59292", .server = "10.42.0.77:10443", .status = 200,
       .request_id = "3bbc0252-2d5c-49fe-bd89-104e9b61770b", .duration_us = 11000,
       .bytes_in = 0, .bytes_out = 121258,
       .extras = {{"method", "GET"}, {"path", "/assets/image.webp"},
                  {"host", "www.example.com"}, {"upstream", "10.42.0.82:8080"},
                  {"proto", "HTTP/2"}, {"response_code_details", "via_upstream"}}},
      {.name = "envoy_cri_ipv6",
       .line = R"(2026-01-24T01:34:36.743000000+00:00 stdout F {":authority":"example.com","bytes_received":0,"bytes_sent":0,"connection_termination_details":null,"downstream_local_address":"[fd00:1234:5678::e18]:10080","downstream_remote_address":"[fd00:1234:5678::5a24]:43000","duration":0,"method":"GET","protocol":"HTTP/1.1","requested_server_name":null,"response_code":301,"response_code_details":"direct_response","response_flags":"-","route_name":"httproute/namespace/route-name/rule/0/match/0/*","start_time":"2026-01-24T01:34:36.743Z","upstream_cluster":null,"upstream_host":null,"upstream_local_address":null,"upstream_transport_failure_reason":null,"user-agent":"curl/8.10.1","x-envoy-origin-path":"/","x-envoy-upstream-service-time":null,"x-forwarded-for":"fd00:1234:5678::5a24","x-request-id":"6d6e08ba-02a3-4a26-968a-2183aa33a56d"})",
       .time = "2026-01-24T01:34:36.743000Z", .precision = milliseconds(1),
       .client = "[fd00:1234:5678::5a24]:43000", .server = "[fd00:1234:5678::e18]:10080",
       .status = 301, .request_id = "6d6e08ba-02a3-4a26-968a-2183aa33a56d", .duration_us = 0,
       .bytes_in = 0, .bytes_out = 0},
      {.name = "envoy_text_line_is_no_match",
       .line = R"(2026-01-24T01:37:00.000000000+00:00 stdout F [2026-01-24T01:37:00.000Z] "GET /api/proxy HTTP/1.1" 200 - 0 512 30 15 "192.168.1.100, 10.42.0.1" "Mozilla/5.0" "multi-ip-clf-v4" "proxy.example.com" "tcp://10.42.0.82:8080")",
       .outcome = ParseOutcome::kNoMatch, .reason = "no JSON object"},
      {.name = "traefik_client_addr_beats_forwarded_client_host",
       .line = R"({"ClientAddr":"172.71.122.85:11029","ClientHost":"192.168.1.100,10.0.0.50","ClientPort":"11029","ClientUsername":"-","DownstreamContentSize":0,"DownstreamStatus":204,"Duration":2337877,"OriginContentSize":0,"OriginDuration":823492,"OriginStatus":0,"Overhead":1514385,"RequestAddr":"example.com","RequestContentSize":0,"RequestCount":2818,"RequestHost":"example.com","RequestMethod":"OPTIONS","RequestPath":"/_matrix/client/v3/sync","RequestPort":"-","RequestProtocol":"HTTP/2.0","RequestScheme":"https","RetryAttempts":0,"RouterName":"matrix-synapse-public-client-api@docker","ServiceAddr":"172.16.16.25:8008","ServiceName":"matrix-synapse-client-api@docker","ServiceURL":"http://172.16.16.25:8008","StartLocal":"2025-11-28T09:21:55.645779561Z","StartUTC":"2025-11-28T09:21:55.645779561Z","TLSCipher":"TLS_AES_128_GCM_SHA256","TLSVersion":"1.3","entryPointName":"web-secure","level":"info","msg":"","time":"2025-11-28T09:21:55Z"})",
       .time = "2025-11-28T09:21:55.648116Z", .precision = microseconds(1), .level = 6,
       .client = "172.71.122.85:11029", .status = 204, .duration_us = 2337, .bytes_in = 0,
       .bytes_out = 0,
       .extras = {{"method", "OPTIONS"}, {"path", "/_matrix/client/v3/sync"},
                  {"host", "example.com"}, {"upstream", "172.16.16.25:8008"},
                  {"origin_status", "0"}, {"tls_version", "1.3"}}},
      {.name = "traefik_debug_text_is_no_match",
       .line = "DEBUG: CrowdsecBouncerTraefikPlugin: 2025/09/05 13:53:40 handleStreamCache:updated",
       .outcome = ParseOutcome::kNoMatch, .reason = "no JSON object"},
      {.name = "ecs_dotted_key_and_nested_logger",
       .line = R"({"@timestamp":"2025-01-13T09:58:13.634Z","log.level":"error","message":"this is a error message num=15","ecs.version":"1.6.0","log":{"logger":"app","origin":{"file":{"line":45,"name":"es_logger.py"},"function":"main"},"original":"this is a error message num=15"},"process":{"name":"MainProcess","pid":9159,"thread":{"id":140631176265728,"name":"MainThread"}}})",
       .time = "2025-01-13T09:58:13.634000Z", .precision = milliseconds(1), .level = 3,
       .message = "this is a error message num=15", .extras = {{"logger", "app"}}},
      {.name = "bunyan_numeric_level",
       .line = R"({"name":"renovate","hostname":"renovate-gitlab-67c4bcb5-9ggbv","pid":7,"level":20,"logContext":"qjifsaDDI","repository":"webgui/custom-icons-transformer","msg":"Found gitlabci-include package files","time":"2023-03-24T14:26:16.243Z","v":0})",
       .time = "2023-03-24T14:26:16.243000Z", .precision = milliseconds(1), .level = 7,
       .message = "Found gitlabci-include package files"},
      {.name = "pino_epoch_ms_and_trace_id",
       .line = R"({"level":"info","time":1745532517537,"pid":17,"hostname":"7d82d3f28bad","trace_id":"c759f29f5f1e2162be56f32dd1e77fce","span_id":"17c4a60ca4297cf1","trace_flags":"01","service.name":"payment","request":{"amount":{"currencyCode":"USD","units":{"low":513,"high":0,"unsigned":false},"nanos":999999996},"creditCard":{"creditCardNumber":"4929-6495-8333-3657","creditCardCvv":159,"creditCardExpirationYear":2039,"creditCardExpirationMonth":8}},"msg":"Charge request received."})",
       .time = "2025-04-24T22:08:37.537000Z", .precision = milliseconds(1), .level = 6,
       .request_id = "c759f29f5f1e2162be56f32dd1e77fce", .message = "Charge request received."},
  };
  auto parser = Make();
  ASSERT_NE(parser, nullptr);
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const ParseResult result = Run(*parser, row.line);
    Check(row, result, event_);
  }
}

// Hand-made lines for shapes the corpus lacks: Envoy flags, Go TLS errors,
// Caddy proxy errors, bad values, and broken JSON.
TEST_F(JsonParserTest, CausesAndBadValues) {
  const Row rows[] = {
      {.name = "envoy_flag_uc",
       .line = R"({"start_time":"2026-01-24T01:35:00.000Z","response_code":503,"response_flags":"UC","duration":3,"downstream_remote_address":"10.42.0.1:54321","connection_termination_details":null,"upstream_transport_failure_reason":"delayed connect error: 111"})",
       .time = "2026-01-24T01:35:00.003000Z", .precision = milliseconds(1),
       .client = "10.42.0.1:54321", .status = 503, .duration_us = 3000, .detail = "UC",
       .cause = "UPSTREAM_FAILURE", .extras = {{"error", "delayed connect error: 111"}}},
      {.name = "envoy_flag_dc_second",
       .line = R"({"start_time":"2026-01-24T01:35:00.000Z","response_code":0,"response_flags":"XX,DC","duration":3})",
       .time = "2026-01-24T01:35:00.003000Z", .precision = milliseconds(1), .status = 0,
       .duration_us = 3000, .detail = "XX,DC", .cause = "CLIENT_ABORT"},
      {.name = "caddy_stdlib_tls_eof",
       .line = R"({"level":"debug","ts":1703328983.95,"logger":"http.stdlib","msg":"http: TLS handshake error from 192.0.2.7:5678: EOF"})",
       .time = "2023-12-23T10:56:23.950000Z", .precision = milliseconds(1), .level = 7,
       .message = "http: TLS handshake error from 192.0.2.7:5678: EOF", .cause = "CLIENT_ABORT"},
      {.name = "tls_first_record",
       .line = R"({"level":"error","ts":1703328983,"msg":"http: TLS handshake error from 192.0.2.7:5678: tls: first record does not look like a TLS handshake"})",
       .time = "2023-12-23T10:56:23.000000Z", .level = 3,
       .message = "http: TLS handshake error from 192.0.2.7:5678: tls: first record does not look like a TLS handshake",
       .cause = "PROTOCOL_MISMATCH"},
      {.name = "caddy_proxy_reading_is_upstream",
       .line = R"({"level":"error","ts":1703328983,"logger":"http.handlers.reverse_proxy","msg":"aborting with incomplete response","error":"reading: unexpected EOF"})",
       .time = "2023-12-23T10:56:23.000000Z", .level = 3,
       .message = "aborting with incomplete response", .detail = "reading: unexpected EOF",
       .cause = "UPSTREAM_FAILURE"},
      {.name = "caddy_proxy_writing_is_client",
       .line = R"({"level":"error","ts":1703328983,"msg":"aborting with incomplete response","error":"writing: write tcp 10.0.0.1:443->192.0.2.7:5678: write: broken pipe"})",
       .time = "2023-12-23T10:56:23.000000Z", .level = 3,
       .message = "aborting with incomplete response",
       .detail = "writing: write tcp 10.0.0.1:443->192.0.2.7:5678: write: broken pipe",
       .cause = "CLIENT_ABORT"},
      {.name = "go_remote_addr_with_port_and_504",
       .line = R"({"time":"2026-11-23T20:01:30+01:00","severity":"WARNING","remote_addr":"[2001:db8::7]:4431","status_code":"504","message":"gateway timeout"})",
       .time = "2026-11-23T19:01:30.000000Z", .level = 4, .client = "[2001:db8::7]:4431",
       .status = 504, .message = "gateway timeout", .cause = "UPSTREAM_TIMEOUT"},
      {.name = "status_499",
       .line = R"({"timestamp":"2026-11-23T20:01:30Z","status":499,"duration":"1.5s"})",
       .time = "2026-11-23T20:01:30.000000Z", .status = 499, .duration_us = 1500000,
       .cause = "CLIENT_ABORT"},
      {.name = "crlf_and_escaped_key",
       .line = "{\"t\\u0073\":\"2026-11-23T20:01:30Z\",\"msg\":\"a \\\"quoted\\\" word\"}\r",
       .time = "2026-11-23T20:01:30.000000Z", .message = "a \"quoted\" word"},
      {.name = "bad_ip", .line = R"({"ts":"2026-11-23T20:01:30Z","client_ip":"not-an-ip"})",
       .outcome = ParseOutcome::kMalformed,
       .reason = R"(field "client_ip" (key "client_ip"): "not-an-ip" is not an IP address)"},
      {.name = "bad_port", .line = R"({"ts":"2026-11-23T20:01:30Z","client_port":70000})",
       .outcome = ParseOutcome::kMalformed, .reason = R"("70000" is not a port)"},
      {.name = "bad_time", .line = R"({"ts":"2026-13-01T00:00:00Z"})",
       .outcome = ParseOutcome::kMalformed,
       .reason = R"(field "time" (key "ts"): "2026-13-01T00:00:00Z" is not a time)"},
      {.name = "bad_status", .line = R"({"ts":1,"status":"teapot"})",
       .outcome = ParseOutcome::kMalformed, .reason = "is not an HTTP status"},
      {.name = "no_time", .line = R"({"msg":"hello"})", .outcome = ParseOutcome::kMalformed,
       .reason = "no time field"},
      {.name = "empty", .line = "", .outcome = ParseOutcome::kNoMatch, .reason = "empty line"},
      {.name = "blank", .line = "   ", .outcome = ParseOutcome::kNoMatch, .reason = "no JSON"},
      {.name = "array", .line = R"([{"ts":1}])", .outcome = ParseOutcome::kNoMatch,
       .reason = "array"},
      {.name = "scalar", .line = "42", .outcome = ParseOutcome::kNoMatch, .reason = "no JSON"},
      {.name = "string_scalar", .line = R"("hello")", .outcome = ParseOutcome::kNoMatch,
       .reason = "no JSON"},
      {.name = "truncated_string", .line = R"({"ts":"2026-11-23T20:01:30Z","msg":"cut)",
       .outcome = ParseOutcome::kMalformed, .reason = "invalid JSON"},
      {.name = "truncated_object", .line = R"({"ts":"2026-11-23T20:01:30Z","msg":"x")",
       .outcome = ParseOutcome::kMalformed, .reason = "invalid JSON"},
      {.name = "truncated_nested", .line = R"({"ts":"2026-11-23T20:01:30Z","request":{"remote_ip":)",
       .outcome = ParseOutcome::kMalformed, .reason = "invalid JSON"},
      {.name = "trailing_text", .line = R"({"ts":"2026-11-23T20:01:30Z"} and more)",
       .outcome = ParseOutcome::kMalformed, .reason = "invalid JSON"},
      {.name = "second_object", .line = R"({"ts":"2026-11-23T20:01:30Z"} {"ts":1})",
       .outcome = ParseOutcome::kMalformed, .reason = "invalid JSON"},
      {.name = "invalid_utf8",
       .line = "{\"ts\":\"2026-11-23T20:01:30Z\",\"msg\":\"\xff\xfe\"}",
       .outcome = ParseOutcome::kMalformed, .reason = "invalid JSON"},
      {.name = "nul_outside_string",
       .line = std::string("{\"ts\":\"2026-11-23T20:01:30Z\",\0\"msg\":\"x\"}", 39),
       .outcome = ParseOutcome::kMalformed, .reason = "invalid JSON"},
  };
  auto parser = Make();
  ASSERT_NE(parser, nullptr);
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const ParseResult result = Run(*parser, row.line);
    Check(row, result, event_);
  }
}

TEST_F(JsonParserTest, HugeAndDeepLines) {
  auto parser = Make();
  ASSERT_NE(parser, nullptr);
  // A 1 MiB message: parsed, and the stored message is capped.
  const std::string big = R"({"ts":"2026-11-23T20:01:30Z","msg":")" + std::string(1 << 20, 'x') +
                          R"(","client_ip":"192.0.2.1"})";
  ParseResult r = Run(*parser, big);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(event_.message.size(), 4096u);
  EXPECT_EQ(event_.client_ip->ToString(), "192.0.2.1");

  // Longer than the limit: rejected without parsing.
  const std::string huge = "{\"msg\":\"" + std::string(kMaxJsonLineBytes, 'y') + "\"}";
  r = Run(*parser, huge);
  EXPECT_EQ(r.outcome, ParseOutcome::kMalformed);
  EXPECT_NE(r.reason.find("longer than the limit"), std::string::npos) << r.reason;

  // Deep nesting under an unmapped key and under a mapped one.
  for (const char* key : {"deep", "request"}) {
    SCOPED_TRACE(key);
    std::string deep = std::string(R"({"ts":"2026-11-23T20:01:30Z",")") + key + "\":";
    for (int i = 0; i < 5000; ++i) deep += R"({"request":)";
    deep += "1";
    deep += std::string(5000, '}');
    deep += "}";
    r = Run(*parser, deep);
    EXPECT_NE(r.outcome, ParseOutcome::kNoMatch) << r.reason;
    // Unbalanced: never a crash, always a reason.
    r = Run(*parser, deep.substr(0, deep.size() - 2500));
    EXPECT_EQ(r.outcome, ParseOutcome::kMalformed);
    EXPECT_FALSE(r.reason.empty());
  }

  // The parser recovers after all of that.
  r = Run(*parser, R"({"ts":"2026-11-23T20:01:30Z","msg":"ok"})");
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(event_.message, "ok");
}

TEST_F(JsonParserTest, NulInsideStringNeverCrashes) {
  auto parser = Make();
  ASSERT_NE(parser, nullptr);
  const std::string line("{\"ts\":\"2026-11-23T20:01:30Z\",\"msg\":\"a\0b\"}", 40);
  const ParseResult r = Run(*parser, line);
  // simdjson rejects the raw control character; either way there is a reason.
  if (!r.ok()) {
    EXPECT_FALSE(r.reason.empty());
  }
}

TEST_F(JsonParserTest, SeededRandomBytesNeverCrash) {
  auto parser = Make();
  ASSERT_NE(parser, nullptr);
  const std::string seed_line =
      R"({"ts":"2026-11-23T20:01:27.370123Z","level":"info","msg":"request completed","client_ip":"127.0.0.1","client_port":57844,"request":{"remote_ip":"10.0.0.1","remote_port":"1"},"status":200,"duration":0.5})";
  std::mt19937 rng(20261123);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line = seed_line;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % line.size();
      switch (rng() % 4) {
        case 0: line[pos] = static_cast<char>(rng()); break;
        case 1: line.erase(pos, 1 + rng() % 8); break;
        case 2: line.insert(pos, 1, "{}[]\":,\\\0\xff"[rng() % 11]); break;
        default: line.resize(pos); break;
      }
      if (line.empty()) line = "{";
    }
    if (i % 10 == 9) {  // and some pure noise
      line.resize(rng() % 200);
      for (char& c : line) c = static_cast<char>(rng());
    }
    const ParseResult r = Run(*parser, line);
    if (r.ok()) {
      ++parsed;
    } else {
      ASSERT_FALSE(r.reason.empty());
    }
  }
  EXPECT_GT(parsed, 0);
}

TEST_F(JsonParserTest, ConfiguredFieldsOverrideDefaults) {
  JsonParserOptions options;
  options.fields = {{"time", "when"},
                    {"client_ip", "peer.addr"},
                    {"client_port", "peer.port"},
                    {"message", "text"},
                    {"level", "log.level"},
                    {"duration_us", "took"},
                    {"extra.user", "user.name"}};
  auto parser = Make(options);
  ASSERT_NE(parser, nullptr);
  const std::string line =
      R"({"ts":"1999-01-01T00:00:00Z","when":"2026-11-23T20:01:30.5Z","client_ip":"10.9.9.9",)"
      R"("peer":{"addr":"10.1.2.3","port":4321},"msg":"default","text":"mine",)"
      R"("log":{"level":"warn"},"took":1500,"user":{"name":"bob","roles":["a"]}})";
  ParseResult r = Run(*parser, line);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(FormatRfc3339(event_.time, 3), "2026-11-23T20:01:30.500Z");
  EXPECT_EQ(event_.client_ip->ToString(), "10.1.2.3");
  EXPECT_EQ(event_.client_port, 4321);
  EXPECT_EQ(event_.message, "mine");
  EXPECT_EQ(event_.level, 4);
  EXPECT_EQ(event_.duration, microseconds(1500));
  EXPECT_EQ(event_.Extra("user"), "bob");

  // The literal dotted key works as well as the nested path.
  r = Run(*parser, R"({"when":1795464090,"log.level":"error","text":"flat"})");
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(event_.level, 3);
  EXPECT_EQ(event_.precision, seconds(1));
  // Defaults of targets not configured still apply.
  r = Run(*parser, R"({"when":1795464090,"status":502,"request_id":"abc"})");
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(event_.status, 502);
  EXPECT_EQ(event_.request_id, "abc");
  EXPECT_EQ(event_.cause, Cause::kUpstreamFailure);
  // The replaced default key no longer feeds its target.
  r = Run(*parser, R"({"ts":"2026-11-23T20:01:30Z"})");
  EXPECT_EQ(r.outcome, ParseOutcome::kMalformed);
  EXPECT_NE(r.reason.find("no time field"), std::string::npos) << r.reason;
}

TEST_F(JsonParserTest, ConfiguredPrefix) {
  JsonParserOptions options;
  options.prefix = R"(\S+ (?:stdout|stderr) [FP] )";
  auto parser = Make(options);
  ASSERT_NE(parser, nullptr);
  ParseResult r = Run(
      *parser,
      R"(2026-01-24T01:35:00.000000000+00:00 stdout F {"start_time":"2026-01-24T01:35:00.000Z","response_code":200,"downstream_remote_address":"10.42.0.1:54321"})");
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(event_.client_port, 54321);
  r = Run(*parser, R"({"start_time":"2026-01-24T01:35:00.000Z"})");
  EXPECT_EQ(r.outcome, ParseOutcome::kNoMatch);
  EXPECT_EQ(r.reason, "prefix does not match");
  r = Run(*parser, "2026-01-24T01:35:00.000000000+00:00 stdout F [2026-01-24T01:37:00.000Z] GET");
  EXPECT_EQ(r.outcome, ParseOutcome::kNoMatch);
  EXPECT_EQ(r.reason, "a JSON array, not an object");
  r = Run(*parser, "2026-01-24T01:35:00.000000000+00:00 stdout F plain text");
  EXPECT_EQ(r.outcome, ParseOutcome::kNoMatch);
  EXPECT_EQ(r.reason, "no JSON object after the prefix");

  options.prefix = R"(caddy\s+\| )";
  parser = Make(options);
  ASSERT_NE(parser, nullptr);
  r = Run(*parser, R"(caddy  | {"level":"warn","ts":1761019831.8274047,"msg":"exiting; byeee!! 👋","signal":"SIGTERM"})");
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(event_.message, "exiting; byeee!! 👋");
  EXPECT_EQ(event_.level, 4);
}

TEST(NewJsonParserTest, BadOptionsNameTheProblem) {
  struct Case {
    const char* name;
    JsonParserOptions options;
    const char* want;
  };
  const Case cases[] = {
      {"unknown_target", {{{"clientip", "ip"}}, ""}, R"(fields: unknown target "clientip")"},
      {"empty_key", {{{"time", ""}}, ""}, "fields.time: empty JSON key"},
      {"empty_segment", {{{"client_ip", "a..b"}}, ""}, R"(fields.client_ip: "a..b" has an empty path segment)"},
      {"leading_dot", {{{"status", ".code"}}, ""}, "fields.status"},
      {"twice", {{{"time", "a"}, {"time", "b"}}, ""}, R"(target "time" is mapped twice)"},
      {"empty_extra", {{{"extra.", "a"}}, ""}, R"(unknown target "extra.")"},
      {"bad_regex", {{}, "(unclosed"}, R"(prefix: "(unclosed" does not compile: missing ))"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto parser = NewJsonParser(c.options);
    ASSERT_FALSE(parser.ok());
    EXPECT_EQ(parser.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parser.status().message().find(c.want), std::string::npos)
        << parser.status().message();
  }
}

}  // namespace
}  // namespace culprit::parsers
