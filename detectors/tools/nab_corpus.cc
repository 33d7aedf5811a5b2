#include "nab_corpus.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "series_csv.h"

namespace kubeheal::detect_cli {
namespace fs = std::filesystem;

Result<std::vector<std::string>> ListNabDataFiles(const std::string& data_dir) {
  const fs::path root = fs::path(data_dir) / "data";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Error::Invalid(root.string() +
                          ": not a directory (expected the NAB layout DIR/data/<category>/)");
  }
  std::vector<std::string> files;
  for (const auto& category : fs::directory_iterator(root, ec)) {
    if (!category.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(category.path(), ec)) {
      if (file.is_regular_file() && file.path().extension() == ".csv") {
        files.push_back(category.path().filename().string() + "/" +
                        file.path().filename().string());
      }
    }
  }
  if (ec) return Error::Invalid(root.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) return Error::Invalid(root.string() + ": no <category>/<file>.csv files");
  return files;
}

Result<NabWindows> ReadNabWindows(const std::string& data_dir) {
  const std::string path = (fs::path(data_dir) / "labels" / "combined_windows.json").string();
  std::ifstream in(path);
  if (!in) return Error::Invalid(path + ": cannot open for reading");
  nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Error::Invalid(path + ": not a JSON object of file name -> windows");
  }
  NabWindows windows;
  for (const auto& [file, list] : json.items()) {
    if (!list.is_array())
      return Error::Invalid(path + ": windows of '" + file + "' are not a list");
    auto& out = windows[file];
    for (const auto& window : list) {
      if (!window.is_array() || window.size() != 2 || !window[0].is_string() ||
          !window[1].is_string()) {
        return Error::Invalid(path + ": a window of '" + file + "' is not [start, end]");
      }
      auto start = ParseTimestamp(window[0].get<std::string>());
      auto end = ParseTimestamp(window[1].get<std::string>());
      if (!start || !end)
        return Error::Invalid(path + ": a window of '" + file + "' has a bad timestamp");
      out.emplace_back(*start, *end);
    }
  }
  return windows;
}

Result<std::vector<NabProfile>> ReadNabProfiles(const std::string& data_dir) {
  std::string path = (fs::path(data_dir) / "profiles.json").string();
  std::error_code ec;
  if (!fs::exists(path, ec)) path = (fs::path(data_dir) / "config" / "profiles.json").string();
  if (!fs::exists(path, ec)) return StandardNabProfiles();
  std::ifstream in(path);
  nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return Error::Invalid(path + ": not a JSON object");
  std::vector<NabProfile> profiles;
  for (const auto& [name, body] : json.items()) {
    const auto costs = body.find("CostMatrix");
    if (costs == body.end())
      return Error::Invalid(path + ": profile '" + name + "' has no CostMatrix");
    NabProfile p{name};
    for (auto [key, field] :
         {std::pair{"tpWeight", &p.tp_weight}, std::pair{"fpWeight", &p.fp_weight},
          std::pair{"fnWeight", &p.fn_weight}}) {
      const auto it = costs->find(key);
      if (it == costs->end() || !it->is_number()) {
        return Error::Invalid(path + ": profile '" + name + "' lacks a numeric " + key);
      }
      *field = it->get<double>();
    }
    profiles.push_back(p);
  }
  // Report in the published order when the usual three are present.
  auto rank = [](const NabProfile& p) {
    if (p.name == "standard") return 0;
    if (p.name == "reward_low_FP_rate") return 1;
    if (p.name == "reward_low_FN_rate") return 2;
    return 3;
  };
  std::stable_sort(profiles.begin(), profiles.end(),
                   [&](const NabProfile& a, const NabProfile& b) { return rank(a) < rank(b); });
  return profiles;
}

std::string NabResultPath(const std::string& results_dir, const std::string& detector,
                          const std::string& relative_file) {
  const fs::path rel(relative_file);
  return (fs::path(results_dir) / rel.parent_path() / (detector + "_" + rel.filename().string()))
      .string();
}

