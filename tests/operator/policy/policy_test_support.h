#pragma once

// Builders shared by the decision-engine tests: a policy with one signal of each kind and the
// default playbook, observations, and an engine on a FakeClock.
#include <memory>
#include <string>
#include <vector>

#include "kubeheal/common/fake_clock.h"
#include "kubeheal/policy/decision_engine.h"

namespace kubeheal::policy::testing_support {

inline Rule MakeRule(std::string name, Pattern pattern, std::vector<ActionType> actions,
                     std::vector<std::string> signals = {}) {
  Rule r;
  r.name = std::move(name);
  r.pattern = pattern;
  r.actions = std::move(actions);
  r.signals = std::move(signals);
  return r;
}

inline PolicySpec SeedPolicy() {
  PolicySpec spec;
  spec.namespace_name = "shop";
  spec.name = "orders";
  spec.signals = {
      {"latency", "histogram_quantile(0.99, ...)", Pattern::kLatency, Seconds(30)},
      {"errors", "sum(rate(errors[1m]))", Pattern::kErrors, Seconds(30)},
      {"traffic", "sum(rate(requests[1m]))", Pattern::kTraffic, Seconds(30)},
      {"memory", "container_memory_working_set_bytes", Pattern::kMemory, Seconds(30)},
  };
  spec.guardrails.cooldown = Seconds(300);
  spec.guardrails.max_actions_per_hour = 0;
  spec.pod_failure_for = Seconds(30);
  return spec;
}

// Every signal of SeedPolicy normal unless marked anomalous; 3 replicas, all ready.
class ObservationBuilder {
 public:
  ObservationBuilder() {
    for (const char* name : {"latency", "errors", "traffic", "memory"}) {
      SignalObservation s;
      s.name = name;
      s.value = 1.0;
      s.expected_low = 0.5;
      s.expected_high = 1.5;
      obs_.signals.push_back(s);
    }
    obs_.workload.current_replicas = 3;
  }
  ObservationBuilder& High(const std::string& name, double value = 10.0) {
    auto& s = Get(name);
    s.value = value;
    s.anomalous = true;
    s.score = 6;
    s.severity = Severity::kCritical;
    s.explanation = name + " far above its band";
    return *this;
  }
  ObservationBuilder& Low(const std::string& name) {
    auto& s = Get(name);
    s.value = 0.01;
    s.anomalous = true;
    return *this;
  }
  ObservationBuilder& Missing(const std::string& name) {
    Get(name).available = false;
    return *this;
  }
  ObservationBuilder& Crashing(int pods) {
    obs_.workload.crashing_pods = pods;
    return *this;
  }
  ObservationBuilder& NotReady(int pods) {
    obs_.workload.not_ready_pods = pods;
    return *this;
  }
  ObservationBuilder& Replicas(int n) {
    obs_.workload.current_replicas = n;
    return *this;
  }
  Observation Build() const { return obs_; }
  operator Observation() const { return obs_; }  // NOLINT(google-explicit-constructor)

 private:
  SignalObservation& Get(const std::string& name) {
    for (auto& s : obs_.signals) {
      if (s.name == name) return s;
    }
    throw std::invalid_argument("no signal " + name);
  }
  Observation obs_;
};

inline ObservationBuilder Obs() { return ObservationBuilder(); }

// An engine with its clock, budget and one policy's state; Step advances time and evaluates.
struct EngineHarness {
  explicit EngineHarness(int global_budget = 0, EngineOptions options = {})
      : clock(std::make_shared<FakeClock>()),
        budget(std::make_shared<GlobalBudget>(global_budget)),
        engine(clock, budget, std::move(options)) {}

  Evaluation Evaluate(const Observation& obs) {
    auto r = engine.Evaluate(spec, obs, state);
    if (!r.ok()) throw std::runtime_error(r.error().ToString());
    for (const auto& d : r->decisions) all_decisions.push_back(d);
    return std::move(r).value();
  }
  Evaluation Step(std::chrono::seconds advance, const Observation& obs) {
    clock->Advance(advance);
    return Evaluate(obs);
  }
  // Evaluates every `interval` for `total`, with the same observation; returns all decisions.
  std::vector<Decision> Run(std::chrono::seconds total, std::chrono::seconds interval,
                            const Observation& obs) {
    std::vector<Decision> out;
    for (auto t = std::chrono::seconds(0); t < total; t += interval) {
      for (auto& d : Step(interval, obs).decisions) {
        out.push_back(d);
        if (!d.dry_run) Succeed(d);
      }
    }
    return out;
  }
  // The first action on `obs`: seen at once, held for SeedPolicy's `for` (30 s), acted on and
  // reported as succeeded.
  Decision ActOnce(const Observation& obs) {
    Step(std::chrono::seconds(0), obs);
    Decision d = Step(std::chrono::seconds(30), obs).decisions.at(0);
    Succeed(d);
    return d;
  }
  void Succeed(const Decision& d) {
    if (!engine.ReportOutcome(state, d.id, Outcome::kSucceeded, "done").ok()) {
      throw std::runtime_error("unknown decision " + d.id);
    }
  }

  std::shared_ptr<FakeClock> clock;
  std::shared_ptr<GlobalBudget> budget;
  DecisionEngine engine;
  PolicySpec spec = SeedPolicy();
  PolicyState state;
  std::vector<Decision> all_decisions;
};

}  // namespace kubeheal::policy::testing_support
