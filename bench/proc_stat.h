#ifndef CULPRIT_BENCH_PROC_STAT_H_
#define CULPRIT_BENCH_PROC_STAT_H_

// CPU time from Linux's /proc, for the benchmarks that report it per
// process or per thread.

#include <string>

namespace culprit::bench {

// utime + stime in seconds from a /proc/<pid>/stat or
// /proc/<pid>/task/<tid>/stat file; -1 when it cannot be read.
double StatCpuSeconds(const std::string& stat_path);

}  // namespace culprit::bench

#endif  // CULPRIT_BENCH_PROC_STAT_H_
