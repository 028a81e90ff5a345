// Fault injection: the plan parser, the injector's deterministic choice, and the FaultFront in
// front of a real HTTP server (store in a temporary directory) driven by cpp-httplib's client
// with requests signed as the SDKs sign them.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "proto/table_store.pb.h"
#include "server/fault_front.h"
#include "server/fault_plan.h"
#include "server/request_dispatcher.h"
#include "server/testing/in_process_otsd.h"
#include "wire/signature.h"

namespace otsync::server {
namespace {

TEST(FaultPlanTest, ParsesRulesWithDefaults) {
  Result<FaultPlan> plan = ParseFaultPlan(
      R"({"seed": 9, "faults": [{"api": "GetStreamRecord", "kind": "busy", "count": 3},
          {"api": "GetRow", "kind": "hang", "hang_ms": 50, "skip": 2, "probability": 0.5},
          {"api": "PutRow", "kind": "drop"}, {"api": "GetStreamRecord", "kind": "corrupt"}]})");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->seed, 9u);
  ASSERT_EQ(plan->rules.size(), 4u);
  EXPECT_EQ(plan->rules[0].kind, FaultKind::kBusy);
  EXPECT_EQ(plan->rules[0].count, 3);
  EXPECT_EQ(plan->rules[1].kind, FaultKind::kHang);
  EXPECT_EQ(plan->rules[1].hang, std::chrono::milliseconds(50));
  EXPECT_EQ(plan->rules[1].skip, 2);
  EXPECT_DOUBLE_EQ(plan->rules[1].probability, 0.5);
  EXPECT_EQ(plan->rules[2].kind, FaultKind::kDrop);
  EXPECT_EQ(plan->rules[2].count, 1);
  EXPECT_EQ(plan->rules[3].kind, FaultKind::kCorrupt);
  EXPECT_TRUE(ParseFaultPlan("{}")->rules.empty());
}

TEST(FaultPlanTest, ErrorsNameTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[]", "expected a JSON object"},
      {R"({"faults": 3})", "\"faults\" must be an array"},
      {R"({"faults": [{"kind": "busy"}]})", "faults[0].\"api\""},
      {R"({"faults": [{"api": "X", "kind": "explode"}]})", "\"explode\""},
      {R"({"faults": [{"api": "X", "kind": "busy", "count": -1}]})", "faults[0].\"count\""},
      {R"({"faults": [{"api": "X", "kind": "busy", "probability": 0}]})", "\"probability\""},
      {R"({"seed": -3})", "\"seed\""},
  };
  for (const auto& [text, expected] : cases) {
    Result<FaultPlan> plan = ParseFaultPlan(text);
    ASSERT_FALSE(plan.ok()) << text;
    EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(plan.status().message().find(expected), std::string::npos)
        << text << " -> " << plan.status().message();
  }
}

TEST(FaultInjectorTest, OffUntilArmedThenSkipThenCount) {
  FaultInjector injector;
  EXPECT_FALSE(injector.Next("GetStreamRecord").has_value());
  FaultPlan plan;
  plan.rules.push_back({"GetStreamRecord", FaultKind::kDrop, 2, 1, 1.0, {}});
  injector.Arm(plan);
  EXPECT_FALSE(injector.Next("GetStreamRecord").has_value());  // skipped
  EXPECT_FALSE(injector.Next("GetRow").has_value());           // another API
  EXPECT_EQ(injector.Next("GetStreamRecord")->kind, FaultKind::kDrop);
  EXPECT_EQ(injector.Next("GetStreamRecord")->kind, FaultKind::kDrop);
  EXPECT_FALSE(injector.Next("GetStreamRecord").has_value());  // used up
  EXPECT_EQ(injector.stats().drop, 2);
  injector.Arm(FaultPlan{});
  EXPECT_EQ(injector.rule_count(), 0u);
  EXPECT_EQ(injector.stats().total(), 2);  // Statistics survive re-arming.
}

