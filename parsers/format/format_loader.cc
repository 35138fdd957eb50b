// TOML -> FormatDef. Every problem is collected with its file:line, so an
// author sees all of them at once; samples run only once the structure is
// sound (format_samples.cc), since a broken pattern would fail them all.

#include "parsers/format/format_loader.h"

#include <re2/re2.h>

#include <toml++/toml.h>

#include "parsers/format/internal/compile.h"
#include "parsers/format/internal/loader_internal.h"

namespace culprit::parsers {
namespace internal {
namespace {

constexpr size_t kMaxErrors = 50;

int LineOf(const toml::node& n) { return static_cast<int>(n.source().begin.line); }
int LineOf(const toml::key& k) { return static_cast<int>(k.source().begin.line); }

class Loader {
 public:
  explicit Loader(std::string_view file) : file_(file) {}

  Result<std::shared_ptr<FormatDef>> Run(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, file_);
    } catch (const toml::parse_error& e) {
      Error(static_cast<int>(e.source().begin.line),
            "invalid TOML: " + std::string(e.description()));
      return Finish();
    }
    def_ = std::make_shared<FormatDef>();
    def_->file = file_;
    CheckKeys(root, {"name", "title", "url", "framing", "priority", "connections", "tables",
                     "pattern", "rule", "sample"},
              "");
    ParseHeader(root);
    if (const toml::node* t = root.get("tables")) ParseTables(*t);
    if (const toml::node* p = root.get("pattern")) ForEachTable(*p, "pattern", [&](auto& t) {
      ParsePattern(t);
    });
    if (patterns_seen_ == 0) Error(1, "no [[pattern]]");
    if (const toml::node* c = root.get("connections")) ParseConnections(*c);
    if (const toml::node* r = root.get("rule")) ForEachTable(*r, "rule", [&](auto& t) {
      ParseRule(t);
    });
    if (const toml::node* s = root.get("sample")) ForEachTable(*s, "sample", [&](auto& t) {
      ParseSample(t);
    });
    if (errors_.empty()) {
      for (std::string& e : CheckSamples(*def_)) errors_.push_back(std::move(e));
    }
    return Finish();
  }

 private:
  Result<std::shared_ptr<FormatDef>> Finish() {
    if (errors_.empty()) return def_;
    std::string msg;
    for (size_t i = 0; i < errors_.size() && i < kMaxErrors; ++i) {
      if (i > 0) msg += '\n';
      msg += errors_[i];
    }
    if (errors_.size() > kMaxErrors) msg += "\n(further errors not shown)";
    return Status::InvalidArgument(std::move(msg));
  }

  void Error(int line, std::string what) {
    std::string msg = file_;
    if (line > 0) msg += ":" + std::to_string(line);
    msg += ": ";
    msg += what;
    errors_.push_back(std::move(msg));
  }

  void CheckKeys(const toml::table& t, const std::vector<std::string_view>& allowed,
                 const std::string& where) {
    for (auto&& [k, v] : t) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
      Error(LineOf(k), where + "unknown key \"" + std::string(k.str()) + "\"" +
                           Suggest(k.str(), allowed));
    }
  }

  template <typename F>
  void ForEachTable(const toml::node& n, std::string_view what, F&& f) {
    const toml::array* arr = n.as_array();
    if (arr == nullptr) {
      Error(LineOf(n), std::string(what) + ": must be an array of tables ([[" + std::string(what) +
                           "]])");
      return;
    }
    for (const toml::node& e : *arr) {
      if (const toml::table* t = e.as_table()) {
        f(*t);
      } else {
        Error(LineOf(e), std::string(what) + ": each entry must be a table");
      }
    }
  }

