// Format loader: every rejection, with the exact message an author sees
// (the idea of lnav's test_format_loader expected errors), and the built-in
// formats with all their samples.

#include "parsers/format/format_loader.h"

#include <gtest/gtest.h>

#include <string>

namespace culprit::parsers {
namespace {

// A valid format; cases below change one thing. Line numbers matter:
//  1 name  2 title  3 [[pattern]]  4 name  5 regex  6 [pattern.fields]
//  7 time  8 message  9 [[sample]]  10 line  11 [sample.expect]  12 message
constexpr char kValid[] = R"(name = "t"
title = "T"
[[pattern]]
name = "p"
regex = '''(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?P<message>.*)'''
[pattern.fields]
time = { type = "timestamp", format = "%Y-%m-%d %H:%M:%S" }
message = { type = "string" }
[[sample]]
line = '2026-11-23 20:01:30 hello'
[sample.expect]
message = "hello"
)";

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(FormatLoaderTest, ValidFormatLoads) {
  auto def = LoadFormat(kValid, "t.toml");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ((*def)->name, "t");
  ASSERT_EQ((*def)->patterns.size(), 1u);
  EXPECT_EQ((*def)->samples.size(), 1u);
}

struct ErrorCase {
  const char* name;
  std::string toml;
  std::string want;  // the whole message
};

TEST(FormatLoaderTest, RejectsWithFileLineAndWhat) {
  const std::string v = kValid;
  const ErrorCase cases[] = {
      {"unknown top-level key", Replace(v, "title = \"T\"", "title = \"T\"\ntilte = \"x\""),
       "t.toml:3: unknown key \"tilte\" (did you mean \"title\"?)"},
      {"unknown key in a field",
       Replace(v, "type = \"timestamp\", format", "type = \"timestamp\", fromat"),
       "t.toml:7: pattern \"p\": field \"time\": unknown key \"fromat\" (did you mean "
       "\"format\"?)"},
      {"regex does not compile", Replace(v, R"(\d{4}-\d\d)", R"((\d{4}-\d\d)"),
       R"x(t.toml:5: pattern "p": regex does not compile: missing ): )x"
       R"x((?P<time>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?P<message>.*) )x"
       R"x((at "(?P<time>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?P<message>.*)"))x"},
      {"no time and framing none",
       Replace(Replace(v, "(?P<time>\\d{4}", "(?:\\d{4}"), "time = { type = \"timestamp\", "
                                                         "format = \"%Y-%m-%d %H:%M:%S\" }\n",
               ""),
       "t.toml:3: pattern \"p\": no capture gives the time (map one to target \"time\"), and "
       "framing \"none\" does not always give one"},
      {"capture neither mapped nor ignored", Replace(v, " (?P<message>", " (?P<pid>\\d+) (?P<message>"),
       "t.toml:3: pattern \"p\": capture \"pid\" is neither mapped nor ignored (add it to "
       "[pattern.fields]; type = \"ignore\" drops it)"},
      {"mapping names an unknown capture",
       Replace(v, "message = { type = \"string\" }", "message = { type = \"string\" }\nlevl = { type = \"int\", target = \"level\" }"),
       "t.toml:9: pattern \"p\": field \"levl\": no capture (?P<levl>...) in the regex"},
      {"mapping names an unknown target",
       Replace(v, "message = { type = \"string\" }", "message = { type = \"string\", target = \"mesage\" }"),
       "t.toml:8: pattern \"p\": field \"message\": unknown target \"mesage\" (did you mean "
       "\"message\"?)"},
      {"mapping names an unknown table",
       Replace(v, "message = { type = \"string\" }", "message = { type = \"enum\", table = \"levels\" }"),
       "t.toml:8: pattern \"p\": field \"message\": unknown table \"levels\""},
      {"mapping names an unknown decoder",
       Replace(v, "message = { type = \"string\" }", "message = { type = \"string\", decoder = \"tls_reasons\" }"),
       "t.toml:8: pattern \"p\": field \"message\": unknown decoder \"tls_reasons\" (did you mean "
       "\"tls_reason\"?)"},
      {"type cannot set the target",
       Replace(v, "message = { type = \"string\" }", "message = { type = \"ip\" }"),
       "t.toml:8: pattern \"p\": field \"message\": type \"ip\" cannot set \"message\""},
      {"sample matches no pattern", Replace(v, "'2026-11-23 20:01:30 hello'", "'hello'"),
       "t.toml:9: sample 1: matches no pattern (matches no pattern of t)\n"
       "t.toml:3: pattern \"p\": no sample matches it (add a [[sample]])"},
      {"sample yields the wrong fields", Replace(v, "message = \"hello\"", "message = \"bye\""),
       "t.toml:9: sample 1: field \"message\": got \"hello\", want \"bye\""},
      {"sample with an invalid value",
       Replace(v, "'2026-11-23 20:01:30 hello'", "'2026-13-23 20:01:30 hello'"),
       "t.toml:9: sample 1: malformed: field \"time\": \"2026-13-23 20:01:30\" is not a valid "
       "time: "},
      {"pattern without a sample",
       v + "[[pattern]]\nname = \"q\"\nregex = '''(?P<time>\\d+) x'''\n[pattern.fields]\n"
           "time = { type = \"timestamp\", format = \"epoch\" }\n",
       "t.toml:13: pattern \"q\": no sample matches it (add a [[sample]])"},
      {"rule names an unknown pattern and field",
       v + "[[rule]]\npattern = \"r\"\nfield = \"mesage\"\ncontains = \"x\"\n",
       "t.toml:13: rule 1: unknown pattern \"r\"\n"
       "t.toml:15: rule 1: field: unknown field \"mesage\" (did you mean \"message\"?)"},
      {"rule with two conditions", v + "[[rule]]\nfield = \"message\"\ncontains = \"x\"\nprefix = \"y\"\n",
       "t.toml:13: rule 1: needs exactly one of equals, contains, prefix, regex"},
      {"bad framing", Replace(v, "title = \"T\"", "title = \"T\"\nframing = \"rfc5424\""),
       "t.toml:3: framing \"rfc5424\" is not one of \"none\", \"syslog\", \"syslog-optional\""},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto def = LoadFormat(c.toml, "t.toml");
    ASSERT_FALSE(def.ok());
    EXPECT_EQ(def.status().code(), StatusCode::kInvalidArgument);
    if (std::string(c.name) == "sample with an invalid value") {
      // The tail is TimeFormat's own wording.
      EXPECT_EQ(def.status().message().substr(0, c.want.size()), c.want);
    } else {
      EXPECT_EQ(def.status().message(), c.want);
    }
  }
}

TEST(FormatLoaderTest, InvalidTomlNamesTheLine) {
  auto def = LoadFormat("name = \"t\"\ntitle = \"unterminated\n", "bad.toml");
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.status().message().rfind("bad.toml:2: invalid TOML: ", 0), 0u)
      << def.status().message();
}

TEST(FormatLoaderTest, NeverThrowsOnGarbage) {
  const std::string inputs[] = {std::string("\0\xff\xfe[[", 5), "[[pattern]]\nregex = 5\n",
                                "name = [1, 2]\n[[sample]]\n", "= = =", ""};
  for (const std::string& in : inputs) {
    auto def = LoadFormat(in, "g.toml");
    EXPECT_FALSE(def.ok());
  }
}

TEST(BuiltinFormatTest, EveryBuiltinLoadsAndPassesItsSamples) {
  const std::vector<std::string> names = BuiltinFormatNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "nginx_error"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "stunnel"), names.end());
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    auto def = BuiltinFormat(name);
    ASSERT_TRUE(def.ok()) << def.status().ToString();
    EXPECT_EQ((*def)->name, name);
    EXPECT_FALSE((*def)->samples.empty());
    // Cached: the same object every time.
    auto again = BuiltinFormat(name);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->get(), def->get());
  }
}

TEST(BuiltinFormatTest, UnknownNameIsNotFound) {
  auto def = BuiltinFormat("nginx_eror");
  ASSERT_FALSE(def.ok());
  EXPECT_EQ(def.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace culprit::parsers
