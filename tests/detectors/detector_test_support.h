#pragma once
// Series generators shared by the detector tests: deterministic, so failures reproduce.

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include "kubeheal/common/random.h"
#include "kubeheal/detectors/detector_factory.h"

namespace kubeheal::detectors::testing {

// Normal(mean, sd) values from a fixed seed (Box-Muller).
class NoiseSeries {
 public:
  NoiseSeries(double mean, double sd, std::uint64_t seed = 7)
      : mean_(mean), sd_(sd), random_(seed) {}
  double Next() {
    const double u1 = std::max(random_.Uniform01(), 1e-12);
    const double u2 = random_.Uniform01();
    return mean_ + sd_ * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  double mean_, sd_;
  SeededRandomSource random_;
};

inline std::unique_ptr<Detector> MustCreate(const std::string& name,
                                            const DetectorParams& params = {}) {
  auto made = CreateDetector(name, params);
  if (!made) throw std::runtime_error(made.error().message);
  return std::move(made).value();
}

// The value of the detail `name` of `a`, NaN when `a` has none.
inline double DetailOf(const Assessment& a, const std::string& name) {
  for (const Detail& d : a.details) {
    if (d.name == name) return d.value;
  }
  return NAN;
}

}  // namespace kubeheal::detectors::testing
