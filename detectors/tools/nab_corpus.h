#pragma once
// The NAB directory layout: DIR/data/<category>/<file>.csv, DIR/labels/combined_windows.json,
// DIR/profiles.json; results in OUT/<category>/<detector>_<file>.csv.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kubeheal/common/result.h"
#include "kubeheal/detectors/detector_factory.h"
#include "nab_scorer.h"

namespace kubeheal::detect_cli {

using NabWindows = std::map<std::string, std::vector<std::pair<double, double>>>;

// "<category>/<file>.csv" of every data file, sorted.
Result<std::vector<std::string>> ListNabDataFiles(const std::string& data_dir);
Result<NabWindows> ReadNabWindows(const std::string& data_dir);
// DIR/profiles.json (or DIR/config/profiles.json); the published weights when neither exists.
Result<std::vector<NabProfile>> ReadNabProfiles(const std::string& data_dir);

std::string NabResultPath(const std::string& results_dir, const std::string& detector,
                          const std::string& relative_file);

// Runs a fresh detector over every data file and writes the result files. `progress` gets
// one line per file.
Status RunNab(const std::string& data_dir, const std::string& detector,
              const detectors::DetectorParams& params, const std::string& results_dir,
              const std::function<void(const std::string&)>& progress);

// Reads the result files of `detector` and scores them with every profile.
Result<std::vector<NabResult>> ScoreNab(const std::string& data_dir, const std::string& results_dir,
                                        const std::string& detector);

}  // namespace kubeheal::detect_cli
