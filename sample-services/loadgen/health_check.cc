#include "health_check.h"

namespace kubeheal::samples {

Result<std::vector<ServiceTarget>> ParseServiceTargets(const std::string& text) {
  std::vector<ServiceTarget> targets;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::Invalid("--services entry '" + item + "' must be NAME=URL");
    }
    auto url = ParseHttpUrl(item.substr(eq + 1));
    if (!url) return Error::Invalid("--services entry '" + item + "': " + url.error().message);
    targets.push_back(ServiceTarget{item.substr(0, eq), *url, item.substr(eq + 1)});
  }
  if (targets.empty()) return Error::Invalid("--services lists no service");
  return targets;
}

std::vector<HealthResult> CheckHealth(
    const std::vector<ServiceTarget>& targets,
    const std::function<std::unique_ptr<HttpClient>(const HttpUrl&)>& make_client,
    std::chrono::milliseconds timeout) {
  std::vector<HealthResult> results;
  for (const ServiceTarget& target : targets) {
    HealthResult result{target.name, target.text, false, ""};
    auto client = make_client(target.url);
    auto response =
        client->Send(ClientRequest{"GET", target.url.base_path + "/health", "", timeout});
    if (!response) {
      result.detail = response.error().message;
    } else {
      result.healthy = response->status >= 200 && response->status < 300;
      result.detail = "HTTP " + std::to_string(response->status);
    }
    results.push_back(result);
  }
  return results;
}

}  // namespace kubeheal::samples
