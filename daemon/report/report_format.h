#ifndef CULPRIT_DAEMON_REPORT_REPORT_FORMAT_H_
#define CULPRIT_DAEMON_REPORT_REPORT_FORMAT_H_

// The document formats a report is rendered in. Pure; thread-safe.

#include <string_view>
#include <vector>

#include "base/result.h"

namespace culprit::report {

enum class ReportFormat { kHtml, kMarkdown, kJson };

// "html", "md" (or "markdown"), "json". Error (INVALID_ARGUMENT) names the
// text and lists the formats: `"pdf" is not a report format (html, md, json)`.
Result<ReportFormat> ParseReportFormat(std::string_view name);

// "html", "md", "json": the name config and the CLI use, and the file
// extension.
std::string_view FormatName(ReportFormat format);

// "text/html; charset=utf-8", "text/markdown; charset=utf-8",
// "application/json".
std::string_view ContentType(ReportFormat format);

}  // namespace culprit::report

#endif  // CULPRIT_DAEMON_REPORT_REPORT_FORMAT_H_
