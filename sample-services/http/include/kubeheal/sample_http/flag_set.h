#pragma once

#include <map>
#include <string>
#include <vector>

#include "kubeheal/common/result.h"

namespace kubeheal::samples {

// Command-line flags "--name value" or "--name=value"; every flag also reads the environment
// variable KUBEHEAL_<NAME_IN_CAPS> (dashes become underscores), the command line winning.
// Unknown flags and missing values are errors naming the flag.
class FlagSet {
 public:
  explicit FlagSet(std::string program) : program_(std::move(program)) {}

  void Define(const std::string& name, const std::string& default_value, const std::string& help);
  // A flag without a value ("--verbose"): "true" when given.
  void DefineBool(const std::string& name, const std::string& help);

  // argv[0] is not part of `args`. Positional arguments are kept in order.
  Result<bool> Parse(const std::vector<std::string>& args);

  std::string Get(const std::string& name) const;
  Result<long> GetInt(const std::string& name, long min, long max) const;
  Result<double> GetDouble(const std::string& name, double min, double max) const;
  // Durations: "250ms", "5s", "2m", "1h", or plain seconds.
  Result<double> GetSeconds(const std::string& name) const;
  bool GetBool(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  bool help_requested() const { return help_requested_; }
  std::string Usage() const;

  static std::string EnvName(const std::string& flag);

 private:
  struct Flag {
    std::string value;
    std::string help;
    bool is_bool = false;
  };
  std::string program_;
  std::map<std::string, Flag> flags_;
  std::vector<std::string> order_;
  std::vector<std::string> positional_;
  bool help_requested_ = false;
};

// "250ms" -> 0.25; errors name the text.
Result<double> ParseDurationSeconds(const std::string& text);

}  // namespace kubeheal::samples
