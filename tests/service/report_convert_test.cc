// EventBatchesToProto: SearchEvents' answer cut into messages by count and
// size, in order, with addresses and text written as the API promises.

#include <google/protobuf/arena.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/utf8.h"
#include "culprit/v1/culprit.pb.h"
#include "daemon/service/report_convert.h"
#include "daemon/store/event_query.h"

namespace culprit::service {
namespace {

// EventBatchesToProto's batches, checking that only the last says so.
std::vector<const v1::SearchEventsResponse*> Batches(std::vector<store::StoredEvent> events,
                                                     const std::map<int64_t, std::string>& names,
                                                     google::protobuf::Arena* arena,
                                                     size_t max_events, size_t max_bytes) {
  std::vector<const v1::SearchEventsResponse*> out;
  bool ended = false;
  EventBatchesToProto(
      std::move(events), names, arena,
      [&](const v1::SearchEventsResponse* batch, bool last) {
        EXPECT_FALSE(ended);
        ended = last;
        out.push_back(batch);
        return true;
      },
      max_events, max_bytes);
  EXPECT_EQ(ended, !out.empty());
  return out;
}

TEST(EventBatchesToProto, SplitsByCountAndSizeKeepingOrder) {
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
    google::protobuf::Arena arena;
    const auto batches = Batches(events, names, &arena, c.max_events, c.max_bytes);
    std::vector<size_t> sizes;
    int64_t next = 0;
    for (const v1::SearchEventsResponse* b : batches) {
      sizes.push_back(static_cast<size_t>(b->events_size()));
      // Within the byte budget unless the message is one event.
      if (b->events_size() > 1) {
        EXPECT_LE(b->ByteSizeLong(), c.max_bytes) << c.name;
      }
      for (const v1::EventRecord& e : b->events()) {
        EXPECT_EQ(e.offset(), next) << c.name;
        EXPECT_EQ(e.source(), next % 2 == 0 ? "access" : "9") << c.name;
        EXPECT_EQ(e.raw().size(), c.raw_bytes) << c.name;
        ++next;
      }
    }
    EXPECT_EQ(sizes, c.want) << c.name;
  }
}

TEST(EventBatchesToProto, WritesAddressesAndTextAsEndpointAndEscapeDo) {
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
  google::protobuf::Arena arena;
  const auto batches = Batches(events, {}, &arena, kSearchBatchEvents, kSearchBatchBytes);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0]->events_size(), static_cast<int>(std::size(rows)));
  for (size_t i = 0; i < std::size(rows); ++i) {
    const Row& r = rows[i];
    const v1::EventRecord& got = batches[0]->events(static_cast<int>(i));
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

}  // namespace
}  // namespace culprit::service
