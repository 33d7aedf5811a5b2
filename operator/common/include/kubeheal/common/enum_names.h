#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace kubeheal {

// An enum's values with the names the API, flags and logs spell them with, read both ways from
// one table instead of a switch for printing and an if-chain for parsing that can drift apart:
//
//   constexpr EnumNameTable<Mode, 2> kModeNames{{{Mode::kOn, "on"}, {Mode::kOff, "off"}}};
//   NameOf(kModeNames, Mode::kOn) == "on";  ParseName(kModeNames, "off") == Mode::kOff
template <typename E, std::size_t N>
using EnumNameTable = std::array<std::pair<E, std::string_view>, N>;

// The name of `value`, or `fallback` for a value the table does not list.
template <typename E, std::size_t N>
constexpr std::string_view NameOf(const EnumNameTable<E, N>& table, E value,
                                  std::string_view fallback = "unknown") {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return fallback;
}

// The value spelled `name` (exact, case-sensitive, as Kubernetes compares enum strings).
template <typename E, std::size_t N>
constexpr std::optional<E> ParseName(const EnumNameTable<E, N>& table, std::string_view name) {
  for (const auto& [value, n] : table) {
    if (n == name) return value;
  }
  return std::nullopt;
}

}  // namespace kubeheal
