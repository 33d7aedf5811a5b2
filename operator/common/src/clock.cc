#include "kubeheal/common/clock.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>

namespace kubeheal {

Clock::TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

std::chrono::steady_clock::time_point SystemClock::SteadyNow() const {
  return std::chrono::steady_clock::now();
}

void SystemClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                            std::optional<std::chrono::steady_clock::time_point> until,
                            std::optional<std::chrono::steady_clock::time_point> real_limit) {
  // For the real clock both bounds are on the same time line.
  std::optional<std::chrono::steady_clock::time_point> deadline = until;
  if (real_limit && (!deadline || *real_limit < *deadline)) deadline = real_limit;
  if (deadline) {
    cv.wait_until(lock, *deadline);
  } else {
    cv.wait(lock);
  }
}

void Clock::SleepUntil(std::chrono::steady_clock::time_point when) {
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  while (SteadyNow() < when) WaitUntil(lock, cv, when, std::nullopt);
}

void SystemClock::SleepUntil(std::chrono::steady_clock::time_point when) {
  std::this_thread::sleep_until(when);
}

std::shared_ptr<Clock> RealClock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

std::string FormatRfc3339(Clock::TimePoint t) {
  const std::time_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<Clock::TimePoint> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  std::string rest = text.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t digits = 1;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
    if (digits == 1) return std::nullopt;
    rest = rest.substr(digits);
  }
  if (rest != "Z" || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return Clock::TimePoint(std::chrono::seconds(timegm(&tm)));
}

}  // namespace kubeheal
