#include "kubeheal/common/random.h"

#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kubeheal/common/scripted_random_source.h"

namespace kubeheal {
namespace {

TEST(SeededRandomSourceTest, SameSeedSameSequenceAndStateResumesIt) {
  SeededRandomSource a(42);
  SeededRandomSource b(42);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.NextU64(), b.NextU64());
  SeededRandomSource resumed(0);
  resumed.set_state(a.state());
  for (int i = 0; i < 10; ++i) ASSERT_EQ(a.NextU64(), resumed.NextU64());
  EXPECT_NE(SeededRandomSource(1).NextU64(), SeededRandomSource(2).NextU64());
}

// SplitMix64's published first outputs for seed 0 (Vigna's reference implementation), so the
// detectors' persisted generator state keeps meaning the same sequence.
TEST(SeededRandomSourceTest, MatchesReferenceSplitMix64) {
  SeededRandomSource r(0);
  EXPECT_EQ(r.NextU64(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(r.NextU64(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(r.NextU64(), 0x06C45D188009454FULL);
}

TEST(SeededRandomSourceTest, ThreadsSharingOneSourceNeverDrawTheSameStep) {
  SeededRandomSource shared(7);
  std::vector<std::vector<std::uint64_t>> drawn(4);
  std::vector<std::thread> threads;
  for (auto& out : drawn) {
    threads.emplace_back([&shared, &out] {
      for (int i = 0; i < 1000; ++i) out.push_back(shared.NextU64());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::uint64_t> all;
  for (const auto& out : drawn) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), 4000u);
}

TEST(RandomSourceTest, Uniform01AndNextBelowStayInRange) {
  SeededRandomSource seeded(3);
  ThreadLocalRandomSource local;
  for (RandomSource* r :
       {static_cast<RandomSource*>(&seeded), static_cast<RandomSource*>(&local)}) {
    double sum = 0;
    for (int i = 0; i < 10'000; ++i) {
      const double u = r->Uniform01();
      ASSERT_GE(u, 0.0);
      ASSERT_LT(u, 1.0);
      sum += u;
      ASSERT_LT(r->NextBelow(7), 7u);
    }
    EXPECT_NEAR(sum / 10'000, 0.5, 0.02);
  }
}

TEST(ScriptedRandomSourceTest, Uniform01AnswersTheScriptInTurn) {
  ScriptedRandomSource r({0.0, 0.3, 0.999});
  EXPECT_EQ(r.Uniform01(), 0.0);
  EXPECT_EQ(r.Uniform01(), 0.3);  // exactly, though 0.3 has no 53-bit fraction
  EXPECT_EQ(r.Uniform01(), 0.999);
  EXPECT_EQ(r.Uniform01(), 0.0);
  EXPECT_EQ(r.calls(), 4u);
  // Through NextU64 the value comes back to within one step of 2^-53.
  ScriptedRandomSource bits({0.3});
  EXPECT_NEAR(static_cast<double>(bits.NextU64() >> 11) * 0x1.0p-53, 0.3, 0x1.0p-53);
}

}  // namespace
}  // namespace kubeheal
