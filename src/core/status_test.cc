#include "ixray/status.h"

#include <gtest/gtest.h>

namespace ixray {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  IXRAY_ASSIGN_OR_RAISE(int half, Half(x));
  IXRAY_ASSIGN_OR_RAISE(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  IXRAY_RETURN_NOT_OK(Half(x));
  return Status::OK();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::OK().ok());
  EXPECT_EQ(Status::OK().ToString(), "OK");
  Status st = Status::Corruption("bad checksum");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_EQ(st.message(), "bad checksum");
  EXPECT_EQ(st.ToString(), "Corruption: bad checksum");
  EXPECT_EQ(st.WithContext("data/0.ixd").message(), "data/0.ixd: bad checksum");
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_FALSE(CheckEven(3).ok());
  EXPECT_EQ(Half(3).ValueOr(-1), -1);
}

TEST(StatusTest, ResultFromOkStatusIsAnError) {
  Result<int> r{Status::OK()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace ixray

namespace ixray {
namespace {

Result<std::string> Failing(std::string message) {
  return Status::InvalidArgument(std::move(message));
}

Status CheckTemporary() {
  // The status of a temporary Result, returned through the macro: it must
  // not refer into the Result, which dies at the end of the statement.
  IXRAY_RETURN_NOT_OK(Failing(std::string(200, 'x')).status());
  return Status::OK();
}

TEST(ResultTest, StatusOfATemporaryResultOutlivesIt) {
  const Status status = CheckTemporary();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), std::string(200, 'x'));
  auto&& held = Failing("held").status();
  EXPECT_EQ(held.message(), "held");
}

}  // namespace
}  // namespace ixray
