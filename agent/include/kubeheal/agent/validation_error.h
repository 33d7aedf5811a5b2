#pragma once

#include <string>

namespace kubeheal::agent {

// Why a JSON body or a flag was refused: the path of the field ("params.delayMs") and what is
// wrong with it. Returned as a value, never thrown.
struct ValidationError {
  std::string field;
  std::string message;
};

}  // namespace kubeheal::agent