TEST(FaultInjectorTest, ProbabilityIsSeededAndDeterministic) {
  auto pattern = [](uint64_t seed) {
    FaultInjector injector;
    FaultPlan plan;
    plan.seed = seed;
    plan.rules.push_back({"GetStreamRecord", FaultKind::kBusy, 1000, 0, 0.3, {}});
    injector.Arm(plan);
    std::string faults;
    for (int i = 0; i < 200; ++i) faults += injector.Next("GetStreamRecord") ? 'x' : '.';
    return faults;
  };
  const std::string first = pattern(42);
  EXPECT_EQ(first, pattern(42));
  EXPECT_NE(first, pattern(43));
  const auto fired = std::count(first.begin(), first.end(), 'x');
  EXPECT_GT(fired, 30);
  EXPECT_LT(fired, 90);
}

class FaultFrontTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InProcessOtsdOptions options;
    options.register_handlers = [this](RequestDispatcher* dispatcher) {
      RegisterFaultInjectionHandlers(dispatcher, &injector_);
    };
    Result<std::unique_ptr<InProcessOtsd>> otsd = InProcessOtsd::Start(std::move(options));
    ASSERT_TRUE(otsd.ok()) << otsd.status().ToString();
    otsd_ = std::move(otsd).value();
    auto front = FaultFront::Start("127.0.0.1", 0, "127.0.0.1", otsd_->port(), &injector_);
    ASSERT_TRUE(front.ok()) << front.status().ToString();
    front_ = std::move(front).value();
    client_ = NewClient();
  }

  void TearDown() override {
    client_.reset();
    if (front_) front_->Stop();
    front_.reset();
    otsd_.reset();
  }

  std::unique_ptr<httplib::Client> NewClient() {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", front_->port());
    client->set_keep_alive(true);
    client->set_read_timeout(std::chrono::seconds(5));
    return client;
  }

  httplib::Result ListTable(httplib::Client& client) {
    return PostSigned(client, "ListTable", proto::ListTableRequest().SerializeAsString());
  }

  httplib::Result Admin(std::string_view api, const std::string& body) {
    return PostSigned(*client_, api, body, kDevelopmentAdminKeyId, kDevelopmentAdminSecret);
  }

  static std::string ErrorCodeOf(const httplib::Result& result) {
    proto::Error error;
    if (!result || !error.ParseFromString(result->body)) return "<no error body>";
    return error.code();
  }

  FaultInjector injector_;  // Outlives the server, whose handlers use it.
  std::unique_ptr<InProcessOtsd> otsd_;
  std::unique_ptr<FaultFront> front_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(FaultFrontTest, PassesRequestsThroughWhenNothingIsArmed) {
  for (int i = 0; i < 3; ++i) {
    httplib::Result result = ListTable(*client_);
    ASSERT_TRUE(result) << httplib::to_string(result.error());
    EXPECT_EQ(result->status, 200);
  }
  EXPECT_EQ(injector_.stats().total(), 0);
}

TEST_F(FaultFrontTest, AdminOperationsNeedAnAdminSignature) {
  const std::string plan = R"({"faults": [{"api": "ListTable", "kind": "busy"}]})";
  httplib::Result user = PostSigned(*client_, kAdminInjectFaultsApi, plan);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->status, 403);
  EXPECT_EQ(ErrorCodeOf(user), "OTSAuthFailed");
  httplib::Result stats = PostSigned(*client_, kAdminFaultStatsApi, "{}");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 403);
  EXPECT_EQ(injector_.rule_count(), 0u);

  httplib::Result bad = Admin(kAdminInjectFaultsApi, R"({"faults": [{"api": "X"}]})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(injector_.rule_count(), 0u);

  httplib::Result armed = Admin(kAdminInjectFaultsApi, plan);
  ASSERT_TRUE(armed);
  EXPECT_EQ(armed->status, 200);
  EXPECT_EQ(armed->body, R"({"injected":0,"rules":1})");
  EXPECT_EQ(injector_.rule_count(), 1u);
}

