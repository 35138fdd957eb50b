#include "parsers/json/json_parser.h"

#include <re2/re2.h>
#include <simdjson.h>

#include <array>
#include <cstring>
#include <limits>
#include <optional>

#include "base/ip_address.h"
#include "base/status.h"
#include "base/time_zone.h"
#include "parsers/json/field_table.h"
#include "parsers/json/json_cause.h"
#include "parsers/json/json_values.h"

namespace culprit::parsers {
namespace {

namespace od = simdjson::ondemand;
using json_internal::FieldTable;
using json_internal::KeyTable;
using json_internal::Leaf;
using json_internal::ParsedTime;
using json_internal::Target;

constexpr size_t kMaxMessageBytes = 4096;
constexpr size_t kMaxShortBytes = 256;  // ids, detail, error, extras
constexpr size_t kMaxExtras = 16;
constexpr int kMaxNestedDepth = 8;

enum class ValueKind : uint8_t { kString, kNumber, kBool };

// A mapped value seen on the current line. `text` points into the parser's
// line buffer or simdjson's string buffer: valid until the next line.
struct Slot {
  int32_t leaf = -1;  // -1: not seen
  uint16_t rank = 0;  // the leaf's, cached
  uint16_t extra_id = 0;
  ValueKind kind = ValueKind::kString;
  std::string_view text;
};

std::string_view Cap(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  // Do not cut a UTF-8 sequence in half.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

bool IsAbsent(std::string_view text) { return text.empty() || text == "-"; }

std::string Quote(std::string_view value) {
  std::string out = "\"";
  out += Cap(value, 80);
  if (value.size() > 80) out += "...";
  out += '"';
  return out;
}

class JsonParser final : public LineParser {
 public:
  JsonParser(FieldTable table, std::unique_ptr<RE2> prefix)
      : table_(std::move(table)), prefix_(std::move(prefix)), parser_(kMaxJsonLineBytes) {
    extras_.reserve(kMaxExtras);
  }

  ParseResult Parse(std::string_view line, const LineContext& ctx, Event* event) override;

 private:
  // Finds where the JSON object starts in `line`, or says why there is none.
  std::optional<ParseResult> FindObject(std::string_view line, size_t* start) const;
  simdjson::error_code Walk(od::object object, const KeyTable& table, int depth);
  simdjson::error_code Take(int32_t leaf, od::json_type type, od::value& value);
  void Record(int32_t leaf, std::string_view text, ValueKind kind);
  ParseResult Finish(const LineContext& ctx, Event* event);
  ParseResult Bad(Target target, std::string_view what) const;
  // Fills ip/port from the endpoint, address and port slots of one side.
  std::optional<ParseResult> FillEndpoint(Target ep, Target ip_target, Target port_target,
                                          std::optional<IpAddress>* ip, uint16_t* port) const;
  const Slot& slot(Target t) const { return slots_[static_cast<size_t>(t)]; }

  const FieldTable table_;
  const std::unique_ptr<RE2> prefix_;
  od::parser parser_;
  std::unique_ptr<char[]> buf_;
  size_t buf_capacity_ = 0;
  const char* buf_end_ = nullptr;
  std::array<Slot, json_internal::kSlotTargetCount> slots_;
  std::vector<Slot> extras_;
};

std::optional<ParseResult> JsonParser::FindObject(std::string_view line, size_t* start) const {
  size_t pos = 0;
  if (prefix_ != nullptr) {
    re2::StringPiece match;
    if (!prefix_->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(),
                        RE2::ANCHOR_START, &match, 1)) {
      return ParseResult::NoMatch("prefix does not match");
    }
    pos = static_cast<size_t>(match.end() - line.data());
  }
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  if (pos >= line.size()) {
    return ParseResult::NoMatch(pos == 0 ? "empty line" : "no JSON object in the line");
  }
  if (line[pos] != '{') {
    if (line[pos] == '[') return ParseResult::NoMatch("a JSON array, not an object");
    if (prefix_ != nullptr) return ParseResult::NoMatch("no JSON object after the prefix");
    const size_t brace = line.find('{', pos);
    if (brace == std::string_view::npos) return ParseResult::NoMatch("no JSON object in the line");
    pos = brace;
  }
  *start = pos;
  return std::nullopt;
}

ParseResult JsonParser::Parse(std::string_view line, const LineContext& ctx, Event* event) {
  event->Clear();
  size_t start = 0;
  if (auto no = FindObject(line, &start)) return *std::move(no);
  const std::string_view json = line.substr(start);
  if (json.size() > kMaxJsonLineBytes) {
    return ParseResult::Malformed("JSON object of " + std::to_string(json.size()) +
                                  " bytes is longer than the limit of " +
                                  std::to_string(kMaxJsonLineBytes));
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: keep the line
  // in a reused buffer with that much spare room.
  const size_t need = json.size() + simdjson::SIMDJSON_PADDING;
  if (need > buf_capacity_) {
    buf_capacity_ = std::max(need, buf_capacity_ * 2);
    buf_ = std::make_unique<char[]>(buf_capacity_);
  }
  std::memcpy(buf_.get(), json.data(), json.size());
  std::memset(buf_.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
  buf_end_ = buf_.get() + json.size();

  slots_.fill(Slot{});
  extras_.clear();

  od::document doc;
  simdjson::error_code err = parser_.iterate(buf_.get(), json.size(), buf_capacity_).get(doc);
  od::object root;
  if (!err) err = doc.get_object().get(root);
  if (!err) err = Walk(root, table_.root(), 0);
  if (err) {
    return ParseResult::Malformed(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  // After the object, nothing but whitespace may follow.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return ParseResult::Malformed("invalid JSON: text after the object");
  }
  return Finish(ctx, event);
}

simdjson::error_code JsonParser::Walk(od::object object, const KeyTable& table, int depth) {
  for (auto result : object) {
    od::field field;
    if (simdjson::error_code err = std::move(result).get(field)) return err;
    // Keys are compared as written; only a key with an escape is unescaped.
    // The closing quote exists (stage 1 rejects unclosed strings), and the
    // scan is bounded by the end of the line anyway.
    std::string_view key;
    const char* raw = field.key().raw();
    const char* end = raw;
    while (end < buf_end_ && *end != '"' && *end != '\\') ++end;
    if (end < buf_end_ && *end == '"') {
      key = std::string_view(raw, static_cast<size_t>(end - raw));
    } else if (simdjson::error_code err = field.unescaped_key().get(key)) {
      return err;
    }
    const KeyTable::Node* node = table.Find(key);
    if (node == nullptr) continue;  // simdjson skips the value

    od::value& value = field.value();
    od::json_type type;
    if (simdjson::error_code err = value.type().get(type)) return err;
    if (type == od::json_type::object) {
      if (node->child < 0 || depth + 1 >= kMaxNestedDepth) continue;
      od::object child;
      if (simdjson::error_code err = value.get_object().get(child)) return err;
      if (simdjson::error_code err = Walk(child, table_.table(node->child), depth + 1)) {
        return err;
      }
      continue;
    }
    if (node->leaf < 0 || type == od::json_type::array || type == od::json_type::null) continue;
    if (simdjson::error_code err = Take(node->leaf, type, value)) return err;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code JsonParser::Take(int32_t leaf, od::json_type type, od::value& value) {
  if (type == od::json_type::string) {
    std::string_view s;
    if (simdjson::error_code err = value.get_string().get(s)) return err;
    Record(leaf, s, ValueKind::kString);
    return simdjson::SUCCESS;
  }
  // Numbers and booleans as written: exact digits matter for epoch precision.
  std::string_view token = value.raw_json_token();
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r' ||
                            token.back() == '\n')) {
    token.remove_suffix(1);
  }
  // The number's syntax is checked when it is decoded (ParseDecimal).
  Record(leaf, token, type == od::json_type::number ? ValueKind::kNumber : ValueKind::kBool);
  return simdjson::SUCCESS;
}

void JsonParser::Record(int32_t leaf_index, std::string_view text, ValueKind kind) {
  const Leaf& leaf = table_.leaf(leaf_index);
  const Slot value{leaf_index, leaf.rank, leaf.extra_id, kind, text};
  if (leaf.target == Target::kExtra) {
    for (Slot& s : extras_) {
      if (s.extra_id == leaf.extra_id) {
        if (leaf.rank < s.rank) s = value;
        return;
      }
    }
    if (extras_.size() < kMaxExtras) extras_.push_back(value);
    return;
  }
  Slot& s = slots_[static_cast<size_t>(leaf.target)];
  if (s.leaf < 0 || leaf.rank < s.rank) s = value;
}

ParseResult JsonParser::Bad(Target target, std::string_view what) const {
  const Slot& s = slot(target);
  return ParseResult::Malformed("field \"" + std::string(json_internal::TargetName(target)) +
                                "\" (key \"" + table_.leaf(s.leaf).path + "\"): " + Quote(s.text) +
                                " " + std::string(what));
}

std::optional<ParseResult> JsonParser::FillEndpoint(Target ep, Target ip_target,
                                                    Target port_target,
                                                    std::optional<IpAddress>* ip,
                                                    uint16_t* port) const {
  auto present = [&](Target t) -> const Slot* {
    const Slot& s = slot(t);
    return s.leaf >= 0 && !IsAbsent(s.text) ? &s : nullptr;
  };
  auto rank = [&](const Slot* s) -> int {
    return s != nullptr ? s->rank : std::numeric_limits<int>::max();
  };
  const Slot* e = present(ep);
  const Slot* i = present(ip_target);
  const Slot* p = present(port_target);
  // Traefik writes both ClientAddr "ip:port" and ClientHost (which may be a
  // forwarded-for list): each of address and port comes from the
  // best-ranked key that has it, and only that key is decoded.
  bool port_done = false;
  if (e != nullptr && (rank(e) < rank(i) || rank(e) < rank(p))) {
    auto parsed = Endpoint::Parse(e->text);
    if (!parsed.ok()) return Bad(ep, "is not an address[:port]");
    if (rank(e) < rank(i)) {
      *ip = parsed->ip;
      i = nullptr;
    }
    if (rank(e) < rank(p) && parsed->port != 0) {
      *port = parsed->port;
      p = nullptr;
      port_done = true;
    }
  }
  if (i != nullptr) {
    if (auto parsed = IpAddress::Parse(i->text); parsed.ok()) {
      *ip = *parsed;
    } else if (auto endpoint = Endpoint::Parse(i->text); endpoint.ok()) {
      *ip = endpoint->ip;  // Go's RemoteAddr style "ip:port"
      if (endpoint->port != 0 && !port_done && rank(i) < rank(p)) *port = endpoint->port;
    } else {
      return Bad(ip_target, "is not an IP address");
    }
  }
  if (p != nullptr) {
    const auto parsed = json_internal::ParseInteger(p->text, 0, 65535);
    if (!parsed) return Bad(port_target, "is not a port");
    *port = static_cast<uint16_t>(*parsed);
  }
  return std::nullopt;
}

ParseResult JsonParser::Finish(const LineContext& ctx, Event* event) {
  event->kind = EventKind::kApp;

  // Duration first: start_time needs it. The best-ranked duration key wins.
  static constexpr std::array<std::pair<Target, int>, 5> kDurations = {{
      {Target::kDuration, 0},
      {Target::kDurationS, 0},
      {Target::kDurationMs, -3},
      {Target::kDurationUs, -6},
      {Target::kDurationNs, -9},
  }};
  const Slot* best = nullptr;
  std::pair<Target, int> best_unit{Target::kDuration, 0};
  for (const auto& unit : kDurations) {
    const Slot& s = slot(unit.first);
    if (s.leaf < 0 || IsAbsent(s.text)) continue;
    if (best == nullptr || s.rank < best->rank) {
      best = &s;
      best_unit = unit;
    }
  }
  if (best != nullptr) {
    Duration d{};
    bool ok = false;
    if (best_unit.first != Target::kDuration) {
      ok = json_internal::ParseDurationNumber(best->text, best_unit.second, &d);
    } else if (best->kind == ValueKind::kString) {
      ok = json_internal::ParseDurationText(best->text, &d) ||
           json_internal::ParseDurationNumber(best->text, 0, &d);
    } else {
      const bool integral = best->text.find_first_of(".eE") == std::string_view::npos;
      ok = json_internal::ParseDurationNumber(best->text, integral ? -3 : 0, &d);
    }
    if (!ok) return Bad(best_unit.first, "is not a duration");
    event->duration = d;
  }

  std::optional<ParsedTime> time;
  std::optional<ParsedTime> start;
  if (const Slot& s = slot(Target::kTime); s.leaf >= 0 && !IsAbsent(s.text)) {
    ParsedTime t;
    if (!json_internal::ParseTimeValue(s.text, s.kind == ValueKind::kNumber, *ctx.zone, &t)) {
      return Bad(Target::kTime, "is not a time");
    }
    time = t;
  }
  if (const Slot& s = slot(Target::kStartTime); s.leaf >= 0 && !IsAbsent(s.text)) {
    ParsedTime t;
    if (!json_internal::ParseTimeValue(s.text, s.kind == ValueKind::kNumber, *ctx.zone, &t)) {
      return Bad(Target::kStartTime, "is not a time");
    }
    start = t;
  }
  if (time && (!start || time->precision <= start->precision)) {
    event->time = time->time;
    event->precision = time->precision;
  } else if (start) {
    // An access log stamped with the request's start: the line stands for its end.
    event->time = start->time + event->duration.value_or(Duration(0));
    event->precision = start->precision;
  } else {
    return ParseResult::Malformed("no time field");
  }

  if (auto bad = FillEndpoint(Target::kClient, Target::kClientIp, Target::kClientPort,
                              &event->client_ip, &event->client_port)) {
    return *std::move(bad);
  }
  if (auto bad = FillEndpoint(Target::kServer, Target::kServerIp, Target::kServerPort,
                              &event->server_ip, &event->server_port)) {
    return *std::move(bad);
  }
  if (const Slot& s = slot(Target::kStatus); s.leaf >= 0 && !IsAbsent(s.text)) {
    const auto v = json_internal::ParseInteger(s.text, 0, 999);
    if (!v) return Bad(Target::kStatus, "is not an HTTP status");
    event->status = static_cast<int>(*v);
  }
  for (const Target t : {Target::kBytesIn, Target::kBytesOut}) {
    const Slot& s = slot(t);
    if (s.leaf < 0 || IsAbsent(s.text)) continue;
    const auto v = json_internal::ParseInteger(s.text, 0, std::numeric_limits<int64_t>::max());
    if (!v) return Bad(t, "is not a byte count");
    (t == Target::kBytesIn ? event->bytes_in : event->bytes_out) = *v;
  }
  if (const Slot& s = slot(Target::kLevel); s.leaf >= 0 && !IsAbsent(s.text)) {
    if (auto sev = json_internal::SeverityFromName(s.text)) {
      event->level = sev;
    } else if (auto n = json_internal::ParseInteger(s.text, 0, 1000)) {
      event->level = json_internal::SeverityFromNumber(*n);
    }
    // An unknown level name leaves the level unset: not worth rejecting a line.
  }
  auto copy = [&](Target t, size_t max, std::string* out) {
    const Slot& s = slot(t);
    if (s.leaf >= 0 && !IsAbsent(s.text)) out->assign(Cap(s.text, max));
  };
  copy(Target::kConnId, kMaxShortBytes, &event->conn_id);
  copy(Target::kRequestId, kMaxShortBytes, &event->request_id);
  copy(Target::kMessage, kMaxMessageBytes, &event->message);
  copy(Target::kPhase, kMaxShortBytes, &event->phase);
  copy(Target::kDetail, kMaxShortBytes, &event->detail);

  std::string_view error;
  if (const Slot& s = slot(Target::kError); s.leaf >= 0 && !IsAbsent(s.text)) {
    error = s.text;
    if (event->detail.empty()) {
      event->detail.assign(Cap(error, kMaxShortBytes));
    } else {
      event->SetExtra("error", Cap(error, kMaxShortBytes));
    }
  }
  for (const Slot& s : extras_) {
    if (IsAbsent(s.text)) continue;
    // Names are unique here (one slot per extra id), except "error" above.
    const std::string& name = table_.leaf(s.leaf).extra_name;
    if (name == "error") {
      event->SetExtra(name, Cap(s.text, kMaxShortBytes));
    } else {
      event->extra.emplace_back(name, Cap(s.text, kMaxShortBytes));
    }
  }

  json_internal::CauseInput in;
  in.severity = event->level;
  in.status = event->status;
  in.message = event->message;
  in.error = error;
  in.detail = slot(Target::kDetail).leaf >= 0 ? slot(Target::kDetail).text : std::string_view();
  event->cause = json_internal::ClassifyJsonLine(in);
  return ParseResult::Parsed();
}

}  // namespace

Result<std::unique_ptr<LineParser>> NewJsonParser(const JsonParserOptions& options) {
  auto table = json_internal::FieldTable::Build(options.fields);
  if (!table.ok()) return table.status();
  std::unique_ptr<RE2> prefix;
  if (!options.prefix.empty()) {
    RE2::Options re_options;
    re_options.set_log_errors(false);
    prefix = std::make_unique<RE2>(options.prefix, re_options);
    if (!prefix->ok()) {
      return Status::InvalidArgument("prefix: " + Quote(options.prefix) + " does not compile: " +
                                     prefix->error());
    }
  }
  return std::unique_ptr<LineParser>(
      std::make_unique<JsonParser>(*std::move(table), std::move(prefix)));
}

}  // namespace culprit::parsers
