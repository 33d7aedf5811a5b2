// The informer against a real kube-apiserver: every change arrives once, across an apiserver
// restart in the middle of a stream, and a too-old resourceVersion leads to a re-list.
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/informer.h"
#include "test_cluster.h"

namespace kubeheal::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ConfigMap;
using testing::Eventually;
using testing::TestNamespace;

long Rv(const ObjectPtr& o) {
  return std::stol((*o)["metadata"]["resourceVersion"].get<std::string>());
}

// Records what the handlers saw, per key (written on the informer thread).
struct History {
  std::mutex mu;
  std::map<std::string, std::vector<std::pair<char, long>>> by_key;

  void Note(char type, const ObjectPtr& o) {
    std::lock_guard lock(mu);
    by_key[ObjectCache::KeyOf(*o)].push_back({type, Rv(o)});
  }
  ResourceEventHandlers Handlers() {
    return {[this](const ObjectPtr& o) { Note('A', o); },
            [this](const ObjectPtr&, const ObjectPtr& o) { Note('U', o); },
            [this](const ObjectPtr& o) { Note('D', o); }};
  }
};

class InformerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    client_ = testing::ClientFor(testing::AdminKubeconfigPath(), &why);
    ASSERT_NE(client_, nullptr) << why;
    ns_ = std::make_unique<TestNamespace>(client_, "inf");
    ASSERT_TRUE(ns_->ok()) << ns_->error();
  }
  ReflectorOptions Options() {
    ReflectorOptions o;
    o.resource = GroupVersionResource::ConfigMaps();
    o.namespace_ = ns_->name();
    o.backoff.initial = milliseconds(100);
    o.backoff.max = seconds(2);
    return o;
  }
  // Retries a write through an apiserver outage; idempotent outcomes count as success. Stops at
  // once when `outage_failed_` says the outage will not end (the restart itself failed), so a
  // broken restart fails this test in seconds with its output instead of at ctest's timeout.
  void Write(const std::function<ApiResult<Json>()>& op, bool tolerate_exists = false,
             bool tolerate_missing = false) {
    for (int i = 0; i < 600; ++i) {
      if (outage_failed_) {
        if (std::string why = outage_failed_(); !why.empty()) {
          FAIL() << why;
        }
      }
      auto r = op();
      if (r.ok() || (tolerate_exists && IsAlreadyExists(r.error())) ||
          (tolerate_missing && IsNotFound(r.error()))) {
        return;
      }
      ASSERT_TRUE(r.error().retryable()) << r.error().ToString();
      std::this_thread::sleep_for(milliseconds(100));
    }
    FAIL() << "write did not succeed within 60s";
  }

  std::shared_ptr<Client> client_;
  std::unique_ptr<TestNamespace> ns_;
  std::function<std::string()> outage_failed_;
  const GroupVersionResource cms_ = GroupVersionResource::ConfigMaps();
};

