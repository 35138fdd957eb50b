// The Markdown rendering: GitHub-flavoured tables, fenced log lines, and
// nothing that needs HTML, so it reads the same in a terminal (`less`) and
// in a code forge.

#include <algorithm>
#include <string>

#include "base/version.h"
#include "daemon/report/render.h"
#include "daemon/report/render_util.h"

namespace culprit::report {
namespace {

std::string Bar(int64_t count, int64_t max, int width = 20) {
  if (max <= 0 || count <= 0) return "";
  const int64_t eighths = std::max<int64_t>(1, count * width * 8 / max);
  std::string out;
  for (int64_t i = 0; i < eighths / 8; ++i) out += "\u2588";
  static constexpr const char* kPartial[] = {"",         "\u258f", "\u258e", "\u258d",
                                             "\u258c",   "\u258b", "\u258a", "\u2589"};
  out += kPartial[eighths % 8];
  return out;
}

// A fence longer than any run of backticks in `text`.
std::string FenceFor(const std::string& text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

std::string RankedLine(const std::string& title, const std::vector<Ranked>& list) {
  std::string out = "- **" + title + ":** ";
  if (list.empty()) return out + "(not reported)\n";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    out += MarkdownEscape(list[i].label) + " (" + std::to_string(list[i].count) + ", " +
           Percent(list[i].share) + ")";
  }
  return out + "\n";
}

void Example1(const Example& e, const ReportData& d, std::string& out) {
  out += "- **" + LocalTime(e.reported_at, d.zone) + "** ";
  if (!e.client.empty()) out += MarkdownEscape(e.client);
  if (!e.server.empty()) out += " \u2192 " + MarkdownEscape(e.server);
  if (!e.error.empty()) out += ", error " + MarkdownEscape(e.error);
  if (!e.phase.empty()) out += " (" + MarkdownEscape(e.phase) + ")";
  char conf[32];
  std::snprintf(conf, sizeof conf, ", confidence %.2f", e.confidence);
  out += conf;
  out += ", report #" + std::to_string(e.id) + "\n";
  if (!e.explanation.empty()) out += "\n  " + MarkdownEscape(e.explanation) + "\n";
  if (!e.evidence.empty()) {
    std::string lines;
    for (const EvidenceLine& l : e.evidence) {
      lines += "  [" + CleanText(l.role.empty() ? "evidence" : l.role) + "] " + CleanText(l.source);
      if (l.time) lines += " " + LocalTime(*l.time, d.zone);
      lines += "\n  " + CleanText(l.raw) + "\n";
    }
    const std::string fence = FenceFor(lines);
    out += "\n  " + fence + "text\n" + lines + "  " + fence + "\n";
  }
  out += "\n";
}

}  // namespace

std::string RenderMarkdown(const ReportData& d) {
  const std::string zone = ZoneLabel(d.zone, d.from);
  std::string out;
  out += "# Connection resets, " + PeriodText(d.from, d.to, d.zone) + " (" + zone + ")\n\n";
  out += "Compared with the previous period of the same length, " +
         PeriodText(d.previous_from, d.from, d.zone) + ". Generated " +
         LocalTime(d.generated_at, d.zone) + " by culprit " + kVersion + ".\n\n";

  if (d.empty()) {
    out += "**No data for this period:** no client reported a reset and the server logs hold "
           "no reset-causing event between " +
           PeriodText(d.from, d.to, d.zone) + ".\n\n";
  }
  out += "| | This period | Previous period | Change |\n|---|---:|---:|---:|\n";
  out += "| Reports received | " + std::to_string(d.reports) + " | " +
         std::to_string(d.previous_reports) + " | " + ChangeText(d.reports, d.previous_reports) +
         " |\n";
  out += "| Diagnosed (a cause found on the server) | " + std::to_string(d.diagnosed) + " (" +
         Percent(d.diagnosed_share) + ") | | |\n";
  out += "| No cause on the server (NONE_ON_SERVER) | " + std::to_string(d.none_on_server) +
         " (" + Percent(d.none_on_server_share) + ") | | |\n";
  out += "| Reset-causing events in the server logs | " + std::to_string(d.server_events) +
         " | " + std::to_string(d.previous_server_events) + " | " +
         ChangeText(d.server_events, d.previous_server_events) + " |\n\n";

  if (!d.causes.empty()) {
    out += "## Causes, most reported first\n\n";
    out += "| # | Cause | Reports | Share | | Previous | Change |\n"
           "|---:|---|---:|---:|---|---:|---:|\n";
    int64_t max = 0;
    for (const CauseCount& c : d.causes) max = std::max(max, c.count);
    for (size_t i = 0; i < d.causes.size(); ++i) {
      const CauseCount& c = d.causes[i];
      out += "| " + std::to_string(i + 1) + " | " + CauseTitle(c.cause) + " (" +
             MarkdownEscape(CauseName(c.cause)) + ") | " + std::to_string(c.count) + " | " +
             Percent(c.share) + " | " + Bar(c.count, max) + " | " + std::to_string(c.previous) +
             " | " + ChangeText(c.count, c.previous) + " |\n";
    }
    out += "\n";
  }

  for (size_t i = 0; i < d.top.size(); ++i) {
    const CauseDetail& c = d.top[i];
    out += "## " + std::to_string(i + 1) + ". " + CauseTitle(c.cause) + ": " +
           std::to_string(c.count) + " report" + (c.count == 1 ? "" : "s") + "\n\n";
    out += "**What to do:** " + CleanText(c.remedy) + "\n\n";
    out += RankedLine("Servers", c.servers);
    out += RankedLine("Ports", c.ports);
    out += RankedLine("Client networks", c.networks);
    out += RankedLine("Client apps", c.labels);
    out += RankedLine("Hours (" + zone + ")", c.hours);
    out += "\n";
    if (!c.examples.empty()) {
      out += "### Examples\n\n";
      for (const Example& e : c.examples) Example1(e, d, out);
    }
  }

  out += "## Seen in the server logs\n\n";
  if (d.server_side.empty()) {
    out += "No reset-causing event in the server logs in this period.\n\n";
  } else {
    out += "Reset-causing events, whether or not a client reported them.\n\n";
    out += "| Cause | Source | Events | Previous | Change |\n|---|---|---:|---:|---:|\n";
    for (const ServerSideCount& s : d.server_side) {
      out += "| " + CauseTitle(s.cause) + " (" + MarkdownEscape(CauseName(s.cause)) + ") | " +
             MarkdownEscape(s.source) + " | " + std::to_string(s.events) + " | " +
             std::to_string(s.previous) + " | " + ChangeText(s.events, s.previous) + " |\n";
    }
    out += "\n";
  }

  out += "## Configuration advice\n\n";
  if (d.advice.empty()) {
    out += "None: the logs carry what culprit needs.\n";
  } else {
    for (const Advice& a : d.advice) {
      out += "- ";
      if (!a.source.empty()) out += "**" + MarkdownEscape(a.source) + ":** ";
      out += CleanText(a.problem) + " " + CleanText(a.fix) + "\n";
    }
  }
  return out;
}

}  // namespace culprit::report
