// Status and Result<T>: how every fallible ixray operation reports errors.
//
// ixray never throws across its C++ API. A function that can fail returns a
// Status (no value) or a Result<T> (a value or a Status). Both are
// [[nodiscard]]: ignoring an error is a compile-time warning.
//
// Thread safety: Status and Result are values; distinct objects may be used
// from different threads freely.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ixray {

// The small, closed set of error kinds. Language bindings map these codes to
// their native exceptions (see python/src/errors.cc).
enum class StatusCode : unsigned char {
  kOk = 0,
  kInvalidArgument,  // bad input from the caller: unknown column, bad filter, ...
  kTypeError,        // a value or column has the wrong type
  kNotFound,         // a file, dataset or version does not exist
  kAlreadyExists,    // creating something that exists
  kCorruption,       // damaged data: bad magic, checksum mismatch, truncation
  kIOError,          // the operating system reported an I/O failure
  kConflict,         // a concurrent commit that could not be rebased
  kNotImplemented,   // a valid request this build does not support
  kInternal,         // a broken invariant inside ixray (a bug)
};

// Returns the code's name, e.g. "Corruption".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status TypeError(std::string msg) { return {StatusCode::kTypeError, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status NotImplemented(std::string msg) {
    return {StatusCode::kNotImplemented, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // The message without the code; empty for OK.
  const std::string& message() const;
  // "Code: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context` and ": ".
  Status WithContext(std::string_view context) const;

  bool operator==(const Status& other) const {
    return code() == other.code() && message() == other.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  // Null when OK, so the success path costs one pointer.
  std::shared_ptr<const State> state_;
};

// A value of type T, or the Status explaining why there is none.
// REQUIRES for ValueOrDie()/operator*: ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(runtime/explicit)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(runtime/explicit)
    if (status_.ok()) status_ = Status::Internal("Result constructed from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const& { return status_; }
  // By value on a temporary, so `IXRAY_RETURN_NOT_OK(F().status())` and
  // `auto&& s = F().status()` hold a live Status, not one inside a dead Result.
  Status status() && { return std::move(status_); }

  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

  T& ValueOrDie() & { return *value_; }
  T&& ValueOrDie() && { return std::move(*value_); }
  T ValueOr(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

namespace internal {
inline const Status& GenericToStatus(const Status& s) { return s; }
template <typename T>
const Status& GenericToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace ixray

#define IXRAY_CONCAT_IMPL(a, b) a##b
#define IXRAY_CONCAT(a, b) IXRAY_CONCAT_IMPL(a, b)

// Returns early from the enclosing function if `expr` (a Status or Result) failed.
#define IXRAY_RETURN_NOT_OK(expr)                                            \
  do {                                                                       \
    auto&& _ixray_expr = (expr); /* keeps a temporary alive */               \
    const auto& _ixray_st = ::ixray::internal::GenericToStatus(_ixray_expr); \
    if (!_ixray_st.ok()) return _ixray_st;                                   \
  } while (false)

#define IXRAY_ASSIGN_OR_RAISE_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                               \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(*tmp)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else assigns
// the value to `lhs` (which may be a declaration, e.g. `auto x`).
#define IXRAY_ASSIGN_OR_RAISE(lhs, rexpr) \
  IXRAY_ASSIGN_OR_RAISE_IMPL(IXRAY_CONCAT(_ixray_result_, __LINE__), lhs, rexpr)
