#include "kubeheal/kube/shutdown_signal.h"

#include <csignal>

#include <gtest/gtest.h>

namespace kubeheal::kube {
namespace {

TEST(ShutdownSignalTest, SigtermCancelsTheToken) {
  CancelToken token;
  ShutdownSignal signal(token);
  EXPECT_FALSE(token.cancelled());
  std::raise(SIGTERM);
  EXPECT_TRUE(token.WaitFor(std::chrono::seconds(5)));
  EXPECT_EQ(signal.received(), SIGTERM);
}

TEST(ShutdownSignalTest, DestroyingWithoutASignalLeavesTheTokenAlone) {
  CancelToken token;
  { ShutdownSignal signal(token); }
  EXPECT_FALSE(token.cancelled());
}

}  // namespace
}  // namespace kubeheal::kube
