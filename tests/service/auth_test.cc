// The access policy, token hashing and the bearer-token check: pure
// functions, no server.

#include "daemon/service/auth.h"

#include <gtest/gtest.h>

namespace culprit::service {
namespace {

// The matrix as documented in README "Access control" and auth.h.
TEST(AuthPolicyTest, EveryRoleAndRpc) {
  const struct {
    Rpc rpc;
    bool reporter;
    bool op;
  } matrix[] = {
      {Rpc::kStatus, true, true},        {Rpc::kCorrelate, false, true},
      {Rpc::kSubmit, true, true},        {Rpc::kSearchEvents, false, true},
      {Rpc::kTopCauses, false, true},    {Rpc::kReport, false, true},
  };
  ASSERT_EQ(std::size(matrix), std::size(kAllRpcs));
  for (const auto& row : matrix) {
    SCOPED_TRACE(RpcName(row.rpc));
    EXPECT_EQ(Allowed(Role::kReporter, row.rpc), row.reporter);
    EXPECT_EQ(Allowed(Role::kOperator, row.rpc), row.op);
  }
  // Every RPC has a row, and a proto name.
  for (Rpc rpc : kAllRpcs) {
    EXPECT_NE(RpcName(rpc), "unknown");
    bool found = false;
    for (const auto& row : matrix) found = found || row.rpc == rpc;
    EXPECT_TRUE(found) << RpcName(rpc);
  }
}

TEST(AuthPolicyTest, RoleNamesRoundTrip) {
  for (Role role : {Role::kReporter, Role::kOperator}) {
    auto parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, role);
  }
  auto bad = ParseRole("admin");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "\"admin\" is not a role (reporter or operator)");
}

TEST(Sha256Test, KnownVectorsAndHex) {
  // FIPS 180-2 vectors, and one with a NUL byte (as `printf 'a\0b' | sha256sum`).
  const struct {
    std::string in;
    const char* hex;
  } cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {std::string("a\0b", 3), "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ToHex(Sha256(c.in)), c.hex);
    auto parsed = ParseSha256Hex(c.hex);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(ToHex(*parsed), c.hex);
  }
  // Upper case is accepted and printed in lower case.
  auto upper = ParseSha256Hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  ASSERT_TRUE(upper.ok());
  EXPECT_TRUE(ConstantTimeEqual(*upper, Sha256("abc")));
  EXPECT_FALSE(ConstantTimeEqual(*upper, Sha256("abd")));
}

TEST(Sha256Test, BadHexIsNamed) {
  const struct {
    std::string hex;
    const char* message;
  } cases[] = {
      {"abc", "a SHA-256 is 64 hex digits, not 3 characters"},
      {std::string(63, 'a') + "g", "character 64 is not a hex digit"},
      {"z" + std::string(63, 'a'), "character 1 is not a hex digit"},
      {std::string(64, '\0'), "character 1 is not a hex digit"},
  };
  for (const auto& c : cases) {
    auto r = ParseSha256Hex(c.hex);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(AuthenticatorTest, OffMeansOperator) {
  const Authenticator off({});
  EXPECT_FALSE(off.enabled());
  auto caller = off.Authenticate({});
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->role, Role::kOperator);
  EXPECT_EQ(caller->name, "");
  // A token sent to a daemon without tokens is ignored.
  caller = off.Authenticate({"Bearer anything"});
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->role, Role::kOperator);
}

TEST(AuthenticatorTest, TokensResolveRolesAndBadOnesAreUnauthenticated) {
  const Authenticator auth({{"ops", Role::kOperator, Sha256("op-secret")},
                            {"app", Role::kReporter, Sha256("rep-secret")}});
  ASSERT_TRUE(auth.enabled());
  const struct {
    const char* name;
    std::vector<std::string_view> metadata;
    std::optional<Role> role;  // nullopt: UNAUTHENTICATED
    const char* who_or_message;
  } cases[] = {
      {"operator", {"Bearer op-secret"}, Role::kOperator, "ops"},
      {"reporter", {"Bearer rep-secret"}, Role::kReporter, "app"},
      {"scheme case", {"bearer rep-secret"}, Role::kReporter, "app"},
      {"extra spaces", {"Bearer   op-secret  "}, Role::kOperator, "ops"},
      {"second value", {"Basic eHg6eXk=", "Bearer op-secret"}, Role::kOperator, "ops"},
      {"none", {}, std::nullopt, "this culpritd requires a token"},
      {"wrong token", {"Bearer op-secreT"}, std::nullopt,
       "the bearer token is not valid for this culpritd"},
      {"prefix of a token", {"Bearer op-secre"}, std::nullopt,
       "the bearer token is not valid for this culpritd"},
      {"token alone", {"op-secret"}, std::nullopt,
       "the \"authorization\" metadata is not \"Bearer <token>\""},
      {"empty bearer", {"Bearer "}, std::nullopt,
       "the \"authorization\" metadata is not \"Bearer <token>\""},
      {"basic", {"Basic b3A6c2VjcmV0"}, std::nullopt,
       "the \"authorization\" metadata is not \"Bearer <token>\""},
      {"binary junk", {std::string_view("Bearer \0\xff", 9)}, std::nullopt,
       "the bearer token is not valid"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto caller = auth.Authenticate(c.metadata);
    if (c.role) {
      ASSERT_TRUE(caller.ok()) << caller.status().message();
      EXPECT_EQ(caller->role, *c.role);
      EXPECT_EQ(caller->name, c.who_or_message);
    } else {
      ASSERT_FALSE(caller.ok());
      EXPECT_EQ(caller.status().code(), StatusCode::kUnauthenticated);
      EXPECT_EQ(caller.status().message().rfind(c.who_or_message, 0), 0u)
          << caller.status().message();
      // The presented token is never echoed.
      EXPECT_EQ(caller.status().message().find("secre"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace culprit::service
