#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kubeheal/common/result.h"
#include "kubeheal/detectors/detector.h"
#include "kubeheal/detectors/multivariate_detector.h"

namespace kubeheal::detectors {

using DetectorParams = std::map<std::string, std::string>;

// Builds a univariate detector by the name a HealingPolicy uses: threshold, zscore, ewma,
// movingAverage, mad, isolationForest, burnRate, trend, default. Unknown names, unknown
// parameters and out-of-range values are errors naming the detector and the parameter.
// Every detector accepts "max_gap" (a duration; a longer gap resets its history).
Result<std::unique_ptr<Detector>> CreateDetector(const std::string& name,
                                                 const DetectorParams& params);

// Builds a detector over feature vectors; today only "isolationForest".
Result<std::unique_ptr<MultivariateDetector>> CreateMultivariateDetector(
    const std::string& name, const DetectorParams& params);

// The names CreateDetector accepts, for help texts and validation.
std::vector<std::string> DetectorNames();

}  // namespace kubeheal::detectors
