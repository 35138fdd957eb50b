#ifndef CULPRIT_BASE_STATUS_H_
#define CULPRIT_BASE_STATUS_H_

// Status: the outcome of an operation that can fail, as a value.
//
// A Status is a code (the gRPC canonical set, so the service maps codes in one
// place) plus a message that names what was wrong, where, and which value:
//   config.toml:7: unknown key "tail.globs"
//   report.client: "10.0.0.300" is not an IP address
//
// An OK Status carries no message and costs no allocation. Status is a value
// type: copy it, return it, store it. Thread-compatible.

#include <string>
#include <string_view>

namespace culprit {

// Same numbering as google.rpc.Code, so ToGrpcStatus() is a cast.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// Returns the canonical upper-case name, e.g. "INVALID_ARGUMENT".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  // REQUIRES: code != kOk, or message is empty.
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) {
    return {StatusCode::kNotFound, std::move(msg)};
  }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status ResourceExhausted(std::string msg) {
    return {StatusCode::kResourceExhausted, std::move(msg)};
  }
  static Status DeadlineExceeded(std::string msg) {
    return {StatusCode::kDeadlineExceeded, std::move(msg)};
  }
  static Status Unavailable(std::string msg) {
    return {StatusCode::kUnavailable, std::move(msg)};
  }
  static Status Internal(std::string msg) {
    return {StatusCode::kInternal, std::move(msg)};
  }
  static Status IoError(std::string msg) {  // an I/O failure from the OS
    return {StatusCode::kUnavailable, std::move(msg)};
  }
  static Status DataLoss(std::string msg) {
    return {StatusCode::kDataLoss, std::move(msg)};
  }
  static Status Cancelled(std::string msg) {
    return {StatusCode::kCancelled, std::move(msg)};
  }
  static Status Unimplemented(std::string msg) {
    return {StatusCode::kUnimplemented, std::move(msg)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK" or "INVALID_ARGUMENT: <message>".
  std::string ToString() const;

  // Returns a copy whose message is `prefix + ": " + message()`; OK stays OK.
  // Used to add context on the way up: WithContext("config.toml:3").
  Status WithContext(std::string_view prefix) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Formats errno as "<strerror> (errno N)" for messages about system calls.
std::string ErrnoText(int err);

}  // namespace culprit

// Evaluates `expr` (a Status); returns it from the enclosing function if not OK.
#define CULPRIT_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::culprit::Status culprit_status_ = (expr);        \
    if (!culprit_status_.ok()) return culprit_status_; \
  } while (false)

#endif  // CULPRIT_BASE_STATUS_H_
