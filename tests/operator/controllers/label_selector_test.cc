#include "kubeheal/controllers/label_selector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubeheal::controllers {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

bool Selects(const std::string& selector, const Json& labels) {
  auto parsed = LabelSelector::Parse(selector);
  EXPECT_TRUE(parsed.ok()) << selector << ": " << parsed.error().message;
  return parsed.ok() && parsed->Matches(labels);
}

TEST(LabelSelectorTest, EveryOperatorAgreesWithTheApiServersMeaning) {
  const Json web = {{"app", "web"}, {"tier", "front"}};
  struct Case {
    std::string selector;
    bool selected;
  };
  for (const auto& c : std::vector<Case>{
           {"", true},
           {"app=web", true},
           {"app==web", true},
           {"app=api", false},
           {"app!=api", true},
           {"app!=web", false},
           {"canary!=true", true},  // a missing label is "not equal"
           {"tier in (front,back)", true},
           {"tier in (back)", false},
           {"tier notin (back, batch)", true},
           {"tier notin (front)", false},
           {"missing notin (x)", true},
           {"app", true},
           {"missing", false},
           {"!missing", true},
           {"!app", false},
           {"app=web,tier in (a,front),!canary", true},
           {"app=web, tier in (a,b)", false},
       }) {
    EXPECT_EQ(Selects(c.selector, web), c.selected) << c.selector;
  }
  EXPECT_FALSE(Selects("app=web", Json()));  // no labels at all
  EXPECT_TRUE(Selects("!app", Json()));
}

TEST(LabelSelectorTest, BadSelectorsAreErrorsNamingTheTerm) {
  for (const std::string bad : {"app=web,,tier=a", "tier in (a,b", "tier in ()", "tier within (a)",
                                "a b=c", "tier in (a))"}) {
    auto parsed = LabelSelector::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_THAT(parsed.error().message, HasSubstr(bad)) << bad;
  }
}

}  // namespace
}  // namespace kubeheal::controllers
