// EventBatchesToWire: SearchEvents' answer cut into messages by count and
// size, in order, with addresses and text written as the API promises, in
// bytes protobuf reads back as the messages the API defines.
// DiagnosisJson: what protobuf's JSON parser reads back as the same message.

#include <google/protobuf/arena.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/utf8.h"
#include "culprit/v1/culprit.pb.h"
#include "proto/time_convert.h"
#include "daemon/service/report_convert.h"
#include "daemon/store/event_query.h"

namespace culprit::service {
namespace {

// EventBatchesToWire's batches as protobuf parses them, checking that only
// the last says so and that each is exactly what protobuf would write for
// the message it parsed to.
std::vector<v1::SearchEventsResponse> Batches(const std::vector<store::StoredEvent>& events,
                                              const std::map<int64_t, std::string>& names,
                                              size_t max_events, size_t max_bytes) {
  std::vector<v1::SearchEventsResponse> out;
  bool ended = false;
  EventBatchesToWire(
      events, names,
      [&](std::string&& batch, bool last) {
        EXPECT_FALSE(ended);
        ended = last;
        v1::SearchEventsResponse parsed;
        EXPECT_TRUE(parsed.ParseFromString(batch));
        std::string again;
        EXPECT_TRUE(parsed.SerializeToString(&again));
        EXPECT_EQ(again, batch);  // field order, defaults left out, varints
        out.push_back(std::move(parsed));
        return true;
      },
      max_events, max_bytes);
  EXPECT_EQ(ended, !out.empty());
  return out;
}

TEST(EventBatchesToWire, SplitsByCountAndSizeKeepingOrder) {
  // Each event with a raw line of `raw_bytes` bytes.
  struct Case {
    const char* name;
    size_t events;
    size_t raw_bytes;
    size_t max_events;
    size_t max_bytes;
    std::vector<size_t> want;
  } cases[] = {
      {"none", 0, 10, 1000, 1 << 20, {}},
      {"one", 1, 10, 1000, 1 << 20, {1}},
      {"by count", 2500, 10, 1000, 1 << 20, {1000, 1000, 500}},
      {"by size", 10, 1000, 1000, 3500, {3, 3, 3, 1}},
      {"an event above the size comes alone", 3, 5000, 1000, 3500, {1, 1, 1}},
      {"one event per message", 3, 10, 1, 1 << 20, {1, 1, 1}},
  };
  const std::map<int64_t, std::string> names = {{1, "access"}};
  for (const Case& c : cases) {
    std::vector<store::StoredEvent> events(c.events);
    for (size_t i = 0; i < c.events; ++i) {
      events[i].id = static_cast<int64_t>(i);
      events[i].source_id = i % 2 == 0 ? 1 : 9;  // 9: not configured
      events[i].offset = static_cast<int64_t>(i);
      events[i].raw = std::string(c.raw_bytes, 'x');
    }
    const auto batches = Batches(events, names, c.max_events, c.max_bytes);
    std::vector<size_t> sizes;
    int64_t next = 0;
    for (const v1::SearchEventsResponse& b : batches) {
      sizes.push_back(static_cast<size_t>(b.events_size()));
      // Within the byte budget unless the message is one event.
      if (b.events_size() > 1) {
        EXPECT_LE(b.ByteSizeLong(), c.max_bytes) << c.name;
      }
      for (const v1::EventRecord& e : b.events()) {
        EXPECT_EQ(e.offset(), next) << c.name;
        EXPECT_EQ(e.source(), next % 2 == 0 ? "access" : "9") << c.name;
        EXPECT_EQ(e.raw().size(), c.raw_bytes) << c.name;
        ++next;
      }
    }
    EXPECT_EQ(sizes, c.want) << c.name;
  }
}

TEST(EventBatchesToWire, WritesAddressesAndTextAsEndpointAndEscapeDo) {
  // The same address in a row (its text is reused), then others; lines that
  // are not UTF-8 (a TLS hello read as text) and that are.
  struct Row {
    const char* client;
    uint16_t client_port;
    const char* server;
    uint16_t server_port;
    std::string raw;
  } rows[] = {
      {"198.51.100.7", 40001, "10.0.0.5", 443, "GET / HTTP/1.1"},
      {"198.51.100.7", 40002, "10.0.0.5", 443, std::string("\x16\x03\x01\x02\x00\x01\xfc", 7)},
      {"198.51.100.7", 0, "", 8443, "caf\xc3\xa9"},
      {"2001:db8::7", 40003, "2001:db8::1", 443, "\xff\xc3"},
      {"2001:db8::7", 0, "", 0, ""},
      {"", 0, "10.0.0.5", 0, "no client"},
  };
  std::vector<store::StoredEvent> events;
  for (const Row& r : rows) {
    store::StoredEvent& e = events.emplace_back();
    if (*r.client != '\0') e.event.client_ip = *IpAddress::Parse(r.client);
    e.event.client_port = r.client_port;
    if (*r.server != '\0') e.event.server_ip = *IpAddress::Parse(r.server);
    e.event.server_port = r.server_port;
    e.raw = r.raw;
    e.event.message = r.raw;
  }
  const auto batches = Batches(events, {}, kSearchBatchEvents, kSearchBatchBytes);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].events_size(), static_cast<int>(std::size(rows)));
  for (size_t i = 0; i < std::size(rows); ++i) {
    const Row& r = rows[i];
    const v1::EventRecord& got = batches[0].events(static_cast<int>(i));
    const std::string client =
        *r.client ? Endpoint{*IpAddress::Parse(r.client), r.client_port}.ToString() : "";
    const std::string server =
        *r.server ? Endpoint{*IpAddress::Parse(r.server), r.server_port}.ToString()
                  : (r.server_port ? ":" + std::to_string(r.server_port) : "");
    EXPECT_EQ(got.client(), client) << i;
    EXPECT_EQ(got.server(), server) << i;
    EXPECT_EQ(got.raw(), EscapeInvalidUtf8(r.raw)) << i;
    EXPECT_EQ(got.message(), EscapeInvalidUtf8(r.raw)) << i;
    EXPECT_EQ(got.source(), "0") << i;  // source id 0 is not configured
  }
}

