#include "kubeheal/controllers/policy_detectors.h"

#include "kubeheal/controllers/policy_translation.h"
#include "kubeheal/detectors/detector_factory.h"

namespace kubeheal::controllers {

PolicyDetectors::PolicyDetectors(const std::vector<api::SignalSpec>& signals) {
  for (const auto& s : signals) {
    Entry e;
    if (s.params.is_object() && s.params.contains("direction") &&
        s.params["direction"].is_string()) {
      e.direction = s.params["direction"].get<std::string>();
    }
    auto d = detectors::CreateDetector(s.detector, ToDetectorParams(s.params));
    if (d.ok()) {
      e.detector = std::move(d.value());
    } else {
      e.error = d.error().message;
    }
    entries_[s.name] = std::move(e);
  }
}

bool PolicyDetectors::Has(const std::string& signal) const {
  auto it = entries_.find(signal);
  return it != entries_.end() && it->second.detector != nullptr;
}

std::string PolicyDetectors::BuildError(const std::string& signal) const {
  auto it = entries_.find(signal);
  return it == entries_.end() ? "no such signal" : it->second.error;
}

bool PolicyDetectors::Warmed(const std::string& signal) const {
  auto it = entries_.find(signal);
  return it != entries_.end() && it->second.warmed;
}

void PolicyDetectors::MarkWarmed(const std::string& signal) {
  auto it = entries_.find(signal);
  if (it != entries_.end()) it->second.warmed = true;
}

detectors::Assessment PolicyDetectors::Feed(const std::string& signal, double ts, double value) {
  auto it = entries_.find(signal);
  if (it == entries_.end() || !it->second.detector) return {};
  auto& e = it->second;
  if (ts <= e.last_timestamp) return e.last;
  e.last_timestamp = ts;
  auto a = e.detector->Update(ts, value);
  const bool wrong_way = (e.direction == "above" && value <= a.high) ||
                         (e.direction == "below" && value >= a.low);
  if (a.anomalous && wrong_way) {
    a.anomalous = false;
    a.severity = detectors::Severity::kNormal;
    a.score = std::min(a.score, 0.49);
    a.explanation += " (ignored: direction " + e.direction + ")";
  }
  e.last = a;
  return a;
}

}  // namespace kubeheal::controllers
