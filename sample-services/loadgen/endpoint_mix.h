#pragma once

#include <string>
#include <vector>

#include "kubeheal/common/random.h"
#include "kubeheal/common/result.h"
#include "kubeheal/sample_http/http_client.h"

namespace kubeheal::samples {

// Which requests a run sends, with weights: "GET /users/{id}=5,POST /orders=1".
// `{id}` in a path becomes a random id in [1, id_range]. POST and PUT to the sample services'
// collections get a valid generated body (/orders, /orders/quote, /payments, /users,
// /users/{id}); any other gets `{}`.
class EndpointMix {
 public:
  struct Endpoint {
    std::string method;
    std::string path;
    double weight = 1;
  };

  static Result<EndpointMix> Parse(const std::string& text, long id_range);

  // Picks an endpoint by weight and builds its request. Thread-safe if `random` is.
  ClientRequest Build(RandomSource& random) const;
  const std::vector<Endpoint>& endpoints() const { return endpoints_; }

 private:
  std::vector<Endpoint> endpoints_;
  double total_weight_ = 0;
  long id_range_ = 100;
};

}  // namespace kubeheal::samples
