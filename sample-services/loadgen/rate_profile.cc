#include "rate_profile.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kubeheal/common/enum_names.h"

namespace kubeheal::samples {

double RateProfile::RateAt(double t) const {
  switch (mode) {
    case Mode::kFlood:
      return 0;
    case Mode::kSteady:
    case Mode::kSustained:
      return rate;
    case Mode::kBurst: {
      double phase = std::fmod(t, burst_every);
      return phase >= burst_every - peak_length ? peak_rate : rate;
    }
    case Mode::kSpike:
      return (t >= spike_at && t < spike_at + peak_length) ? peak_rate : rate;
  }
  return rate;
}

namespace {

// The first time after `t` at which RateAt may change (infinity for constant shapes).
double NextChange(const RateProfile& p, double t) {
  constexpr double kNever = std::numeric_limits<double>::infinity();
  switch (p.mode) {
    case RateProfile::Mode::kBurst: {
      double period_start = std::floor(t / p.burst_every) * p.burst_every;
      double peak_start = period_start + p.burst_every - p.peak_length;
      return t < peak_start ? peak_start : period_start + p.burst_every;
    }
    case RateProfile::Mode::kSpike:
      if (t < p.spike_at) return p.spike_at;
      if (t < p.spike_at + p.peak_length) return p.spike_at + p.peak_length;
      return kNever;
    default:
      return kNever;
  }
}

}  // namespace

double RateProfile::NextSendAfter(double t) const {
  double owed = 1.0;  // requests' worth of time still to cover
  double now = t;
  for (int guard = 0; guard < 1000000; ++guard) {
    double r = RateAt(now);
    double change = NextChange(*this, now);
    if (r > 0 && (change - now) * r >= owed) return now + owed / r;
    if (r > 0) owed -= (change - now) * r;
    if (!(change > now)) return now + owed / std::max(r, 1e-9);  // no progress: step over
    now = change;
  }
  return now;
}

double RateProfile::ExpectedRequests(double duration) const {
  switch (mode) {
    case Mode::kFlood:
      return 0;
    case Mode::kSteady:
    case Mode::kSustained:
      return rate * duration;
    case Mode::kBurst: {
      double full = std::floor(duration / burst_every);
      double rest = duration - full * burst_every;
      double peak_in_rest = std::max(0.0, rest - (burst_every - peak_length));
      double peak_time = full * peak_length + peak_in_rest;
      return peak_rate * peak_time + rate * (duration - peak_time);
    }
    case Mode::kSpike: {
      double peak_time =
          std::max(0.0, std::min(duration, spike_at + peak_length) - std::min(duration, spike_at));
      return peak_rate * peak_time + rate * (duration - peak_time);
    }
  }
  return 0;
}

Result<bool> RateProfile::Validate() const {
  if (mode == Mode::kFlood) return true;
  if (!(rate > 0)) return Error::Invalid("--rate must be positive");
  if (mode == Mode::kBurst || mode == Mode::kSpike) {
    if (!(peak_rate > 0)) return Error::Invalid("the peak rate must be positive");
    if (!(peak_length > 0)) return Error::Invalid("the peak length must be positive");
  }
  if (mode == Mode::kBurst && !(burst_every > peak_length)) {
    return Error::Invalid("--burst-every must be longer than --peak-length");
  }
  return true;
}

namespace {

constexpr EnumNameTable<RateProfile::Mode, 5> kModeNames{
    {{RateProfile::Mode::kSteady, "steady"},
     {RateProfile::Mode::kBurst, "burst"},
     {RateProfile::Mode::kSpike, "spike"},
     {RateProfile::Mode::kFlood, "flood"},
     {RateProfile::Mode::kSustained, "sustained"}}};

}  // namespace

Result<RateProfile::Mode> ParseMode(const std::string& text) {
  if (auto mode = ParseName(kModeNames, text)) return *mode;
  return Error::Invalid("unknown --mode '" + text + "' (steady, burst, spike, flood, sustained)");
}

std::string ModeName(RateProfile::Mode mode) { return std::string(NameOf(kModeNames, mode, "?")); }

}  // namespace kubeheal::samples
