#ifndef CULPRIT_DAEMON_REPORT_RENDER_UTIL_H_
#define CULPRIT_DAEMON_REPORT_RENDER_UTIL_H_

// Text helpers shared by the three renderers: times in the report's zone,
// percentages, changes, cause titles, and escaping for HTML, Markdown and
// JSON. Pure functions; thread-safe. Every escaper accepts any bytes (log
// lines may hold NUL, control bytes or invalid UTF-8) and returns valid
// UTF-8 with control bytes written as \xNN.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/time.h"
#include "base/time_zone.h"
#include "parsers/event.h"

namespace culprit::report {

// "2026-11-20 09:14:03" in `zone` (seconds omitted when !with_seconds).
std::string LocalTime(Timestamp t, const TimeZone& zone, bool with_seconds = true);
// The zone as shown next to times: "UTC", "Europe/Berlin (UTC+01:00)".
std::string ZoneLabel(const TimeZone& zone, Timestamp at);
// "2026-11-20 00:00 – 2026-11-21 00:00" (an en dash between the ends).
std::string PeriodText(Timestamp from, Timestamp to, const TimeZone& zone);
// "12.5%"; "<0.1%" for a non-zero share below 0.05%.
std::string Percent(double share);
// Change from `previous` to `now`: "+25%", "−10%", "no change", "new"
// (previous 0), "—" (both 0).
std::string ChangeText(int64_t now, int64_t previous);
// A short title: "TLS handshake failed", "No cause on the server".
std::string CauseTitle(Cause cause);
// A colour for the cause's bars, "#rrggbb"; distinct for every cause.
std::string CauseColor(Cause cause);

// Bytes that are not valid UTF-8, and control characters other than tab,
// as \xNN.
std::string CleanText(std::string_view s);
// CleanText, then & < > " ' as entities.
std::string HtmlEscape(std::string_view s);
// CleanText, then characters Markdown would read as markup (\ ` * [ ] < > |) escaped, for
// running text and table cells ('|' included; newlines become spaces).
std::string MarkdownEscape(std::string_view s);
// A JSON string literal, quotes included.
std::string JsonString(std::string_view s);
// A JSON number for a share (up to 4 decimals) or a change.
std::string JsonNumber(double v);

}  // namespace culprit::report

#endif  // CULPRIT_DAEMON_REPORT_RENDER_UTIL_H_
