#include "writers/stream/stream_writer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace otsync::writers {
namespace {

using sync::Field;
using sync::Record;

std::vector<Record> Rows() {
  return {Record{{Field::String("pk1"), Field::Integer(-5), Field::Double(1.5),
                  Field::Boolean(true), Field::Null(), Field::Binary(std::string("\x01\x02", 2))}}};
}

TEST(StreamWriterTest, PrintsDelimitedFields) {
  std::ostringstream out;
  StreamWriterSpec spec;
  spec.field_delimiter = "|";
  StreamWriter writer(spec, out);
  ASSERT_TRUE(writer.Prepare().ok());
  std::vector<sync::DirtyRecord> dirty;
  ASSERT_TRUE(writer.Write(Rows(), &dirty).ok());
  ASSERT_TRUE(writer.Commit({}).ok());
  EXPECT_EQ(out.str(), "pk1|-5|1.5|true|null|AQI=\n");
  EXPECT_TRUE(dirty.empty());
  auto committed = writer.FindCommittedWindow({});
  ASSERT_TRUE(committed.ok());
  EXPECT_FALSE(committed->has_value());
}

TEST(StreamWriterTest, PrintFalseOnlyCounts) {
  std::ostringstream out;
  StreamWriterSpec spec;
  spec.print = false;
  StreamWriter writer(spec, out);
  std::vector<sync::DirtyRecord> dirty;
  ASSERT_TRUE(writer.Write(Rows(), &dirty).ok());
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(writer.DescribeDestination(), "1 rows counted and discarded (print: false)");
}

}  // namespace
}  // namespace otsync::writers
