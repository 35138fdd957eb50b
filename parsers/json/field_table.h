#ifndef CULPRIT_PARSERS_JSON_FIELD_TABLE_H_
#define CULPRIT_PARSERS_JSON_FIELD_TABLE_H_

// FieldTable: which JSON keys feed which Event field, as a trie of key
// tables the JSON-lines parser walks once per line.
//
// Internal to parsers/json. Built once per parser from the operator's
// `fields` plus the built-in defaults (json_parser.h lists them); immutable
// afterwards, so safe to read from any number of threads.
//
// Each table maps a key to a node: a leaf (the key's value feeds a target)
// and/or a child table (the key's value is an object holding mapped nested
// keys). A dotted path "request.remote_ip" is entered twice: as the literal
// top-level key "request.remote_ip" and as "request" -> "remote_ip", so both
// ECS's flat "log.level" and a nested {"log":{"level":..}} are found.
//
// Several keys may feed one target (defaults "ts", "time", "timestamp"); a
// leaf's rank orders them: when a line has more than one, the lowest rank
// wins. Operator mappings rank before all defaults and replace the defaults
// of the same target.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace culprit::parsers::json_internal {

enum class Target : uint8_t {
  kTime,        // RFC 3339 text, or epoch s/ms/us/ns by magnitude
  kStartTime,   // when the request started; time = start + duration if no better time
  kClient,      // "ip:port", "[v6]:port" or an address alone
  kClientIp,    // an address ("ip:port" also accepted)
  kClientPort,  // a number or a numeric string
  kServer,
  kServerIp,
  kServerPort,
  kStatus,
  kConnId,
  kRequestId,
  kDuration,    // auto: "1.5s"-style text; a number with a fraction = s; an integer = ms
  kDurationS,
  kDurationMs,
  kDurationUs,
  kDurationNs,
  kBytesIn,
  kBytesOut,
  kLevel,  // a name ("warn", "ERROR") or a number (syslog 0..7, bunyan/pino 10..60)
  kMessage,
  kPhase,
  kDetail,
  kError,
  kExtra,  // extra.<name>
};
inline constexpr int kSlotTargetCount = static_cast<int>(Target::kExtra);

// "time", "client_ip", ...; "extra" for kExtra.
std::string_view TargetName(Target target);

struct Leaf {
  Target target = Target::kExtra;
  uint16_t rank = 0;       // lower wins among keys of one target
  std::string extra_name;  // for kExtra
  uint16_t extra_id = 0;   // for kExtra: equal ids <=> equal names
  std::string path;        // the key path as mapped, for reasons
};

// One level of keys. Lookups hash the key (its length and first and last
// bytes) into an open-addressing index that keeps each key's hash, so a
// miss rarely compares bytes; no allocation.
class KeyTable {
 public:
  struct Node {
    int32_t leaf = -1;   // index into FieldTable leaves, or -1
    int32_t child = -1;  // index into FieldTable tables, or -1
  };

  // The node of `key`, or nullptr.
  const Node* Find(std::string_view key) const;
  size_t size() const { return entries_.size(); }

 private:
  friend class FieldTable;
  struct Entry {
    std::string key;
    Node node;
  };
  struct Slot {
    uint32_t hash;
    int32_t entry;  // -1 = empty
  };
  Node* FindOrAdd(std::string_view key);
  void BuildIndex();

  std::vector<Entry> entries_;
  std::vector<Slot> index_;  // power-of-two size
  uint32_t mask_ = 0;
};

class FieldTable {
 public:
  // Builds the table from `configured` (target name -> key path) and the
  // defaults. Errors name the bad entry: `fields: unknown target "foo" (known:
  // ...)`, `fields.time: empty JSON key`, `fields.client_ip: "a..b" has an
  // empty path segment`, `fields: target "time" is mapped twice`.
  static Result<FieldTable> Build(
      const std::vector<std::pair<std::string, std::string>>& configured);

  const KeyTable& root() const { return tables_[0]; }
  const KeyTable& table(int32_t i) const { return tables_[static_cast<size_t>(i)]; }
  const Leaf& leaf(int32_t i) const { return leaves_[static_cast<size_t>(i)]; }
  size_t leaf_count() const { return leaves_.size(); }

 private:
  FieldTable() = default;
  // Maps `path` to `leaf` unless a leaf already holds that key path.
  void Add(std::string_view path, Leaf leaf);
  void AddAt(int32_t table, std::string_view key, int32_t leaf);

  std::vector<KeyTable> tables_;
  std::vector<Leaf> leaves_;
};

}  // namespace culprit::parsers::json_internal

#endif  // CULPRIT_PARSERS_JSON_FIELD_TABLE_H_
