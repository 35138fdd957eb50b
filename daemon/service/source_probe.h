#ifndef CULPRIT_DAEMON_SERVICE_SOURCE_PROBE_H_
#define CULPRIT_DAEMON_SERVICE_SOURCE_PROBE_H_

// SourceProbe: live facts about a source's files that the database does not
// hold (what the path matches now, and how big each file is). The daemon
// implements it over the file system; tests fake it. Must be thread-safe.

#include <cstdint>
#include <string>
#include <vector>

namespace culprit::service {

struct ProbedFile {
  std::string path;
  int64_t size = 0;
  uint64_t dev = 0;
  uint64_t inode = 0;
};

class SourceProbe {
 public:
  virtual ~SourceProbe() = default;
  // The files `path_pattern` (a path or a glob) matches now; empty if none.
  virtual std::vector<ProbedFile> Files(const std::string& path_pattern) const = 0;
};

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_SOURCE_PROBE_H_
