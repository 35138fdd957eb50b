// Every labeled case of ../shared/corpus/lab-dev through the correlator,
// over events parsed by the real parsers. Prints a per-category table
// (expected cause -> top-1 accuracy), the overall accuracy, and how often
// the top verdict's evidence holds the case's server line (evidence.jsonl).

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "tests/correlate/lab_corpus.h"

namespace culprit::correlate_test {
namespace {

using correlate::Correlator;
using correlate::Diagnosis;

struct Tally {
  int cases = 0;
  int top1 = 0;
  int evidence = 0;
};

TEST(LabCorpusTest, TopVerdictMatchesTheLabel) {
  const std::string dir = LabDevDir();
  if (dir.empty()) GTEST_SKIP() << "no lab-dev corpus";
  auto corpus = LoadLabCorpus(dir);
  ASSERT_TRUE(corpus.ok()) << corpus.status().message();
  ASSERT_FALSE(corpus->cases.empty());
  std::printf("lab-dev: %lld/%lld lines parsed, %zu cases\n",
              static_cast<long long>(corpus->parsed), static_cast<long long>(corpus->lines),
              corpus->cases.size());
  const Correlator correlator(corpus->sources);
  std::map<std::string, Tally> by_cause;
  Tally all;
  for (const LabCase& c : corpus->cases) {
    auto d = correlator.Correlate(c.report, corpus->query);
    ASSERT_TRUE(d.ok()) << c.id << ": " << d.status().message();
    ASSERT_FALSE(d->verdicts.empty()) << c.id;
    const correlate::Verdict& top = d->verdicts.front();
    const bool hit = CauseName(top.cause) == c.cause;
    bool has_line = false;
    for (const correlate::Evidence& e : top.evidence) {
      for (const std::string& line : c.evidence_lines) {
        if (e.event.raw == line) has_line = true;
      }
    }
    Tally& t = by_cause[c.cause];
    ++t.cases;
    ++all.cases;
    t.top1 += hit;
    all.top1 += hit;
    t.evidence += has_line;
    all.evidence += has_line;
    if (!hit || !has_line) {
      std::printf("  %-26s expected %-20s got %-20s (%.2f)%s\n", c.id.c_str(), c.cause.c_str(),
                  std::string(CauseName(top.cause)).c_str(), top.confidence,
                  has_line ? "" : " [case line not in evidence]");
      std::printf("      %s\n", top.explanation.substr(0, 300).c_str());
    }
  }
  std::printf("%-22s %6s %8s %9s\n", "expected", "cases", "top-1", "evidence");
  for (const auto& [cause, t] : by_cause) {
    std::printf("%-22s %6d %7.1f%% %8.1f%%\n", cause.c_str(), t.cases, 100.0 * t.top1 / t.cases,
                100.0 * t.evidence / t.cases);
  }
  std::printf("%-22s %6d %7.1f%% %8.1f%%\n", "overall", all.cases, 100.0 * all.top1 / all.cases,
              100.0 * all.evidence / all.cases);
  EXPECT_GE(all.top1 * 100, all.cases * 97);
  for (const auto& [cause, t] : by_cause) EXPECT_GE(t.top1 * 100, t.cases * 90) << cause;
}

}  // namespace
}  // namespace culprit::correlate_test
