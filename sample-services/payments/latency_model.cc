#include "latency_model.h"

#include <cmath>

namespace kubeheal::samples {

std::chrono::microseconds LatencyModel::Next() {
  // Box-Muller: a standard normal from two uniforms; 1 - u keeps log() away from 0.
  double u1 = 1.0 - random_.Uniform01();
  double u2 = random_.Uniform01();
  double normal = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  double micros = static_cast<double>(config_.median.count()) * std::exp(config_.spread * normal);
  if (random_.Uniform01() < config_.slow_fraction) micros += config_.slow_delay.count();
  micros += static_cast<double>(extra_us_.load());
  return std::chrono::microseconds(static_cast<long long>(micros));
}

}  // namespace kubeheal::samples