// Every field of EventRecord, whatever the values: what protobuf parses is
// the record built field by field through its API.
TEST(EventBatchesToWire, EveryFieldReadsBackAsTheMessageBuiltThroughProtobuf) {
  std::mt19937_64 rng(20261127);
  auto text = [&](bool may_be_bad) {
    static const char* kPieces[] = {"a", " ", "\"", "\xc3\xa9", "\xf0\x9f\x98\x80", "\n", "\x01"};
    std::string s;
    const size_t n = rng() % 6;
    for (size_t i = 0; i < n; ++i) s += kPieces[rng() % std::size(kPieces)];
    if (may_be_bad && rng() % 4 == 0) s += "\xff";
    return s;
  };
  const std::map<int64_t, std::string> names = {{1, "nginx"}, {2, "caf\xc3\xa9"}};
  std::vector<store::StoredEvent> events(400);
  v1::SearchEventsResponse want;
  for (store::StoredEvent& e : events) {
    e.source_id = static_cast<int64_t>(rng() % 4);
    e.path = rng() % 5 == 0 ? "" : "/var/log/" + text(false);
    e.offset = rng() % 3 == 0 ? 0 : static_cast<int64_t>(rng() >> 2);
    parsers::Event& ev = e.event;
    // Before and after 1970, with and without a fraction.
    ev.time = FromUnixMicros(static_cast<int64_t>(rng() % 8'000'000'000'000'000ULL) -
                             2'000'000'000'000'000LL);
    if (rng() % 3 == 0) ev.time = FromUnixMicros(ToUnixMicros(ev.time) / 1'000'000 * 1'000'000);
    ev.kind = static_cast<EventKind>(rng() % 8);
    ev.cause = static_cast<Cause>(rng() % 15);
    if (rng() % 4 != 0) {
      ev.client_ip = *IpAddress::Parse(rng() % 2 ? "198.51.100.7" : "2001:db8::7");
      ev.client_port = static_cast<uint16_t>(rng() % 3 == 0 ? 0 : rng());
    }
    if (rng() % 3 == 0) {
      ev.server_ip = *IpAddress::Parse("10.0.0.5");
    }
    ev.server_port = static_cast<uint16_t>(rng() % 3 == 0 ? 0 : 443);
    if (rng() % 4 != 0) ev.status = static_cast<int>(rng() % 3 == 0 ? -1 : rng() % 600);
    ev.conn_id = text(true);
    ev.request_id = text(true);
    ev.phase = text(true);
    ev.detail = text(true);
    ev.message = text(true);
    e.raw = text(true);

    v1::EventRecord* r = want.add_events();
    proto::ToProto(ev.time, r->mutable_time());
    auto name = names.find(e.source_id);
    r->set_source(name != names.end() ? name->second : std::to_string(e.source_id));
    r->set_file(e.path);
    r->set_offset(e.offset);
    r->set_kind(std::string(EventKindName(ev.kind)));
    r->set_cause(static_cast<v1::Cause>(static_cast<int>(ev.cause)));
    if (ev.client_ip) r->set_client(Endpoint{*ev.client_ip, ev.client_port}.ToString());
    if (ev.server_ip) {
      r->set_server(Endpoint{*ev.server_ip, ev.server_port}.ToString());
    } else if (ev.server_port != 0) {
      r->set_server(":" + std::to_string(ev.server_port));
    }
    if (ev.status) r->set_status(*ev.status);
    r->set_conn_id(EscapeInvalidUtf8(ev.conn_id));
    r->set_request_id(EscapeInvalidUtf8(ev.request_id));
    r->set_phase(EscapeInvalidUtf8(ev.phase));
    r->set_detail(EscapeInvalidUtf8(ev.detail));
    r->set_message(EscapeInvalidUtf8(ev.message));
    r->set_raw(EscapeInvalidUtf8(e.raw));
  }
  const auto batches = Batches(events, names, 64, kSearchBatchBytes);
  v1::SearchEventsResponse got;
  for (const v1::SearchEventsResponse& b : batches) got.MergeFrom(b);
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(want, got)) << diff;
}

// The message protobuf's parser makes of `json` (empty on failure).
v1::Diagnosis Parsed(const std::string& json) {
  v1::Diagnosis d;
  const auto st = google::protobuf::util::JsonStringToMessage(json, &d);
  EXPECT_TRUE(st.ok()) << st.message() << "\n" << json;
  return d;
}

void ExpectSameMessage(const v1::Diagnosis& want, const v1::Diagnosis& got) {
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(want, got)) << diff;
}

