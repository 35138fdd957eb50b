#ifndef CULPRIT_BASE_LOG_H_
#define CULPRIT_BASE_LOG_H_

// Leveled logging to stderr, one line per message:
//   2026-11-25T00:23:17.123Z INFO  [main.cc:42] serving on 127.0.0.1:7450
//
//   CULPRIT_LOG(kInfo) << "serving on " << addr;
//
// Thread-safe: each message is formatted privately and written with a single
// write(2). Messages below the current level cost one atomic load.

#include <sstream>
#include <string_view>

#include "base/result.h"

namespace culprit {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
inline bool LogEnabled(LogLevel level) { return level >= GetLogLevel(); }

// "debug", "info", "warning" (or "warn"), "error". Error names the text.
Result<LogLevel> ParseLogLevel(std::string_view text);

namespace internal {
class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line);
  ~LogMessage();
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  const char* file_;
  int line_;
  std::ostringstream stream_;
};
}  // namespace internal

}  // namespace culprit

namespace culprit::internal {
// Turns the stream expression into void so it fits the ternary below.
struct LogVoidify {
  void operator&(std::ostream&) {}
};
}  // namespace culprit::internal

// An expression (not an if/else), so it nests safely inside an unbraced if.
#define CULPRIT_LOG(level)                                      \
  !::culprit::LogEnabled(::culprit::LogLevel::level)            \
      ? (void)0                                                 \
      : ::culprit::internal::LogVoidify() &                     \
            ::culprit::internal::LogMessage(::culprit::LogLevel::level, __FILE__, __LINE__).stream()

#endif  // CULPRIT_BASE_LOG_H_
