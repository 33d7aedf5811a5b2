#include "kubeheal/common/enum_names.h"

#include <gtest/gtest.h>

namespace kubeheal {
namespace {

enum class Mode { kOn, kOff, kUnlisted };
constexpr EnumNameTable<Mode, 2> kModeNames{{{Mode::kOn, "on"}, {Mode::kOff, "off"}}};

TEST(EnumNamesTest, ReadsTheTableBothWays) {
  static_assert(NameOf(kModeNames, Mode::kOff) == "off");
  EXPECT_EQ(NameOf(kModeNames, Mode::kOn), "on");
  EXPECT_EQ(ParseName(kModeNames, "off"), Mode::kOff);
}

TEST(EnumNamesTest, UnknownNamesAndValuesAreNotGuessed) {
  EXPECT_EQ(ParseName(kModeNames, "On"), std::nullopt);  // case-sensitive, like the API
  EXPECT_EQ(ParseName(kModeNames, ""), std::nullopt);
  EXPECT_EQ(NameOf(kModeNames, Mode::kUnlisted), "unknown");
  EXPECT_EQ(NameOf(kModeNames, Mode::kUnlisted, "on"), "on");
}

}  // namespace
}  // namespace kubeheal