TEST(DiagnosisJson, ReadsBackAsTheSameMessage) {
  v1::Diagnosis d;
  v1::Verdict* v = d.add_verdicts();
  v->set_cause(v1::TLS_HANDSHAKE_FAILED);
  v->set_confidence(0.8807970779778823);
  v->set_explanation("nginx logged \"SSL_do_handshake() failed\" \\ at 20:00:01.5\tZ\n");
  v->set_remedy("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 \x01\x1f\x7f </script>");
  v1::Evidence* e = v->add_evidence();
  e->set_source("nginx_error");
  e->set_file("/var/log/nginx/error.log");
  e->set_offset(9007199254740993);  // beyond a double's exact integers
  e->mutable_time()->set_seconds(1795464090);
  e->mutable_time()->set_nanos(123456000);
  e->set_raw("2026/11/23 20:01:30 [info] 12#12: *7 SSL_do_handshake() failed");
  e->set_cause(v1::TLS_HANDSHAKE_FAILED);
  e->set_kind("tls");
  e->set_role("cause");
  v1::Evidence* plain = v->add_evidence();  // only some fields set
  plain->mutable_time()->set_seconds(1795464091);
  plain->set_role("context");
  v1::Evidence* ms = v->add_evidence();
  ms->mutable_time()->set_seconds(0);
  ms->mutable_time()->set_nanos(5'000'000);
  v1::Verdict* none = d.add_verdicts();
  none->set_cause(v1::NONE_ON_SERVER);
  none->set_confidence(0.02);
  d.add_verdicts();  // every field at its default
  d.set_similar_recent(-3);
  d.set_retry_may_help(true);
  d.set_searched("client 2001:db8::7:443 from ... in 2 source(s): nginx err");
  const std::string json = DiagnosisJson(d);
  ExpectSameMessage(d, Parsed(json));
  // The same text protobuf's printer gives, read back: the same message.
  std::string theirs;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(d, &theirs).ok());
  ExpectSameMessage(Parsed(theirs), Parsed(json));
  // Names as the API documents them, readable by SQLite's json_extract.
  EXPECT_NE(json.find("\"cause\":\"TLS_HANDSHAKE_FAILED\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"offset\":\"9007199254740993\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"time\":\"2026-11-23T20:01:30.123456Z\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"time\":\"1970-01-01T00:00:00.005Z\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"similarRecent\":-3"), std::string::npos) << json;
  EXPECT_EQ(DiagnosisJson(v1::Diagnosis()), "{}");
}

