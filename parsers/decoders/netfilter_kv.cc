#include "parsers/decoders/netfilter_kv.h"

#include <utility>

#include <array>
#include <string>

#include "base/ip_address.h"

namespace culprit::parsers {
namespace {

// TCP flag words nf_log_dump_tcp_header prints, in its order.
constexpr std::array<std::string_view, 9> kTcpFlags = {"AE",  "CWR", "ECE", "URG", "ACK",
                                                       "PSH", "RST", "SYN", "FIN"};

bool IsTcpFlag(std::string_view word) {
  for (std::string_view f : kTcpFlags) {
    if (word == f) return true;
  }
  return false;
}

// Quotes a value for an error message: at most 64 bytes, control and
// non-ASCII bytes shown as '?'.
std::string Shown(std::string_view v) {
  std::string s(v.substr(0, 64));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return "\"" + s + "\"";
}

bool ParsePort(std::string_view v, uint16_t* out) {
  if (v.empty() || v.size() > 5) return false;
  uint32_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  if (n > 65535) return false;
  *out = static_cast<uint16_t>(n);
  return true;
}

}  // namespace

Status DecodeNetfilterKv(std::string_view text, const LineContext& /*ctx*/, Event* event) {
  std::string_view src, dst, spt, dpt, proto, in, out, physin, physout, icmp_type, icmp_code;
  bool have_in = false, have_out = false;
  // Flags are at most 9 short words; build them in a small fixed buffer.
  char flags[48];
  size_t flags_len = 0;

  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    // ICMP errors embed the offending packet in brackets; its SRC/DST are
    // not this packet's, so stop at the first '['. OPT (hex) groups are
    // skipped as one word.
    if (text[i] == '[') break;
    if (text[i] == '(') {
      const size_t close = text.find(')', i);
      if (close == std::string_view::npos) break;
      i = close + 1;
      continue;
    }
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(i, end - i);
    i = end;

    const size_t eq = word.find('=');
    if (eq == std::string_view::npos) {
      if (IsTcpFlag(word) && flags_len + word.size() + 1 <= sizeof(flags)) {
        if (flags_len > 0) flags[flags_len++] = ' ';
        word.copy(flags + flags_len, word.size());
        flags_len += word.size();
      }
      continue;  // DF, MF, CE, OPT, ...
    }
    const std::string_view key = word.substr(0, eq);
    const std::string_view value = word.substr(eq + 1);
    // The first occurrence wins: UDP repeats LEN=, and nothing after the
    // transport header may override the addresses.
    if (key == "SRC") {
      if (src.empty()) src = value;
    } else if (key == "DST") {
      if (dst.empty()) dst = value;
    } else if (key == "SPT") {
      if (spt.empty()) spt = value;
    } else if (key == "DPT") {
      if (dpt.empty()) dpt = value;
    } else if (key == "PROTO") {
      if (proto.empty()) proto = value;
    } else if (key == "IN") {
      if (!have_in) in = value;
      have_in = true;
    } else if (key == "OUT") {
      if (!have_out) out = value;
      have_out = true;
    } else if (key == "PHYSIN") {
      physin = value;
    } else if (key == "PHYSOUT") {
      physout = value;
    } else if (key == "TYPE") {
      if (icmp_type.empty()) icmp_type = value;
    } else if (key == "CODE") {
      if (icmp_code.empty()) icmp_code = value;
    }
  }

  if (src.empty()) return Status::InvalidArgument("netfilter_kv: no SRC= in the packet fields");
  if (dst.empty()) return Status::InvalidArgument("netfilter_kv: no DST= in the packet fields");
  Result<IpAddress> src_ip = IpAddress::Parse(src);
  if (!src_ip.ok()) {
    return Status::InvalidArgument("netfilter_kv: SRC=" + Shown(src) + " is not an IP address");
  }
  Result<IpAddress> dst_ip = IpAddress::Parse(dst);
  if (!dst_ip.ok()) {
    return Status::InvalidArgument("netfilter_kv: DST=" + Shown(dst) + " is not an IP address");
  }
  uint16_t sport = 0, dport = 0;
  if (!spt.empty() && !ParsePort(spt, &sport)) {
    return Status::InvalidArgument("netfilter_kv: SPT=" + Shown(spt) + " is not a port");
  }
  if (!dpt.empty() && !ParsePort(dpt, &dport)) {
    return Status::InvalidArgument("netfilter_kv: DPT=" + Shown(dpt) + " is not a port");
  }

  event->kind = EventKind::kFirewall;
  // A packet this host sends (the OUTPUT chain: `IN=` empty) that answers
  // a connection (a RST, an ACK; anything but a bare SYN, with which this
  // host opens a connection of its own) goes from the server to the
  // client: the client is DST. RESET_SIGNATURES §7.1, "outbound RST logged
  // with SRC = our host".
  const std::string_view tcp_flags(flags, flags_len);
  const bool bare_syn = tcp_flags.find("SYN") != std::string_view::npos &&
                        tcp_flags.find("ACK") == std::string_view::npos;
  const bool reply = have_in && in.empty() && !out.empty() && flags_len > 0 && !bare_syn;
  if (reply) {
    std::swap(src_ip, dst_ip);
    std::swap(sport, dport);
    event->SetExtra("direction", "out");
  }
  event->client_ip = src_ip.value();
  event->client_port = sport;
  event->server_ip = dst_ip.value();
  event->server_port = dport;
  if (!proto.empty()) event->SetExtra("proto", proto);
  if (!in.empty()) event->SetExtra("in", in);
  if (!out.empty()) event->SetExtra("out", out);
  if (!physin.empty()) event->SetExtra("physin", physin);
  if (!physout.empty()) event->SetExtra("physout", physout);
  if (flags_len > 0) event->SetExtra("tcp_flags", std::string_view(flags, flags_len));
  if (!icmp_type.empty()) event->SetExtra("icmp_type", icmp_type);
  if (!icmp_code.empty()) event->SetExtra("icmp_code", icmp_code);
  return Status::Ok();
}

}  // namespace culprit::parsers