  std::optional<std::string> Str(const toml::table& t, std::string_view key,
                                 const std::string& where, bool required, int line) {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) Error(line, where + "missing key \"" + std::string(key) + "\"");
      return std::nullopt;
    }
    if (const auto* s = n->as_string()) return s->get();
    Error(LineOf(*n), where + "\"" + std::string(key) + "\" must be a string");
    return std::nullopt;
  }

  std::optional<bool> Bool(const toml::table& t, std::string_view key, const std::string& where) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (const auto* b = n->as_boolean()) return b->get();
    Error(LineOf(*n), where + "\"" + std::string(key) + "\" must be true or false");
    return std::nullopt;
  }

  std::optional<int64_t> Int(const toml::table& t, std::string_view key,
                             const std::string& where) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (const auto* i = n->as_integer()) return i->get();
    Error(LineOf(*n), where + "\"" + std::string(key) + "\" must be an integer");
    return std::nullopt;
  }

  void ParseHeader(const toml::table& root) {
    if (auto name = Str(root, "name", "", true, 1)) {
      const bool ok = !name->empty() && std::all_of(name->begin(), name->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      });
      if (!ok) Error(LineOf(*root.get("name")), "name \"" + *name + "\" must match [a-z0-9_]+");
      def_->name = *name;
    }
    if (auto title = Str(root, "title", "", true, 1)) def_->title = *title;
    if (auto url = Str(root, "url", "", false, 1)) def_->url = *url;
    if (auto framing = Str(root, "framing", "", false, 1)) {
      if (*framing == "none") {
        def_->framing = Framing::kNone;
      } else if (*framing == "syslog") {
        def_->framing = Framing::kSyslog;
      } else if (*framing == "syslog-optional") {
        def_->framing = Framing::kSyslogOptional;
      } else {
        Error(LineOf(*root.get("framing")),
              "framing \"" + *framing + "\" is not one of \"none\", \"syslog\", \"syslog-optional\"");
      }
    }
    if (auto p = Int(root, "priority", "")) def_->priority = static_cast<int>(*p);
  }

  void ParseTables(const toml::node& n) {
    const toml::table* tables = n.as_table();
    if (tables == nullptr) {
      Error(LineOf(n), "tables: must be a table of tables ([tables.<name>])");
      return;
    }
    for (auto&& [name, node] : *tables) {
      const toml::table* t = node.as_table();
      if (t == nullptr) {
        Error(LineOf(name), "tables." + std::string(name.str()) + ": must be a table");
        continue;
      }
      ValueTable vt;
      vt.name = std::string(name.str());
      for (auto&& [k, v] : *t) {
        ValueTable::Entry e;
        e.key = std::string(k.str());
        if (const auto* i = v.as_integer()) {
          e.number = i->get();
          e.text = std::to_string(i->get());
        } else if (const auto* s = v.as_string()) {
          e.text = s->get();
        } else {
          Error(LineOf(v), "tables." + vt.name + "." + e.key + ": must be an integer or a string");
          continue;
        }
        vt.entries.push_back(std::move(e));
      }
      def_->tables.push_back(std::move(vt));
    }
  }

  int TableIndex(std::string_view name) const {
    for (size_t i = 0; i < def_->tables.size(); ++i) {
      if (def_->tables[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  // One entry of [pattern.fields] / [rule.fields].
  std::optional<FieldSpec> ParseField(const std::string& where, std::string_view capture,
                                      const toml::node& n, int group) {
    const std::string at = where + "field \"" + std::string(capture) + "\": ";
    FieldSpec f;
    f.capture = std::string(capture);
    f.group = group;
    f.line = LineOf(n);
    const toml::table* t = n.as_table();
    toml::table shorthand;
    if (t == nullptr) {
      if (const auto* s = n.as_string()) {  // pid = "ignore" is type = "ignore"
        shorthand.insert("type", s->get());
        t = &shorthand;
      } else {
        Error(f.line, at + "must be an inline table { type = ..., target = ... }");
        return std::nullopt;
      }
    }
    if (t != &shorthand) {
      CheckKeys(*t, {"type", "target", "format", "table", "unit", "decoder"}, at);
    }
    const size_t errors_before = errors_.size();
    const std::string type_name = Str(*t, "type", at, false, f.line).value_or("string");
    if (auto type = ParseFieldType(type_name)) {
      f.type = *type;
    } else {
      Error(f.line, at + "unknown type \"" + type_name + "\"" +
                        Suggest(type_name, {"string", "int", "ip", "port", "endpoint", "timestamp",
                                            "duration", "enum", "ignore"}));
      return std::nullopt;
    }
    const std::optional<std::string> target = Str(*t, "target", at, false, f.line);
    const std::string target_name = target.value_or(std::string(capture));
    if (auto ref = ParseFieldRef(target_name)) {
      f.ref = *ref;
    } else if (f.type != FieldType::kIgnore) {
      if (target) {
        Error(f.line, at + "unknown target \"" + target_name + "\"" +
                          Suggest(target_name, TargetNames()));
      } else {
        Error(f.line, at + "\"" + target_name + "\" is not a target; set target = \"extra." +
                          target_name + "\" or another target");
      }
      return std::nullopt;
    }
    if (std::string why = CheckTypeTarget(f.type, f.ref); !why.empty()) {
      Error(f.line, at + why);
      return std::nullopt;
    }
    if (f.type == FieldType::kTimestamp) {
      const std::string format = Str(*t, "format", at, false, f.line).value_or("");
      if (format.empty()) {
        f.time_kind = TimeKind::kAuto;
      } else if (format == "epoch") {
        f.time_kind = TimeKind::kEpoch;
      } else if (format == "epoch_ms") {
        f.time_kind = TimeKind::kEpochMs;
      } else {
        auto tf = TimeFormat::Compile(format);
        if (!tf.ok()) {
          Error(f.line, at + "format: " + tf.status().message());
          return std::nullopt;
        }
        f.time_format = std::make_shared<const TimeFormat>(std::move(tf).value());
      }
    } else if (t->get("format") != nullptr) {
      Error(f.line, at + "\"format\" is only for type = \"timestamp\"");
    }
    if (f.type == FieldType::kDuration) {
      const std::string unit = Str(*t, "unit", at, false, f.line).value_or("s");
      if (auto u = DurationUnit(unit)) {
        f.unit_us = *u;
      } else {
        Error(f.line, at + "unit \"" + unit + "\" is not one of s, ms, us, ns");
      }
    } else if (t->get("unit") != nullptr) {
      Error(f.line, at + "\"unit\" is only for type = \"duration\"");
    }
    if (f.type == FieldType::kEnum) {
      if (auto table = Str(*t, "table", at, true, f.line)) {
        f.table = TableIndex(*table);
        if (f.table < 0) Error(f.line, at + "unknown table \"" + *table + "\"");
      }
    } else if (t->get("table") != nullptr) {
      Error(f.line, at + "\"table\" is only for type = \"enum\"");
    }
    if (auto decoder = Str(*t, "decoder", at, false, f.line)) {
      f.decoder = FindDecoder(*decoder);
      if (f.decoder == nullptr) {
        std::vector<std::string_view> names;
        for (const Decoder& d : BuiltinDecoders()) names.push_back(d.name);
        Error(f.line, at + "unknown decoder \"" + *decoder + "\"" + Suggest(*decoder, names));
      }
    }
    if (errors_.size() != errors_before) return std::nullopt;
    return f;
  }

  // Parses a fields table against a compiled regex. With `default_string`
  // (rules), captures not listed default to { type = "string", target =
  // <capture name> }; otherwise every capture must be listed.
  std::vector<FieldSpec> ParseFields(const std::string& where, const toml::table& owner,
                                     const re2::RE2& re, bool default_string, int line) {
    std::vector<FieldSpec> out;
    const std::map<std::string, int>& groups = NamedGroups(re);
    const toml::node* fn = owner.get("fields");
    const toml::table* fields = fn != nullptr ? fn->as_table() : nullptr;
    if (fn != nullptr && fields == nullptr) {
      Error(LineOf(*fn), where + "\"fields\" must be a table");
    }
    if (fields != nullptr) {
      for (auto&& [k, v] : *fields) {
        auto g = groups.find(std::string(k.str()));
        if (g == groups.end()) {
          std::vector<std::string_view> names;
          for (const auto& [name, index] : groups) names.push_back(name);
          Error(LineOf(k), where + "field \"" + std::string(k.str()) +
                               "\": no capture (?P<" + std::string(k.str()) + ">...) in the regex" +
                               Suggest(k.str(), names));
          continue;
        }
        if (auto f = ParseField(where, k.str(), v, g->second)) out.push_back(std::move(*f));
      }
    }
    for (const auto& [name, index] : groups) {
      if (fields != nullptr && fields->get(name) != nullptr) continue;
      if (default_string) {
        auto ref = ParseFieldRef(name);
        if (!ref) {
          Error(line, where + "capture \"" + name +
                          "\" is not a target name; map it in [rule.fields]");
          continue;
        }
        FieldSpec f;
        f.capture = name;
        f.group = index;
        f.ref = *ref;
        f.line = line;
        if (std::string why = CheckTypeTarget(f.type, f.ref); !why.empty()) {
          Error(line, where + "capture \"" + name + "\": " + why);
          continue;
        }
        out.push_back(std::move(f));
      } else {
        Error(line, where + "capture \"" + name +
                        "\" is neither mapped nor ignored (add it to [pattern.fields]; "
                        "type = \"ignore\" drops it)");
      }
    }
    return out;
  }

  void ParsePattern(const toml::table& t) {
    ++patterns_seen_;
    const int line = LineOf(t);
    PatternDef p;
    p.line = line;
    p.name = Str(t, "name", "pattern: ", true, line).value_or("");
    const std::string where = "pattern \"" + p.name + "\": ";
    CheckKeys(t, {"name", "regex", "kind", "cause", "time_is_start", "header", "continuation",
                  "fallback", "fields"},
              where);
    for (const PatternDef& other : def_->patterns) {
      if (other.name == p.name) Error(line, where + "duplicate pattern name");
    }
    if (auto kind = Str(t, "kind", where, false, line)) {
      if (auto k = EventKindFromName(*kind)) {
        p.kind = *k;
      } else {
        Error(LineOf(*t.get("kind")), where + "unknown kind \"" + *kind + "\"");
      }
    }
    if (auto cause = Str(t, "cause", where, false, line)) {
      if (auto c = CauseFromName(*cause)) {
        p.cause = *c;
      } else {
        Error(LineOf(*t.get("cause")), where + "unknown cause \"" + *cause + "\"");
      }
    }
    p.time_is_start = Bool(t, "time_is_start", where).value_or(false);
    p.header = Bool(t, "header", where).value_or(false);
    p.continuation = Bool(t, "continuation", where).value_or(false);
    p.fallback = Bool(t, "fallback", where).value_or(false);
    if (p.header && def_->framing == Framing::kNone) {
      Error(line, where + "header = true needs framing = \"syslog\" or \"syslog-optional\"");
    }
    auto regex = Str(t, "regex", where, true, line);
    if (!regex) return;
    p.regex = *regex;
    const int regex_line = LineOf(*t.get("regex"));
    auto re = CompileRegex(p.regex);
    if (!re.ok()) {
      Error(regex_line, where + re.status().message());
      return;
    }
    p.re = *re;
    p.fields = ParseFields(where, t, *p.re, false, line);
    for (const FieldSpec& f : p.fields) p.has_time = p.has_time || f.ref.target == Target::kTime;
    if (!p.has_time && !p.continuation && !p.header && def_->framing != Framing::kSyslog) {
      Error(line, where +
                      "no capture gives the time (map one to target \"time\"), and framing \"" +
                      (def_->framing == Framing::kNone ? "none" : "syslog-optional") +
                      "\" does not always give one");
    }
    p.nsubmatch = FinishFields(&p.fields);
    def_->patterns.push_back(std::move(p));
  }

  std::optional<FieldRef> FieldName(const toml::table& t, std::string_view key,
                                    const std::string& where, int line) {
    auto name = Str(t, key, where, true, line);
    if (!name) return std::nullopt;
    auto ref = ParseFieldRef(*name);
    if (!ref) {
      Error(LineOf(*t.get(key)), where + std::string(key) + ": unknown field \"" + *name + "\"" +
                                     Suggest(*name, TargetNames()));
    }
    return ref;
  }

  void ParseConnections(const toml::node& n) {
    const toml::table* t = n.as_table();
    if (t == nullptr) {
      Error(LineOf(n), "connections: must be a table");
      return;
    }
    const std::string where = "connections: ";
    CheckKeys(*t, {"key", "carry", "max"}, where);
    ConnectionsDef c;
    auto key = FieldName(*t, "key", where, LineOf(n));
    if (key) c.key = *key;
    if (const toml::node* carry = t->get("carry")) {
      const toml::array* arr = carry->as_array();
      if (arr == nullptr) Error(LineOf(*carry), where + "carry must be an array of field names");
      for (size_t i = 0; arr != nullptr && i < arr->size(); ++i) {
        const auto* s = (*arr)[i].as_string();
        auto ref = s != nullptr ? ParseFieldRef(s->get()) : std::nullopt;
        if (!ref || ref->target == Target::kTime || ref->target == Target::kKind ||
            ref->target == Target::kCause) {
          Error(LineOf((*arr)[i]), where + "carry: not a field that can be carried");
          continue;
        }
        c.carry.push_back(*ref);
      }
    }
    if (auto max = Int(*t, "max", where)) {
      if (*max < 1 || *max > 10'000'000) {
        Error(LineOf(*t->get("max")), where + "max must be in 1..10000000");
      } else {
        c.max = static_cast<size_t>(*max);
      }
    }
    if (key) def_->connections = std::move(c);
  }

  void ParseRule(const toml::table& t) {
    const int line = LineOf(t);
    RuleDef r;
    r.line = line;
    const std::string where = "rule " + std::to_string(def_->rules.size() + 1) + ": ";
    CheckKeys(t, {"pattern", "field", "equals", "contains", "prefix", "regex", "kind", "cause",
                  "detail", "phase", "level", "stop", "fields"},
              where);
    if (auto pattern = Str(t, "pattern", where, false, line)) {
      for (size_t i = 0; i < def_->patterns.size(); ++i) {
        if (def_->patterns[i].name == *pattern) r.pattern = static_cast<int>(i);
      }
      if (r.pattern < 0) Error(line, where + "unknown pattern \"" + *pattern + "\"");
    }
    if (auto field = FieldName(t, "field", where, line)) r.field = *field;
    int how_many = 0;
    for (auto [key, match] : {std::pair{"equals", RuleMatch::kEquals},
                              std::pair{"contains", RuleMatch::kContains},
                              std::pair{"prefix", RuleMatch::kPrefix},
                              std::pair{"regex", RuleMatch::kRegex}}) {
      if (auto v = Str(t, key, where, false, line)) {
        ++how_many;
        r.match = match;
        r.value = *v;
      }
    }
    if (how_many != 1) {
      Error(line, where + "needs exactly one of equals, contains, prefix, regex");
      return;
    }
    if (r.match == RuleMatch::kRegex) {
      auto re = CompileRegex(r.value);
      if (!re.ok()) {
        Error(LineOf(*t.get("regex")), where + re.status().message());
        return;
      }
      r.re = *re;
      r.fields = ParseFields(where, t, *r.re, true, line);
      r.nsubmatch = FinishFields(&r.fields);
    } else if (t.get("fields") != nullptr) {
      Error(line, where + "\"fields\" is only for a regex rule");
    }
    if (auto kind = Str(t, "kind", where, false, line)) {
      r.kind = EventKindFromName(*kind);
      if (!r.kind) Error(line, where + "unknown kind \"" + *kind + "\"");
    }
    if (auto cause = Str(t, "cause", where, false, line)) {
      r.cause = CauseFromName(*cause);
      if (!r.cause) Error(line, where + "unknown cause \"" + *cause + "\"");
    }
    r.detail = Str(t, "detail", where, false, line);
    r.phase = Str(t, "phase", where, false, line);
    if (auto level = Int(t, "level", where)) {
      if (*level < 0 || *level > 7) {
        Error(line, where + "level must be 0..7");
      } else {
        r.level = static_cast<int>(*level);
      }
    }
    r.stop = Bool(t, "stop", where).value_or(true);
    def_->rules.push_back(std::move(r));
  }

  void ParseSample(const toml::table& t) {
    const int line = LineOf(t);
    SampleDef s;
    s.line_no = line;
    const std::string where = "sample " + std::to_string(def_->samples.size() + 1) + ": ";
    CheckKeys(t, {"line", "after", "expect", "timezone"}, where);
    s.line = Str(t, "line", where, true, line).value_or("");
    s.after = Str(t, "after", where, false, line).value_or("");
    s.timezone = Str(t, "timezone", where, false, line).value_or("");
    if (const toml::node* e = t.get("expect")) {
      const toml::table* et = e->as_table();
      if (et == nullptr) Error(LineOf(*e), where + "expect must be a table");
      for (auto it = et != nullptr ? et->begin() : toml::table::const_iterator();
           et != nullptr && it != et->end(); ++it) {
        const std::string key(it->first.str());
        std::string value;
        if (const auto* sv = it->second.as_string()) {
          value = sv->get();
        } else if (const auto* iv = it->second.as_integer()) {
          value = std::to_string(iv->get());
        } else {
          Error(LineOf(it->second), where + "expect." + key + " must be a string or an integer");
          continue;
        }
        if (key != "pattern" && key != "outcome" && !ParseFieldRef(key)) {
          Error(LineOf(it->first), where + "expect: unknown field \"" + key + "\"" +
                                       Suggest(key, TargetNames()));
          continue;
        }
        s.expect.emplace_back(key, std::move(value));
      }
    }
    def_->samples.push_back(std::move(s));
  }

  std::string file_;
  std::shared_ptr<FormatDef> def_;
  std::vector<std::string> errors_;
  int patterns_seen_ = 0;
};

}  // namespace

Result<std::shared_ptr<FormatDef>> LoadFormatMutable(std::string_view toml_text,
                                                     std::string_view file_name) {
  return Loader(file_name).Run(toml_text);
}

}  // namespace internal

Result<std::shared_ptr<const FormatDef>> LoadFormat(std::string_view toml_text,
                                                    std::string_view file_name) {
  auto def = internal::LoadFormatMutable(toml_text, file_name);
  if (!def.ok()) return def.status();
  return std::shared_ptr<const FormatDef>(std::move(def).value());
}

}  // namespace culprit::parsers
