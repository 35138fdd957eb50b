#include "tests/correlate/lab_corpus.h"

#include <simdjson.h>

#include <fstream>
#include <string_view>
#include <utility>

#include "base/time_zone.h"
#include "parsers/parser_factory.h"
#include "tests/nginx/nginx_test_formats.h"

namespace culprit::correlate_test {
namespace {

using correlate::SourceInfo;

struct LabFile {
  std::string path;  // under the corpus dir
  parsers::ParserSpec spec;
  SourceInfo info;
};

parsers::ParserSpec Spec(std::string format) {
  parsers::ParserSpec s;
  s.format = std::move(format);
  return s;
}

// The sources as an operator would configure them from manifest.json: the
// ports each piece of software listens on, and its keep-alive timeout
// (nginx keepalive_timeout 2s, HAProxy timeout http-keep-alive 2s, stunnel
// TIMEOUTidle 2). The firewall guards the netns app ports.
std::vector<LabFile> LabFiles() {
  const std::vector<uint16_t> nginx_ports = {27100, 27143, 27144, 27190};
  const std::vector<uint16_t> haproxy_ports = {27200, 27210, 27243, 27244};
  const std::vector<uint16_t> stunnel_ports = {27343, 27344};
  const Duration two_s = std::chrono::seconds(2);
  parsers::ParserSpec ext = Spec("nginx");
  ext.log_formats = {std::string(parsers::nginx_test::kLabExt)};
  parsers::ParserSpec netns = Spec("regex");
  netns.pattern =
      R"(^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<level>[A-Z]+) +)"
      R"(\[(?P<thread>[^\]]+)\] (?P<message>.*?) client=(?:-:-|(?P<client>\S+)) )"
      R"(request_id=(?P<request_id>\S+)(?: (?P<attrs>.*))?$)";
  netns.time_format = "%Y-%m-%d %H:%M:%S,%f";
  return {
      {"logs/nginx/access.log", Spec("nginx_combined"),
       {1, "nginx-access", "nginx_combined", nginx_ports, two_s}},
      {"logs/nginx/access_ext.log", ext, {2, "nginx-access-ext", "nginx", nginx_ports, two_s}},
      {"logs/nginx/error.log", Spec("nginx_error"),
       {3, "nginx-error", "nginx_error", nginx_ports, two_s}},
      {"logs/haproxy/haproxy.log", Spec("haproxy"),
       {4, "haproxy", "haproxy", haproxy_ports, two_s}},
      {"logs/stunnel/stunnel.log", Spec("stunnel"),
       {5, "stunnel", "stunnel", stunnel_ports, two_s}},
      {"logs/app/app.jsonl", Spec("json"), {6, "app", "json", {27080}, std::nullopt}},
      {"logs/app/app_netns.log", netns, {7, "app-netns", "regex", {27500}, std::nullopt}},
      {"logs/firewall/firewall.log", Spec("syslog"),
       {8, "firewall", "syslog", {27500, 27522}, std::nullopt}},
  };
}

Status LoadFile(const std::string& dir, const LabFile& f, LabCorpus* corpus) {
  auto parser = parsers::NewLineParser(f.spec);
  if (!parser.ok()) return parser.status();
  std::ifstream in(dir + "/" + f.path, std::ios::binary);
  if (!in) return Status::NotFound(dir + "/" + f.path + ": cannot open");
  const TimeZone utc = TimeZone::Utc();
  parsers::LineContext ctx;
  ctx.zone = &utc;
  ctx.now = FromUnixMicros(1795564800LL * 1000000);  // 2026-11-25: after every line
  std::string line;
  int64_t offset = 0;
  while (std::getline(in, line)) {
    const int64_t line_offset = offset;
    offset += static_cast<int64_t>(line.size()) + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++corpus->lines;
    store::StoredEvent e;
    if (!(*parser)->Parse(line, ctx, &e.event).ok()) continue;
    ++corpus->parsed;
    e.source_id = f.info.id;
    e.file_id = f.info.id;
    e.path = f.path;
    e.offset = line_offset;
    e.raw = line;
    corpus->query.Add(std::move(e));
  }
  return Status();
}

std::string Str(simdjson::ondemand::document& doc, const char* key) {
  std::string_view v;
  if (doc[key].get_string().get(v)) return "";
  return std::string(v);
}

Status LoadCases(const std::string& dir, LabCorpus* corpus) {
  simdjson::ondemand::parser parser;
  std::ifstream in(dir + "/cases.jsonl");
  if (!in) return Status::NotFound(dir + "/cases.jsonl: cannot open");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    const std::string where = "cases.jsonl:" + std::to_string(n);
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc)) return Status::InvalidArgument(where + ": not JSON");
    LabCase c;
    c.id = Str(doc, "id");
    c.cause = Str(doc, "cause");
    correlate::ResetReport& r = c.report;
    auto ts = ParseRfc3339(Str(doc, "reported_ts"));
    if (!ts.ok()) return Status::InvalidArgument(where + ": " + ts.status().message());
    r.reported_at = *ts;
    auto ip = IpAddress::Parse(Str(doc, "client_ip"));
    if (!ip.ok()) return Status::InvalidArgument(where + ": " + ip.status().message());
    r.client_ip = *ip;
    int64_t port = 0;
    if (!doc["client_port"].get_int64().get(port)) r.client_port = static_cast<uint16_t>(port);
    auto sip = IpAddress::Parse(Str(doc, "server_ip"));
    if (sip.ok()) r.server_ip = *sip;
    if (!doc["server_port"].get_int64().get(port)) r.server_port = static_cast<uint16_t>(port);
    r.error = Str(doc, "client_error");
    r.phase = Str(doc, "phase");
    int64_t status = 0;
    if (!doc["client_http_status"].get_int64().get(status)) r.http_status = static_cast<int>(status);
    corpus->cases.push_back(std::move(c));
  }
  return Status();
}

