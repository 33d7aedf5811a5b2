#pragma once
// The text form of detector snapshots: whitespace-separated tokens, numbers written so they
// read back bit-exact. Plain text so a snapshot can live in a ConfigMap and be inspected.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kubeheal/common/result.h"

namespace kubeheal::detectors {

class StateWriter {
 public:
  void Word(std::string_view word);  // must not contain whitespace
  void Number(double value);
  void Integer(std::int64_t value);
  void Numbers(const std::vector<double>& values);  // count, then the values
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// Reads what a StateWriter wrote; every failure names the field that was being read.
class StateReader {
 public:
  explicit StateReader(std::string_view text) : rest_(text) {}
  Status Expect(std::string_view word);
  Status Number(std::string_view field, double& out);
  Status Integer(std::string_view field, std::int64_t& out);
  Status Numbers(std::string_view field, std::vector<double>& out, std::size_t max_count);
  Status Token(std::string& out);  // the next raw word; error at the end
  bool AtEnd();

 private:
  std::string_view NextToken();
  std::string_view rest_;
};

}  // namespace kubeheal::detectors
