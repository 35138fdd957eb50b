// The JSON rendering; its structure is documented in schema/report.md. Keys
// are written in a fixed order and every documented key is always present
// (null or [] when there is nothing), so consumers need no guessing.

#include <string>

#include "base/version.h"
#include "daemon/report/render.h"
#include "daemon/report/render_util.h"

namespace culprit::report {
namespace {

std::string Time(Timestamp t) { return JsonString(FormatRfc3339(t, 0)); }

// Relative change, null when there is nothing to compare with.
std::string Change(int64_t now, int64_t previous) {
  if (previous == 0) return "null";
  return JsonNumber(static_cast<double>(now - previous) / static_cast<double>(previous));
}

class JsonOut {
 public:
  // Appends `"key": value` with the separators and indentation.
  void Field(const char* key, const std::string& value) {
    Sep();
    out_ += JsonString(key) + ": " + value;
  }
  void Open(const char* key, char bracket) {
    Sep();
    if (key != nullptr) out_ += JsonString(key) + ": ";
    out_ += bracket;
    ++depth_;
    first_ = true;
  }
  void Close(char bracket) {
    --depth_;
    if (!first_) NewLine();
    out_ += bracket;
    first_ = false;
  }
  void Item(const std::string& value) {
    Sep();
    out_ += value;
  }
  std::string Take() {
    out_ += '\n';
    return std::move(out_);
  }

 private:
  void Sep() {
    if (!first_) out_ += ',';
    if (depth_ > 0) NewLine();
    first_ = false;
  }
  void NewLine() {
    out_ += '\n';
    out_.append(static_cast<size_t>(depth_) * 2, ' ');
  }
  std::string out_;
  int depth_ = 0;
  bool first_ = true;
};

void RankedList(JsonOut& j, const char* key, const std::vector<Ranked>& list) {
  j.Open(key, '[');
  for (const Ranked& r : list) {
    j.Open(nullptr, '{');
    j.Field("label", JsonString(r.label));
    j.Field("count", std::to_string(r.count));
    j.Field("share", JsonNumber(r.share));
    j.Close('}');
  }
  j.Close(']');
}

void ExampleJson(JsonOut& j, const Example& e) {
  j.Open(nullptr, '{');
  j.Field("report_id", std::to_string(e.id));
  j.Field("reported_at", Time(e.reported_at));
  j.Field("client", JsonString(e.client));
  j.Field("server", JsonString(e.server));
  j.Field("error", JsonString(e.error));
  j.Field("phase", JsonString(e.phase));
  j.Field("confidence", JsonNumber(e.confidence));
  j.Field("explanation", JsonString(e.explanation));
  j.Open("evidence", '[');
  for (const EvidenceLine& l : e.evidence) {
    j.Open(nullptr, '{');
    j.Field("role", JsonString(l.role));
    j.Field("source", JsonString(l.source));
    j.Field("time", l.time ? Time(*l.time) : "null");
    j.Field("raw", JsonString(l.raw));
    j.Close('}');
  }
  j.Close(']');
  j.Close('}');
}

}  // namespace

std::string RenderJson(const ReportData& d) {
  JsonOut j;
  j.Open(nullptr, '{');
  j.Field("version", std::to_string(kReportJsonVersion));
  j.Field("generator", JsonString(std::string("culprit ") + kVersion));
  j.Field("generated_at", Time(d.generated_at));
  j.Field("timezone", JsonString(d.zone.name()));
  j.Open("period", '{');
  j.Field("from", Time(d.from));
  j.Field("to", Time(d.to));
  j.Close('}');
  j.Open("previous_period", '{');
  j.Field("from", Time(d.previous_from));
  j.Field("to", Time(d.from));
  j.Close('}');
  j.Field("empty", d.empty() ? "true" : "false");

  j.Open("summary", '{');
  j.Field("reports", std::to_string(d.reports));
  j.Field("previous_reports", std::to_string(d.previous_reports));
  j.Field("reports_change", Change(d.reports, d.previous_reports));
  j.Field("diagnosed", std::to_string(d.diagnosed));
  j.Field("diagnosed_share", JsonNumber(d.diagnosed_share));
  j.Field("none_on_server", std::to_string(d.none_on_server));
  j.Field("none_on_server_share", JsonNumber(d.none_on_server_share));
  j.Field("server_events", std::to_string(d.server_events));
  j.Field("previous_server_events", std::to_string(d.previous_server_events));
  j.Field("server_events_change", Change(d.server_events, d.previous_server_events));
  j.Close('}');

  j.Open("causes", '[');
  for (size_t i = 0; i < d.causes.size(); ++i) {
    const CauseCount& c = d.causes[i];
    j.Open(nullptr, '{');
    j.Field("rank", std::to_string(i + 1));
    j.Field("cause", JsonString(CauseName(c.cause)));
    j.Field("reports", std::to_string(c.count));
    j.Field("share", JsonNumber(c.share));
    j.Field("previous_reports", std::to_string(c.previous));
    j.Field("change", Change(c.count, c.previous));
    j.Close('}');
  }
  j.Close(']');

  j.Open("top_causes", '[');
  for (const CauseDetail& c : d.top) {
    j.Open(nullptr, '{');
    j.Field("cause", JsonString(CauseName(c.cause)));
    j.Field("reports", std::to_string(c.count));
    j.Field("remedy", JsonString(c.remedy));
    RankedList(j, "servers", c.servers);
    RankedList(j, "ports", c.ports);
    RankedList(j, "client_networks", c.networks);
    RankedList(j, "client_labels", c.labels);
    RankedList(j, "hours", c.hours);
    j.Open("examples", '[');
    for (const Example& e : c.examples) ExampleJson(j, e);
    j.Close(']');
    j.Close('}');
  }
  j.Close(']');

  j.Open("timeline", '{');
  j.Field("bucket_seconds",
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d.bucket).count()));
  j.Open("buckets", '[');
  for (const TimelineBucket& b : d.timeline) {
    j.Open(nullptr, '{');
    j.Field("start", Time(b.start));
    j.Field("reports", std::to_string(b.total));
    j.Open("by_cause", '{');
    for (int c = 0; c < kCauseCount; ++c) {
      if (b.by_cause[c] == 0) continue;
      j.Field(std::string(CauseName(static_cast<Cause>(c))).c_str(),
              std::to_string(b.by_cause[c]));
    }
    j.Close('}');
    j.Close('}');
  }
  j.Close(']');
  j.Close('}');

  j.Open("server_side", '[');
  for (const ServerSideCount& s : d.server_side) {
    j.Open(nullptr, '{');
    j.Field("cause", JsonString(CauseName(s.cause)));
    j.Field("source", JsonString(s.source));
    j.Field("events", std::to_string(s.events));
    j.Field("previous_events", std::to_string(s.previous));
    j.Field("change", Change(s.events, s.previous));
    j.Close('}');
  }
  j.Close(']');

  j.Open("advice", '[');
  for (const Advice& a : d.advice) {
    j.Open(nullptr, '{');
    j.Field("source", JsonString(a.source));
    j.Field("problem", JsonString(a.problem));
    j.Field("fix", JsonString(a.fix));
    j.Close('}');
  }
  j.Close(']');
  j.Close('}');
  return j.Take();
}

std::string Render(const ReportData& data, ReportFormat format) {
  switch (format) {
    case ReportFormat::kHtml: return RenderHtml(data);
    case ReportFormat::kMarkdown: return RenderMarkdown(data);
    case ReportFormat::kJson: return RenderJson(data);
  }
  return RenderHtml(data);
}

}  // namespace culprit::report
