#include "kubeheal/prom/prometheus_client_impl.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <future>
#include <system_error>
#include <vector>

#include <cpprest/http_client.h>
#include <cpprest/uri.h>

#include "kubeheal/common/no_redirects.h"
#include "kubeheal/prom/response_parser.h"

namespace kubeheal::prom {
namespace {

namespace http = web::http;
using utility::conversions::to_string_t;
using utility::conversions::to_utf8string;

// Prometheus accepts float seconds for times, steps and timeouts; millisecond precision is what
// it keeps.
std::string Seconds(std::chrono::milliseconds d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string EpochSeconds(Clock::TimePoint t) {
  return Seconds(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()));
}

void AddField(std::string* form, const std::string& key, const std::string& value) {
  if (!form->empty()) *form += '&';
  *form += key + '=' + to_utf8string(web::uri::encode_data_string(to_string_t(value)));
}

std::string Quoted(const std::string& expr) {
  constexpr size_t kMax = 120;
  return "\"" + (expr.size() > kMax ? expr.substr(0, kMax) + "..." : expr) + "\"";
}

// cpprestsdk reports transport failures as http_exception; classify them so callers can retry
// what may pass later (refused, reset, timed out) and stop on what will not (TLS trust).
Error TransportError(const std::string& context, const http::http_exception& e) {
  const std::error_code ec = e.error_code();
  const std::string what = e.what();
  if (ec == std::errc::timed_out || ec.value() == ETIMEDOUT) {
    return Error::Retryable("Timeout",
                            context + ": no answer from Prometheus in time (" + what + ")");
  }
  // cpprestsdk reports a refused connection as "Failed to connect to any resolved endpoint"
  // with EHOSTUNREACH once every resolved address failed.
  if (ec.value() == ECONNREFUSED || ec.value() == EHOSTUNREACH ||
      what.find("Failed to connect") != std::string::npos) {
    return Error::Retryable("Unavailable",
                            context +
                                ": cannot connect to Prometheus (connection refused or "
                                "host unreachable: " +
                                what + ")");
  }
  if (what.find("certificate") != std::string::npos ||
      what.find("handshake") != std::string::npos) {
    return Error::Terminal("TlsError", context + ": TLS failure (" + what + ")");
  }
  return Error::Retryable("Unavailable",
                          context + ": " + what + (ec ? " (" + ec.message() + ")" : std::string()));
}

using SteadyTime = std::chrono::steady_clock::time_point;

// Waits for `task` until `deadline`: its value (or its exception, rethrown), nullopt when the
// deadline passed first. The task goes on by itself; what it touches must outlive this call
// (callers capture shared_ptrs and cancel it).
template <typename T>
std::optional<T> WaitUntil(pplx::task<T> task, SteadyTime deadline) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  // The continuation observes the task's exception too (pplx raises SIGTRAP for a task whose
  // exception nobody looked at, as an abandoned one that was cancelled would be).
  task.then([done](pplx::task<T> t) {
    try {
      t.wait();
    } catch (...) {
    }
    done->set_value();
  });
  if (finished.wait_until(deadline) == std::future_status::timeout) return std::nullopt;
  return task.get();
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// Releases a query slot when the call ends, however it ends.
class SlotRelease {
 public:
  explicit SlotRelease(std::counting_semaphore<>* slots) : slots_(slots) {}
  ~SlotRelease() { slots_->release(); }
  SlotRelease(const SlotRelease&) = delete;
  SlotRelease& operator=(const SlotRelease&) = delete;

