// Feeds whole corpus files through the JSON-lines parser: parse rates, the
// unparsed lines with their reasons, and the lab's answer key for app lines.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "base/time_zone.h"
#include "parsers/json/json_parser.h"

namespace culprit::parsers {
namespace {

const std::string kCorpus = CULPRIT_SOURCE_DIR "/../shared/corpus/";

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Rate {
  size_t total = 0;
  size_t parsed = 0;
  std::vector<std::string> unparsed;  // "line N: outcome: reason"
};

Rate ParseFile(const std::string& path, LineParser& parser) {
  const TimeZone utc = TimeZone::Utc();
  LineContext ctx;
  ctx.zone = &utc;
  Event event;
  Rate rate;
  const std::vector<std::string> lines = ReadLines(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    ++rate.total;
    const ParseResult r = parser.Parse(lines[i], ctx, &event);
    if (r.ok()) {
      ++rate.parsed;
      EXPECT_NE(ToUnixMicros(event.time), 0) << path << ":" << i + 1;
      continue;
    }
    EXPECT_FALSE(r.reason.empty()) << path << ":" << i + 1;
    rate.unparsed.push_back(
        "line " + std::to_string(i + 1) + ": " +
        (r.outcome == ParseOutcome::kNoMatch ? "no match: " : "malformed: ") + r.reason);
    // A line holding a JSON object is expected to parse; the others (Envoy's
    // text access-log lines, a plugin's debug print) are no-match.
    if (lines[i].find('{') == std::string::npos) {
      EXPECT_EQ(r.outcome, ParseOutcome::kNoMatch) << path << ":" << i + 1;
    } else {
      ADD_FAILURE() << path << ":" << i + 1 << ": " << r.reason;
    }
  }
  std::cout << "[ rate     ] " << path.substr(kCorpus.size()) << ": " << rate.parsed << "/"
            << rate.total << " = "
            << (rate.total ? 100.0 * static_cast<double>(rate.parsed) /
                                 static_cast<double>(rate.total)
                           : 0.0)
            << "%\n";
  for (const std::string& u : rate.unparsed) std::cout << "[ unparsed ]   " << u << "\n";
  return rate;
}

TEST(JsonCorpusTest, PublicFilesParseRate) {
  const char* files[] = {
      "public/json/crowdsec-caddy.log", "public/json/crowdsec-envoy-cri.log",
      "public/json/crowdsec-traefik.log", "public/json/lnav-bunyan.log",
      "public/json/lnav-caddy-compose.log", "public/json/lnav-ecs.log",
      "public/json/lnav-pino.log",
  };
  auto parser = NewJsonParser({});
  ASSERT_TRUE(parser.ok());
  for (const char* f : files) {
    SCOPED_TRACE(f);
    const Rate rate = ParseFile(kCorpus + f, **parser);
    EXPECT_GT(rate.parsed, 0u);
  }
}

TEST(JsonCorpusTest, LabAppParseRate) {
  auto parser = NewJsonParser({});
  ASSERT_TRUE(parser.ok());
  const Rate rate = ParseFile(kCorpus + "lab-dev/logs/app/app.jsonl", **parser);
  ASSERT_GT(rate.total, 1000u);
  EXPECT_GE(static_cast<double>(rate.parsed), 0.999 * static_cast<double>(rate.total));
}

// The answer key: every app.jsonl line the lab's evidence cites for a case
// must yield that case's cause, client address and port.
TEST(JsonCorpusTest, LabEvidenceCauses) {
  auto parser = NewJsonParser({});
  ASSERT_TRUE(parser.ok());
  const TimeZone utc = TimeZone::Utc();
  LineContext ctx;
  ctx.zone = &utc;

  std::map<std::string, std::pair<std::string, int>> cases;  // id -> client ip, port
  for (const std::string& line : ReadLines(kCorpus + "lab-dev/cases.jsonl")) {
    simdjson::dom::parser dom;
    simdjson::dom::element c;
    ASSERT_FALSE(dom.parse(line).get(c));
    std::string_view id, ip;
    int64_t port = 0;
    ASSERT_FALSE(c["id"].get(id));
    ASSERT_FALSE(c["client_ip"].get(ip));
    ASSERT_FALSE(c["client_port"].get(port));
    cases[std::string(id)] = {std::string(ip), static_cast<int>(port)};
  }

  int checked = 0;
  int agreed = 0;
  for (const std::string& line : ReadLines(kCorpus + "lab-dev/evidence.jsonl")) {
    simdjson::dom::parser dom;
    simdjson::dom::element c;
    ASSERT_FALSE(dom.parse(line).get(c));
    std::string_view id, cause;
    ASSERT_FALSE(c["id"].get(id));
    ASSERT_FALSE(c["cause"].get(cause));
    simdjson::dom::array evidence;
    ASSERT_FALSE(c["evidence"].get(evidence));
    for (simdjson::dom::element e : evidence) {
      std::string_view file;
      ASSERT_FALSE(e["file"].get(file));
      if (file != "logs/app/app.jsonl") continue;
      simdjson::dom::array lines;
      ASSERT_FALSE(e["lines"].get(lines));
      for (simdjson::dom::element l : lines) {
        std::string_view text;
        ASSERT_FALSE(l.get(text));
        SCOPED_TRACE(std::string(id) + ": " + std::string(text));
        Event event;
        const ParseResult r = (*parser)->Parse(text, ctx, &event);
        ASSERT_TRUE(r.ok()) << r.reason;
        ++checked;
        if (CauseName(event.cause) == cause) ++agreed;
        EXPECT_EQ(CauseName(event.cause), cause);
        const auto& [ip, port] = cases[std::string(id)];
        ASSERT_TRUE(event.client_ip.has_value());
        EXPECT_EQ(event.client_ip->ToString(), ip);
        EXPECT_EQ(event.client_port, port);
      }
    }
  }
  std::cout << "[ evidence ] app.jsonl lines with the evidence's cause: " << agreed << "/"
            << checked << "\n";
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace culprit::parsers
