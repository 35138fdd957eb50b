#ifndef CULPRIT_CLI_PROBE_REPORT_H_
#define CULPRIT_CLI_PROBE_REPORT_H_

// --report: each failed check becomes a ResetReport submitted to culpritd,
// and the daemon's diagnosis is attached to the check.

#include <ostream>

#include "cli/commands.h"
#include "cli/probe/result.h"

namespace culprit::cli::probe {

// Submits every check with `reportable` set (at most kMaxReports), in
// order, after waiting (at most ~5 s) until the daemon has ingested what its
// sources' files hold, so the servers' log lines about the probe are there.
// Each check gets a diagnosis: the top verdict, or the RPC error in
// DiagnosisSummary::error. Returns the number stored. Progress and RPC
// failures go to `err` only for the first failure.
int SubmitFailures(const GlobalOptions& global, ProbeResult* result, std::ostream& err);

inline constexpr int kMaxReports = 32;

}  // namespace culprit::cli::probe

#endif  // CULPRIT_CLI_PROBE_REPORT_H_
