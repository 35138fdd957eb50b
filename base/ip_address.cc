#include "base/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace culprit {
namespace {

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool IsMapped(const IpAddress::KeyBytes& k) {
  return std::memcmp(k.data(), kMappedPrefix, sizeof(kMappedPrefix)) == 0;
}

Status NotAnAddress(std::string_view text) {
  return Status::InvalidArgument("\"" + std::string(text) + "\" is not an IP address");
}

}  // namespace

Result<IpAddress> IpAddress::Parse(std::string_view text) {
  std::string_view s = text;
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (const size_t pct = s.find('%'); pct != std::string_view::npos) s = s.substr(0, pct);
  if (s.empty() || s.size() > 45) return NotAnAddress(text);
  char buf[64];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  IpAddress out;
  if (s.find(':') == std::string_view::npos) {
    uint8_t v4[4];
    if (inet_pton(AF_INET, buf, v4) != 1) return NotAnAddress(text);
    std::memcpy(out.key_.data() + 12, v4, 4);
    out.is_v4_ = true;
    return out;
  }
  if (inet_pton(AF_INET6, buf, out.key_.data()) != 1) return NotAnAddress(text);
  out.is_v4_ = IsMapped(out.key_);
  return out;
}

IpAddress IpAddress::FromKey(const KeyBytes& key) {
  IpAddress out;
  out.key_ = key;
  out.is_v4_ = IsMapped(key);
  return out;
}

IpAddress IpAddress::FromV4(uint32_t host_order) {
  IpAddress out;
  out.key_[12] = static_cast<uint8_t>(host_order >> 24);
  out.key_[13] = static_cast<uint8_t>(host_order >> 16);
  out.key_[14] = static_cast<uint8_t>(host_order >> 8);
  out.key_[15] = static_cast<uint8_t>(host_order);
  return out;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4_) {
    inet_ntop(AF_INET, key_.data() + 12, buf, sizeof(buf));
  } else {
    // glibc's inet_ntop follows RFC 5952 for everything but mapped/compat
    // forms, and mapped addresses never get here.
    inet_ntop(AF_INET6, key_.data(), buf, sizeof(buf));
  }
  return buf;
}

Result<Endpoint> Endpoint::Parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("\"" + std::string(text) + "\" is not an address[:port] (" +
                                   std::string(why) + ")");
  };
  std::string_view host = text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':' after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
  } else {
    const size_t first = text.find(':');
    const size_t last = text.rfind(':');
    if (first != std::string_view::npos && first == last) {
      host = text.substr(0, first);
      port_text = text.substr(first + 1);
      if (port_text.empty()) return bad("empty port");
    }
  }
  auto ip = IpAddress::Parse(host);
  if (!ip.ok() && port_text.empty() && host == text) {
    // An IPv6 address and a port without brackets, as stunnel and many
    // applications print them ("2001:db8::10:39815"): taken so only when
    // the whole is no address but all before the last ':' is, and what
    // follows it is a port. (A port of 4 digits or fewer can make the whole
    // a valid address; the whole wins then.)
    const size_t last = text.rfind(':');
    if (last != std::string_view::npos && last + 1 < text.size() &&
        text.find_first_not_of("0123456789", last + 1) == std::string_view::npos) {
      auto prefix = IpAddress::Parse(text.substr(0, last));
      if (prefix.ok()) {
        ip = prefix;
        port_text = text.substr(last + 1);
      }
    }
  }
  if (!ip.ok()) return bad("bad address");
  Endpoint ep;
  ep.ip = *ip;
  if (!port_text.empty()) {
    if (port_text.size() > 5) return bad("port out of range");
    uint32_t p = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return bad("port is not a number");
      p = p * 10 + static_cast<uint32_t>(c - '0');
    }
    if (p > 65535) return bad("port out of range");
    ep.port = static_cast<uint16_t>(p);
  }
  return ep;
}

std::string Endpoint::ToString() const {
  if (port == 0) return ip.ToString();
  if (ip.is_v4()) return ip.ToString() + ":" + std::to_string(port);
  return "[" + ip.ToString() + "]:" + std::to_string(port);
}

Result<IpPrefix> IpPrefix::Parse(std::string_view text) {
  const size_t slash = text.find('/');
  auto ip = IpAddress::Parse(text.substr(0, slash));
  if (!ip.ok()) {
    return Status::InvalidArgument("\"" + std::string(text) + "\" is not an IP address or CIDR");
  }
  IpPrefix out;
  out.address_ = *ip;
  const int max_len = ip->is_v4() ? 32 : 128;
  out.length_ = max_len;
  if (slash != std::string_view::npos) {
    std::string_view len_text = text.substr(slash + 1);
    if (len_text.empty() || len_text.size() > 3) {
      return Status::InvalidArgument("\"" + std::string(text) + "\": bad prefix length");
    }
    int len = 0;
    for (char c : len_text) {
      if (c < '0' || c > '9') {
        return Status::InvalidArgument("\"" + std::string(text) + "\": bad prefix length");
      }
      len = len * 10 + (c - '0');
    }
    if (len > max_len) {
      return Status::InvalidArgument("\"" + std::string(text) + "\": prefix length " +
                                     std::to_string(len) + " is over " +
                                     std::to_string(max_len));
    }
    out.length_ = len;
  }
  out.address_ = IpAddress::FromKey(out.LowKey());
  return out;
}

IpAddress::KeyBytes IpPrefix::LowKey() const {
  IpAddress::KeyBytes k = address_.Key();
  const int bits = address_.is_v4() ? 96 + length_ : length_;
  for (int i = bits; i < 128; ++i) k[i / 8] &= static_cast<uint8_t>(~(0x80u >> (i % 8)));
  return k;
}

IpAddress::KeyBytes IpPrefix::HighKey() const {
  IpAddress::KeyBytes k = address_.Key();
  const int bits = address_.is_v4() ? 96 + length_ : length_;
  for (int i = bits; i < 128; ++i) k[i / 8] |= static_cast<uint8_t>(0x80u >> (i % 8));
  return k;
}

bool IpPrefix::Contains(const IpAddress& ip) const {
  return ip.Key() >= LowKey() && ip.Key() <= HighKey();
}

std::string IpPrefix::ToString() const {
  return address_.ToString() + "/" + std::to_string(length_);
}

}  // namespace culprit
