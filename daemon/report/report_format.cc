#include "daemon/report/report_format.h"

#include <string>

namespace culprit::report {

Result<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "html") return ReportFormat::kHtml;
  if (name == "md" || name == "markdown") return ReportFormat::kMarkdown;
  if (name == "json") return ReportFormat::kJson;
  return Status::InvalidArgument("\"" + std::string(name.substr(0, 64)) +
                                 "\" is not a report format (html, md, json)");
}

std::string_view FormatName(ReportFormat format) {
  switch (format) {
    case ReportFormat::kHtml: return "html";
    case ReportFormat::kMarkdown: return "md";
    case ReportFormat::kJson: return "json";
  }
  return "html";
}

std::string_view ContentType(ReportFormat format) {
  switch (format) {
    case ReportFormat::kHtml: return "text/html; charset=utf-8";
    case ReportFormat::kMarkdown: return "text/markdown; charset=utf-8";
    case ReportFormat::kJson: return "application/json";
  }
  return "application/octet-stream";
}

}  // namespace culprit::report
