#include "detect_command.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>

#include "kubeheal/detectors/detector_factory.h"
#include "nab_corpus.h"
#include "series_csv.h"

namespace kubeheal::detect_cli {
namespace {

constexpr const char* kUsage = R"(usage:
  kubeheal-detect score --detector NAME [--set key=value ...] --input F.csv --output G.csv
      adds anomaly_score,low,high,severity columns to a timestamp,value CSV
  kubeheal-detect nab --data DIR --detector NAME [--set key=value ...] --results OUT
      runs the detector over DIR/data/<category>/<file>.csv, writes
      OUT/<category>/<NAME>_<file>.csv (timestamp,value,anomaly_score); progress on stderr
  kubeheal-detect nab-score --data DIR --results OUT --detector NAME
      scores those results with the NAB rules, all profiles, per category
detectors: threshold zscore ewma movingAverage mad isolationForest burnRate trend default
)";

struct Options {
  std::map<std::string, std::string> flags;
  detectors::DetectorParams params;
};

// Parses "--flag value" pairs; "--set k=v" may repeat. Returns an error message or "".
std::string ParseOptions(const std::vector<std::string>& args,
                         const std::vector<std::string>& allowed, Options& options) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag.rfind("--", 0) != 0) return "unexpected argument '" + flag + "'";
    std::string name = flag.substr(2), value;
    const std::size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) return "flag --" + name + " needs a value";
      value = args[++i];
    }
    if (name == "set") {
      const std::size_t sep = value.find('=');
      if (sep == std::string::npos || sep == 0) return "--set needs key=value, got '" + value + "'";
      options.params[value.substr(0, sep)] = value.substr(sep + 1);
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return "unknown flag --" + name;
    }
    options.flags[name] = value;
  }
  for (const std::string& name : allowed) {
    if (!options.flags.count(name)) return "missing flag --" + name;
  }
  return "";
}

int Score(const Options& o, std::ostream& err) {
  auto detector = detectors::CreateDetector(o.flags.at("detector"), o.params);
  if (!detector) {
    err << "kubeheal-detect: " << detector.error().message << "\n";
    return 2;
  }
  auto csv = ReadSeriesCsv(o.flags.at("input"));
  if (!csv) {
    err << "kubeheal-detect: " << csv.error().message << "\n";
    return 1;
  }
  const std::string& output = o.flags.at("output");
  std::ofstream out(output);
  if (!out) {
    err << "kubeheal-detect: " << output << ": cannot open for writing\n";
    return 1;
  }
  out << csv->header << ",anomaly_score,low,high,severity\n";
  char buf[128];
  for (std::size_t i = 0; i < csv->lines.size(); ++i) {
    const auto a = (*detector)->Update(csv->timestamps[i], csv->values[i]);
    std::snprintf(buf, sizeof buf, ",%.6g,%.9g,%.9g,", a.score, a.low, a.high);
    out << csv->lines[i] << buf << detectors::SeverityName(a.severity) << "\n";
  }
  out.close();
  if (!out) {
    err << "kubeheal-detect: " << output << ": write failed\n";
    return 1;
  }
  return 0;
}

int Nab(const Options& o, std::ostream& err) {
  Status s = RunNab(o.flags.at("data"), o.flags.at("detector"), o.params, o.flags.at("results"),
                    [&err](const std::string& line) { err << line << "\n"
                                                          << std::flush; });
  if (!s) {
    err << "kubeheal-detect: " << s.error().message << "\n";
    return 1;
  }
  return 0;
}

int NabScore(const Options& o, std::ostream& out, std::ostream& err) {
  auto results = ScoreNab(o.flags.at("data"), o.flags.at("results"), o.flags.at("detector"));
  if (!results) {
    err << "kubeheal-detect: " << results.error().message << "\n";
    return 1;
  }
  char line[256];
  out << "NAB scores of '" << o.flags.at("detector") << "' (" << results->front().files.size()
      << " files)\n";
  for (const NabResult& r : *results) {
    int tp = 0, fn = 0, fp = 0;
    for (const auto& f : r.files) {
      tp += f.true_positives;
      fn += f.false_negatives;
      fp += f.false_positives;
    }
    std::snprintf(line, sizeof line,
                  "%-20s score %6.2f  threshold %.6g  raw %.3f (null %.1f, perfect %.1f)  "
                  "windows detected %d/%d, false positives %d\n",
                  r.profile.c_str(), r.normalized_score, r.threshold, r.raw_score, r.null_score,
                  r.perfect_score, tp, tp + fn, fp);
    out << line;
  }
  // Per category at each profile's own threshold: where the points are won and lost.
  for (const NabResult& r : *results) {
    out << "per category (" << r.profile << "):\n";
    std::map<std::string, NabFileResult> categories;
    for (const auto& f : r.files) {
      NabFileResult& c = categories[f.name.substr(0, f.name.find('/'))];
      c.raw_score += f.raw_score;
      c.true_positives += f.true_positives;
      c.false_negatives += f.false_negatives;
      c.false_positives += f.false_positives;
      c.windows += f.windows;
    }
    for (const auto& [name, c] : categories) {
      std::snprintf(line, sizeof line, "  %-24s raw %8.3f  detected %2d/%2d  false positives %d\n",
                    name.c_str(), c.raw_score, c.true_positives, c.windows, c.false_positives);
      out << line;
    }
  }
  return 0;
}

}  // namespace

int RunDetectCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& command = args[0];
  std::vector<std::string> allowed;
  if (command == "score") {
    allowed = {"detector", "input", "output"};
  } else if (command == "nab") {
    allowed = {"data", "detector", "results"};
  } else if (command == "nab-score") {
    allowed = {"data", "results", "detector"};
  } else {
    err << "kubeheal-detect: unknown command '" << command << "'\n" << kUsage;
    return 2;
  }
  Options options;
  if (std::string problem = ParseOptions(args, allowed, options); !problem.empty()) {
    err << "kubeheal-detect " << command << ": " << problem << "\n" << kUsage;
    return 2;
  }
  if (command == "nab-score" && !options.params.empty()) {
    err << "kubeheal-detect nab-score: --set does not apply to scoring\n";
    return 2;
  }
  if (command == "score") return Score(options, err);
  if (command == "nab") return Nab(options, err);
  return NabScore(options, out, err);
}

}  // namespace kubeheal::detect_cli
