#ifndef CULPRIT_BASE_RESULT_H_
#define CULPRIT_BASE_RESULT_H_

// Result<T>: either a value of type T or a non-OK Status.
//
//   Result<Config> LoadConfig(const std::string& path);
//   CULPRIT_ASSIGN_OR_RETURN(Config config, LoadConfig(path));
//
// Accessing value() of a Result that holds an error is a programmer error and
// aborts via CULPRIT_CHECK. Thread-compatible.

#include <utility>
#include <variant>

#include "base/check.h"
#include "base/status.h"

namespace culprit {

template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit, so `return value;` and `return status;` both work.
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  // REQUIRES: !status.ok().
  Result(Status status) : data_(std::in_place_index<1>, std::move(status)) {
    CULPRIT_CHECK(!std::get<1>(data_).ok());
  }

  bool ok() const { return data_.index() == 0; }

  // OK when a value is held. The reference lives as long as this Result.
  const Status& status() const& {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(data_);
  }
  Status status() && { return ok() ? Status() : std::get<1>(std::move(data_)); }

  // REQUIRES: ok().
  T& value() & {
    CULPRIT_CHECK(ok());
    return std::get<0>(data_);
  }
  const T& value() const& {
    CULPRIT_CHECK(ok());
    return std::get<0>(data_);
  }
  T&& value() && {
    CULPRIT_CHECK(ok());
    return std::get<0>(std::move(data_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace culprit

#define CULPRIT_CONCAT_INNER_(a, b) a##b
#define CULPRIT_CONCAT_(a, b) CULPRIT_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (a Result<T>); on error returns its Status from the
// enclosing function, otherwise move-assigns the value to `lhs`, which may be a
// declaration: CULPRIT_ASSIGN_OR_RETURN(auto db, Db::Open(path));
#define CULPRIT_ASSIGN_OR_RETURN(lhs, rexpr) \
  CULPRIT_ASSIGN_OR_RETURN_IMPL_(CULPRIT_CONCAT_(culprit_result_, __LINE__), lhs, rexpr)
#define CULPRIT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

#endif  // CULPRIT_BASE_RESULT_H_
