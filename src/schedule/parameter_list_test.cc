#include "schedule/parameter_list.h"

#include <gtest/gtest.h>

namespace otsync::schedule {
namespace {

InstanceTimes At20251101() {
  sync::TimeZone zone = sync::TimeZone::Shanghai();
  return ScheduledInstance(sync::ToEpochSeconds({2025, 11, 1, 2, 30, 45}, zone), zone);
}

TEST(ParameterListTest, SplitsDataWorksListsIntoPairs) {
  Result<std::vector<Parameter>> parameters = ParseParameterList(
      "startTime=$[yyyymmddhh24miss-10/24/60]  endTime=$[yyyymmddhh24miss-5/24/60] pt=$bizdate "
      "empty= ");
  ASSERT_TRUE(parameters.ok()) << parameters.status().message();
  EXPECT_EQ(*parameters, (std::vector<Parameter>{{"startTime", "$[yyyymmddhh24miss-10/24/60]"},
                                                 {"endTime", "$[yyyymmddhh24miss-5/24/60]"},
                                                 {"pt", "$bizdate"},
                                                 {"empty", ""}}));
  Result<std::vector<std::pair<std::string, std::string>>> values =
      ResolveParameters(*parameters, At20251101());
  ASSERT_TRUE(values.ok()) << values.status().message();
  EXPECT_EQ(*values,
            (std::vector<std::pair<std::string, std::string>>{{"startTime", "20251101022045"},
                                                              {"endTime", "20251101022545"},
                                                              {"pt", "20251031"},
                                                              {"empty", ""}}));
  EXPECT_TRUE(ParseParameterList("")->empty());
}

TEST(ParameterListTest, RefusesWhatWouldSplitOrCollide) {
  struct Case {
    std::string list;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"a=$[yyyy-mm-dd hh24:mi:ss]",
       "parameter a: the expression contains a space, which DataWorks does not allow"},
      {"a=${yyyymmdd b=1", "parameter a: '${' is not closed"},
      {"a=1 a=2", "parameter a is given twice"},
      {"a=1 b", "'b' is not name=expression"},
      {"a b=1", "'a' is not name=expression"},
      {"na/me=1", "parameter name 'na/me': expected letters, digits, '_', '.' or '-'"},
  };
  for (const Case& c : cases) {
    Result<std::vector<Parameter>> parameters = ParseParameterList(c.list);
    ASSERT_FALSE(parameters.ok()) << c.list;
    EXPECT_EQ(parameters.status().message(), c.message) << c.list;
  }
}

TEST(ParameterListTest, ResolvingNamesTheParameterAtFault) {
  Result<std::vector<std::pair<std::string, std::string>>> values =
      ResolveParameters({{"good", "$bizdate"}, {"bad", "a=b"}}, At20251101());
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.status().message(),
            "parameter bad: the expression contains '=', which DataWorks does not allow");
}

}  // namespace
}  // namespace otsync::schedule
