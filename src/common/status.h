// Status and StatusOr: the one error type inside MLOS C++ code.
//
// A Status is either OK or carries a code and a message that says what went wrong and where
// ("input 'input_ids': expected INT64, got FP32"). StatusOr<T> holds a T or a non-OK Status.
// Both are [[nodiscard]]: an ignored error is a compile-time warning (an error in our build).
// Exceptions thrown by libraries are caught at the edge of the module that calls them and turned
// into a Status there; they never propagate across a module or the C ABI.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace mlos {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input from outside: request, model file, manifest
  kNotFound,           // unknown model, file, input name
  kAlreadyExists,      // conflicting registration
  kFailedPrecondition, // valid request, wrong state (e.g. model still loading)
  kOutOfMemory,        // memory budget or allocation failure
  kResourceExhausted,  // queue full, too many requests
  kUnimplemented,      // unsupported operator, dtype or feature
  kUnavailable,        // peer or service not reachable
  kInternal,           // a bug or an unexpected library failure
};

// Short stable name of a code, e.g. "InvalidArgument".
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status OutOfMemory(std::string m) { return {StatusCode::kOutOfMemory, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).ok() && "StatusOr needs a value or a non-OK status");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace mlos

#define MLOS_CONCAT_INNER(a, b) a##b
#define MLOS_CONCAT(a, b) MLOS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)                       \
  do {                                              \
    ::mlos::Status mlos_status_ = (expr);           \
    if (!mlos_status_.ok()) return mlos_status_;    \
  } while (0)

// ASSIGN_OR_RETURN(auto x, FunctionReturningStatusOr()); returns the status on error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(MLOS_CONCAT(mlos_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
