#include "bench/proc_stat.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace culprit::bench {

double StatCpuSeconds(const std::string& stat_path) {
  std::ifstream in(stat_path);
  if (!in) return -1;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses: fields start after
  // the last ')'.
  const size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 > text.size()) return -1;
  std::istringstream fields(text.substr(close_paren + 2));
  std::string field;
  long long utime = 0, stime = 0;
  // After "pid (comm) ": state is field 3; utime and stime are 14 and 15.
  for (int i = 3; i <= 15 && (fields >> field); ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace culprit::bench