Status LoadEvidence(const std::string& dir, LabCorpus* corpus) {
  simdjson::ondemand::parser parser;
  std::ifstream in(dir + "/evidence.jsonl");
  if (!in) return Status::NotFound(dir + "/evidence.jsonl: cannot open");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc)) return Status::InvalidArgument("evidence.jsonl: not JSON");
    const std::string id = Str(doc, "id");
    LabCase* target = nullptr;
    for (LabCase& c : corpus->cases) {
      if (c.id == id) target = &c;
    }
    if (target == nullptr) continue;
    simdjson::ondemand::array items;
    if (doc["evidence"].get_array().get(items)) continue;
    for (auto item : items) {
      simdjson::ondemand::object obj;
      if (item.get_object().get(obj)) continue;
      simdjson::ondemand::array lines;
      if (obj["lines"].get_array().get(lines)) continue;
      for (auto l : lines) {
        std::string_view sv;
        if (!l.get_string().get(sv)) target->evidence_lines.emplace_back(sv);
      }
    }
  }
  return Status();
}

}  // namespace

std::string LabDevDir() {
  const std::string dir = std::string(CULPRIT_SOURCE_DIR) + "/../shared/corpus/lab-dev";
  return std::ifstream(dir + "/cases.jsonl").good() ? dir : "";
}

Result<LabCorpus> LoadLabCorpus(const std::string& dir) {
  LabCorpus corpus;
  for (const LabFile& f : LabFiles()) {
    corpus.sources.push_back(f.info);
    Status s = LoadFile(dir, f, &corpus);
    if (!s.ok()) return s;
  }
  Status s = LoadCases(dir, &corpus);
  if (!s.ok()) return s;
  s = LoadEvidence(dir, &corpus);
  if (!s.ok()) return s;
  return corpus;
}

}  // namespace culprit::correlate_test
