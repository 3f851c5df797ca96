// Status and Result<T>: how every fallible function below the C API reports failure.
// No exceptions cross library boundaries: a Status carries a code (the C API maps it one to one
// to griffin_status) and a human-readable message naming the file, tensor or field at fault.
#pragma once

#include <cstdarg>
#include <optional>
#include <string>
#include <utility>

namespace griffin {

// One code per kind of failure; the values mirror the C API's griffin_status one to one.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // a caller passed something unusable (NULL, bad id, bad option)
  kNotFound = 2,         // a file or named item is missing
  kIoError = 3,          // the operating system refused a read, write, map or rename
  kInvalidFile = 4,      // a file is truncated, corrupt or inconsistent with itself
  kUnsupported = 5,      // well-formed, but this build cannot handle it
  kOutOfMemory = 6,      // an allocation or a memory budget failed
  kOutOfRange = 7,       // a position or index past a limit
  kInternal = 8,         // a bug: should never happen
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Adds context in front of the message: "reading model.safetensors: " + message.
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// printf-style constructor for error statuses.
Status make_status(StatusCode code, const char* format, ...) __attribute__((format(printf, 2, 3)));

// A value or the error that prevented it. A Result built from an ok Status is a bug and becomes
// kInternal, so ok() and status() can never disagree.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "Result built from an ok Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace griffin

#define GRF_CONCAT_INNER(a, b) a##b
#define GRF_CONCAT(a, b) GRF_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when it is an error.
#define GRF_RETURN_IF_ERROR(expr)                   \
  do {                                              \
    ::griffin::Status grf_status_ = (expr);         \
    if (!grf_status_.ok()) return grf_status_;      \
  } while (0)

// Checks a condition; on failure returns make_status(code, format, ...).
#define GRF_CHECK(cond, code, ...)                                           \
  do {                                                                       \
    if (!(cond)) return ::griffin::make_status(::griffin::StatusCode::code, __VA_ARGS__); \
  } while (0)

// `GRF_ASSIGN_OR_RETURN(auto x, f());` unwraps a Result or returns its error.
#define GRF_ASSIGN_OR_RETURN(lhs, expr) \
  GRF_ASSIGN_OR_RETURN_IMPL(GRF_CONCAT(grf_result_, __LINE__), lhs, expr)
#define GRF_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                              \
  if (!result.ok()) return result.status();          \
  lhs = std::move(result).value()
