#include "sync/variables.h"

#include <gtest/gtest.h>

namespace otsync::sync {
namespace {

// 2017-10-20 01:00 in Shanghai, still 2017-10-19 in UTC.
constexpr int64_t kShanghaiEarlyMorningMicros = 1508432400000LL * 1000;

TEST(VariablesTest, SubstitutesGivenValues) {
  Variables variables({{"startTime", "20171019161000"}, {"x", "${y}"}});
  EXPECT_EQ(*variables.Substitute("${startTime}", "p"), "20171019161000");
  EXPECT_EQ(*variables.Substitute("a${startTime}b${startTime}", "p"),
            "a20171019161000b20171019161000");
  EXPECT_EQ(*variables.Substitute("${x}", "p"), "${y}");  // Values are not expanded again.
  EXPECT_EQ(*variables.Substitute("no variables $ {} }", "p"), "no variables $ {} }");
}

TEST(VariablesTest, BizdateIsYesterdayInTheZone) {
  auto clock = std::make_shared<ManualClock>(kShanghaiEarlyMorningMicros);
  Variables shanghai({}, clock);
  EXPECT_EQ(*shanghai.Substitute("pt=${bdp.system.bizdate}", "p"), "pt=20171019");
  EXPECT_EQ(*shanghai.Lookup("bdp.system.cyctime"), "20171020010000");
  Variables utc({}, clock, TimeZone::Utc());
  EXPECT_EQ(*utc.Substitute("${bdp.system.bizdate}", "p"), "20171018");
  clock->AdvanceMicros(int64_t{86'400'000'000});
  EXPECT_EQ(*shanghai.Substitute("${bdp.system.bizdate}", "p"), "20171020");
}

TEST(VariablesTest, GivenBizdateWins) {
  Variables variables({{"bdp.system.bizdate", "20000101"}},
                      std::make_shared<ManualClock>(kShanghaiEarlyMorningMicros));
  EXPECT_EQ(*variables.Substitute("${bdp.system.bizdate}", "p"), "20000101");
}

TEST(VariablesTest, ErrorsNameTheVariableAndThePath) {
  Variables variables;
  Result<std::string> unresolved =
      variables.Substitute("${endTime}", "configuration.reader.parameter.endTimeString");
  ASSERT_FALSE(unresolved.ok());
  EXPECT_EQ(unresolved.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(unresolved.status().message(),
            "configuration.reader.parameter.endTimeString: unresolved variable ${endTime}, give "
            "its value with -p endTime=<value>");
  EXPECT_EQ(variables.Substitute("${abc", "k").status().message(),
            "k: unclosed variable reference '${', expected ${name}");
  EXPECT_EQ(variables.Substitute("${}", "k").status().message(),
            "k: invalid variable reference, expected ${name} with a name of letters, digits, "
            "'_', '.' or '-'");
}

TEST(VariablesTest, ParsesAssignments) {
  std::map<std::string, std::string> values;
  ASSERT_TRUE(AddVariableAssignment("startTime=20171019161000", values).ok());
  ASSERT_TRUE(AddVariableAssignment("expr=a=b", values).ok());
  ASSERT_TRUE(AddVariableAssignment("empty=", values).ok());
  ASSERT_TRUE(AddVariableAssignment("-DendTime=20171019162600 -Dbizdate=20171019", values).ok());
  EXPECT_EQ(values["startTime"], "20171019161000");
  EXPECT_EQ(values["expr"], "a=b");
  EXPECT_EQ(values["empty"], "");
  EXPECT_EQ(values["endTime"], "20171019162600");
  EXPECT_EQ(values["bizdate"], "20171019");
  EXPECT_FALSE(AddVariableAssignment("novalue", values).ok());
  EXPECT_FALSE(AddVariableAssignment("=x", values).ok());
  EXPECT_FALSE(AddVariableAssignment("-Da=1 b=2", values).ok());
}

}  // namespace
}  // namespace otsync::sync
