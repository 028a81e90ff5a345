#include "server/read_ahead.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>

#include "base/thread_policy.h"
#include "wire/signature.h"

namespace otsync::server {
namespace {

PreparedAnswer Answer(std::string body) {
  PreparedAnswer prepared;
  prepared.body = std::move(body);
  prepared.content_md5 = "md5-of-" + prepared.body;
  return prepared;
}

// Holds a thread that Enters until Release.
class Latch {
 public:
  void Enter() {
    entered_.store(true);
    released_.wait();
  }
  void WaitUntilEntered() {
    while (!entered_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void Release() { release_.set_value(); }

 private:
  std::atomic<bool> entered_{false};
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

// Holds the worker inside a job until Release.
class Gate : public Latch {
 public:
  ReadAhead::Job JobThatWaits(std::string body) {
    return [this, body = std::move(body)]() -> std::optional<PreparedAnswer> {
      Enter();
      return Answer(body);
    };
  }
};

// A job that notes it ran in `*ran`.
ReadAhead::Job JobThatNotes(std::atomic<bool>* ran, std::string body) {
  return [ran, body = std::move(body)] {
    ran->store(true);
    return std::optional<PreparedAnswer>(Answer(body));
  };
}

void WaitForJobs(const ReadAhead& read_ahead, uint64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (read_ahead.jobs_run() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GE(read_ahead.jobs_run(), count);
}

TEST(ReadAheadTest, APreparedAnswerIsHandedOutOnce) {
  ReadAhead read_ahead;
  read_ahead.Schedule("k", [] { return std::optional<PreparedAnswer>(Answer("body")); });
  WaitForJobs(read_ahead, 1);
  std::optional<PreparedAnswer> taken = read_ahead.Take("k");
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->body, "body");
  EXPECT_EQ(taken->content_md5, "md5-of-body");
  EXPECT_FALSE(read_ahead.Take("k").has_value());
  EXPECT_FALSE(read_ahead.Take("other").has_value());
  EXPECT_EQ(read_ahead.answers_taken(), 1u);
}

TEST(ReadAheadTest, JobsAndFinishStepsRunUnderTheBatchPolicy) {
  std::atomic<int> job_batch{-1};
  std::atomic<int> finish_batch{-1};
  ReadAheadOptions options;
  options.finish = [&finish_batch](PreparedAnswer*) {
    finish_batch.store(CurrentThreadHasBatchPolicy() ? 1 : 0);
  };
  ReadAhead read_ahead(options);
  read_ahead.Schedule("k", [&job_batch] {
    job_batch.store(CurrentThreadHasBatchPolicy() ? 1 : 0);
    return std::optional<PreparedAnswer>(Answer("body"));
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (read_ahead.finishes_run() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(job_batch.load(), 1);
  EXPECT_EQ(finish_batch.load(), 1);
  EXPECT_FALSE(CurrentThreadHasBatchPolicy()) << "the scheduling thread keeps its policy";
}

TEST(ReadAheadTest, AJobWithNothingWorthKeepingLeavesNothing) {
  ReadAhead read_ahead;
  read_ahead.Schedule("k", [] { return std::optional<PreparedAnswer>(); });
  WaitForJobs(read_ahead, 1);
  EXPECT_FALSE(read_ahead.Take("k").has_value());
  EXPECT_EQ(read_ahead.answers_taken(), 0u);
}

TEST(ReadAheadTest, TakeWaitsForARunningJob) {
  ReadAhead read_ahead;
  Gate gate;
  read_ahead.Schedule("k", gate.JobThatWaits("slow"));
  gate.WaitUntilEntered();
  std::future<std::optional<PreparedAnswer>> taken =
      std::async(std::launch::async, [&] { return read_ahead.Take("k"); });
  EXPECT_EQ(taken.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  gate.Release();
  std::optional<PreparedAnswer> answer = taken.get();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->body, "slow");
}

// Runs `while_busy` while the worker is held inside the job of "busy", then lets that job end and
// takes its answer.
void WhileTheWorkerIsBusy(ReadAhead& read_ahead, const std::function<void()>& while_busy) {
  Gate gate;
  read_ahead.Schedule("busy", gate.JobThatWaits("busy"));
  gate.WaitUntilEntered();
  while_busy();
  gate.Release();
  EXPECT_TRUE(read_ahead.Take("busy").has_value());
}

TEST(ReadAheadTest, TakeDropsAJobStillQueued) {
  ReadAhead read_ahead;
  std::atomic<bool> queued_job_ran{false};
  WhileTheWorkerIsBusy(read_ahead, [&] {
    read_ahead.Schedule("queued", JobThatNotes(&queued_job_ran, "queued"));
    // The caller computes the answer itself rather than wait behind another reader's job.
    EXPECT_FALSE(read_ahead.Take("queued").has_value());
  });
  EXPECT_FALSE(queued_job_ran.load());
  EXPECT_EQ(read_ahead.jobs_run(), 1u);
}

TEST(ReadAheadTest, RunIfIdleRunsTheJobOnTheIdleWorker) {
  ReadAhead read_ahead;
  std::thread::id job_thread;
  std::optional<PreparedAnswer> answer = read_ahead.RunIfIdle("k", [&job_thread] {
    job_thread = std::this_thread::get_id();
    return std::optional<PreparedAnswer>(Answer("first"));
  });
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->body, "first");
  EXPECT_NE(job_thread, std::this_thread::get_id());
  EXPECT_EQ(read_ahead.jobs_run(), 1u);
  // Handed to its caller, not kept.
  EXPECT_FALSE(read_ahead.Take("k").has_value());
  // A job with nothing worth keeping: nothing, and the caller computes the answer.
  EXPECT_FALSE(read_ahead.RunIfIdle("k", [] { return std::optional<PreparedAnswer>(); }));
}

TEST(ReadAheadTest, RunIfIdleLeavesABusyWorkerAlone) {
  ReadAhead read_ahead;
  std::atomic<bool> ran{false};
  WhileTheWorkerIsBusy(read_ahead,
                       [&] { EXPECT_FALSE(read_ahead.RunIfIdle("k", JobThatNotes(&ran, "k"))); });
  EXPECT_FALSE(ran.load());
  EXPECT_EQ(read_ahead.jobs_run(), 1u);
}

TEST(ReadAheadTest, ASecondScheduleOfTheSameKeyIsIgnored) {
  ReadAhead read_ahead;
  read_ahead.Schedule("k", [] { return std::optional<PreparedAnswer>(Answer("first")); });
  read_ahead.Schedule("k", [] { return std::optional<PreparedAnswer>(Answer("second")); });
  WaitForJobs(read_ahead, 1);
  std::optional<PreparedAnswer> taken = read_ahead.Take("k");
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->body, "first");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(read_ahead.jobs_run(), 1u);
}

TEST(ReadAheadTest, TheOldestAnswerMakesRoom) {
  ReadAheadOptions options;
  options.max_entries = 2;
  ReadAhead read_ahead(options);
  uint64_t scheduled = 0;
  for (const std::string key : {"a", "b", "c"}) {
    read_ahead.Schedule(key, [key] { return std::optional<PreparedAnswer>(Answer(key)); });
    WaitForJobs(read_ahead, ++scheduled);
  }
  EXPECT_FALSE(read_ahead.Take("a").has_value());
  EXPECT_TRUE(read_ahead.Take("b").has_value());
  EXPECT_TRUE(read_ahead.Take("c").has_value());
}

TEST(ReadAheadTest, AnAnswerNobodyTakesExpires) {
  ReadAheadOptions options;
  options.max_age = std::chrono::milliseconds(20);
  ReadAhead read_ahead(options);
  read_ahead.Schedule("old", [] { return std::optional<PreparedAnswer>(Answer("old")); });
  WaitForJobs(read_ahead, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  // Expired answers are dropped when room is made for a new one.
  read_ahead.Schedule("new", [] { return std::optional<PreparedAnswer>(Answer("new")); });
  WaitForJobs(read_ahead, 2);
  EXPECT_FALSE(read_ahead.Take("old").has_value());
  EXPECT_TRUE(read_ahead.Take("new").has_value());
}

// A finish step that stamps an answer's MD5 and holds the finisher inside the answer named "held"
// until Release.
class FinishGate : public Latch {
 public:
  ReadAheadOptions Options() {
    ReadAheadOptions options;
    options.finish = [this](PreparedAnswer* answer) {
      if (answer->body == "held") Enter();
      answer->content_md5 = "finished-" + answer->body;
    };
    return options;
  }
};

ReadAhead::Job Unhashed(std::string body) {
  return [body = std::move(body)] {
    PreparedAnswer prepared;
    prepared.body = body;
    return std::optional<PreparedAnswer>(std::move(prepared));
  };
}

TEST(ReadAheadTest, AFinishedAnswerIsHandedOutWithWhatTheFinishAdded) {
  FinishGate gate;
  ReadAhead read_ahead(gate.Options());
  read_ahead.Schedule("k", Unhashed("body"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (read_ahead.finishes_run() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::optional<PreparedAnswer> taken = read_ahead.Take("k");
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->body, "body");
  EXPECT_EQ(taken->content_md5, "finished-body");
  EXPECT_EQ(read_ahead.finishes_run(), 1u);
}

TEST(ReadAheadTest, TheMd5FinishHashesTheAnswersThatWantTheirMd5) {
  ReadAhead read_ahead(WithContentMd5Finish());
  read_ahead.Schedule("checked", [] {
    PreparedAnswer prepared;
    prepared.body = "a page for a reader that checks the MD5";
    return std::optional<PreparedAnswer>(std::move(prepared));
  });
  read_ahead.Schedule("unchecked", [] {
    PreparedAnswer prepared;
    prepared.body = "a page for a reader that does not";
    prepared.content_md5_wanted = false;
    return std::optional<PreparedAnswer>(std::move(prepared));
  });
  read_ahead.Schedule("hashed", [] {
    PreparedAnswer prepared;
    prepared.body = "a page hashed as it was built";
    prepared.content_md5 = "kept";
    return std::optional<PreparedAnswer>(std::move(prepared));
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (read_ahead.finishes_run() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(read_ahead.finishes_run(), 3u);
  std::optional<PreparedAnswer> checked = read_ahead.Take("checked");
  std::optional<PreparedAnswer> unchecked = read_ahead.Take("unchecked");
  std::optional<PreparedAnswer> hashed = read_ahead.Take("hashed");
  ASSERT_TRUE(checked.has_value() && unchecked.has_value() && hashed.has_value());
  EXPECT_EQ(checked->content_md5, wire::ContentMd5("a page for a reader that checks the MD5"));
  EXPECT_EQ(unchecked->content_md5, "");  // The front computes it if a checking caller takes it.
  EXPECT_EQ(hashed->content_md5, "kept");
}

TEST(ReadAheadTest, TheWorkerBuildsTheNextAnswerWhileOneIsFinished) {
  FinishGate gate;
  ReadAhead read_ahead(gate.Options());
  read_ahead.Schedule("first", Unhashed("held"));
  gate.WaitUntilEntered();
  read_ahead.Schedule("second", Unhashed("second"));
  // The worker is free of the first answer's finish: the second job runs now.
  WaitForJobs(read_ahead, 2);
  // The finisher is still inside the first answer, so the second is taken unfinished; its taker
  // computes what the finish would have added.
  std::optional<PreparedAnswer> second = read_ahead.Take("second");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "second");
  EXPECT_EQ(second->content_md5, "");
  // Take waits for a finish that is running.
  std::future<std::optional<PreparedAnswer>> first =
      std::async(std::launch::async, [&] { return read_ahead.Take("first"); });
  EXPECT_EQ(first.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  gate.Release();
  std::optional<PreparedAnswer> finished = first.get();
  ASSERT_TRUE(finished.has_value());
  EXPECT_EQ(finished->content_md5, "finished-held");
  EXPECT_EQ(read_ahead.finishes_run(), 1u);
}

TEST(ReadAheadTest, DestroyingWhileAFinishRunsWaitsForIt) {
  FinishGate gate;
  std::thread releaser;
  {
    ReadAhead read_ahead(gate.Options());
    read_ahead.Schedule("held", Unhashed("held"));
    gate.WaitUntilEntered();
    releaser = std::thread([&gate] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      gate.Release();
    });
  }  // Joins the finisher: returns only after the running finish ended.
  releaser.join();
}

TEST(ReadAheadTest, DestroyingWhileAJobRunsWaitsForIt) {
  Gate gate;
  std::thread releaser;
  {
    ReadAhead read_ahead;
    read_ahead.Schedule("running", gate.JobThatWaits("running"));
    gate.WaitUntilEntered();
    read_ahead.Schedule("queued", [] { return std::optional<PreparedAnswer>(); });
    releaser = std::thread([&gate] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      gate.Release();
    });
  }  // Joins the worker: returns only after the running job ended.
  releaser.join();
}

}  // namespace
}  // namespace otsync::server
