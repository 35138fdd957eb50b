#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace culprit::internal {

void CheckFailed(const char* file, int line, const char* cond) {
  std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, cond);
  std::fflush(stderr);
  std::abort();
}

}  // namespace culprit::internal
