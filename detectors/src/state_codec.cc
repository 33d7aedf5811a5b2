#include "kubeheal/detectors/state_codec.h"

#include <cctype>
#include <charconv>

namespace kubeheal::detectors {
namespace {

// All of `token` as a T, or an error naming `field` and what it should have been (`kind`).
template <typename T>
Status ParseWhole(std::string_view token, std::string_view field, std::string_view kind, T& out) {
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), out);
  if (token.empty() || ec != std::errc() || end != token.data() + token.size()) {
    return Error::Invalid("state: field '" + std::string(field) + "' is not " + std::string(kind) +
                          ": '" + std::string(token) + "'");
  }
  return {};
}

}  // namespace

void StateWriter::Word(std::string_view word) {
  if (!text_.empty()) text_ += ' ';
  text_ += word;
}

void StateWriter::Number(double value) {
  char buf[40];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  Word(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

void StateWriter::Integer(std::int64_t value) { Word(std::to_string(value)); }

void StateWriter::Numbers(const std::vector<double>& values) {
  Integer(static_cast<std::int64_t>(values.size()));
  for (double v : values) Number(v);
}

std::string_view StateReader::NextToken() {
  std::size_t i = 0;
  while (i < rest_.size() && std::isspace(static_cast<unsigned char>(rest_[i]))) ++i;
  std::size_t j = i;
  while (j < rest_.size() && !std::isspace(static_cast<unsigned char>(rest_[j]))) ++j;
  std::string_view token = rest_.substr(i, j - i);
  rest_.remove_prefix(j);
  return token;
}

Status StateReader::Expect(std::string_view word) {
  std::string_view token = NextToken();
  if (token != word) {
    return Error::Invalid("state: expected '" + std::string(word) + "', found '" +
                          std::string(token) + "'");
  }
  return {};
}

Status StateReader::Number(std::string_view field, double& out) {
  return ParseWhole(NextToken(), field, "a number", out);
}

Status StateReader::Integer(std::string_view field, std::int64_t& out) {
  return ParseWhole(NextToken(), field, "an integer", out);
}

Status StateReader::Numbers(std::string_view field, std::vector<double>& out,
                            std::size_t max_count) {
  std::int64_t count = 0;
  if (Status s = Integer(field, count); !s) return s;
  if (count < 0 || static_cast<std::size_t>(count) > max_count) {
    return Error::Invalid("state: field '" + std::string(field) + "' has " + std::to_string(count) +
                          " values, at most " + std::to_string(max_count) + " allowed");
  }
  out.assign(static_cast<std::size_t>(count), 0.0);
  for (double& v : out) {
    if (Status s = Number(field, v); !s) return s;
  }
  return {};
}

Status StateReader::Token(std::string& out) {
  std::string_view token = NextToken();
  if (token.empty()) return Error::Invalid("state: snapshot ends too early");
  out.assign(token);
  return {};
}

bool StateReader::AtEnd() {
  std::string_view probe = rest_;
  while (!probe.empty() && std::isspace(static_cast<unsigned char>(probe.front()))) {
    probe.remove_prefix(1);
  }
  return probe.empty();
}

}  // namespace kubeheal::detectors
