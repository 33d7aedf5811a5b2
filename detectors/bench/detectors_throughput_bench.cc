// Points per second of each streaming detector through the public Detector interface (the
// way the operator calls it), against a trivial baseline loop measured in the same run.
#include <cmath>
#include <vector>

#include <benchmark/benchmark.h>

#include "kubeheal/common/random.h"
#include "kubeheal/detectors/detector_factory.h"

namespace {

using kubeheal::detectors::CreateDetector;
using kubeheal::detectors::DetectorParams;

constexpr int kPoints = 1 << 16;

// A noisy daily cycle with a spike now and then, at 15 s intervals.
const std::vector<double>& Series() {
  static const std::vector<double> series = [] {
    kubeheal::SeededRandomSource random(17);
    std::vector<double> v(kPoints);
    for (int i = 0; i < kPoints; ++i) {
      const double noise = random.Uniform01() + random.Uniform01() - 1.0;
      v[static_cast<std::size_t>(i)] =
          100 + 20 * std::sin(i * 6.283185307179586 / 5760) + 5 * noise + (i % 5000 == 0 ? 80 : 0);
    }
    return v;
  }();
  return series;
}

// Baseline: the cheapest causal statistic, a running mean and a comparison.
void BM_BaselineLoop(benchmark::State& state) {
  const auto& series = Series();
  // The benchmark loop idiom: the iteration variable is never read.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  for (auto _ : state) {
    double mean = series[0];
    int flagged = 0;
    for (int i = 0; i < kPoints; ++i) {
      const double v = series[static_cast<std::size_t>(i)];
      flagged += std::abs(v - mean) > 50;
      mean += 0.01 * (v - mean);
    }
    benchmark::DoNotOptimize(flagged);
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}
BENCHMARK(BM_BaselineLoop);

void RunDetector(benchmark::State& state, const std::string& name, const DetectorParams& params) {
  const auto& series = Series();
  auto made = CreateDetector(name, params);
  if (!made) {
    state.SkipWithError(made.error().message.c_str());
    return;
  }
  auto& detector = *made.value();
  double t = 0;
  // The benchmark loop idiom: the iteration variable is never read.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  for (auto _ : state) {
    double total = 0;
    for (int i = 0; i < kPoints; ++i) {
      t += 15;
      total += detector.Update(t, series[static_cast<std::size_t>(i)]).score;
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}

BENCHMARK_CAPTURE(RunDetector, threshold, "threshold", DetectorParams{{"above", "150"}});
BENCHMARK_CAPTURE(RunDetector, zscore, "zscore", DetectorParams{});
BENCHMARK_CAPTURE(RunDetector, ewma, "ewma", DetectorParams{});
BENCHMARK_CAPTURE(RunDetector, movingAverage, "movingAverage", DetectorParams{});
BENCHMARK_CAPTURE(RunDetector, mad, "mad", DetectorParams{});
BENCHMARK_CAPTURE(RunDetector, trend, "trend", DetectorParams{{"limit", "1000"}});
BENCHMARK_CAPTURE(RunDetector, burnRate, "burnRate", DetectorParams{});
BENCHMARK_CAPTURE(RunDetector, isolationForest, "isolationForest", DetectorParams{});
BENCHMARK_CAPTURE(RunDetector, default, "default", DetectorParams{});

}  // namespace

BENCHMARK_MAIN();
