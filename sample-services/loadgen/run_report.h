#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "load_runner.h"

namespace kubeheal::samples {

// "[  3s] target 200/s | 200 req/s | 2xx/other/err 200/0/0 | p50 1.1ms p99 3.0ms"
std::string FormatProgress(const ProgressLine& line);

// The end-of-run summary for people (text) and for scripts and tests (JSON).
std::string FormatSummaryText(const RunSummary& summary, const std::string& target);
nlohmann::json SummaryJson(const RunSummary& summary, const std::string& target);

}  // namespace kubeheal::samples
