#ifndef CULPRIT_TESTS_REPORT_REPORT_FIXTURE_H_
#define CULPRIT_TESTS_REPORT_REPORT_FIXTURE_H_

// A culprit database built with the real migrations and filled with client
// reports and server events whose counts the tests know (see the .cc for
// the table of rows).

#include <string>

#include "base/time.h"

namespace culprit::report::testing {

// The report period of the fixture, [kFrom, kTo): 2026-11-20 UTC.
inline const Timestamp kFrom = FromUnixMicros(1795132800LL * 1000000);  // 2026-11-20T00:00:00Z
inline const Timestamp kTo = FromUnixMicros(1795219200LL * 1000000);    // 2026-11-21T00:00:00Z

// Creates the database at `path`. Fails the calling test on any error.
void BuildFixtureDatabase(const std::string& path);

}  // namespace culprit::report::testing

#endif  // CULPRIT_TESTS_REPORT_REPORT_FIXTURE_H_
