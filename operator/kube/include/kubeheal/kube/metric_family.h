#pragma once

#include <string>

#include <prometheus/family.h>
#include <prometheus/registry.h>

namespace kubeheal::kube {

// Registers a metric family of type Metric (prometheus::Counter, Gauge, Histogram) in one call:
// prometheus::BuildCounter(), BuildGauge() and BuildHistogram() each return this builder.
template <typename Metric>
prometheus::Family<Metric>& RegisterFamily(prometheus::Registry& registry, const std::string& name,
                                           const std::string& help) {
  return prometheus::detail::Builder<Metric>().Name(name).Help(help).Register(registry);
}

}  // namespace kubeheal::kube
