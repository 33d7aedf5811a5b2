#include "kubeheal/sample_http/flag_set.h"

#include <cctype>
#include <cstdlib>
#include <sstream>

namespace kubeheal::samples {

void FlagSet::Define(const std::string& name, const std::string& default_value,
                     const std::string& help) {
  if (!flags_.count(name)) order_.push_back(name);
  Flag flag{default_value, help, false};
  if (const char* env = std::getenv(EnvName(name).c_str())) flag.value = env;
  flags_[name] = flag;
}

void FlagSet::DefineBool(const std::string& name, const std::string& help) {
  Define(name, "false", help);
  flags_[name].is_bool = true;
}

std::string FlagSet::EnvName(const std::string& flag) {
  std::string env = "KUBEHEAL_";
  for (char c : flag) env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  return env;
}

Result<bool> FlagSet::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto it = flags_.find(name);
    if (it == flags_.end()) return Error::Invalid("unknown flag --" + name + " (see --help)");
    if (it->second.is_bool) {
      it->second.value = has_value ? value : "true";
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) return Error::Invalid("flag --" + name + " needs a value");
      value = args[++i];
    }
    it->second.value = value;
  }
  return true;
}

std::string FlagSet::Get(const std::string& name) const {
  auto it = flags_.find(name);
  return it == flags_.end() ? std::string() : it->second.value;
}

bool FlagSet::GetBool(const std::string& name) const {
  std::string v = Get(name);
  return v == "true" || v == "1" || v == "yes";
}

Result<long> FlagSet::GetInt(const std::string& name, long min, long max) const {
  std::string text = Get(name);
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') {
    return Error::Invalid("flag --" + name + ": '" + text + "' is not an integer");
  }
  if (value < min || value > max) {
    return Error::Invalid("flag --" + name + ": " + text + " is outside [" + std::to_string(min) +
                          ", " + std::to_string(max) + "]");
  }
  return value;
}

Result<double> FlagSet::GetDouble(const std::string& name, double min, double max) const {
  std::string text = Get(name);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') {
    return Error::Invalid("flag --" + name + ": '" + text + "' is not a number");
  }
  if (!(value >= min && value <= max)) {
    std::ostringstream range;
    range << "[" << min << ", " << max << "]";
    return Error::Invalid("flag --" + name + ": " + text + " is outside " + range.str());
  }
  return value;
}

Result<double> FlagSet::GetSeconds(const std::string& name) const {
  auto seconds = ParseDurationSeconds(Get(name));
  if (!seconds) return Error::Invalid("flag --" + name + ": " + seconds.error().message);
  return seconds;
}

Result<double> ParseDurationSeconds(const std::string& text) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  std::string unit = end ? std::string(end) : std::string();
  if (text.empty() || end == text.c_str() || value < 0) {
    return Error::Invalid("'" + text + "' is not a duration (e.g. 250ms, 5s, 2m, 1h)");
  }
  if (unit.empty() || unit == "s") return value;
  if (unit == "ms") return value / 1000.0;
  if (unit == "m") return value * 60.0;
  if (unit == "h") return value * 3600.0;
  return Error::Invalid("'" + text + "' has unknown unit '" + unit + "' (use ms, s, m or h)");
}

std::string FlagSet::Usage() const {
  std::ostringstream out;
  out << "usage: " << program_ << " [flags]\n\nflags (each also read from KUBEHEAL_<FLAG>):\n";
  for (const std::string& name : order_) {
    const Flag& flag = flags_.at(name);
    out << "  --" << name;
    if (!flag.is_bool) out << " (default \"" << flag.value << "\")";
    out << "\n      " << flag.help << "\n";
  }
  return out.str();
}

}  // namespace kubeheal::samples
