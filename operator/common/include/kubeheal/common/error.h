#pragma once

#include <string>

namespace kubeheal {

// How a caller should react to a failure. Controllers map this to the work queue in one
// place: Retryable errors are re-queued with backoff, Terminal ones are recorded and dropped.
enum class ErrorKind {
  kRetryable,  // transient: network, timeout, 429, 5xx, conflict
  kTerminal,   // retrying will not help: invalid input, forbidden, not found where required
};

// An error value crossing a library boundary. `code` is a short machine-readable reason
// ("NotFound", "Conflict", "Timeout", "InvalidCsv", ...); `message` is for humans and names
// what was wrong and where.
struct Error {
  ErrorKind kind = ErrorKind::kTerminal;
  std::string code;
  std::string message;
  int http_status = 0;  // 0 when no HTTP exchange was involved
  // The one input field at fault, when there is one: a JSON path ("params.delayMs",
  // "spec.signals[1].query") or a flag ("--threads"); empty otherwise.
  std::string field;

  bool retryable() const { return kind == ErrorKind::kRetryable; }
  // "field: message" for a field error, else "Code: message" (or the message alone).
  std::string ToString() const {
    if (!field.empty()) return field + ": " + message;
    return code.empty() ? message : code + ": " + message;
  }

  static Error Retryable(std::string code, std::string message, int http_status = 0) {
    return Error{ErrorKind::kRetryable, std::move(code), std::move(message), http_status, {}};
  }
  static Error Terminal(std::string code, std::string message, int http_status = 0) {
    return Error{ErrorKind::kTerminal, std::move(code), std::move(message), http_status, {}};
  }
  // Bad input (a flag, a parameter, a request body, a persisted snapshot): Terminal, code
  // "Invalid"; `message` names the field or place at fault and what was wrong with it.
  static Error Invalid(std::string message) { return Terminal("Invalid", std::move(message)); }
  // Invalid input at one named field; an empty `field` is Invalid(message).
  static Error InvalidField(std::string field, std::string message) {
    Error e = Invalid(std::move(message));
    e.field = std::move(field);
    return e;
  }
};

}  // namespace kubeheal
