#ifndef CULPRIT_DAEMON_METRICS_EXPOSITION_H_
#define CULPRIT_DAEMON_METRICS_EXPOSITION_H_

// The Prometheus text exposition format, version 0.0.4: the pieces, for the
// registry and for tests.
//
//   # HELP culprit_source_lines_read_total Lines read from the source's files.
//   # TYPE culprit_source_lines_read_total counter
//   culprit_source_lines_read_total{source="app"} 1027
//
// A histogram is written as <name>_bucket{...,le="<bound>"} lines
// (cumulative, ending with le="+Inf"), then <name>_sum and <name>_count.
//
// Thread-safe (pure functions).

#include <string>
#include <string_view>
#include <vector>

#include "daemon/metrics/registry.h"

namespace culprit::metrics {

// The content type of RenderText()'s output.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// A label value between its quotes: \ " and newline escaped as \\ \" \n;
// bytes that are not valid UTF-8, and other control bytes, written as
// \\xNN (so the output is valid UTF-8 any parser reads).
std::string EscapeLabelValue(std::string_view value);
// HELP text: \ and newline escaped as \\ and \n; other bytes as above.
std::string EscapeHelp(std::string_view help);
// A sample value: the shortest text that reads back as the same double,
// in fixed notation for decimal exponents -4..20 ("3", "0.0005"), else
// scientific ("1e-05", "1e+21"); "+Inf", "-Inf", "NaN".
std::string FormatValue(double value);

// Renders families in the order given, children in the order given.
// Families without children are left out (a TYPE line with no sample helps
// nobody). REQUIRES: each child has as many label values as its family has
// label names.
std::string RenderText(const std::vector<FamilySnapshot>& families);

// Sorts families by name and each family's children by label values: the
// stable order Registry::Render() uses.
void SortForExposition(std::vector<FamilySnapshot>* families);

}  // namespace culprit::metrics

#endif  // CULPRIT_DAEMON_METRICS_EXPOSITION_H_
