#ifndef CULPRIT_DAEMON_STORE_EVENT_CODEC_H_
#define CULPRIT_DAEMON_STORE_EVENT_CODEC_H_

// The packed form of the ordinary events (no reset cause) that table
// event_groups stores back to back, a few dozen per row (schema/0004).
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

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_EVENT_CODEC_H_
