#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kubeheal/kube/proc_fs_process_info_source.h"
#include "kubeheal/kube/process_collector.h"

namespace kubeheal::kube {
namespace {

using ::testing::HasSubstr;

// testdata/proc: a process "kube heal) op" (a ')' inside the name, as proc(5) allows) with
// utime 250 + stime 150 ticks, 12 threads, started 100000 ticks after boot, 512 MiB virtual, 3000
// resident pages, soft open-file limit 1024, four descriptors; boot time 1700000000.
ProcFsLayout Fixture(const std::string& root = KUBEHEAL_KUBE_TESTDATA "/proc") {
  ProcFsLayout layout;
  layout.proc_root = root;
  layout.clock_ticks_per_second = 100;
  layout.page_size_bytes = 4096;
  return layout;
}

TEST(ProcFsProcessInfoSourceTest, ReadsEveryFigureFromTheFixture) {
  auto info = ProcFsProcessInfoSource(Fixture()).Read();
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_DOUBLE_EQ(info->cpu_seconds, 4.0);
  EXPECT_DOUBLE_EQ(info->resident_bytes, 3000.0 * 4096);
  EXPECT_DOUBLE_EQ(info->virtual_bytes, 536870912.0);
  EXPECT_DOUBLE_EQ(info->threads, 12);
  EXPECT_DOUBLE_EQ(info->start_time_seconds, 1700000000.0 + 1000.0);
  ASSERT_TRUE(info->max_fds.has_value());
  EXPECT_DOUBLE_EQ(*info->max_fds, 1024);
  EXPECT_DOUBLE_EQ(info->open_fds, 4);
}

class BrokenProcDir : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("kubeheal-proc-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_ / "self" / "fd");
    std::filesystem::copy_file(KUBEHEAL_KUBE_TESTDATA "/proc/stat", root_ / "stat");
    std::filesystem::copy_file(KUBEHEAL_KUBE_TESTDATA "/proc/self/limits",
                               root_ / "self" / "limits");
    std::filesystem::copy_file(KUBEHEAL_KUBE_TESTDATA "/proc/self/stat", root_ / "self" / "stat");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void Write(const std::string& relative, const std::string& text) {
    std::ofstream(root_ / relative) << text;
  }
  std::filesystem::path root_;
};

TEST_F(BrokenProcDir, ShortStatIsAnErrorNamingTheFile) {
  Write("self/stat", "1 (x) S 1 2 3\n");
  auto info = ProcFsProcessInfoSource(Fixture(root_.string())).Read();
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(info.error().message, HasSubstr("self/stat"));
  EXPECT_THAT(info.error().message, HasSubstr("at least 24 fields"));
}

TEST_F(BrokenProcDir, NonNumericFieldIsAnError) {
  Write("self/stat", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 1 0 0 20 0 1 0 5 100 10\n");
  auto info = ProcFsProcessInfoSource(Fixture(root_.string())).Read();
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(info.error().message, HasSubstr("not a number"));
}

TEST_F(BrokenProcDir, MissingBootTimeIsAnError) {
  Write("stat", "cpu 1 2 3\n");
  auto info = ProcFsProcessInfoSource(Fixture(root_.string())).Read();
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(info.error().message, HasSubstr("btime"));
}

TEST_F(BrokenProcDir, UnlimitedOpenFilesMeansNoMaximum) {
  Write("self/limits",
        "Max open files            unlimited            unlimited            files\n");
  auto info = ProcFsProcessInfoSource(Fixture(root_.string())).Read();
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_FALSE(info->max_fds.has_value());
  EXPECT_DOUBLE_EQ(info->open_fds, 0);
}

TEST(ProcFsProcessInfoSourceTest, MissingDirectoryIsAnErrorNamingIt) {
  auto info = ProcFsProcessInfoSource(Fixture("/nonexistent-kubeheal-proc")).Read();
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(info.error().message, HasSubstr("/nonexistent-kubeheal-proc/self/stat"));
}

TEST(ProcFsProcessInfoSourceTest, ThisProcessHasPlausibleFigures) {
  auto info = ProcFsProcessInfoSource().Read();
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_GT(info->resident_bytes, 0);
  EXPECT_GE(info->virtual_bytes, info->resident_bytes);
  EXPECT_GE(info->open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GT(info->start_time_seconds, 1.5e9);
}

class FixedSource final : public ProcessInfoSource {
 public:
  explicit FixedSource(Result<ProcessInfo> info) : info_(std::move(info)) {}
  Result<ProcessInfo> Read() const override { return info_; }

 private:
  Result<ProcessInfo> info_;
};

TEST(ProcessCollectorTest, ExportsTheStandardFamiliesWithTypes) {
  ProcessInfo info;
  info.cpu_seconds = 1.5;
  info.resident_bytes = 100;
  info.virtual_bytes = 200;
  info.open_fds = 7;
  info.max_fds = 1024;
  info.start_time_seconds = 1700000000;
  ProcessCollector collector(std::make_shared<FixedSource>(info));
  std::map<std::string, std::pair<prometheus::MetricType, double>> got;
  for (const auto& f : collector.Collect()) {
    ASSERT_EQ(f.metric.size(), 1u) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
    got[f.name] = {f.type, f.type == prometheus::MetricType::Counter ? f.metric[0].counter.value
                                                                     : f.metric[0].gauge.value};
  }
  using prometheus::MetricType;
  using Entry = std::pair<MetricType, double>;
  EXPECT_EQ(got["process_cpu_seconds_total"], Entry(MetricType::Counter, 1.5));
  EXPECT_EQ(got["process_resident_memory_bytes"], Entry(MetricType::Gauge, 100));
  EXPECT_EQ(got["process_virtual_memory_bytes"], Entry(MetricType::Gauge, 200));
  EXPECT_EQ(got["process_open_fds"], Entry(MetricType::Gauge, 7));
  EXPECT_EQ(got["process_max_fds"], Entry(MetricType::Gauge, 1024));
  EXPECT_EQ(got["process_start_time_seconds"], Entry(MetricType::Gauge, 1700000000));
  EXPECT_EQ(got.size(), 6u);
}

TEST(ProcessCollectorTest, NoFamiliesWhenTheSourceFails) {
  ProcessCollector collector(std::make_shared<FixedSource>(
      Result<ProcessInfo>(Error::Retryable("ProcUnreadable", "/proc/self/stat: cannot open"))));
  EXPECT_TRUE(collector.Collect().empty());
}

}  // namespace
}  // namespace kubeheal::kube