TEST_F(InformerIntegrationTest, SeesEveryChangeOnceAcrossAnApiserverRestart) {
  const std::string ns = ns_->name();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(
        client_->Create(cms_, ns, ConfigMap(ns, "c" + std::to_string(i), {{"v", "0"}})).ok());
  }
  History history;
  Informer informer(client_, Options(), RealClock());
  informer.AddHandlers(history.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(seconds(30)));
  EXPECT_EQ(informer.cache().size(), 10u);

  std::atomic<int> restart_rc{-1};
  std::string restart_out;
  std::thread restarter([&] {
    std::string out;
    const int rc = testing::RunCommand("hack/control-plane.sh restart-apiserver 2>&1", &out);
    restart_out = std::move(out);
    restart_rc = rc;  // published after restart_out (seq_cst store)
  });
  outage_failed_ = [&]() -> std::string {
    const int rc = restart_rc;
    if (rc <= 0) return {};
    return "hack/control-plane.sh restart-apiserver failed (exit " + std::to_string(rc) +
           "), the apiserver stays down:\n" + restart_out;
  };
  for (int i = 0; i < 30; ++i) {
    const std::string n = std::to_string(i);
    // Apply creates what an earlier round deleted, so keys come back (A..D..A histories).
    Write([&] {
      return client_->Apply(cms_, ns, ConfigMap(ns, "c" + std::to_string(i % 10), {{"v", n}}),
                            "test", true);
    });
    if (i % 3 == 0) Write([&] { return client_->Create(cms_, ns, ConfigMap(ns, "n" + n)); }, true);
    if (i % 7 == 0)
      Write([&] { return client_->Delete(cms_, ns, "c" + std::to_string(i % 10)); }, false, true);
    if (HasFatalFailure()) break;  // the restart failed: stop writing, join, report
    std::this_thread::sleep_for(milliseconds(100));
  }
  restarter.join();
  if (HasFatalFailure()) return;
  outage_failed_ = nullptr;
  ASSERT_EQ(restart_rc, 0) << restart_out;
  // A few more after the restart, so the resumed stream is proven live.
  for (int i = 0; i < 5; ++i) {
    Write([&] {
      return client_->Patch(cms_, ns, "c9", PatchType::kMerge,
                            {{"data", {{"after", std::to_string(i)}}}});
    });
  }

  auto truth = client_->ListAll(cms_, ns);
  ASSERT_TRUE(truth.ok()) << truth.error().ToString();
  std::map<std::string, std::string> want;
  for (const auto& item : truth->items)
    want[ObjectCache::KeyOf(item)] = item["metadata"]["resourceVersion"];
  auto cache_matches = [&] {
    if (informer.cache().size() != want.size()) return false;
    for (const auto& [key, rv] : want) {
      auto o = informer.cache().Get(key);
      if (!o || (*o)["metadata"]["resourceVersion"] != rv) return false;
    }
    return true;
  };
  EXPECT_TRUE(Eventually(cache_matches, seconds(60))) << "cache never matched the server";
  informer.Stop();

  std::lock_guard lock(history.mu);
  for (const auto& [key, events] : history.by_key) {
    for (size_t i = 1; i < events.size(); ++i) {
      // A delete noticed by a re-list (not the watch) carries the last known state, so its
      // version may equal the previous event's; anything else must move forward.
      if (events[i].first == 'D') {
        EXPECT_LE(events[i - 1].second, events[i].second) << key << ": delete out of order";
      } else {
        EXPECT_LT(events[i - 1].second, events[i].second)
            << key << ": event doubled or out of order";
      }
      EXPECT_FALSE(events[i - 1].first == 'D' && events[i].first != 'A')
          << key << ": change after delete";
      EXPECT_FALSE(events[i - 1].first != 'D' && events[i].first == 'A') << key << ": added twice";
    }
    EXPECT_EQ(events.front().first, 'A') << key;
    const bool deleted = !want.count(key);
    EXPECT_EQ(events.back().first == 'D', deleted) << key;
    if (!deleted) {
      EXPECT_EQ(std::to_string(events.back().second), want[key]) << key << ": last change lost";
    }
  }
  EXPECT_EQ(history.by_key.size(), 20u);  // c0..c9 and n0,n3,...,n27
  EXPECT_GE(informer.reflector().watch_restarts(), 1);
}

TEST_F(InformerIntegrationTest, TooOldResourceVersionIsGoneAndLeadsToReList) {
  const std::string ns = ns_->name();
  ASSERT_TRUE(client_->Create(cms_, ns, ConfigMap(ns, "x")).ok());
  WatchOptions wo;
  wo.resource_version = "1";
  wo.timeout_seconds = 10;
  CancelToken cancel;
  auto watched = client_->Watch(
      cms_, ns, wo, [](const WatchEvent&) { return true; }, cancel);
  ASSERT_FALSE(watched.ok()) << "a watch from resourceVersion 1 should be too old";
  EXPECT_TRUE(IsGone(watched.error())) << watched.error().ToString();

  ReflectorOptions o = Options();
  o.start_resource_version = "1";
  Informer informer(client_, o, RealClock());
  History history;
  informer.AddHandlers(history.Handlers());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(seconds(30)));
  EXPECT_EQ(informer.reflector().lists(), 1);
  ASSERT_NE(informer.cache().Get(ns + "/x"), nullptr);
  // The default transform keeps server-side-apply bookkeeping out of the cache.
  EXPECT_FALSE((*informer.cache().Get(ns + "/x"))["metadata"].contains("managedFields"));
  ASSERT_TRUE(client_->Create(cms_, ns, ConfigMap(ns, "y")).ok());
  EXPECT_TRUE(Eventually([&] { return informer.cache().Get(ns + "/y") != nullptr; }, seconds(20)));
  informer.Stop();
}

TEST_F(InformerIntegrationTest, ServerTimeoutResumesWithoutReList) {
  const std::string ns = ns_->name();
  ReflectorOptions o = Options();
  o.watch_timeout_seconds = 1;
  Informer informer(client_, o, RealClock());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(seconds(30)));
  std::this_thread::sleep_for(milliseconds(2500));
  ASSERT_TRUE(client_->Create(cms_, ns, ConfigMap(ns, "late")).ok());
  EXPECT_TRUE(
      Eventually([&] { return informer.cache().Get(ns + "/late") != nullptr; }, seconds(20)));
  EXPECT_GE(informer.reflector().watch_restarts(), 2);
  EXPECT_EQ(informer.reflector().lists(), 1);
  informer.Stop();
}

}  // namespace
}  // namespace kubeheal::kube
