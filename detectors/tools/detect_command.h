#pragma once
// The `kubeheal-detect` subcommands, separate from main() so tests can run them.

#include <ostream>
#include <string>
#include <vector>

namespace kubeheal::detect_cli {

// Runs `kubeheal-detect <args...>` (args exclude the program name); returns the exit code:
// 0 success, 1 failure (message on `err`), 2 usage error.
int RunDetectCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace kubeheal::detect_cli
