// The registry of built-in decoders (parsers/decoder.h).

#include <array>

#include "parsers/decoder.h"
#include "parsers/decoders/haproxy_termination.h"
#include "parsers/decoders/netfilter_kv.h"
#include "parsers/decoders/tls_reason.h"

namespace culprit::parsers {
namespace {

constexpr std::array<Decoder, 3> kDecoders = {{
    {"haproxy_termination",
     "HAProxy termination state (\"SD--\", \"cR\"): detail, phase and cause",
     &DecodeHaproxyTermination},
    {"netfilter_kv",
     "netfilter LOG body (\"IN= OUT= SRC= DST= PROTO= SPT= DPT= ... SYN\"): addresses, flags",
     &DecodeNetfilterKv},
    {"tls_reason",
     "OpenSSL/Go/stunnel/HAProxy TLS error text: stable reason in detail, cause",
     &DecodeTlsReason},
}};

}  // namespace

std::span<const Decoder> BuiltinDecoders() { return kDecoders; }

const Decoder* FindDecoder(std::string_view name) {
  for (const Decoder& d : kDecoders) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

}  // namespace culprit::parsers