// Random diagnoses: whatever the strings and numbers, the JSON reads back
// as the message it was written from.
TEST(DiagnosisJson, RandomDiagnosesReadBackAsTheSameMessage) {
  std::mt19937_64 rng(20261127);
  auto text = [&] {
    // Valid UTF-8 (proto3 strings are): ASCII incl. controls, 2-4 byte forms.
    static const char* kPieces[] = {"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01",
                                    "\x1f", "\x7f", "\xc3\xa9", "\xe2\x80\xa8",
                                    "\xef\xbf\xbd", "\xf0\x9f\x98\x80", "{", "}", ":"};
    std::string s;
    const size_t n = rng() % 12;
    for (size_t i = 0; i < n; ++i) s += kPieces[rng() % std::size(kPieces)];
    return s;
  };
  for (int round = 0; round < 300; ++round) {
    v1::Diagnosis d;
    const int verdicts = static_cast<int>(rng() % 4);
    for (int i = 0; i < verdicts; ++i) {
      v1::Verdict* v = d.add_verdicts();
      v->set_cause(static_cast<v1::Cause>(rng() % 15));
      if (rng() % 4 != 0) v->set_confidence(std::ldexp(static_cast<double>(rng() >> 11), -53));
      v->set_explanation(text());
      v->set_remedy(text());
      const int evidence = static_cast<int>(rng() % 4);
      for (int j = 0; j < evidence; ++j) {
        v1::Evidence* e = v->add_evidence();
        e->set_source(text());
        e->set_file(text());
        e->set_offset(static_cast<int64_t>(rng() % 3 == 0 ? 0 : rng() >> 1));
        if (rng() % 3 != 0) {
          e->mutable_time()->set_seconds(static_cast<int64_t>(rng() % 4102444800));
          e->mutable_time()->set_nanos(static_cast<int32_t>(rng() % 3 == 0 ? 0 : (rng() % 1'000'000) * 1000));
        }
        e->set_raw(text());
        e->set_cause(static_cast<v1::Cause>(rng() % 15));
        e->set_kind(text());
        e->set_role(text());
      }
    }
    d.set_similar_recent(static_cast<int32_t>(rng() % 5 == 0 ? 0 : rng()));
    d.set_retry_may_help(rng() % 2 == 0);
    d.set_searched(text());
    ExpectSameMessage(d, Parsed(DiagnosisJson(d)));
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace culprit::service
