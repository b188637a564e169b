#include "common/status.h"

#include <gtest/gtest.h>

namespace mlos {
namespace {

StatusOr<int> Half(int value) {
  if (value % 2 != 0) return InvalidArgument("value " + std::to_string(value) + " is odd");
  return value / 2;
}

Status Quarter(int value, int* out) {
  ASSIGN_OR_RETURN(int half, Half(value));
  ASSIGN_OR_RETURN(*out, Half(half));
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndContext) {
  Status status = NotFound("model 'a'").WithContext("register");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.ToString(), "NotFound: register: model 'a'");
}

TEST(StatusTest, AssignOrReturnPropagates) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status status = Quarter(6, &out);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "value 3 is odd");
}

}  // namespace
}  // namespace mlos
