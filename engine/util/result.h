#pragma once
// A small expected-like type for recoverable errors (C++20 has no std::expected).

#include <string>
#include <utility>
#include <variant>

namespace runbook::util {

/// An error that a user can act on: a message and, when known, where it happened.
struct Error {
  std::string message;
  std::string file;  ///< empty when not about a file
  int line = 0;      ///< 1-based; 0 when not about a line

  /// "file:line: message", "file: message" or "message".
  std::string describe() const {
    std::string out;
    if (!file.empty()) {
      out += file;
      if (line > 0) {
        out += ':';  // appended piecewise: GCC 12 warns (-Wrestrict, falsely) on ":" + to_string()
        out += std::to_string(line);
      }
      out += ": ";
    }
    return out + message;
  }
};

/// Either a value or an Error.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace runbook::util
