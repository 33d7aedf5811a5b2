#include "endpoint_mix.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

namespace kubeheal::samples {

namespace {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  size_t b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

long RandomId(RandomSource& random, long range) {
  return 1 + static_cast<long>(random.Uniform01() * static_cast<double>(range));
}

std::string BodyFor(const std::string& method, const std::string& pattern, RandomSource& random,
                    long id_range) {
  if (method != "POST" && method != "PUT") return "";
  if (pattern == "/orders" || pattern == "/orders/quote") {
    int items = 1 + static_cast<int>(random.Uniform01() * 3);
    nlohmann::json list = nlohmann::json::array();
    for (int i = 0; i < items; ++i) {
      list.push_back({{"sku", "SKU-" + std::to_string(RandomId(random, 500))},
                      {"quantity", 1 + static_cast<int>(random.Uniform01() * 4)},
                      {"unit_price", 5.0 + static_cast<int>(random.Uniform01() * 9500) / 100.0}});
    }
    return nlohmann::json{{"user_id", RandomId(random, id_range)}, {"items", list}}.dump();
  }
  if (pattern == "/payments") {
    return nlohmann::json{{"order_id", RandomId(random, 1000000)},
                          {"amount", 1.0 + static_cast<int>(random.Uniform01() * 50000) / 100.0},
                          {"currency", "EUR"}}
        .dump();
  }
  if (pattern == "/users" || pattern == "/users/{id}") {
    long n = static_cast<long>(random.Uniform01() * 1e12);
    return nlohmann::json{{"name", "load " + std::to_string(n)},
                          {"email", "load" + std::to_string(n) + "@example.com"}}
        .dump();
  }
  return "{}";
}

}  // namespace

Result<EndpointMix> EndpointMix::Parse(const std::string& text, long id_range) {
  EndpointMix mix;
  mix.id_range_ = id_range < 1 ? 1 : id_range;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    Endpoint endpoint;
    size_t eq = item.rfind('=');
    if (eq != std::string::npos) {
      char* end = nullptr;
      std::string weight = Trim(item.substr(eq + 1));
      endpoint.weight = std::strtod(weight.c_str(), &end);
      if (weight.empty() || *end != '\0' || !(endpoint.weight > 0)) {
        return Error::Invalid("--mix entry '" + item + "': weight must be a positive number");
      }
      item = Trim(item.substr(0, eq));
    }
    size_t space = item.find(' ');
    if (space == std::string::npos) {
      return Error::Invalid("--mix entry '" + item + "' must be 'METHOD /path[=weight]'");
    }
    endpoint.method = item.substr(0, space);
    endpoint.path = Trim(item.substr(space + 1));
    static const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"};
    bool known = false;
    for (const char* m : kMethods) known |= endpoint.method == m;
    if (!known)
      return Error::Invalid("--mix entry '" + item + "': unknown method '" + endpoint.method + "'");
    if (endpoint.path.empty() || endpoint.path[0] != '/') {
      return Error::Invalid("--mix entry '" + item + "': path must start with '/'");
    }
    mix.total_weight_ += endpoint.weight;
    mix.endpoints_.push_back(endpoint);
  }
  if (mix.endpoints_.empty()) return Error::Invalid("--mix lists no endpoint");
  return mix;
}

ClientRequest EndpointMix::Build(RandomSource& random) const {
  double pick = random.Uniform01() * total_weight_;
  const Endpoint* chosen = &endpoints_.back();
  for (const Endpoint& e : endpoints_) {
    if (pick < e.weight) {
      chosen = &e;
      break;
    }
    pick -= e.weight;
  }
  ClientRequest request;
  request.method = chosen->method;
  request.target = chosen->path;
  if (size_t at = request.target.find("{id}"); at != std::string::npos) {
    request.target.replace(at, 4, std::to_string(RandomId(random, id_range_)));
  }
  request.body = BodyFor(chosen->method, chosen->path, random, id_range_);
  return request;
}

}  // namespace kubeheal::samples