 private:
  std::counting_semaphore<>* slots_;
};

}  // namespace

Result<std::unique_ptr<PrometheusClientImpl>> PrometheusClientImpl::Create(
    PrometheusClientOptions options) {
  if (options.url.empty()) {
    return Error::Terminal("InvalidArgument", "prometheus url is empty");
  }
  if (!web::uri::validate(to_string_t(options.url))) {
    return Error::Terminal("InvalidArgument",
                           "prometheus url \"" + options.url + "\" is not a URL");
  }
  const web::uri base(to_string_t(options.url));
  const std::string scheme = to_utf8string(base.scheme());
  if (scheme != "http" && scheme != "https") {
    return Error::Terminal("InvalidArgument", "prometheus url \"" + options.url +
                                                  "\" must start with http:// or https://");
  }
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file).good()) {
    return Error::Terminal("InvalidArgument",
                           "prometheus CA file \"" + options.ca_file + "\" cannot be read");
  }
  if (options.request_timeout <= std::chrono::milliseconds(0)) {
    return Error::Terminal("InvalidArgument", "prometheus request timeout must be positive");
  }
  if (options.max_response_bytes == 0) {
    return Error::Terminal("InvalidArgument", "prometheus response size cap must be positive");
  }
  if (options.max_concurrent_queries < 1) {
    return Error::Terminal("InvalidArgument",
                           "prometheus concurrent queries must be at least 1, got " +
                               std::to_string(options.max_concurrent_queries));
  }
  http::client::http_client_config config = NoRedirectsConfig();
  config.set_timeout(options.request_timeout);
  config.set_validate_certificates(true);
  if (!options.ca_file.empty()) {
    const std::string ca_file = options.ca_file;
    config.set_ssl_context_callback([ca_file](boost::asio::ssl::context& ctx) {
      boost::system::error_code
          ignored;  // checked readable in Create; a bad PEM fails the handshake
      ctx.load_verify_file(ca_file, ignored);
    });
  }
  std::unique_ptr<http::client::http_client> client;
  try {
    client = std::make_unique<http::client::http_client>(base, config);
  } catch (const std::exception& e) {
    return Error::Terminal("InvalidArgument",
                           "prometheus url \"" + options.url + "\": " + e.what());
  }
  return std::unique_ptr<PrometheusClientImpl>(
      new PrometheusClientImpl(std::move(options), std::move(client)));
}

PrometheusClientImpl::PrometheusClientImpl(PrometheusClientOptions options,
                                           std::unique_ptr<http::client::http_client> http)
    : options_(std::move(options)),
      http_(std::move(http)),
      slots_(static_cast<std::ptrdiff_t>(options_.max_concurrent_queries)) {}

PrometheusClientImpl::~PrometheusClientImpl() = default;

Result<QueryResult> PrometheusClientImpl::Query(const InstantQuery& query) {
  const std::string context = "query " + Quoted(query.expr);
  if (query.expr.empty()) return Error::Terminal("InvalidArgument", context + ": empty expression");
  std::string form;
  AddField(&form, "query", query.expr);
  if (query.time) AddField(&form, "time", EpochSeconds(*query.time));
  if (query.timeout.count() > 0) AddField(&form, "timeout", Seconds(query.timeout));
  return Post("api/v1/query", form, context, query.timeout);
}

Result<QueryResult> PrometheusClientImpl::QueryRange(const RangeQuery& query) {
  const std::string context = "range query " + Quoted(query.expr);
  if (query.expr.empty()) return Error::Terminal("InvalidArgument", context + ": empty expression");
  if (query.step.count() <= 0) {
    return Error::Terminal("InvalidArgument", context + ": step must be positive");
  }
  if (query.end < query.start) {
    return Error::Terminal("InvalidArgument", context + ": end is before start");
  }
  std::string form;
  AddField(&form, "query", query.expr);
  AddField(&form, "start", EpochSeconds(query.start));
  AddField(&form, "end", EpochSeconds(query.end));
  AddField(&form, "step", Seconds(query.step));
  if (query.timeout.count() > 0) AddField(&form, "timeout", Seconds(query.timeout));
  return Post("api/v1/query_range", form, context, query.timeout);
}

