// How much memory and time an informer needs for 10,000 small ConfigMaps, against a real
// kube-apiserver (hack/control-plane.sh up first). Prints the figures and the ratio of the
// cache's resident memory to the objects' JSON size; the baseline is a plain paginated list
// of the same objects in the same run.
//
//   build/bench/informer_memory_benchmark [--objects N] [--kubeconfig PATH]
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "kubeheal/common/clock.h"
#include "kubeheal/kube/cpprest_transport.h"
#include "kubeheal/kube/informer.h"
#include "kubeheal/kube/kubeconfig.h"

namespace kube = kubeheal::kube;
using Clock = std::chrono::steady_clock;

namespace {

// Resident set after returning freed heap to the kernel, so figures compare live data only.
long RssKiB() {
  ::malloc_trim(0);
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string DefaultKubeconfig() {
  if (const char* d = std::getenv("KUBEHEAL_CP_DIR"); d && *d)
    return std::string(d) + "/admin.kubeconfig";
  if (const char* k = std::getenv("KUBECONFIG"); k && *k) return k;
  return std::string(std::getenv("HOME") ? std::getenv("HOME") : "/root") +
         "/.cache/kubeheal/run/control-plane/admin.kubeconfig";
}

}  // namespace

int main(int argc, char** argv) {
  int objects = 10000;
  std::string kubeconfig = DefaultKubeconfig();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--objects")
      objects = std::atoi(argv[i + 1]);
    else if (flag == "--kubeconfig")
      kubeconfig = argv[i + 1];
  }
  auto cfg = kube::LoadKubeconfig(kubeconfig);
  if (!cfg.ok()) {
    std::fprintf(stderr, "benchmark: %s (start the control plane: hack/control-plane.sh up)\n",
                 cfg.error().ToString().c_str());
    return 1;
  }
  auto transport = kube::CpprestTransport::Create(*cfg);
  if (!transport.ok()) {
    std::fprintf(stderr, "benchmark: %s\n", transport.error().ToString().c_str());
    return 1;
  }
  auto client = std::make_shared<kube::Client>(*transport);
  const auto cms = kube::GroupVersionResource::ConfigMaps();
  const std::string ns = "kh-bench-" + std::to_string(::getpid());
  auto made =
      client->Create(kube::GroupVersionResource::Namespaces(), "",
                     {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  if (!made.ok()) {
    std::fprintf(stderr, "benchmark: %s\n", made.error().ToString().c_str());
    return 1;
  }

  // Populate with 4 writers (the machine has 2 cores shared by others; more buys nothing).
  const auto t_create = Clock::now();
  std::atomic<int> next{0}, failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&] {
      for (int i = next++; i < objects; i = next++) {
        kube::Json cm = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata",
                          {{"name", "cm-" + std::to_string(i)},
                           {"labels", {{"bench", "yes"}, {"shard", std::to_string(i % 16)}}}}},
                         {"data", {{"key", "value-" + std::to_string(i)}, {"mode", "small"}}}};
        if (!client->Create(cms, ns, cm).ok()) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  std::printf("created %d ConfigMaps in %.1fs (%d failed)\n", objects, Seconds(t_create),
              failures.load());

  const long rss_start = RssKiB();
  // Baseline: one paginated list of the same objects, parsed and then dropped.
  size_t json_bytes = 0;
  double list_seconds = 0;
  {
    const auto t_list = Clock::now();
    kube::ListOptions lo;
    lo.limit = 500;
    auto all = client->ListAll(cms, ns, lo);
    list_seconds = Seconds(t_list);
    if (!all.ok()) {
      std::fprintf(stderr, "benchmark: list: %s\n", all.error().ToString().c_str());
      return 1;
    }
    for (const auto& item : all->items) json_bytes += item.dump().size();
    std::printf("list (baseline): %zu objects in %.2fs, %.1f MiB of JSON (%.0f B/object)\n",
                all->items.size(), list_seconds, json_bytes / 1048576.0,
                static_cast<double>(json_bytes) / all->items.size());
  }
  std::printf(
      "RSS before the informers (after the list, heap trimmed): %.1f MiB (start %.1f MiB)\n",
      RssKiB() / 1024.0, rss_start / 1024.0);

  // Two informers in turn: the default (managedFields stripped) and objects kept whole.
  for (const bool strip : {true, false}) {
    kube::ReflectorOptions options;
    options.resource = cms;
    options.namespace_ = ns;
    if (!strip) options.transform = nullptr;
    const long rss_before = RssKiB();
    auto informer = std::make_unique<kube::Informer>(client, options, kubeheal::RealClock());
    const auto t_sync = Clock::now();
    informer->Start();
    if (!informer->WaitForSync(std::chrono::minutes(5))) {
      std::fprintf(stderr, "benchmark: informer did not sync\n");
      return 1;
    }
    const double sync_seconds = Seconds(t_sync);
    const long rss_after = RssKiB();
    const size_t cached = informer->cache().size();
    const char* label =
        strip ? "informer (managedFields stripped, default)" : "informer (objects whole)";
    std::printf("%s: synced %zu objects in %.2fs (%.2fx the plain list)\n", label, cached,
                sync_seconds, sync_seconds / list_seconds);
    std::printf(
        "  RSS %.1f -> %.1f MiB: cache %.1f MiB = %.0f B/object = %.2fx the objects' JSON\n",
        rss_before / 1024.0, rss_after / 1024.0, (rss_after - rss_before) / 1024.0,
        (rss_after - rss_before) * 1024.0 / cached, (rss_after - rss_before) * 1024.0 / json_bytes);
    informer->Stop();
    informer.reset();
  }

  auto del = client->DeleteCollection(cms, ns, {});
  (void)client->Delete(kube::GroupVersionResource::Namespaces(), "", ns);
  if (!del.ok()) std::fprintf(stderr, "cleanup: %s\n", del.error().ToString().c_str());
  return 0;
}
