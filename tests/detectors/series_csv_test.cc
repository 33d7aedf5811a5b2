#include "series_csv.h"

#include <cmath>
#include <sstream>

#include <gtest/gtest.h>

namespace kubeheal::detect_cli {
namespace {

Result<SeriesCsv> Parse(const std::string& text) {
  std::istringstream in(text);
  return ParseSeriesCsv(in, "f.csv");
}

TEST(SeriesCsvTest, ReadsNabRows) {
  auto csv = Parse("timestamp,value\r\n2014-04-01 00:00:00,20.0\r\n2014-04-01 00:05:00,21.5\r\n");
  ASSERT_TRUE(csv.ok()) << csv.error().message;
  ASSERT_EQ(csv->values.size(), 2u);
  EXPECT_EQ(csv->timestamps[0], 1396310400.0);
  EXPECT_EQ(csv->timestamps[1] - csv->timestamps[0], 300.0);
  EXPECT_EQ(csv->values[1], 21.5);
  EXPECT_EQ(csv->lines[0], "2014-04-01 00:00:00,20.0");
  EXPECT_EQ(csv->timestamp_texts[1], "2014-04-01 00:05:00");
}

TEST(SeriesCsvTest, ColumnsAreFoundByNameAndEmptyValuesAreNaN) {
  auto csv = Parse("value,host,timestamp\n1.5,a,100\n,b,160\nnan,c,220\n\n");
  ASSERT_TRUE(csv.ok()) << csv.error().message;
  EXPECT_EQ(csv->timestamps[2], 220.0);
  EXPECT_EQ(csv->values[0], 1.5);
  EXPECT_TRUE(std::isnan(csv->values[1]));
  EXPECT_TRUE(std::isnan(csv->values[2]));
}

TEST(SeriesCsvTest, ErrorsNameFileLineAndProblem) {
  struct Case {
    std::string text, expected;
  };
  for (const Case& c :
       {Case{"", "f.csv:1: file is empty"},
        Case{"time,val\n1,2\n", "f.csv:1: header 'time,val' must name"},
        Case{"timestamp,value\n1,2\n3,abc\n", "f.csv:3: value 'abc' is not a number"},
        Case{"timestamp,value\n1,2,3\n", "f.csv:2: expected 2 fields, found 3"},
        Case{"timestamp,value\n2014-13-01 00:00:00,1\n",
             "f.csv:2: timestamp '2014-13-01 00:00:00'"},
        Case{"timestamp,value\nyesterday,1\n", "f.csv:2: timestamp 'yesterday' is neither"}}) {
    auto csv = Parse(c.text);
    ASSERT_FALSE(csv.ok()) << c.text;
    EXPECT_EQ(csv.error().message.rfind(c.expected, 0), 0u) << csv.error().message;
  }
}

TEST(SeriesCsvTest, TimestampForms) {
  EXPECT_EQ(*ParseTimestamp("1970-01-02 00:00:00"), 86400.0);
  EXPECT_EQ(*ParseTimestamp("2000-03-01T00:00:00Z"), 951868800.0);
  EXPECT_DOUBLE_EQ(*ParseTimestamp("2014-04-10 07:15:00.000000"), 1397114100.0);
  EXPECT_DOUBLE_EQ(*ParseTimestamp("1970-01-01 00:00:01.25"), 1.25);
  EXPECT_EQ(*ParseTimestamp("1700000000.5"), 1700000000.5);
  EXPECT_FALSE(ParseTimestamp("2014-04-10 07:15").has_value());
  EXPECT_FALSE(ParseTimestamp("2014-04-10 07:15:00 +02").has_value());
  EXPECT_FALSE(ParseTimestamp("").has_value());
}

TEST(SeriesCsvTest, MissingFileIsNamed) {
  auto csv = ReadSeriesCsv("/nonexistent/dir/x.csv");
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.error().message, "/nonexistent/dir/x.csv: cannot open for reading");
}

}  // namespace
}  // namespace kubeheal::detect_cli
