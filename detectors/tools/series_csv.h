#pragma once
// Reading `timestamp,value` CSV files (NAB layout and the `score` subcommand's input).

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "kubeheal/common/result.h"

namespace kubeheal::detect_cli {

struct SeriesCsv {
  std::string header;              // the header line as written
  std::vector<std::string> lines;  // data lines as written (without line ending)
  std::vector<std::string> timestamp_texts;
  std::vector<double> timestamps;  // seconds since the epoch (or the number as given)
  std::vector<double> values;      // NaN where the value is empty or "nan"
};

// Parses CSV text with a header naming `timestamp` and `value` columns (other columns are
// kept in `lines` but ignored). `source` names the file in errors: "F.csv:12: ...".
Result<SeriesCsv> ParseSeriesCsv(std::istream& in, const std::string& source);
Result<SeriesCsv> ReadSeriesCsv(const std::string& path);

// "2014-04-01 00:05:00", "2014-04-01T00:05:00.5Z" (UTC) or a plain number of seconds.
std::optional<double> ParseTimestamp(const std::string& text);

}  // namespace kubeheal::detect_cli
