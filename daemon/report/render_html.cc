// The HTML rendering: one self-contained page. Inline CSS and SVG only (no
// script, no font or image fetched), so it can be mailed, archived and
// opened offline; the print stylesheet keeps sections whole and colours on.

#include <algorithm>
#include <cstdio>
#include <string>

#include "base/version.h"
#include "daemon/report/render.h"
#include "daemon/report/render_util.h"

namespace culprit::report {
namespace {

constexpr char kStyle[] = R"css(
:root{--fg:#1d232b;--muted:#5b6572;--line:#d9dee5;--bg:#fff;--soft:#f4f6f9;--accent:#0b5cad}
*{box-sizing:border-box}
body{margin:0;background:var(--soft);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1120px;margin:0 auto;padding:24px 28px 40px;background:var(--bg)}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:32px 0 10px;padding-top:14px;border-top:1px solid var(--line)}
h3{font-size:16px;margin:18px 0 8px}
p{margin:6px 0}
.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:18px 0 6px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--soft)}
.card .n{font-size:26px;font-weight:650;line-height:1.2}
.card .l{color:var(--muted);font-size:13px}
.empty{border:1px solid #e0c36b;background:#fff8e1;border-radius:8px;padding:12px 16px;margin:16px 0}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:14px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:13px;background:var(--soft)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.up{color:#b42318}.down{color:#067647}
.code{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;color:var(--muted)}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px;margin:4px 0 0}
svg{display:block;width:100%;height:auto}
svg text{font-family:system-ui,"DejaVu Sans",sans-serif;fill:var(--fg)}
.remedy{border-left:4px solid var(--accent);background:#eef5fc;padding:8px 12px;margin:8px 0 12px;border-radius:0 6px 6px 0}
.grid{display:grid;grid-template-columns:1.7fr 1.4fr 1.4fr .8fr .9fr;gap:4px 16px}
.grid table{font-size:13px}
.grid th{white-space:nowrap}
.grid td{overflow-wrap:anywhere}
.example{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:10px 0}
.example .head{font-size:14px}
pre{margin:6px 0 2px;padding:8px 10px;background:#f6f8fa;border-radius:6px;white-space:pre-wrap;word-break:break-all;font:12px/1.45 ui-monospace,"DejaVu Sans Mono",monospace}
.role{display:inline-block;min-width:88px;color:var(--accent);font-weight:600}
code{font:13px ui-monospace,"DejaVu Sans Mono",monospace;background:#eef0f3;padding:0 4px;border-radius:3px}
footer{margin-top:36px;font-size:12px;color:var(--muted)}
@media (max-width:900px){.grid{grid-template-columns:repeat(2,1fr)}}
@media (max-width:760px){.cards{grid-template-columns:repeat(2,1fr)}main{padding:16px}}
@media print{body{background:#fff;font-size:12px}main{max-width:none;padding:0}
 section,.example,table,svg{break-inside:avoid}h2{break-after:avoid}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
)css";

std::string Num(double v, int decimals = 0) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string ChangeCell(int64_t now, int64_t previous) {
  const std::string text = ChangeText(now, previous);
  const char* cls = now > previous ? "up" : (now < previous ? "down" : "");
  return std::string("<td class=\"n ") + cls + "\">" + HtmlEscape(text) + "</td>";
}

std::string CauseCell(Cause c) {
  return "<td><span class=\"swatch\" style=\"background:" + CauseColor(c) + "\"></span>" +
         HtmlEscape(CauseTitle(c)) + " <span class=\"code\">" + HtmlEscape(CauseName(c)) +
         "</span></td>";
}

// Horizontal bars, one per cause; a dark tick marks the previous period.
std::string CauseChart(const ReportData& d) {
  const int row = 30, label_w = 230, bar_w = 400, width = 760;
  const int height = static_cast<int>(d.causes.size()) * row + 8;
  int64_t max = 1;
  for (const CauseCount& c : d.causes) max = std::max({max, c.count, c.previous});
  std::string s = "<svg viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                  "\" role=\"img\" aria-label=\"Reports per cause\" style=\"max-width:" +
                  std::to_string(width) + "px\">";
  for (size_t i = 0; i < d.causes.size(); ++i) {
    const CauseCount& c = d.causes[i];
    const int y = static_cast<int>(i) * row + 4;
    const double w = static_cast<double>(bar_w) * c.count / max;
    const double pw = static_cast<double>(bar_w) * c.previous / max;
    s += "<text x=\"" + std::to_string(label_w - 8) + "\" y=\"" + std::to_string(y + 18) +
         "\" text-anchor=\"end\" font-size=\"14\">" + HtmlEscape(CauseTitle(c.cause)) + "</text>";
    s += "<rect x=\"" + std::to_string(label_w) + "\" y=\"" + std::to_string(y + 4) +
         "\" width=\"" + Num(std::max(w, c.count > 0 ? 2.0 : 0.0), 1) +
         "\" height=\"20\" rx=\"3\" fill=\"" + CauseColor(c.cause) + "\"><title>" +
         HtmlEscape(CauseName(c.cause)) + ": " + std::to_string(c.count) + " (previous " +
         std::to_string(c.previous) + ")</title></rect>";
    if (c.previous > 0) {
      s += "<rect x=\"" + Num(label_w + pw - 1, 1) + "\" y=\"" + std::to_string(y + 1) +
           "\" width=\"2\" height=\"26\" fill=\"#1d232b\"/>";
    }
    s += "<text x=\"" + Num(label_w + std::max(w, pw) + 8, 1) + "\" y=\"" +
         std::to_string(y + 18) + "\" font-size=\"13\">" + std::to_string(c.count) + " \u00b7 " +
         HtmlEscape(Percent(c.share)) + "</text>";
  }
  return s + "</svg>";
}

// 1, 2, 5 x 10^k: the grid step for at most ~4 lines up to `max`.
int64_t NiceStep(int64_t max) {
  int64_t step = 1;
  while (true) {
    for (int64_t m : {1, 2, 5}) {
      if (max / (step * m) <= 4) return step * m;
    }
    step *= 10;
  }
}

// Reports per slice, stacked by cause in the order of the ranking.
std::string Timeline(const ReportData& d) {
  const int width = 1000, height = 240, x0 = 46, x1 = 990, y0 = 12, y1 = 200;
  const size_t n = d.timeline.size();
  int64_t max = 1;
  for (const TimelineBucket& b : d.timeline) max = std::max(max, b.total);
  const int64_t step = NiceStep(max);
  const int64_t top = (max + step - 1) / step * step;
  const double bw = static_cast<double>(x1 - x0) / std::max<size_t>(n, 1);
  const auto y_of = [&](int64_t v) { return y1 - static_cast<double>(y1 - y0) * v / top; };
  std::string s = "<svg viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                  "\" role=\"img\" aria-label=\"Reports over time, by cause\">";
  for (int64_t v = 0; v <= top; v += step) {
    const std::string y = Num(y_of(v), 1);
    s += "<line x1=\"" + std::to_string(x0) + "\" x2=\"" + std::to_string(x1) + "\" y1=\"" + y +
         "\" y2=\"" + y + "\" stroke=\"" + (v == 0 ? "#8a94a3" : "#e3e7ed") + "\"/>";
    s += "<text x=\"" + std::to_string(x0 - 6) + "\" y=\"" + Num(y_of(v) + 4, 1) +
         "\" text-anchor=\"end\" font-size=\"12\">" + std::to_string(v) + "</text>";
  }
  const size_t label_every = std::max<size_t>(1, (n + 11) / 12);
  const bool by_day = d.bucket >= std::chrono::hours(24);
  for (size_t i = 0; i < n; ++i) {
    const TimelineBucket& b = d.timeline[i];
    const double x = x0 + bw * i + bw * 0.1;
    int64_t below = 0;
    for (const CauseCount& c : d.causes) {
      const int64_t v = b.by_cause[static_cast<size_t>(c.cause)];
      if (v == 0) continue;
      const double ya = y_of(below + v), yb = y_of(below);
      s += "<rect x=\"" + Num(x, 1) + "\" y=\"" + Num(ya, 1) + "\" width=\"" +
           Num(bw * 0.8, 1) + "\" height=\"" + Num(yb - ya, 1) + "\" fill=\"" +
           CauseColor(c.cause) + "\"><title>" + HtmlEscape(LocalTime(b.start, d.zone, false)) +
           ": " + std::to_string(v) + " " + HtmlEscape(CauseName(c.cause)) + "</title></rect>";
      below += v;
    }
    if (i % label_every == 0) {
      const std::string t = LocalTime(b.start, d.zone, false);  // "YYYY-MM-DD HH:MM"
      const std::string label = by_day ? t.substr(5, 5) : t.substr(11, 5);
      s += "<text x=\"" + Num(x0 + bw * i + bw / 2, 1) + "\" y=\"" + std::to_string(y1 + 18) +
           "\" text-anchor=\"middle\" font-size=\"12\">" + label + "</text>";
    }
  }
  return s + "</svg>";
}

std::string RankedTable(const std::string& title, const std::vector<Ranked>& list) {
  std::string s = "<table><tr><th>" + HtmlEscape(title) + "</th><th class=\"n\">Reports</th></tr>";
  if (list.empty()) s += "<tr><td class=\"muted\" colspan=\"2\">none reported</td></tr>";
  for (const Ranked& r : list) {
    s += "<tr><td>" + HtmlEscape(r.label) + "</td><td class=\"n\">" + std::to_string(r.count) +
         " <span class=\"muted\">" + HtmlEscape(Percent(r.share)) + "</span></td></tr>";
  }
  return s + "</table>";
}

std::string ExampleHtml(const Example& e, const ReportData& d) {
  std::string s = "<div class=\"example\"><div class=\"head\"><strong>" +
                  HtmlEscape(LocalTime(e.reported_at, d.zone)) + "</strong> ";
  if (!e.client.empty()) s += HtmlEscape(e.client);
  if (!e.server.empty()) s += " \u2192 " + HtmlEscape(e.server);
  if (!e.error.empty()) s += " \u00b7 error <code>" + HtmlEscape(e.error) + "</code>";
  if (!e.phase.empty()) s += " \u00b7 " + HtmlEscape(e.phase);
  s += " \u00b7 confidence " + Num(e.confidence, 2) + " <span class=\"muted\">(report #" +
       std::to_string(e.id) + ")</span></div>";
  if (!e.explanation.empty()) s += "<p>" + HtmlEscape(e.explanation) + "</p>";
  if (!e.evidence.empty()) {
    s += "<pre>";
    for (size_t i = 0; i < e.evidence.size(); ++i) {
      const EvidenceLine& l = e.evidence[i];
      if (i > 0) s += "\n";
      s += "<span class=\"role\">" + HtmlEscape(l.role.empty() ? "evidence" : l.role) +
           "</span> " + HtmlEscape(l.source);
      if (l.time) s += " \u00b7 " + HtmlEscape(LocalTime(*l.time, d.zone));
      s += "\n" + HtmlEscape(l.raw);
    }
    s += "</pre>";
  }
  return s + "</div>";
}

// Our own prose (remedies, advice) marks code with `backticks`.
std::string WithCode(const std::string& text) {
  const std::string escaped = HtmlEscape(text);
  std::string out;
  bool open = false;
  for (char c : escaped) {
    if (c == '`') {
      out += open ? "</code>" : "<code>";
      open = !open;
    } else {
      out += c;
    }
  }
  if (open) out += "</code>";
  return out;
}

std::string Card(const std::string& number, const std::string& label) {
  return "<div class=\"card\"><div class=\"n\">" + number + "</div><div class=\"l\">" + label +
         "</div></div>";
}

}  // namespace

std::string RenderHtml(const ReportData& d) {
  const std::string zone = HtmlEscape(ZoneLabel(d.zone, d.from));
  const std::string period = HtmlEscape(PeriodText(d.from, d.to, d.zone));
  std::string s;
  s += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  s += "<title>Connection resets, " + period + "</title><style>" + kStyle + "</style></head>\n";
  s += "<body><main>\n<header><h1>Connection resets, " + period + " <span class=\"muted\">(" +
       zone + ")</span></h1>";
  s += "<p class=\"muted\">Compared with the previous period of the same length, " +
       HtmlEscape(PeriodText(d.previous_from, d.from, d.zone)) + ".</p></header>\n";

  if (d.empty()) {
    s += "<div class=\"empty\"><strong>No data for this period.</strong> No client reported a "
         "reset, and the server logs hold no reset-causing event between " +
         period + ".</div>\n";
  }
  s += "<section class=\"cards\">";
  s += Card(std::to_string(d.reports),
            "reports received<br>previous period: " + std::to_string(d.previous_reports) + " (" +
                HtmlEscape(ChangeText(d.reports, d.previous_reports)) + ")");
  s += Card(HtmlEscape(Percent(d.diagnosed_share)),
            "diagnosed: a cause found on the server<br>" + std::to_string(d.diagnosed) +
                " report" + (d.diagnosed == 1 ? "" : "s"));
  s += Card(HtmlEscape(Percent(d.none_on_server_share)),
            "no cause on the server (NONE_ON_SERVER)<br>" + std::to_string(d.none_on_server) +
                " report" + (d.none_on_server == 1 ? "" : "s"));
  s += Card(std::to_string(d.server_events),
            "reset-causing events in the server logs<br>previous period: " +
                std::to_string(d.previous_server_events) + " (" +
                HtmlEscape(ChangeText(d.server_events, d.previous_server_events)) + ")");
  s += "</section>\n";

  if (!d.causes.empty()) {
    s += "<section><h2>Causes, most reported first</h2>" + CauseChart(d);
    s += "<p class=\"muted\" style=\"font-size:13px\">Bars: reports this period. "
         "Dark tick: the previous period.</p>";
    s += "<table><tr><th class=\"n\">#</th><th>Cause</th><th class=\"n\">Reports</th>"
         "<th class=\"n\">Share</th><th class=\"n\">Previous</th><th class=\"n\">Change</th></tr>";
    for (size_t i = 0; i < d.causes.size(); ++i) {
      const CauseCount& c = d.causes[i];
      s += "<tr><td class=\"n\">" + std::to_string(i + 1) + "</td>" + CauseCell(c.cause) +
           "<td class=\"n\">" + std::to_string(c.count) + "</td><td class=\"n\">" +
           HtmlEscape(Percent(c.share)) + "</td><td class=\"n\">" + std::to_string(c.previous) +
           "</td>" + ChangeCell(c.count, c.previous) + "</tr>";
    }
    s += "</table></section>\n";
  }
  if (d.reports > 0) {
    const bool hourly = d.bucket == std::chrono::hours(1);
    s += "<section><h2>When (" + std::string(hourly ? "per hour" : "per day") + ", " + zone +
         ")</h2>" + Timeline(d) + "<div class=\"legend\">";
    for (const CauseCount& c : d.causes) {
      if (c.count == 0) continue;
      s += "<span><span class=\"swatch\" style=\"background:" + CauseColor(c.cause) +
           "\"></span>" + HtmlEscape(CauseTitle(c.cause)) + "</span>";
    }
    s += "</div></section>\n";
  }

  for (size_t i = 0; i < d.top.size(); ++i) {
    const CauseDetail& c = d.top[i];
    s += "<section><h2><span class=\"swatch\" style=\"background:" + CauseColor(c.cause) +
         "\"></span>" + std::to_string(i + 1) + ". " + HtmlEscape(CauseTitle(c.cause)) + ": " +
         std::to_string(c.count) + " report" + (c.count == 1 ? "" : "s") +
         " <span class=\"code\">" + HtmlEscape(CauseName(c.cause)) + "</span></h2>";
    s += "<div class=\"remedy\"><strong>What to do:</strong> " + WithCode(c.remedy) + "</div>";
    s += "<div class=\"grid\">" + RankedTable("Server", c.servers) +
         RankedTable("Port", c.ports) + RankedTable("Client network", c.networks) +
         RankedTable("Client app", c.labels) + RankedTable("Hour (" + ZoneLabel(d.zone, d.from) + ")", c.hours) +
         "</div>";
    if (!c.examples.empty()) {
      s += "<h3>Examples</h3>";
      for (const Example& e : c.examples) s += ExampleHtml(e, d);
    }
    s += "</section>\n";
  }

  s += "<section><h2>Seen in the server logs</h2>";
  if (d.server_side.empty()) {
    s += "<p>No reset-causing event in the server logs in this period.</p>";
  } else {
    s += "<p class=\"muted\">Reset-causing events, whether or not a client reported them: each "
         "hurt a connection.</p>";
    s += "<table><tr><th>Cause</th><th>Source</th><th class=\"n\">Events</th>"
         "<th class=\"n\">Previous</th><th class=\"n\">Change</th></tr>";
    for (const ServerSideCount& e : d.server_side) {
      s += "<tr>" + CauseCell(e.cause) + "<td>" + HtmlEscape(e.source) + "</td><td class=\"n\">" +
           std::to_string(e.events) + "</td><td class=\"n\">" + std::to_string(e.previous) +
           "</td>" + ChangeCell(e.events, e.previous) + "</tr>";
    }
    s += "</table>";
  }
  s += "</section>\n<section><h2>Configuration advice</h2>";
  if (d.advice.empty()) {
    s += "<p>None: the logs carry what culprit needs.</p>";
  } else {
    s += "<ul>";
    for (const Advice& a : d.advice) {
      s += "<li>";
      if (!a.source.empty()) s += "<strong>" + HtmlEscape(a.source) + ":</strong> ";
      s += WithCode(a.problem) + " " + WithCode(a.fix) + "</li>";
    }
    s += "</ul>";
  }
  s += "</section>\n<footer>Generated " + HtmlEscape(LocalTime(d.generated_at, d.zone)) + " (" +
       zone + ") by culprit " + HtmlEscape(kVersion) +
       ". The same report as data: <code>culprit report --format json</code>.</footer>\n";
  s += "</main></body></html>\n";
  return s;
}

}  // namespace culprit::report