Status RunNab(const std::string& data_dir, const std::string& detector,
              const detectors::DetectorParams& params, const std::string& results_dir,
              const std::function<void(const std::string&)>& progress) {
  auto files = ListNabDataFiles(data_dir);
  if (!files) return files.error();
  {
    auto probe = detectors::CreateDetector(detector, params);
    if (!probe) return probe.error();
  }
  std::size_t done = 0;
  for (const std::string& rel : *files) {
    const auto started = std::chrono::steady_clock::now();
    auto csv = ReadSeriesCsv((fs::path(data_dir) / "data" / rel).string());
    if (!csv) return csv.error();
    auto made = detectors::CreateDetector(detector, params);
    if (!made) return made.error();
    detectors::Detector& d = **made;
    const std::string out_path = NabResultPath(results_dir, detector, rel);
    std::error_code ec;
    fs::create_directories(fs::path(out_path).parent_path(), ec);
    std::ofstream out(out_path);
    if (!out) return Error::Invalid(out_path + ": cannot open for writing");
    out << "timestamp,value,anomaly_score\n";
    char buf[64];
    // NAB scores rows in file order, and a few real files step their clock back an hour;
    // feeding the clamped time keeps those rows instead of having them rejected.
    double clock = csv->timestamps.empty() ? 0 : csv->timestamps.front();
    for (std::size_t i = 0; i < csv->values.size(); ++i) {
      clock = std::max(clock, csv->timestamps[i]);
      const double score = d.Update(clock, csv->values[i]).score;
      std::snprintf(buf, sizeof buf, ",%.17g,%.17g\n", csv->values[i], score);
      out << csv->timestamp_texts[i] << buf;
    }
    out.close();
    if (!out) return Error::Invalid(out_path + ": write failed");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char line[512];
    std::snprintf(line, sizeof line, "[%zu/%zu] %s: %zu rows in %.2f s", ++done, files->size(),
                  rel.c_str(), csv->values.size(), seconds);
    progress(line);
  }
  return {};
}

Result<std::vector<NabResult>> ScoreNab(const std::string& data_dir, const std::string& results_dir,
                                        const std::string& detector) {
  auto windows = ReadNabWindows(data_dir);
  if (!windows) return windows.error();
  auto profiles = ReadNabProfiles(data_dir);
  if (!profiles) return profiles.error();
  auto files = ListNabDataFiles(data_dir);
  if (!files) return files.error();
  std::vector<NabFile> corpus;
  for (const std::string& rel : *files) {
    const std::string path = NabResultPath(results_dir, detector, rel);
    auto csv = ReadSeriesCsv(path);
    if (!csv) return csv.error();
    NabFile file;
    file.name = rel;
    file.timestamps = csv->timestamps;
    // The anomaly_score column is the third; re-read it from the lines.
    file.scores.reserve(csv->lines.size());
    for (std::size_t i = 0; i < csv->lines.size(); ++i) {
      const std::string& line = csv->lines[i];
      const std::size_t comma = line.rfind(',');
      double score = 0;
      const char* first = line.data() + (comma == std::string::npos ? line.size() : comma + 1);
      const char* last = line.data() + line.size();
      auto [end, ec] = std::from_chars(first, last, score);
      if (comma == std::string::npos || ec != std::errc() || end != last || !(score >= 0)) {
        return Error::Invalid(path + ":" + std::to_string(i + 2) +
                              ": anomaly_score is not a number >= 0");
      }
      file.scores.push_back(score);
    }
    const auto it = windows->find(rel);
    if (it == windows->end())
      return Error::Invalid(rel + ": no entry in labels/combined_windows.json");
    file.windows = it->second;
    corpus.push_back(std::move(file));
  }
  std::vector<NabResult> results;
  for (const NabProfile& p : *profiles) results.push_back(ScoreNabCorpus(corpus, p));
  return results;
}

}  // namespace kubeheal::detect_cli
