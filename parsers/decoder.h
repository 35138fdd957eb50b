#ifndef CULPRIT_PARSERS_DECODER_H_
#define CULPRIT_PARSERS_DECODER_H_

// Decoders: code for the parts of a log line whose meaning needs logic
// (HAProxy's termination state, netfilter's KEY=VALUE body, TLS error
// reasons, syslog stamps without a year). A format file names a decoder for
// a capture; the format engine calls it with the captured text and the event
// being built.
//
// Every decoder is a pure function: no I/O, no global state, thread-safe.
// It never crashes on any input: text it cannot make sense of gives a
// non-OK Status (INVALID_ARGUMENT) whose message names the text, and leaves
// *event in a valid (possibly partly filled) state.

#include <span>
#include <string_view>

#include "base/status.h"
#include "parsers/event.h"
#include "parsers/line_parser.h"

namespace culprit::parsers {

struct Decoder {
  std::string_view name;  // referenced from format files: decoder = "netfilter_kv"
  std::string_view help;  // one line, for format authors
  // Decodes `text` into fields of *event (kind, cause, addresses, phase,
  // detail, extra...). `ctx` carries the zone and the reading time.
  Status (*decode)(std::string_view text, const LineContext& ctx, Event* event);
};

// Every decoder, in a stable order.
std::span<const Decoder> BuiltinDecoders();

// The decoder named `name`, or nullptr.
const Decoder* FindDecoder(std::string_view name);

}  // namespace culprit::parsers

#endif  // CULPRIT_PARSERS_DECODER_H_
