#include "base/status.h"

#include <gtest/gtest.h>

#include "base/result.h"

namespace culprit {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("value: " + std::to_string(v) + " is odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  CULPRIT_ASSIGN_OR_RETURN(int h, Half(v));
  CULPRIT_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status().ToString(), "OK");
  const Status s = Status::InvalidArgument("report.client: \"x\" is not an IP address");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "INVALID_ARGUMENT: report.client: \"x\" is not an IP address");
  EXPECT_EQ(s.WithContext("config.toml:3").message(),
            "config.toml:3: report.client: \"x\" is not an IP address");
  EXPECT_TRUE(Status().WithContext("x").ok());
}

TEST(ResultTest, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "value: 3 is odd");
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> r = Status::NotFound("x");
  EXPECT_DEATH((void)r.value(), "CHECK failed");
}

}  // namespace
}  // namespace culprit
