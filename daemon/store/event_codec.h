#ifndef CULPRIT_DAEMON_STORE_EVENT_CODEC_H_
#define CULPRIT_DAEMON_STORE_EVENT_CODEC_H_

// The packed form of the ordinary events (no reset cause) that table
// event_groups stores back to back, a few dozen per row (schema/0004),
// LZ4-compressed since schema 7 (CompressGroup below).
//
// Each event is a sequence of LEB128 varints (signed values zigzag-encoded)
// and length-prefixed byte strings:
//   id, ts_us, precision_us, source_id, file_id, offset, kind, flags,
//   presence bits, client_port, server_port, [client_ip (16 bytes)], [level],
//   [server_ip (16 bytes)],
//   [status], [duration_us], [bytes_in], [bytes_out],
//   conn_id, request_id, phase, detail, message, raw
// where [x] is present only when its presence bit is set. Extra fields are
// not kept (they are stored only for events with a cause).
//
// Pure functions; thread-compatible. Decoding never trusts its input: a
// truncated or garbled buffer makes ReadPackedEvent() return false.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "daemon/store/event_query.h"
#include "parsers/event.h"

namespace culprit::store {

// What a packed event carries besides the Event's own fields.
struct PackedEventOrigin {
  int64_t id = 0;
  int64_t source_id = 0;
  int64_t file_id = 0;
  int64_t offset = 0;
};

// Appends `e` (its client address aside) and its raw line to `out`.
// `flags` replaces e.flags (the writer adds the truncation bit).
void AppendPackedEvent(const PackedEventOrigin& origin, const parsers::Event& e, uint32_t flags,
                       std::string_view raw, std::string* out);

// Decodes the event at the front of `*in` into `*out` (every field set but
// `path`, left as it was) and advances `*in` past it. Reusing one `*out`
// across calls reuses its strings' capacity. Returns false, leaving `*in`
// unspecified, if the buffer is malformed.
bool ReadPackedEvent(std::string_view* in, StoredEvent* out);

// The same in two steps, for filtering many events cheaply: the first sets
// every field but the strings, which it leaves as views into the buffer;
// AssignStrings() copies them for the events that are kept.
struct PackedStrings {
  std::string_view conn_id, request_id, phase, detail, message, raw;
};
bool ReadPackedEvent(std::string_view* in, StoredEvent* out, PackedStrings* strings);
void AssignStrings(const PackedStrings& strings, StoredEvent* out);

// A group's `data` as stored. Since schema 7 the writer stores the packed
// events LZ4-compressed when that makes them smaller: the byte 0x00 (no
// packed events start with it: they start with an id of 1 or more as a
// varint), the packed size as a varint, then one LZ4 block. Log lines
// packed by client compress about 4x, so a group of a few dozen events
// fits in its b-tree page instead of spilling into overflow pages, and a
// lookup reads one page per group instead of two or three.
void CompressGroup(std::string_view packed, std::string* stored);
// The packed events of stored `data`: `stored` itself if it is not
// compressed (every group written before schema 7), else decompressed into
// `*buffer`. False if compressed data is malformed (or claims more than
// kMaxGroupBytes).
inline constexpr size_t kMaxGroupBytes = size_t{256} << 20;
bool GroupEvents(std::string_view stored, std::string* buffer, std::string_view* events);

// A group's port filter: a Bloom filter of the (client address, client
// port) pairs of its events, appended to the group's `clients` column after
// the address keys, so a lookup by address and port (the connection of an
// idle reuse) skips the groups that cannot hold it without reading their
// events. Layout: the keys (16 bytes each), then 2^n filter bytes (n in
// 4..14, about 16 bits per event, two probes), then the byte n and the
// marker 0xB1; the column's length is then 2 more than a multiple of 16.
// Groups written before it (schema 4) have no filter.
class PortFilterBuilder {
 public:
  void Add(const IpAddress::KeyBytes& client, uint16_t port);
  // Appends the filter of what was added to `clients`, then forgets it.
  void AppendTo(std::string* clients);

 private:
  std::vector<uint64_t> hashes_;
};

// False only when `clients` has a port filter and it rules out events of
// `client` on `port`; true otherwise (no filter, or maybe).
bool MayHoldClientPort(std::string_view clients, const IpAddress::KeyBytes& client,
                       uint16_t port);

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_EVENT_CODEC_H_
