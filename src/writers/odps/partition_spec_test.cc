#include "writers/odps/partition_spec.h"

#include <gtest/gtest.h>

#include "writers/odps/odps_writer_spec.h"

namespace otsync::odps {
namespace {

TableSchema TwoLevelTable() {
  return ParseTableSpec("logs(msg STRING) PARTITIONED BY (pt STRING, region STRING)").value();
}

std::string ErrorOf(const Result<PartitionValues>& result) {
  return result.ok() ? "OK" : result.status().message();
}

TEST(PartitionSpecTest, NormalisedDataXFormsResolveInTableOrder) {
  // DataX's normalisation (NormalizePartition) feeds the check.
  std::string normalised = NormalizePartition(" region = 'hz' / pt = 20171019 ");
  EXPECT_EQ(normalised, "region=hz,pt=20171019");
  Result<PartitionValues> resolved = ResolvePartition(TwoLevelTable(), normalised, true);
  ASSERT_TRUE(resolved.ok()) << ErrorOf(resolved);
  EXPECT_EQ(FormatPartition(*resolved), "pt=20171019,region=hz");
}

TEST(PartitionSpecTest, MustNameTheLastLevel) {
  std::string error = ErrorOf(ResolvePartition(TwoLevelTable(), "pt=20171019", false));
  EXPECT_NE(error.find("must name every level down to the last"), std::string::npos) << error;
  EXPECT_NE(error.find("missing region"), std::string::npos) << error;
}

TEST(PartitionSpecTest, RejectsUnknownAndRepeatedLevels) {
  std::string unknown = ErrorOf(ResolvePartition(TwoLevelTable(), "pt=1,zone=hz", false));
  EXPECT_NE(unknown.find("has no partition column zone"), std::string::npos) << unknown;
  std::string twice = ErrorOf(ResolvePartition(TwoLevelTable(), "pt=1,pt=2,region=a", false));
  EXPECT_NE(twice.find("names level pt twice"), std::string::npos) << twice;
  std::string malformed = ErrorOf(ResolvePartition(TwoLevelTable(), "pt", false));
  EXPECT_NE(malformed.find("the right form is pt=1,ds=hangzhou"), std::string::npos) << malformed;
}

TEST(PartitionSpecTest, PartitionedTableNeedsAPartitionForBothTruncateModes) {
  std::string overwrite = ErrorOf(ResolvePartition(TwoLevelTable(), "", true));
  EXPECT_NE(overwrite.find("truncate needs the partition to clear"), std::string::npos);
  std::string append = ErrorOf(ResolvePartition(TwoLevelTable(), "", false));
  EXPECT_NE(append.find("writing needs a partition"), std::string::npos);
}

TEST(PartitionSpecTest, NonPartitionedTableRefusesAPartition) {
  TableSchema flat = ParseTableSpec("flat(a STRING)").value();
  EXPECT_TRUE(ResolvePartition(flat, "", true).ok());
  std::string error = ErrorOf(ResolvePartition(flat, "pt=1", true));
  EXPECT_NE(error.find("table flat is not partitioned"), std::string::npos) << error;
}

TEST(PartitionSpecTest, IntegerLevelsMustBeIntegers) {
  TableSchema table = ParseTableSpec("t(a STRING) PARTITIONED BY (day BIGINT)").value();
  EXPECT_TRUE(ResolvePartition(table, "day=20171019", false).ok());
  std::string error = ErrorOf(ResolvePartition(table, "day=today", false));
  EXPECT_NE(error.find("is not an integer"), std::string::npos) << error;
}

}  // namespace
}  // namespace otsync::odps
