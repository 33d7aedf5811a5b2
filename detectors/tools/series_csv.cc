#include "series_csv.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace kubeheal::detect_cli {
namespace {

std::string Trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::vector<std::string> SplitFields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(Trim(field));
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ParseInt(const std::string& s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return ec == std::errc() && ptr == s.data() + pos + len;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
long DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::optional<double> ParseTimestamp(const std::string& raw) {
  const std::string text = Trim(raw);
  if (text.empty()) return std::nullopt;
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(number)) {
    return number;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':' ||
      !ParseInt(text, 0, 4, y) || !ParseInt(text, 5, 2, mo) || !ParseInt(text, 8, 2, d) ||
      !ParseInt(text, 11, 2, h) || !ParseInt(text, 14, 2, mi) || !ParseInt(text, 17, 2, s)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  double fraction = 0;
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    std::size_t digits_end = pos + 1;
    while (digits_end < text.size() && std::isdigit(static_cast<unsigned char>(text[digits_end]))) {
      ++digits_end;
    }
    if (digits_end == pos + 1) return std::nullopt;
    fraction = std::stod("0" + text.substr(pos, digits_end - pos));
    pos = digits_end;
  }
  if (pos < text.size() && text[pos] == 'Z') ++pos;
  if (pos != text.size()) return std::nullopt;
  return static_cast<double>(DaysFromCivil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + s +
         fraction;
}

Result<SeriesCsv> ParseSeriesCsv(std::istream& in, const std::string& source) {
  SeriesCsv csv;
  std::string line;
  std::size_t line_number = 0;
  auto fail = [&](const std::string& problem) {
    return Error::Invalid(source + ":" + std::to_string(line_number) + ": " + problem);
  };
  if (!std::getline(in, line)) {
    line_number = 1;
    return fail("file is empty; expected a header naming 'timestamp' and 'value' columns");
  }
  line_number = 1;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  csv.header = line;
  const std::vector<std::string> header = SplitFields(line);
  std::size_t ts_col = header.size(), value_col = header.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string name = Lower(header[i]);
    if (name == "timestamp") ts_col = i;
    if (name == "value") value_col = i;
  }
  if (ts_col == header.size() || value_col == header.size()) {
    return fail("header '" + line + "' must name a 'timestamp' and a 'value' column");
  }
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trim(line).empty()) continue;
    const std::vector<std::string> fields = SplitFields(line);
    if (fields.size() != header.size()) {
      return fail("expected " + std::to_string(header.size()) + " fields, found " +
                  std::to_string(fields.size()));
    }
    const auto ts = ParseTimestamp(fields[ts_col]);
    if (!ts) {
      return fail("timestamp '" + fields[ts_col] +
                  "' is neither 'YYYY-MM-DD HH:MM:SS' nor a number of seconds");
    }
    double value = std::numeric_limits<double>::quiet_NaN();
    const std::string& v = fields[value_col];
    if (!v.empty() && Lower(v) != "nan") {
      const char* first = v.data();
      if (*first == '+') ++first;
      auto [end, ec] = std::from_chars(first, v.data() + v.size(), value);
      if (ec != std::errc() || end != v.data() + v.size()) {
        return fail("value '" + v + "' is not a number");
      }
    }
    csv.lines.push_back(line);
    csv.timestamp_texts.push_back(fields[ts_col]);
    csv.timestamps.push_back(*ts);
    csv.values.push_back(value);
  }
  return csv;
}

Result<SeriesCsv> ReadSeriesCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::Invalid(path + ": cannot open for reading");
  return ParseSeriesCsv(in, path);
}

}  // namespace kubeheal::detect_cli