TEST_F(FaultFrontTest, BusyAnswers503AndKeepsTheConnection) {
  ASSERT_EQ(Admin(kAdminInjectFaultsApi,
                  R"({"faults": [{"api": "ListTable", "kind": "busy", "count": 2}]})")
                ->status,
            200);
  for (int i = 0; i < 2; ++i) {
    httplib::Result busy = ListTable(*client_);
    ASSERT_TRUE(busy) << httplib::to_string(busy.error());
    EXPECT_EQ(busy->status, 503);
    EXPECT_EQ(ErrorCodeOf(busy), "OTSServerBusy");
    EXPECT_EQ(busy->get_header_value("x-ots-contentmd5"), wire::ContentMd5(busy->body));
  }
  httplib::Result after = ListTable(*client_);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  httplib::Result stats = Admin(kAdminFaultStatsApi, "{}");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->body, R"({"busy":2,"corrupt":0,"drop":0,"hang":0,"injected":2})");
}

TEST_F(FaultFrontTest, CorruptFlipsTheMiddleByteOfTheAnswerAndKeepsItsMd5) {
  for (const char* name : {"first", "second", "third"}) {
    ASSERT_EQ(PostSigned(*client_, "CreateTable", StringKeyTableRequest(name).SerializeAsString())
                  ->status,
              200);
  }
  ASSERT_EQ(Admin(kAdminInjectFaultsApi,
                  R"({"faults": [{"api": "ListTable", "kind": "corrupt", "skip": 1}]})")
                ->status,
            200);
  httplib::Result clean = ListTable(*client_);  // skipped
  ASSERT_TRUE(clean);
  ASSERT_EQ(clean->status, 200);
  ASSERT_GT(clean->body.size(), 10u);
  EXPECT_EQ(clean->get_header_value("x-ots-contentmd5"), wire::ContentMd5(clean->body));

  httplib::Result damaged = ListTable(*client_);
  ASSERT_TRUE(damaged) << httplib::to_string(damaged.error());
  EXPECT_EQ(damaged->status, 200);
  ASSERT_EQ(damaged->body.size(), clean->body.size());
  const size_t middle = clean->body.size() / 2;
  for (size_t i = 0; i < clean->body.size(); ++i) {
    const char expected = i == middle ? static_cast<char>(clean->body[i] ^ '\xff') : clean->body[i];
    EXPECT_EQ(damaged->body[i], expected) << "byte " << i;
  }
  // The service's MD5 of the answer as it left the service: it no longer matches the body.
  EXPECT_EQ(damaged->get_header_value("x-ots-contentmd5"), wire::ContentMd5(clean->body));

  // The same kept-alive connection carries the next answer undamaged.
  httplib::Result after = ListTable(*client_);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, clean->body);
  EXPECT_EQ(injector_.stats().corrupt, 1);
}

TEST_F(FaultFrontTest, DropClosesTheConnectionWithoutAResponse) {
  ASSERT_EQ(Admin(kAdminInjectFaultsApi,
                  R"({"faults": [{"api": "ListTable", "kind": "drop", "skip": 1}]})")
                ->status,
            200);
  ASSERT_EQ(ListTable(*client_)->status, 200);  // skipped
  httplib::Result dropped = ListTable(*client_);
  EXPECT_FALSE(dropped);
  auto fresh = NewClient();
  httplib::Result after = ListTable(*fresh);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(injector_.stats().drop, 1);
}

TEST_F(FaultFrontTest, HangOutlastsTheClientTimeout) {
  ASSERT_EQ(Admin(kAdminInjectFaultsApi,
                  R"({"faults": [{"api": "ListTable", "kind": "hang", "hang_ms": 1500}]})")
                ->status,
            200);
  auto impatient = NewClient();
  impatient->set_read_timeout(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  httplib::Result hung = ListTable(*impatient);
  EXPECT_FALSE(hung);
  if (!hung) {
    EXPECT_EQ(hung.error(), httplib::Error::Read);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
  httplib::Result after = ListTable(*NewClient());
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(FaultFrontTest, StopWakesAHungRequest) {
  injector_.Arm(
      *ParseFaultPlan(R"({"faults": [{"api": "ListTable", "kind": "hang", "hang_ms": 60000}]})"));
  std::thread caller([this] { EXPECT_FALSE(ListTable(*client_)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  front_->Stop();
  caller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace otsync::server
