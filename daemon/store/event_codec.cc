#include "daemon/store/event_codec.h"

#include <lz4.h>

#include <algorithm>
#include <limits>

namespace culprit::store {
namespace {

enum PresenceBit : uint32_t {
  kHasLevel = 1,
  kHasServerIp = 2,
  kHasStatus = 4,
  kHasDuration = 8,
  kHasBytesIn = 16,
  kHasBytesOut = 32,
  kHasClientIp = 64,
};

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutSigned(int64_t v, std::string* out) {
  PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out);
}

void PutBytes(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

// Reads from a view, failing (sticky) on anything out of bounds.
class Reader {
 public:
  explicit Reader(std::string_view* in) : in_(in) {}
  bool ok() const { return ok_; }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_->empty()) return Fail();
      const auto b = static_cast<uint8_t>(in_->front());
      in_->remove_prefix(1);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t Signed() {
    const uint64_t v = Varint();
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  std::string_view Bytes() {
    const uint64_t n = Varint();
    if (!ok_ || n > in_->size()) {
      Fail();
      return {};
    }
    const std::string_view v = in_->substr(0, n);
    in_->remove_prefix(n);
    return v;
  }
  bool Raw16(IpAddress::KeyBytes* key) {
    if (in_->size() < key->size()) return Fail() != 0;
    std::copy_n(in_->data(), key->size(), reinterpret_cast<char*>(key->data()));
    in_->remove_prefix(key->size());
    return true;
  }

 private:
  uint64_t Fail() {
    ok_ = false;
    *in_ = {};
    return 0;
  }
  std::string_view* in_;
  bool ok_ = true;
};

}  // namespace

void AppendPackedEvent(const PackedEventOrigin& origin, const parsers::Event& e, uint32_t flags,
                       std::string_view raw, std::string* out) {
  PutSigned(origin.id, out);
  PutSigned(ToUnixMicros(e.time), out);
  PutSigned(e.precision.count(), out);
  PutSigned(origin.source_id, out);
  PutSigned(origin.file_id, out);
  PutSigned(origin.offset, out);
  PutVarint(static_cast<uint64_t>(e.kind), out);
  PutVarint(flags, out);
  uint32_t presence = 0;
  if (e.level) presence |= kHasLevel;
  if (e.server_ip) presence |= kHasServerIp;
  if (e.status) presence |= kHasStatus;
  if (e.duration) presence |= kHasDuration;
  if (e.bytes_in) presence |= kHasBytesIn;
  if (e.bytes_out) presence |= kHasBytesOut;
  if (e.client_ip) presence |= kHasClientIp;
  PutVarint(presence, out);
  PutVarint(e.client_port, out);
  PutVarint(e.server_port, out);
  if (e.client_ip) {
    const auto& key = e.client_ip->Key();
    out->append(reinterpret_cast<const char*>(key.data()), key.size());
  }
  if (e.level) PutSigned(*e.level, out);
  if (e.server_ip) {
    const auto& key = e.server_ip->Key();
    out->append(reinterpret_cast<const char*>(key.data()), key.size());
  }
  if (e.status) PutSigned(*e.status, out);
  if (e.duration) PutSigned(e.duration->count(), out);
  if (e.bytes_in) PutSigned(*e.bytes_in, out);
  if (e.bytes_out) PutSigned(*e.bytes_out, out);
  PutBytes(e.conn_id, out);
  PutBytes(e.request_id, out);
  PutBytes(e.phase, out);
  PutBytes(e.detail, out);
  PutBytes(e.message, out);
  PutBytes(raw, out);
}

void CompressGroup(std::string_view packed, std::string* stored) {
  stored->clear();
  const int bound = packed.size() <= kMaxGroupBytes
                        ? LZ4_compressBound(static_cast<int>(packed.size()))
                        : 0;
  if (bound > 0) {
    stored->push_back('\0');
    PutVarint(packed.size(), stored);
    const size_t header = stored->size();
    stored->resize(header + static_cast<size_t>(bound));
    const int n = LZ4_compress_default(packed.data(), stored->data() + header,
                                       static_cast<int>(packed.size()), bound);
    if (n > 0 && header + static_cast<size_t>(n) < packed.size()) {
      stored->resize(header + static_cast<size_t>(n));
      return;
    }
  }
  // Incompressible (or too large to try): stored as it is.
  stored->assign(packed);
}

bool GroupEvents(std::string_view stored, std::string* buffer, std::string_view* events) {
  if (stored.empty() || stored.front() != '\0') {
    *events = stored;
    return true;
  }
  std::string_view in = stored.substr(1);
  Reader r(&in);
  const uint64_t size = r.Varint();
  if (!r.ok() || size == 0 || size > kMaxGroupBytes ||
      in.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return false;
  }
  buffer->resize(size);
  const int n = LZ4_decompress_safe(in.data(), buffer->data(), static_cast<int>(in.size()),
                                    static_cast<int>(size));
  if (n < 0 || static_cast<uint64_t>(n) != size) return false;
  *events = *buffer;
  return true;
}

bool ReadPackedEvent(std::string_view* in, StoredEvent* out) {
  PackedStrings strings;
  const bool ok = ReadPackedEvent(in, out, &strings);
  AssignStrings(strings, out);
  return ok;
}

void AssignStrings(const PackedStrings& s, StoredEvent* out) {
  parsers::Event& e = out->event;
  e.conn_id.assign(s.conn_id);
  e.request_id.assign(s.request_id);
  e.phase.assign(s.phase);
  e.detail.assign(s.detail);
  e.message.assign(s.message);
  out->raw.assign(s.raw);
}

bool ReadPackedEvent(std::string_view* in, StoredEvent* out, PackedStrings* strings) {
  Reader r(in);
  parsers::Event& e = out->event;
  out->id = r.Signed();
  e.time = FromUnixMicros(r.Signed());
  e.precision = Duration(r.Signed());
  out->source_id = r.Signed();
  out->file_id = r.Signed();
  out->offset = r.Signed();
  const uint64_t kind = r.Varint();
  e.kind = kind < static_cast<uint64_t>(kEventKindCount) ? static_cast<EventKind>(kind)
                                                          : EventKind::kOther;
  e.cause = Cause::kNone;
  e.flags = static_cast<uint32_t>(r.Varint());
  const uint64_t presence = r.Varint();
  e.client_port = static_cast<uint16_t>(r.Varint());
  e.server_port = static_cast<uint16_t>(r.Varint());
  e.client_ip.reset();
  if (presence & kHasClientIp) {
    IpAddress::KeyBytes key;
    if (r.Raw16(&key)) e.client_ip = IpAddress::FromKey(key);
  }
  e.level.reset();
  if (presence & kHasLevel) e.level = static_cast<int>(r.Signed());
  e.server_ip.reset();
  if (presence & kHasServerIp) {
    IpAddress::KeyBytes key;
    if (r.Raw16(&key)) e.server_ip = IpAddress::FromKey(key);
  }
  e.status.reset();
  if (presence & kHasStatus) e.status = static_cast<int>(r.Signed());
  e.duration.reset();
  if (presence & kHasDuration) e.duration = Duration(r.Signed());
  e.bytes_in.reset();
  if (presence & kHasBytesIn) e.bytes_in = r.Signed();
  e.bytes_out.reset();
  if (presence & kHasBytesOut) e.bytes_out = r.Signed();
  strings->conn_id = r.Bytes();
  strings->request_id = r.Bytes();
  strings->phase = r.Bytes();
  strings->detail = r.Bytes();
  strings->message = r.Bytes();
  strings->raw = r.Bytes();
  e.extra.clear();
  if (!r.ok()) *strings = {};
  return r.ok();
}

namespace {

constexpr uint8_t kPortFilterMarker = 0xB1;
constexpr int kMinFilterLog2 = 4;   // 16 bytes
constexpr int kMaxFilterLog2 = 14;  // 16 KiB: a client's 8,192 events

// FNV-1a over the address key and the port: stable across versions, as
// stored filters depend on it.
uint64_t PairHash(const IpAddress::KeyBytes& client, uint16_t port) {
  uint64_t h = 14695981039346656037ull;
  for (uint8_t b : client) h = (h ^ b) * 1099511628211ull;
  h = (h ^ (port & 0xff)) * 1099511628211ull;
  h = (h ^ (port >> 8)) * 1099511628211ull;
  return h ^ (h >> 29);
}

// The two bit positions of a hash in a filter of 2^log2 bytes.
std::pair<uint32_t, uint32_t> Probes(uint64_t h, int log2) {
  const uint32_t mask = (uint32_t{8} << log2) - 1;
  return {static_cast<uint32_t>(h) & mask, static_cast<uint32_t>(h >> 32) & mask};
}

}  // namespace

void PortFilterBuilder::Add(const IpAddress::KeyBytes& client, uint16_t port) {
  hashes_.push_back(PairHash(client, port));
}

void PortFilterBuilder::AppendTo(std::string* clients) {
  int log2 = kMinFilterLog2;
  while (log2 < kMaxFilterLog2 && (size_t{1} << log2) < 2 * hashes_.size()) ++log2;
  const size_t at = clients->size();
  clients->append(size_t{1} << log2, '\0');
  auto* bits = reinterpret_cast<uint8_t*>(clients->data() + at);
  for (uint64_t h : hashes_) {
    const auto [a, b] = Probes(h, log2);
    bits[a >> 3] |= static_cast<uint8_t>(1u << (a & 7));
    bits[b >> 3] |= static_cast<uint8_t>(1u << (b & 7));
  }
  clients->push_back(static_cast<char>(log2));
  clients->push_back(static_cast<char>(kPortFilterMarker));
  hashes_.clear();
}

bool MayHoldClientPort(std::string_view clients, const IpAddress::KeyBytes& client,
                       uint16_t port) {
  if (clients.size() % 16 != 2 || clients.size() < 2) return true;  // no filter
  const auto* end = reinterpret_cast<const uint8_t*>(clients.data() + clients.size());
  if (end[-1] != kPortFilterMarker) return true;
  const int log2 = end[-2];
  if (log2 < kMinFilterLog2 || log2 > kMaxFilterLog2) return true;
  const size_t bytes = size_t{1} << log2;
  if (clients.size() < bytes + 2) return true;
  const uint8_t* bits = end - 2 - bytes;
  const auto [a, b] = Probes(PairHash(client, port), log2);
  return (bits[a >> 3] & (1u << (a & 7))) != 0 && (bits[b >> 3] & (1u << (b & 7))) != 0;
}

}  // namespace culprit::store
