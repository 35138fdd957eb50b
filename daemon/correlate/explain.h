#ifndef CULPRIT_DAEMON_CORRELATE_EXPLAIN_H_
#define CULPRIT_DAEMON_CORRELATE_EXPLAIN_H_

// Text for verdicts: what a cause means for the client, and what to do.
// Pure functions; thread-safe.

#include <string>

#include "base/time.h"
#include "parsers/event.h"

namespace culprit::correlate {

// An actionable remedy for `cause`, one or two sentences.
std::string RemedyFor(Cause cause);
// "+1.2s after" / "3.0s before" the reported time.
std::string OffsetText(Duration event_minus_report);
// The line's human part, shortened to at most `max` bytes.
std::string ShortLine(const std::string& text, size_t max = 200);

}  // namespace culprit::correlate

#endif  // CULPRIT_DAEMON_CORRELATE_EXPLAIN_H_
