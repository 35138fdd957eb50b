#ifndef CULPRIT_DAEMON_REPORT_RENDER_H_
#define CULPRIT_DAEMON_REPORT_RENDER_H_

// The three renderings of a ReportData. Pure functions of the data (no
// clock, no I/O); thread-safe. Any bytes in the data (log lines with NUL or
// invalid UTF-8) come out as valid, escaped text.
//
// HTML: one self-contained file (inline CSS and SVG; no script, nothing
// fetched), readable on a laptop screen and printable.
// Markdown: GitHub-flavoured tables, readable as plain text in a terminal.
// JSON: the structure documented in schema/report.md (version
// kReportJsonVersion).

#include <string>

#include "daemon/report/report_data.h"
#include "daemon/report/report_format.h"

namespace culprit::report {

std::string RenderHtml(const ReportData& data);
std::string RenderMarkdown(const ReportData& data);
std::string RenderJson(const ReportData& data);
std::string Render(const ReportData& data, ReportFormat format);

}  // namespace culprit::report

#endif  // CULPRIT_DAEMON_REPORT_RENDER_H_
