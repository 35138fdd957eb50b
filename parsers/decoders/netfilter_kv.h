#ifndef CULPRIT_PARSERS_DECODERS_NETFILTER_KV_H_
#define CULPRIT_PARSERS_DECODERS_NETFILTER_KV_H_

// netfilter_kv decoder: the body of a netfilter log line, as the kernel's
// nf_log_syslog (iptables -j LOG, nftables `log`) and ulogd's LOGEMU (NFLOG)
// write it:
//   IN=lo OUT= MAC=... SRC=127.30.1.10 DST=127.0.0.1 LEN=60 TOS=00 PREC=0x00
//   TTL=64 ID=44050 DF PROTO=TCP SPT=38795 DPT=27500 SEQ=1105102635 ACK=0
//   WINDOW=65495 SYN URGP=0 MARK=0x0
// IPv6 (TC= HOPLIMIT= FLOWLBL=), bridges (PHYSIN= PHYSOUT=), UDP (a second
// LEN=), ICMP (TYPE= CODE=, and an embedded "[SRC=... ]" original packet,
// which is skipped), unknown keys and trailing spaces are all accepted.
// The log prefix ("[UFW BLOCK] ", "IPTABLES-DROP: ") is not part of the
// text: the format's pattern captures it.
//
// Sets on *event: kind = firewall; client_ip/client_port = SRC/SPT;
// server_ip/server_port = DST/DPT; extra "proto" (TCP, UDP, ICMP, ...),
// "in", "out" (when the key is present and not empty), "physin",
// "physout", "tcp_flags" (the flag words in log order: "SYN", "ACK PSH"),
// "icmp_type"/"icmp_code". The cause is left to the format's rules (the
// prefix says whether the packet was dropped or accepted).
//
// Pure function; thread-safe. INVALID_ARGUMENT, naming the key and value,
// when SRC or DST is missing or not an address, or SPT/DPT is not a port.
// REQUIRES: event != nullptr.

#include <string_view>

#include "base/status.h"
#include "parsers/event.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

Status DecodeNetfilterKv(std::string_view text, const LineContext& ctx, Event* event);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_DECODERS_NETFILTER_KV_H_
