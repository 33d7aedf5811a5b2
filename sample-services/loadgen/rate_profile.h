#pragma once

#include <string>

#include "kubeheal/common/result.h"

namespace kubeheal::samples {

// The shape of the offered load over time, one per mode:
//   steady     `rate` throughout
//   sustained  `rate` throughout (same shape; higher defaults, long duration)
//   burst      `rate`, and `peak_rate` for the last `peak_length` of every `burst_every`
//   spike      `rate`, and `peak_rate` once, from `spike_at` for `peak_length`
//   flood      no rate: as fast as `concurrency` connections go (closed loop)
struct RateProfile {
  enum class Mode { kSteady, kBurst, kSpike, kFlood, kSustained };
  Mode mode = Mode::kSteady;
  double rate = 50;         // requests per second
  double peak_rate = 250;   // burst or spike rate
  double burst_every = 10;  // seconds
  double peak_length = 2;   // seconds
  double spike_at = 10;     // seconds from the start

  // Requests per second intended at `t` seconds from the start (0 for flood).
  double RateAt(double t) const;
  bool open_loop() const { return mode != Mode::kFlood; }
  // The send time after one sent at `t`: where the integral of RateAt from `t` reaches 1, so
  // a change of rate takes effect at the change, not one old interval later.
  double NextSendAfter(double t) const;
  // Requests the profile intends over [0, duration) (integral of RateAt; 0 for flood).
  double ExpectedRequests(double duration) const;
  // The rate profile validated: positive rates and lengths.
  Result<bool> Validate() const;
};

Result<RateProfile::Mode> ParseMode(const std::string& text);
std::string ModeName(RateProfile::Mode mode);

}  // namespace kubeheal::samples
