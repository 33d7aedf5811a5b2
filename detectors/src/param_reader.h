#pragma once
// Reads a detector's string parameters, rejecting unknown names and bad values with a
// message that names the detector and the parameter.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "kubeheal/common/result.h"

namespace kubeheal::detectors {

class ParamReader {
 public:
  ParamReader(std::string detector, const std::map<std::string, std::string>& params)
      : detector_(std::move(detector)), params_(params) {}

  // Each returns the default when the parameter is absent and records the first error.
  double Number(const std::string& name, double fallback, double min, double max);
  // Strictly above `min`.
  double PositiveNumber(const std::string& name, double fallback, double max);
  long Integer(const std::string& name, long fallback, long min, long max);
  // "90", "90s", "5m", "1h", "3d" -> seconds; must be >= 0.
  double Duration(const std::string& name, double fallback);
  std::string Text(const std::string& name, const std::string& fallback);
  bool Has(const std::string& name) const { return params_.count(name) != 0; }
  void Fail(const std::string& name, const std::string& problem);

  // Reports the first bad value, else any parameter that was never read.
  Status Finish() const;

 private:
  const std::string* Raw(const std::string& name);
  // The parameter as `parse` reads it; `fallback` when absent, when `parse` fails ("must be
  // <expected>, got '<raw>'") or when `out_of_range` names a problem with the value.
  template <typename T, typename Parse, typename OutOfRange>
  T Read(const std::string& name, T fallback, Parse parse, std::string_view expected,
         OutOfRange out_of_range);

  std::string detector_;
  const std::map<std::string, std::string>& params_;
  std::set<std::string> known_;
  std::string first_error_;
};

// Parses "90", "90s", "5m", "1h", "3d"; false on anything else.
bool ParseDurationSeconds(const std::string& text, double& seconds);

}  // namespace kubeheal::detectors