Result<QueryResult> PrometheusClientImpl::Post(const std::string& path,
                                               const std::string& form_body,
                                               const std::string& context,
                                               std::chrono::milliseconds query_timeout) {
  // One deadline for the whole call. A query with a server-side timeout gets one more second
  // for the server's own "timeout" answer to arrive.
  std::chrono::milliseconds budget = options_.request_timeout;
  if (query_timeout.count() > 0) {
    budget = std::min(budget, query_timeout + std::chrono::seconds(1));
  }
  const SteadyTime deadline = std::chrono::steady_clock::now() + budget;
  const auto timed_out = [&](const std::string& what) {
    return Error::Retryable("Timeout",
                            context + ": " + what + " within the deadline of " + Millis(budget));
  };
  if (!slots_.try_acquire_until(deadline)) {
    return timed_out("no free query slot (" + std::to_string(options_.max_concurrent_queries) +
                     " queries to this Prometheus in flight)");
  }
  SlotRelease release(&slots_);

  http::http_request request(http::methods::POST);
  request.set_request_uri(to_string_t(path));
  request.headers().add(to_string_t("Accept"), to_string_t("application/json"));
  if (!options_.bearer_token.empty()) {
    request.headers().add(to_string_t("Authorization"),
                          to_string_t("Bearer " + options_.bearer_token));
  }
  // Bodies go in and out as byte vectors: cpprestsdk's std::string overloads cast a
  // streambuf<char> to streambuf<unsigned char>, which UBSan rightly reports.
  request.set_body(std::vector<unsigned char>(form_body.begin(), form_body.end()));
  request.headers().set_content_type(to_string_t("application/x-www-form-urlencoded"));
  // Cancelling closes the connection, so a server still sending stops costing memory.
  pplx::cancellation_token_source cancel;
  const auto too_large = [&](const std::string& size) {
    cancel.cancel();
    return Error::Terminal("ResponseTooLarge",
                           context + ": the answer is " + size + ", over the limit of " +
                               std::to_string(options_.max_response_bytes) +
                               " bytes: narrow the query (aggregate with sum/max by) or raise "
                               "--prometheus-max-response-bytes");
  };
  try {
    auto answered = WaitUntil(http_->request(request, cancel.get_token()), deadline);
    if (!answered) {
      cancel.cancel();
      return timed_out("no answer from Prometheus");
    }
    http::http_response response = *answered;
    if (auto refused = RedirectRefused(response, context)) {
      cancel.cancel();
      return *refused;
    }
    const auto length = response.headers().content_length();
    if (length > options_.max_response_bytes) {
      return too_large(std::to_string(length) + " bytes (Content-Length)");
    }
    // The body in chunks, each waited for against the deadline and the size cap.
    std::string body;
    auto buffer = response.body().streambuf();
    auto chunk = std::make_shared<std::vector<unsigned char>>(std::size_t{64} * 1024);
    for (;;) {
      // The continuation keeps the chunk alive while a read abandoned at the deadline ends.
      auto n = WaitUntil(
          buffer.getn(chunk->data(), chunk->size()).then([chunk](size_t read) { return read; }),
          deadline);
      if (!n) {
        cancel.cancel();
        return timed_out("the answer was not complete (" + std::to_string(body.size()) +
                         " bytes read)");
      }
      if (*n == 0) break;
      if (body.size() + *n > options_.max_response_bytes) {
        return too_large("more than " + std::to_string(body.size() + *n) + " bytes");
      }
      body.append(chunk->begin(), chunk->begin() + static_cast<std::ptrdiff_t>(*n));
    }
    return ParseQueryResponse(response.status_code(), body, context);
  } catch (const http::http_exception& e) {
    return TransportError(context, e);
  } catch (const pplx::task_canceled&) {
    return timed_out("no answer from Prometheus");
  } catch (const std::exception& e) {
    return Error::Retryable("Unavailable", context + ": " + e.what());
  }
}

}  // namespace kubeheal::prom
