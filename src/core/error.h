// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace worthit {

/// An expected failure: bad input, an unknown id, a file that cannot be read.
/// `where` names the place (`file:line`, a flag, a field path), `what` the problem and
/// `hint` an optional suggestion ("did you mean ...").
struct Error {
  std::string where;
  std::string what;
  std::string hint;

  /// One line: "where: what (hint)"; parts that are empty are left out.
  std::string message() const;

  /// Returns a copy whose `where` is prefixed with `outer` ("outer: where").
  Error within(const std::string& outer) const;
};

/// Carries an Error into any Result<T> (like std::unexpected).
struct Failure {
  Error error;
};

/// Value or Error: the subset of C++23 std::expected that worthit uses. Our own type because
/// clang 14 (used for the libFuzzer build) cannot compile libstdc++'s <expected>.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& v) : v_(std::in_place_index<0>, v) {}  // NOLINT: implicit like expected
  Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT
  template <class U>
    requires(std::is_convertible_v<U &&, T> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Failure>)
  Result(U&& v) : v_(std::in_place_index<0>, T(std::forward<U>(v))) {}  // NOLINT
  Result(Failure f) : v_(std::in_place_index<1>, std::move(f.error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  /// The value, or `fallback` when this holds an error.
  T value_or(T fallback) const { return has_value() ? value() : std::move(fallback); }
  const Error& error() const { return std::get<1>(v_); }
  Error& error() { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation that yields nothing on success.
struct Ok {};
using Status = Result<Ok>;

/// Shorthand for building a failed Result.
inline Failure fail(std::string where, std::string what, std::string hint = {}) {
  return Failure{Error{std::move(where), std::move(what), std::move(hint)}};
}
/// Propagates an existing error.
inline Failure fail(Error e) { return Failure{std::move(e)}; }

}  // namespace worthit

/// Evaluates `expr` (a Result); on failure returns its error from the enclosing function,
/// otherwise moves the value into a new local `var`.
#define WORTHIT_TRY(var, expr)                              \
  auto var##_result_ = (expr);                              \
  if (!var##_result_) return ::worthit::fail(var##_result_.error()); \
  auto var = std::move(*var##_result_)
