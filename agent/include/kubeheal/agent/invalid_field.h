#pragma once

#include <string>
#include <string_view>

#include "kubeheal/common/error.h"

namespace kubeheal::agent {

// Bad input at a named place, as a kubeheal::Error: the place (a JSON field path such as
// "params.delayMs", a flag such as "--threads") is the error's code and what is wrong with it the
// message, so Error::ToString() reads "params.delayMs: must be ..." and the admin API answers
// `invalid_field` naming the field. Input refused as a whole (a body that is not a JSON object)
// names no place: that is Error::Invalid, code "Invalid".
inline Error invalidField(std::string field, std::string message) {
  if (field.empty()) return Error::Invalid(std::move(message));
  return Error::Terminal(std::move(field), std::move(message));
}

// The place an invalidField() error names; empty for Error::Invalid.
inline std::string_view fieldOf(const Error& error) {
  return error.code == "Invalid" ? std::string_view() : std::string_view(error.code);
}

}  // namespace kubeheal::agent
