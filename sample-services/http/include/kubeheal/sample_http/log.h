#pragma once

#include <string>

namespace kubeheal::samples {

// One line per event on stderr: "2026-11-22T08:00:00Z level=info service=orders msg=..."
// Thread-safe (one write per line).
void LogLine(const std::string& level, const std::string& service, const std::string& message);

}  // namespace kubeheal::samples
