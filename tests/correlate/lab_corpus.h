#ifndef CULPRIT_TESTS_CORRELATE_LAB_CORPUS_H_
#define CULPRIT_TESTS_CORRELATE_LAB_CORPUS_H_

// The lab-dev corpus (../shared/corpus/lab-dev) loaded the way the daemon
// would see it: every log file parsed by the real parsers into a
// FakeEventQuery, the sources configured as an operator would from
// manifest.json, and the labeled cases with their answer-key lines.

#include <optional>
#include <string>
#include <vector>

#include "daemon/correlate/correlator.h"
#include "tests/correlate/fake_event_query.h"

namespace culprit::correlate_test {

struct LabCase {
  std::string id;
  std::string cause;  // expected category name
  correlate::ResetReport report;
  std::vector<std::string> evidence_lines;  // from evidence.jsonl
};

struct LabCorpus {
  std::vector<correlate::SourceInfo> sources;
  FakeEventQuery query;
  std::vector<LabCase> cases;
  int64_t lines = 0;
  int64_t parsed = 0;
};

// The corpus directory, or empty when it is not there (tests then skip).
std::string LabDevDir();

// Loads everything. Errors name the file and line.
Result<LabCorpus> LoadLabCorpus(const std::string& dir);

}  // namespace culprit::correlate_test

#endif  // CULPRIT_TESTS_CORRELATE_LAB_CORPUS_H_
