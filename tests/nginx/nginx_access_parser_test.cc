#include "parsers/nginx/nginx_access_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/time.h"
#include "base/time_zone.h"
#include "tests/nginx/nginx_test_formats.h"

namespace culprit::parsers {
namespace {

using namespace nginx_test;  // NOLINT: test-local constants

struct Want {
  const char* time = "";  // RFC 3339 UTC with milliseconds
  int precision_ms = 1000;
  const char* client_ip = "";  // "" = none
  int client_port = 0;
  const char* server_ip = "";
  int server_port = 0;
  int status = -1;  // -1 = none
  int64_t bytes_out = -1;
  int64_t bytes_in = -1;
  int64_t duration_us = -1;
  const char* conn_id = "";
  const char* request_id = "";
  Cause cause = Cause::kNone;
  const char* detail = "";
  // Extra fields that must be present with these values; a nullptr value
  // means the key must be absent.
  std::vector<std::pair<const char*, const char*>> extra = {};
};

struct Row {
  const char* name;
  std::vector<std::string> formats;
  std::string line;
  Want want;
};

// Real lines: lab-dev/logs/nginx/access_ext.log (ext), public/nginx-access/*.
std::vector<Row> Rows() {
  return {
      {"lab_ext_200_msec_wins_over_time_local",
       Formats({kLabExt}),
       "127.50.3.101 - - [23/Nov/2026:20:01:27 +0000] \"GET /api/items/63 HTTP/1.1\" 200 50 "
       "\"-\" \"curl/7.88.1\" rport=42697 conn=2 creq=2 rt=0.000 msec=1795464087.585 tls=- "
       "cipher=- saddr=127.0.0.1 sport=27100 ups=127.0.0.1:27080 ustatus=200 urt=0.000 "
       "rid=928bcbf89b23fb5b64203dde9d37cc5d",
       {.time = "2026-11-23T20:01:27.585Z",
        .precision_ms = 1,
        .client_ip = "127.50.3.101",
        .client_port = 42697,
        .server_ip = "127.0.0.1",
        .server_port = 27100,
        .status = 200,
        .bytes_out = 50,
        .duration_us = 0,
        .conn_id = "2",
        .request_id = "928bcbf89b23fb5b64203dde9d37cc5d",
        .extra = {{"method", "GET"},
                  {"uri", "/api/items/63"},
                  {"protocol", "HTTP/1.1"},
                  {"connection_requests", "2"},
                  {"http_user_agent", "curl/7.88.1"},
                  {"upstream_addr", "127.0.0.1:27080"},
                  {"upstream_status", "200"},
                  {"upstream_response_time", "0.000"},
                  {"http_referer", nullptr},
                  {"ssl_protocol", nullptr},
                  {"remote_user", nullptr},
                  {"remote_addr", nullptr},
                  {"time_local", nullptr}}}},
      {"lab_ext_tls",
       Formats({kLabExt}),
       "127.50.2.71 - - [23/Nov/2026:20:01:28 +0000] \"GET / HTTP/1.1\" 200 38 \"-\" "
       "\"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0\" rport=37657 conn=15 "
       "creq=1 rt=0.003 msec=1795464088.975 tls=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 "
       "saddr=127.0.0.1 sport=27143 ups=127.0.0.1:27080 ustatus=200 urt=0.003 "
       "rid=506fabe1f4f8d0f29a549ba779e95480",
       {.time = "2026-11-23T20:01:28.975Z",
        .precision_ms = 1,
        .client_ip = "127.50.2.71",
        .client_port = 37657,
        .server_ip = "127.0.0.1",
        .server_port = 27143,
        .status = 200,
        .bytes_out = 38,
        .duration_us = 3000,
        .conn_id = "15",
        .request_id = "506fabe1f4f8d0f29a549ba779e95480",
        .extra = {{"ssl_protocol", "TLSv1.3"}, {"ssl_cipher", "TLS_AES_256_GCM_SHA384"}}}},
      {"lab_ext_400_tls_client_hello_on_plain_port",
       Formats({kLabExt}),
       "127.20.4.10 - - [23/Nov/2026:20:01:35 +0000] "
       "\"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03\\xD0j\\x8212\\x8D\\xCC\\x17"
       "\\xAD\\x86\\xD6\\xC6\\xE0\\xF1\\xAC7\\x1F\\xEB4>\\x9F\\xF3\\xEB\\xE7\\xB0\\xE0\\x10\\x09"
       "\\xA4\\x9F\\xD0\\xD7 \\xA9\\xA3\\x0C\\xDF\\xB2\\xB5\\x05\\xD0V\\xC0\\x12gn\\xFA,\\xB9"
       "\\xF8\\x93\\x15\\xEBr\\xE4\\x8C\\x0F\\xE9%\\x08\\xE6S\\x8A\\x04\\xEC\\x00$\\x13\\x02\\x13"
       "\\x03\\x13\\x01\\xC0,\\xC00\\xC0+\\xC0/\\xCC\\xA9\\xCC\\xA8\\xC0$\\xC0(\\xC0#\\xC0'\\x00"
       "\\x9F\\x00\\x9E\\x00k\\x00g\\x00\\xFF\\x01\\x00\\x01\\x8F\\x00\\x00\\x00\\x0E\\x00\\x0C"
       "\\x00\\x00\\x09localhost\\x00\\x0B\\x00\\x04\\x03\\x00\\x01\\x02\\x00\" 400 157 \"-\" "
       "\"-\" rport=39589 conn=70 creq=1 rt=0.000 msec=1795464095.762 tls=- cipher=- "
       "saddr=127.0.0.1 sport=27100 ups=- ustatus=- urt=- rid=7d9e3d031de99f1eabb90ea372017e0c",
       {.time = "2026-11-23T20:01:35.762Z",
        .precision_ms = 1,
        .client_ip = "127.20.4.10",
        .client_port = 39589,
        .server_ip = "127.0.0.1",
        .server_port = 27100,
        .status = 400,
        .bytes_out = 157,
        .duration_us = 0,
        .conn_id = "70",
        .request_id = "7d9e3d031de99f1eabb90ea372017e0c",
        .cause = Cause::kProtocolMismatch,
        .detail = "status 400, TLS ClientHello on a plain HTTP port",
        .extra = {{"method", nullptr}, {"upstream_addr", nullptr}, {"http_user_agent", nullptr}}}},
      {"lab_ext_499_client_abort",
       Formats({kLabExt}),
       "127.50.2.223 - - [23/Nov/2026:20:01:33 +0000] \"GET /slow?ms=1500 HTTP/1.1\" 499 0 \"-\" "
       "\"okhttp/4.12.0\" rport=38431 conn=42 creq=1 rt=0.401 msec=1795464093.093 tls=- cipher=- "
       "saddr=127.0.0.1 sport=27100 ups=127.0.0.1:27080 ustatus=- urt=0.401 "
       "rid=220d7470847bbd2f61118fa5129f9244",
       {.time = "2026-11-23T20:01:33.093Z",
        .precision_ms = 1,
        .client_ip = "127.50.2.223",
        .client_port = 38431,
        .server_ip = "127.0.0.1",
        .server_port = 27100,
        .status = 499,
        .bytes_out = 0,
        .duration_us = 401000,
        .conn_id = "42",
        .request_id = "220d7470847bbd2f61118fa5129f9244",
        .cause = Cause::kClientAbort,
        .detail = "status 499",
        .extra = {{"uri", "/slow?ms=1500"}, {"upstream_status", nullptr}}}},
      {"lab_ext_502_upstream_failure",
       Formats({kLabExt}),
       "127.20.23.10 - - [23/Nov/2026:20:03:03 +0000] \"GET /crash/orders/0 HTTP/1.1\" 502 157 "
       "\"-\" \"lab-client/1.0\" rport=35313 conn=779 creq=1 rt=0.001 msec=1795464183.271 tls=- "
       "cipher=- saddr=127.0.0.1 sport=27100 ups=127.0.0.1:27080 ustatus=502 urt=0.001 "
       "rid=df204847f7a191c7566ee80449e4d2c2",
       {.time = "2026-11-23T20:03:03.271Z",
        .precision_ms = 1,
        .client_ip = "127.20.23.10",
        .client_port = 35313,
        .server_ip = "127.0.0.1",
        .server_port = 27100,
        .status = 502,
        .bytes_out = 157,
        .duration_us = 1000,
        .conn_id = "779",
        .request_id = "df204847f7a191c7566ee80449e4d2c2",
        .cause = Cause::kUpstreamFailure,
        .detail = "status 502",
        .extra = {{"upstream_status", "502"}}}},
      {"lab_ext_444_rejected",
       Formats({kLabExt}),
       "127.20.34.10 - - [23/Nov/2026:20:03:42 +0000] \"GET /blocked HTTP/1.1\" 444 0 \"-\" "
       "\"lab-client/1.0\" rport=33141 conn=1148 creq=1 rt=0.000 msec=1795464222.211 tls=- "
       "cipher=- saddr=127.0.0.1 sport=27100 ups=- ustatus=- urt=- "
       "rid=7ec32750f2028bef6b1b11a57ce4f008",
       {.time = "2026-11-23T20:03:42.211Z",
        .precision_ms = 1,
        .client_ip = "127.20.34.10",
        .client_port = 33141,
        .server_ip = "127.0.0.1",
        .server_port = 27100,
        .status = 444,
        .bytes_out = 0,
        .duration_us = 0,
        .conn_id = "1148",
        .request_id = "7ec32750f2028bef6b1b11a57ce4f008",
        .cause = Cause::kRequestRejected,
        .detail = "status 444"}},
      {"lab_ext_000_worker_shutdown",
       Formats({kLabExt}),
       "127.20.44.10 - - [23/Nov/2026:20:04:11 +0000] \"GET /slowlong/report?ms=5000 HTTP/1.1\" "
       "000 0 \"-\" \"lab-client/1.0\" rport=36271 conn=1412 creq=1 rt=1.706 "
       "msec=1795464251.846 tls=- cipher=- saddr=127.0.0.1 sport=27100 ups=127.0.0.1:27080 "
       "ustatus=- urt=1.706 rid=3e1b90c586e9a15cd9dba9f663388412",
       {.time = "2026-11-23T20:04:11.846Z",
        .precision_ms = 1,
        .client_ip = "127.20.44.10",
        .client_port = 36271,
        .server_ip = "127.0.0.1",
        .server_port = 27100,
        .status = 0,
        .bytes_out = 0,
        .duration_us = 1706000,
        .conn_id = "1412",
        .request_id = "3e1b90c586e9a15cd9dba9f663388412",
        .cause = Cause::kServerShutdown,
        .detail = "status 000, closed without a response"}},
      {"ingress_ipv6_client_502_upstream_list",
       Formats({kIngressUpstreamInfo}),
       "2a02:cf40::4e36 - - [24/Aug/2022:18:05:41 +0000] \"GET /favicon.ico HTTP/2.0\" 502 552 "
       "\"https://localhost:8080/\" \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
       "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/104.0.0.0 Safari/537.36\" 27 0.000 "
       "[localhost-8080] [] [2a02:cf40::7]:5000, [2a02:cf40::4e36]:5000 0, 0 0.000, 0.000 502, "
       "502 3db73c6c673c4256ade033a6ce08c2ab",
       {.time = "2022-08-24T18:05:41.000Z",
        .client_ip = "2a02:cf40::4e36",
        .status = 502,
        .bytes_out = 552,
        .bytes_in = 27,
        .duration_us = 0,
        .request_id = "3db73c6c673c4256ade033a6ce08c2ab",
        .cause = Cause::kUpstreamFailure,
        .detail = "status 502",
        .extra = {{"protocol", "HTTP/2.0"},
                  {"http_referer", "https://localhost:8080/"},
                  {"proxy_upstream_name", "localhost-8080"},
                  {"proxy_alternative_upstream_name", nullptr},
                  {"upstream_addr", "[2a02:cf40::7]:5000, [2a02:cf40::4e36]:5000"},
                  {"upstream_response_length", "0, 0"},
                  {"upstream_response_time", "0.000, 0.000"},
                  {"upstream_status", "502, 502"}}}},
      {"ingress_upstream_lists_with_absent_items",
       Formats({kIngressUpstreamInfo}),
       "192.168.64.14 - - [07/Feb/2020:12:02:42 +0000] \"GET /test/test.mp4 HTTP/1.1\" 200 61 "
       "\"-\" \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:72.0) Gecko/20100101 "
       "Firefox/72.0\" 348 0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 - "
       "0.100, - 200, - 835136ae24486dbb4156dcbe21f5d402",
       {.time = "2020-02-07T12:02:42.000Z",
        .client_ip = "192.168.64.14",
        .status = 200,
        .bytes_out = 61,
        .bytes_in = 348,
        .duration_us = 1000,
        .request_id = "835136ae24486dbb4156dcbe21f5d402",
        .extra = {{"upstream_addr", "172.17.0.6:8080, 172.17.0.7:8080"},
                  {"upstream_response_length", nullptr},
                  {"upstream_response_time", "0.100, -"},
                  {"upstream_status", "200, -"}}}},
      {"xff_list_in_remote_addr_takes_first",
       Formats({kNginxCombinedLogFormat}),
       "10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] \"GET /ocelot HTTP/1.1\" "
       "200 571 \"-\" \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 "
       "Firefox/49.0\"",
       {.time = "2016-12-07T10:05:07.000Z",
        .client_ip = "10.0.0.2",
        .status = 200,
        .bytes_out = 571,
        .extra = {{"remote_addr", "10.0.0.2, 10.0.0.1, 127.0.0.1"}, {"uri", "/ocelot"}}}},
      {"xff_ipv6_list_before_remote_addr",
       Formats({kNginxCombinedLogFormat, kXffQuotedFirst, kXffFirst}),
       "2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121 - - "
       "[30/Dec/2016:06:47:09 +0000] \"GET /test.html HTTP/1.1\" 404 8571 \"-\" \"Mozilla/5.0 "
       "(compatible; Facebot 1.0; https://developers.facebook.com/docs/sharing/webmasters/"
       "crawler)\"",
       {.time = "2016-12-30T06:47:09.000Z",
        .client_ip = "10.2.2.121",
        .status = 404,
        .bytes_out = 8571,
        .extra = {{"http_x_forwarded_for", "2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17"},
                  {"remote_addr", nullptr}}}},
      {"xff_quoted_before_remote_addr",
       Formats({kNginxCombinedLogFormat, kXffQuotedFirst, kXffFirst}),
       "\"10.5.102.222, 199.96.1.1, 204.246.1.1\" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "
       "\"GET /assets/xxxx?q=100 HTTP/1.1\" 200 25507 \"-\" \"Amazon CloudFront\"",
       {.time = "2016-01-22T13:18:29.000Z",
        .client_ip = "10.2.1.185",
        .status = 200,
        .bytes_out = 25507,
        .extra = {{"http_x_forwarded_for", "10.5.102.222, 199.96.1.1, 204.246.1.1"}}}},
      {"empty_request_400",
       Formats({kNginxCombinedLogFormat}),
       "127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] \"\" 400 0 \"-\" \"-\"",
       {.time = "2018-04-12T07:48:40.000Z",
        .client_ip = "127.0.0.1",
        .status = 400,
        .bytes_out = 0,
        .cause = Cause::kRequestRejected,
        .detail = "status 400",
        .extra = {{"method", nullptr}, {"request", nullptr}}}},
      {"escaped_binary_request_400",
       Formats({kNginxCombinedLogFormat}),
       "1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] \"\\x1B\\x84\\xD5\\xB0]\\xF4\\xC4\\x93\\xC50\\xC2"
       "X\\x8C\\xDA\\xB1\\xD7\\xAC\\xAFn\\x1D\\xE1\\x1E\\x1A3*\\x85\\xB7\\x1D'\\xB1\\xC9k\\xBF\\xF0"
       "\\xBC\" 400 157 \"-\" \"-\"",
       {.time = "2023-07-29T17:26:06.000Z",
        .client_ip = "1.2.3.4",
        .status = 400,
        .bytes_out = 157,
        .cause = Cause::kRequestRejected,
        .detail = "status 400",
        .extra = {{"method", nullptr},
                  {"request",
                   "\\x1B\\x84\\xD5\\xB0]\\xF4\\xC4\\x93\\xC50\\xC2X\\x8C\\xDA\\xB1\\xD7\\xAC\\xAFn"
                   "\\x1D\\xE1\\x1E\\x1A3*\\x85\\xB7\\x1D'\\xB1\\xC9k\\xBF\\xF0\\xBC"}}}},
      {"tls_client_hello_in_combined_negative_offset",
       Formats({kNginxCombinedLogFormat}),
       "1.2.3.4 - - [29/Jul/2023:10:26:07 -0700] \"\\x16\\x03\\x01\\x00t\\x01\\x00\\x00p\\x03\\x01"
       "YF}\\xF6\\x7F3\\xD3\\xA2'O\\xAE\\xB6\\x041p\\x87F\\xE5\\xA6\\xA2\\x18\\xD1\\x0B}\\x0C\\x9F"
       "O)u\\xFE\\xB1\\xD9\\x00\\x00\\x18\\xC0\\x14\\xC0\\x13\\x005\\x00/\\xC0\" 400 157 \"-\" "
       "\"-\"",
       {.time = "2023-07-29T17:26:07.000Z",
        .client_ip = "1.2.3.4",
        .status = 400,
        .bytes_out = 157,
        .cause = Cause::kProtocolMismatch,
        .detail = "status 400, TLS ClientHello on a plain HTTP port"}},
      {"word_request_help",
       Formats({kNginxCombinedLogFormat}),
       "1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] \"HELP\" 400 157 \"-\" \"-\"",
       {.time = "2023-07-29T17:26:06.000Z",
        .client_ip = "1.2.3.4",
        .status = 400,
        .bytes_out = 157,
        .cause = Cause::kRequestRejected,
        .extra = {{"request", "HELP"}, {"method", nullptr}}}},
      {"lnav_shop_positive_offset_trailing_xff_absent",
       Formats({kCombinedXff}),
       "40.77.167.129 - - [22/Jan/2019:03:56:17 +0330] \"GET /image/14925/productModel/100x100 "
       "HTTP/1.1\" 200 1696 \"-\" \"Mozilla/5.0 (compatible; bingbot/2.0; "
       "+http://www.bing.com/bingbot.htm)\" \"-\"",
       {.time = "2019-01-22T00:26:17.000Z",
        .client_ip = "40.77.167.129",
        .status = 200,
        .bytes_out = 1696,
        .extra = {{"uri", "/image/14925/productModel/100x100"},
                  {"http_x_forwarded_for", nullptr}}}},
      {"vhost_with_port_prefix",
       Formats({kNginxCombinedLogFormat, kVhostCombined}),
       "www.crowdsec11.net:80 192.168.1.1 - - [08/Jun/2020:08:04:43 +0000] \"GET "
       "/test/uppercase/extensions.JPG HTTP/1.1\" 301 0 \"-\" \"Mozilla/5.0 (Windows NT 10.0; "
       "Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36\"",
       {.time = "2020-06-08T08:04:43.000Z",
        .client_ip = "192.168.1.1",
        .status = 301,
        .bytes_out = 0,
        .extra = {{"host", "www.crowdsec11.net:80"}}}},
      {"npm_standard_444",
       Formats({kNpmProxy, kNpmStandard, kNginxCombinedLogFormat}),
       "[24/Jan/2022:13:40:19 +0000] 444 - GET https 4.3.2.1 \"/.env\" [Client 207.32.219.89] "
       "[Length 0] [Gzip -] \"Mozilla/5.0 (Linux; U; Android 4.4.2; en-US; HM NOTE 1W "
       "Build/KOT49H) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 UCBrowser/11.0.5.850 "
       "U3/0.8.0 Mobile Safari/534.30\" \"-\"",
       {.time = "2022-01-24T13:40:19.000Z",
        .client_ip = "207.32.219.89",
        .status = 444,
        .bytes_out = 0,
        .cause = Cause::kRequestRejected,
        .detail = "status 444",
        .extra = {{"request_method", "GET"},
                  {"scheme", "https"},
                  {"host", "4.3.2.1"},
                  {"request_uri", "/.env"},
                  {"gzip_ratio", nullptr}}}},
      {"npm_proxy_upstream_status",
       Formats({kNpmProxy, kNpmStandard, kNginxCombinedLogFormat}),
       "[01/Oct/2025:14:32:17 +0000] - 500 500 - POST https api.example.com \"/v1/data\" [Client "
       "203.0.113.45] [Length 567] [Gzip -] [Sent-to 10.0.0.16:3000] \"curl/7.68.0\" \"-\"",
       {.time = "2025-10-01T14:32:17.000Z",
        .client_ip = "203.0.113.45",
        .status = 500,
        .bytes_out = 567,
        .cause = Cause::kAppError,
        .detail = "status 500",
        .extra = {{"upstream_status", "500"},
                  {"server", "10.0.0.16:3000"},
                  {"upstream_cache_status", nullptr}}}},
  };
}

void CheckRow(const Row& row) {
  SCOPED_TRACE(row.name);
  auto parser = NewNginxAccessParser(row.formats);
  ASSERT_TRUE(parser.ok()) << parser.status().message();
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  Event event;
  const ParseResult r = (*parser)->Parse(row.line, ctx, &event);
  ASSERT_TRUE(r.ok()) << r.reason;
  const Want& w = row.want;
  EXPECT_EQ(FormatRfc3339(event.time, 3), w.time);
  EXPECT_EQ(event.precision, std::chrono::milliseconds(w.precision_ms));
  EXPECT_EQ(event.kind, EventKind::kRequest);
  EXPECT_EQ(event.client_ip ? event.client_ip->ToString() : "", w.client_ip);
  EXPECT_EQ(event.client_port, w.client_port);
  EXPECT_EQ(event.server_ip ? event.server_ip->ToString() : "", w.server_ip);
  EXPECT_EQ(event.server_port, w.server_port);
  EXPECT_EQ(event.status.value_or(-1), w.status);
  EXPECT_EQ(event.bytes_out.value_or(-1), w.bytes_out);
  EXPECT_EQ(event.bytes_in.value_or(-1), w.bytes_in);
  EXPECT_EQ(event.duration ? event.duration->count() : -1, w.duration_us);
  EXPECT_EQ(event.conn_id, w.conn_id);
  EXPECT_EQ(event.request_id, w.request_id);
  EXPECT_EQ(CauseName(event.cause), CauseName(w.cause));
  if (*w.detail != '\0' || w.cause == Cause::kNone) {
    EXPECT_EQ(event.detail, w.detail);
  }
  for (const auto& [key, value] : w.extra) {
    SCOPED_TRACE(key);
    const bool present = std::any_of(event.extra.begin(), event.extra.end(),
                                     [&](const auto& kv) { return kv.first == key; });
    if (value == nullptr) {
      EXPECT_FALSE(present) << "= " << event.Extra(key);
    } else {
      EXPECT_TRUE(present);
      EXPECT_EQ(event.Extra(key), value);
    }
  }
}

TEST(NginxAccessParserTest, RealLinesFieldByField) {
  for (const Row& row : Rows()) CheckRow(row);
}

// The same event object reused across lines (as ingestion does) must not
// leak fields from one line into the next.
TEST(NginxAccessParserTest, ReusedEventCarriesNothingOver) {
  const std::vector<Row> rows = Rows();
  // Every format any row uses: the reused event also sees format switches.
  auto parser = NewNginxAccessParser(
      Formats({kLabExt, kIngressUpstreamInfo, kNpmProxy, kNpmStandard, kNginxCombinedLogFormat,
               kCombinedXff, kXffQuotedFirst, kXffFirst, kVhostCombined}));
  ASSERT_TRUE(parser.ok()) << parser.status().message();
  const TimeZone utc = TimeZone::Utc();
  const LineContext ctx{&utc, Timestamp()};
  Event event;
  for (int round = 0; round < 2; ++round) {
    for (const Row& row : rows) {
      SCOPED_TRACE(row.name);
      ASSERT_TRUE((*parser)->Parse(row.line, ctx, &event).ok());
      Event fresh;
      ASSERT_TRUE((*parser)->Parse(row.line, ctx, &fresh).ok());
      EXPECT_EQ(event.extra, fresh.extra);
      EXPECT_EQ(event.detail, fresh.detail);
      EXPECT_EQ(event.conn_id, fresh.conn_id);
      EXPECT_EQ(event.time, fresh.time);
    }
  }
}

}  // namespace
}  // namespace culprit::parsers
