#ifndef CULPRIT_BASE_IP_ADDRESS_H_
#define CULPRIT_BASE_IP_ADDRESS_H_

// IpAddress, Endpoint and IpPrefix: parsed once, compared by value, printed in
// one canonical form.
//
// Canonical form: IPv4 as dotted quad; IPv6 compressed per RFC 5952 (lower
// case, longest zero run as "::"); an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) is folded to plain IPv4, so the same client is one value
// whichever way a log wrote it. A zone id ("fe80::1%eth0") is dropped.
//
// Key(): 16 bytes, IPv4 as the IPv4-mapped IPv6 address. Keys sort as the
// addresses do, and an IpPrefix is the contiguous key range [low, high], so a
// CIDR lookup is a range scan. This is the stored form in SQLite (a BLOB).
//
// Value types; thread-compatible.

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace culprit {

class IpAddress {
 public:
  using KeyBytes = std::array<uint8_t, 16>;

  // The unspecified IPv4 address 0.0.0.0.
  IpAddress() = default;

  // Parses "192.0.2.1", "2001:db8::1", "[2001:db8::1]", "::ffff:192.0.2.1",
  // "fe80::1%eth0". Error names the text.
  static Result<IpAddress> Parse(std::string_view text);
  // Rebuilds an address from Key() bytes.
  static IpAddress FromKey(const KeyBytes& key);
  static IpAddress FromV4(uint32_t host_order);

  bool is_v4() const { return is_v4_; }
  const KeyBytes& Key() const { return key_; }
  std::string ToString() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress& a, const IpAddress& b) { return a.key_ <=> b.key_; }

 private:
  KeyBytes key_{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
  bool is_v4_ = true;
};

// An address and a port (0 = unknown).
struct Endpoint {
  IpAddress ip;
  uint16_t port = 0;

  // Parses "192.0.2.1:443", "[2001:db8::1]:443", or an address alone (port 0);
  // also "2001:db8::10:39815" (IPv6 and port without brackets) when the
  // whole is not an address itself.
  // A bare IPv6 address with no brackets is read as an address without port.
  static Result<Endpoint> Parse(std::string_view text);
  // "192.0.2.1:443", "[2001:db8::1]:443"; the address alone when port is 0.
  std::string ToString() const;

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// A CIDR block: "10.0.0.0/8", "2001:db8::/32", or one address (/32 or /128).
class IpPrefix {
 public:
  // Parses "addr/len" or a bare address (a /32 or /128). Host bits beyond
  // len are masked off, since operators often write "10.1.2.3/24".
  static Result<IpPrefix> Parse(std::string_view text);

  const IpAddress& address() const { return address_; }
  // Prefix length in the address's own family (0..32 or 0..128).
  int length() const { return length_; }
  // Inclusive key range covered by the prefix.
  IpAddress::KeyBytes LowKey() const;
  IpAddress::KeyBytes HighKey() const;
  bool Contains(const IpAddress& ip) const;
  std::string ToString() const;

 private:
  IpAddress address_;
  int length_ = 32;
};

}  // namespace culprit

#endif  // CULPRIT_BASE_IP_ADDRESS_H_
