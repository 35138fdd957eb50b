// Sample checking (the format's own tests, run at every load) and the
// registry of built-in formats embedded at build time.

#include <map>
#include <mutex>

#include "base/embedded_file.h"
#include "base/time_zone.h"
#include "parsers/format/format_loader.h"
#include "parsers/format/internal/field_apply.h"
#include "parsers/format/internal/format_parser_impl.h"
#include "parsers/format/internal/loader_internal.h"

namespace culprit::parsers {
namespace internal {

std::span<const EmbeddedFile> BuiltinFormatFiles();  // generated from parsers/formats/*.toml

namespace {

std::string_view OutcomeName(ParseOutcome o) {
  switch (o) {
    case ParseOutcome::kParsed:
      return "parsed";
    case ParseOutcome::kNoMatch:
      return "no_match";
    case ParseOutcome::kMalformed:
      return "malformed";
  }
  return "?";
}

// Compares an expected value with the event's; times and durations by
// value, so "2026-11-23T20:01:28Z" and "...28.000Z" are equal.
bool SameValue(const FieldRef& ref, std::string_view want, std::string_view got) {
  if (ref.target == Target::kTime) {
    auto a = ParseRfc3339(want), b = ParseRfc3339(got);
    return a.ok() && b.ok() && *a == *b;
  }
  if (ref.target == Target::kDuration) {
    auto a = ParseDuration(want), b = ParseDuration(got);
    return a.ok() && b.ok() && *a == *b;
  }
  return want == got;
}

}  // namespace

std::vector<std::string> CheckSamples(const FormatDef& def) {
  std::vector<std::string> errors;
  std::vector<bool> matched(def.patterns.size(), false);
  // A non-owning pointer: the parsers below do not outlive `def`.
  std::shared_ptr<const FormatDef> shared(&def, [](const FormatDef*) {});
  for (size_t i = 0; i < def.samples.size(); ++i) {
    const SampleDef& s = def.samples[i];
    const std::string where =
        def.file + ":" + std::to_string(s.line_no) + ": sample " + std::to_string(i + 1) + ": ";
    TimeZone zone;
    if (!s.timezone.empty()) {
      auto z = TimeZone::Load(s.timezone);
      if (!z.ok()) {
        errors.push_back(where + "timezone: " + z.status().message());
        continue;
      }
      zone = *z;
    }
    // Samples are read as at the moment they expect, so a stamp without a
    // year always gets the expected year.
    LineContext ctx{&zone, FromUnixMicros(0)};
    std::string want_outcome = "parsed";
    for (const auto& [key, value] : s.expect) {
      if (key == "time") {
        auto t = ParseRfc3339(value);
        if (!t.ok()) {
          errors.push_back(where + "expect.time: " + t.status().message());
        } else {
          ctx.now = *t;
        }
      }
      if (key == "outcome") want_outcome = value;
    }
    FormatParser parser(shared);
    Event event;
    if (!s.after.empty()) (void)parser.Parse(s.after, ctx, &event);
    const ParseResult r = parser.Parse(s.line, ctx, &event);
    if (parser.last_pattern() >= 0) matched[static_cast<size_t>(parser.last_pattern())] = true;
    if (OutcomeName(r.outcome) != want_outcome) {
      if (r.outcome == ParseOutcome::kNoMatch) {
        errors.push_back(where + "matches no pattern (" + r.reason + ")");
      } else if (r.outcome == ParseOutcome::kMalformed) {
        errors.push_back(where + "malformed: " + r.reason);
      } else {
        errors.push_back(where + "parsed, want outcome \"" + want_outcome + "\"");
      }
      continue;
    }
    std::string got;
    for (const auto& [key, want] : s.expect) {
      if (key == "outcome") continue;
      if (key == "pattern") {
        const int p = parser.last_pattern();
        const std::string name = p >= 0 ? def.patterns[static_cast<size_t>(p)].name : "";
        if (name != want) {
          errors.push_back(where + "matched pattern \"" + name + "\", want \"" + want + "\"");
        }
        continue;
      }
      const std::optional<FieldRef> ref = ParseFieldRef(key);
      if (!ref) continue;  // rejected by the loader already
      const bool present = FieldText(event, *ref, &got);
      if (!present || !SameValue(*ref, want, got)) {
        errors.push_back(where + "field \"" + key + "\": got " + (present ? Quote(got) : "nothing") +
                         ", want " + Quote(want));
      }
    }
  }
  for (size_t i = 0; i < def.patterns.size(); ++i) {
    if (matched[i]) continue;
    const PatternDef& p = def.patterns[i];
    errors.push_back(def.file + ":" + std::to_string(p.line) + ": pattern \"" + p.name +
                     "\": no sample matches it (add a [[sample]])");
  }
  return errors;
}

}  // namespace internal

namespace {

std::string_view Stem(std::string_view file_name) {
  constexpr std::string_view kExt = ".toml";
  if (file_name.size() > kExt.size() && file_name.substr(file_name.size() - kExt.size()) == kExt) {
    return file_name.substr(0, file_name.size() - kExt.size());
  }
  return file_name;
}

}  // namespace

std::vector<std::string> BuiltinFormatNames() {
  std::vector<std::string> names;
  for (const EmbeddedFile& f : internal::BuiltinFormatFiles()) names.emplace_back(Stem(f.name));
  return names;
}

std::string_view BuiltinFormatText(std::string_view name) {
  for (const EmbeddedFile& f : internal::BuiltinFormatFiles()) {
    if (Stem(f.name) == name) return f.contents;
  }
  return {};
}

Result<std::shared_ptr<const FormatDef>> BuiltinFormat(std::string_view name) {
  static std::mutex mu;
  // Loaded once per name, success or failure: a built-in file cannot change.
  static auto* cache = new std::map<std::string, Result<std::shared_ptr<const FormatDef>>,
                                    std::less<>>();
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache->find(name); it != cache->end()) return it->second;
  for (const EmbeddedFile& f : internal::BuiltinFormatFiles()) {
    if (Stem(f.name) != name) continue;
    Result<std::shared_ptr<const FormatDef>> def = LoadFormat(f.contents, f.name);
    if (def.ok() && (*def)->name != name) {
      def = Status::Internal(std::string(f.name) + ": name \"" + (*def)->name +
                             "\" differs from the file name");
    }
    return cache->emplace(std::string(name), std::move(def)).first->second;
  }
  return Status::NotFound("no built-in format \"" + std::string(name) + "\"");
}

}  // namespace culprit::parsers
