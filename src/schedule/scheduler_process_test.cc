// The scheduler with real child processes: the built `otsync` binary on a job whose source does
// not answer (state, exit status, captured log, summary, the flags otsync run accepts), and a
// child that ignores SIGTERM, killed with its whole process group.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "schedule/scheduler.h"
#include "schedule/testing/test_plugins.h"

namespace otsync::schedule {
namespace {

// A loopback port nothing listens on (bound, then released).
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

std::string Script(int port) {
  return R"({"type": "job", "version": "1.0", "configuration": {
    "reader": {"plugin": "otsstream", "parameter": {
      "endpoint": "http://127.0.0.1:)" +
         std::to_string(port) + R"(", "accessId": "id", "accessKey": "never-printed",
      "instanceName": "local", "dataTable": "person", "statusTable": "status",
      "startTimeString": "${startTime}", "endTimeString": "${endTime}", "maxRetries": 0}},
    "writer": {"plugin": "stream", "parameter": {"print": true}}}})";
}

class SchedulerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scheduler_process_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    scheduler_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(const std::string& binary) {
    SchedulerOptions options;
    options.plugins = &TestPlugins();
    options.plugins = &TestPlugins();
    options.otsync_binary = binary;
    options.kill_grace_micros = 1'000'000;
    options.tick_micros = 50'000;
    Result<std::unique_ptr<Scheduler>> opened = Scheduler::Open(dir_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    scheduler_ = std::move(*opened);
  }

  Task MinuteTask() {
    Task task;
    task.name = "person_sync";
    task.script = Script(UnusedPort());
    task.parameters = "startTime=$[yyyymmddhh24miss-10/24/60] endTime=$[yyyymmddhh24miss-5/24/60]";
    task.cycle = *ParseCycle("minute 5");
    task.retry_count = 0;
    return task;
  }

  // Waits (at most `seconds`) until the instance is in `state`.
  Instance WaitFor(int64_t id, InstanceState state, int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    Instance instance;
    while (std::chrono::steady_clock::now() < deadline) {
      instance = *scheduler_->GetInstance(id);
      if (instance.state == state) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return instance;
  }

  static int64_t Now() { return DefaultClock()->NowMicros() / 1'000'000; }

  std::string dir_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerProcessTest, RunsOtsyncAndRecordsItsFailureLogAndSummary) {
  Open(OTSYNC_BINARY);
  Task task = MinuteTask();
  ASSERT_TRUE(scheduler_->CreateTask(task).ok());
  Result<Instance> instance = scheduler_->RunNow(task.name, Now());
  ASSERT_TRUE(instance.ok()) << instance.status().ToString();
  ASSERT_TRUE(scheduler_->Start().ok());
  Instance failed = WaitFor(instance->id, InstanceState::kFailed, 60);
  ASSERT_EQ(failed.state, InstanceState::kFailed) << failed.summary;
  ASSERT_TRUE(failed.exit_status.has_value());
  EXPECT_NE(*failed.exit_status, 0);
  EXPECT_LT(*failed.exit_status, 128);  // otsync ended by itself, not by a signal.
  EXPECT_EQ(failed.attempt, 1);
  EXPECT_EQ(failed.summary.rfind("otsync:", 0), 0u) << failed.summary;

  Result<LogChunk> log = scheduler_->ReadLog(failed.id, 0, 1 << 20);
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(log->finished);
  EXPECT_NE(log->data.find("=== attempt 1 of instance"), std::string::npos) << log->data;
  EXPECT_NE(log->data.find(failed.summary), std::string::npos) << log->data;
  EXPECT_NE(log->data.find("127.0.0.1"), std::string::npos) << log->data;
  EXPECT_EQ(log->data.find("never-printed"), std::string::npos);  // Invariant 7.
  EXPECT_EQ(log->data.find("unknown"), std::string::npos) << "otsync refused a flag: " << log->data;
}

TEST_F(SchedulerProcessTest, KillEndsAChildThatIgnoresTermWithItsProcessGroup) {
  // Stands in for otsync: ignores TERM, and leaves a grandchild in its process group.
  const std::string fake = dir_ + "/fake-otsync.sh";
  {
    std::ofstream script(fake);
    script << "#!/bin/sh\ntrap '' TERM\necho \"sleeping as $$\"\nsleep 60 &\necho $! > \"$4/"
              "grandchild.pid\"\nwait\n";
  }
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  Open(fake);
  Task task = MinuteTask();
  ASSERT_TRUE(scheduler_->CreateTask(task).ok());
  Result<Instance> instance = scheduler_->RunNow(task.name, Now());
  ASSERT_TRUE(instance.ok());
  ASSERT_TRUE(scheduler_->Start().ok());
  Instance running = WaitFor(instance->id, InstanceState::kRunning, 30);
  ASSERT_EQ(running.state, InstanceState::kRunning);
  const std::string pid_file = dir_ + "/grandchild.pid";
  // Until the script has written it (file_size is -1, not 0, while the file is missing).
  for (int i = 0; i < 200; ++i) {
    std::error_code missing;
    const uintmax_t size = std::filesystem::file_size(pid_file, missing);
    if (!missing && size > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  int64_t grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  ASSERT_GT(grandchild, 0);

  const auto kill_started = std::chrono::steady_clock::now();
  ASSERT_TRUE(scheduler_->Kill(running.id).ok());
  Instance killed = WaitFor(running.id, InstanceState::kKilled, 10);
  EXPECT_EQ(killed.state, InstanceState::kKilled);
  EXPECT_LT(std::chrono::steady_clock::now() - kill_started, std::chrono::seconds(10));
  EXPECT_EQ(killed.exit_status, 128 + 9);  // TERM ignored: the KILL after the grace period.
  ProcessLauncher processes;
  EXPECT_FALSE(processes.IsRunning(grandchild, "sleep"));
  Result<LogChunk> log = scheduler_->ReadLog(killed.id, 0, 1 << 20);
  EXPECT_NE(log->data.find("sleeping as " + std::to_string(running.pid)), std::string::npos)
      << log->data;
  EXPECT_NE(log->data.find("kill requested"), std::string::npos);
}

TEST_F(SchedulerProcessTest, AChildInheritsNoDescriptorButItsStandardStreams) {
  // A descriptor without O_CLOEXEC, as the HTTP listener's sockets are.
  const int inherited = ::dup2(::open("/dev/null", O_RDONLY), 57);
  ASSERT_EQ(inherited, 57);
  const std::string fake = dir_ + "/fake-otsync.sh";
  {
    std::ofstream script(fake);
    script << "#!/bin/sh\nls /proc/$$/fd > \"$4/descriptors\"\n";
  }
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  Open(fake);
  Task task = MinuteTask();
  ASSERT_TRUE(scheduler_->CreateTask(task).ok());
  Result<Instance> instance = scheduler_->RunNow(task.name, Now());
  ASSERT_TRUE(instance.ok());
  ASSERT_TRUE(scheduler_->Start().ok());
  Instance done = WaitFor(instance->id, InstanceState::kSucceeded, 30);
  ::close(inherited);
  ASSERT_EQ(done.state, InstanceState::kSucceeded) << done.summary;
  std::ifstream listing(dir_ + "/descriptors");
  std::set<std::string> descriptors;
  for (std::string name; listing >> name;) descriptors.insert(name);
  EXPECT_TRUE(descriptors.count("0") && descriptors.count("1") && descriptors.count("2"));
  EXPECT_EQ(descriptors.count("57"), 0u);
}

}  // namespace
}  // namespace otsync::schedule
