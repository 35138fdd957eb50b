#ifndef CULPRIT_BASE_CHECK_H_
#define CULPRIT_BASE_CHECK_H_

// CULPRIT_CHECK(cond): for broken invariants (programmer errors) only. Logs
// file:line and the condition to stderr, then aborts. Never use it for input
// errors: those are Status values.

namespace culprit::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* cond);
}  // namespace culprit::internal

#define CULPRIT_CHECK(cond)                                              \
  do {                                                                   \
    if (!(cond)) ::culprit::internal::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (false)

#endif  // CULPRIT_BASE_CHECK_H_
