#include "parsers/decoders/haproxy_termination.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "base/time_zone.h"

namespace culprit::parsers {
namespace {

struct Row {
  const char* text;
  Cause cause;
  const char* phase;
  const char* ended_by;  // "" = absent
};

// Every state seen in lab-dev haproxy.log and public/haproxy, plus the
// doc's (configuration.txt §8.5) remaining combinations.
const Row kRows[] = {
    {"----", Cause::kNone, "", ""},
    {"--", Cause::kNone, "", ""},
    {"--NN", Cause::kNone, "", ""},
    {"CR--", Cause::kClientAbort, "waiting for request", "client abort"},
    {"CD--", Cause::kClientAbort, "data transfer", "client abort"},
    {"CH--", Cause::kClientAbort, "waiting for response headers", "client abort"},
    {"CC", Cause::kClientAbort, "connecting to server", "client abort"},
    {"cR--", Cause::kRequestTimeout, "waiting for request", "client timeout"},
    {"cH--", Cause::kRequestTimeout, "waiting for response headers", "client timeout"},
    {"cD--", Cause::kIdleTimeout, "data transfer", "client timeout"},
    {"cD", Cause::kIdleTimeout, "data transfer", "client timeout"},
    {"SC", Cause::kUpstreamFailure, "connecting to server", "server abort"},
    {"SC--", Cause::kUpstreamFailure, "connecting to server", "server abort"},
    {"SH--", Cause::kUpstreamFailure, "waiting for response headers", "server abort"},
    {"SD--", Cause::kUpstreamFailure, "data transfer", "server abort"},
    {"sC--", Cause::kUpstreamTimeout, "connecting to server", "server timeout"},
    {"sH--", Cause::kUpstreamTimeout, "waiting for response headers", "server timeout"},
    {"sD--", Cause::kUpstreamTimeout, "data transfer", "server timeout"},
    {"sQ--", Cause::kResourceExhaustion, "queued", "server timeout"},
    {"PR--", Cause::kRequestRejected, "waiting for request", "proxy"},
    {"PT--", Cause::kRequestRejected, "tarpitted", "proxy"},
    {"PH--", Cause::kUpstreamFailure, "waiting for response headers", "proxy"},
    {"PD--", Cause::kUpstreamFailure, "data transfer", "proxy"},
    {"PC--", Cause::kResourceExhaustion, "connecting to server", "proxy"},
    {"RC--", Cause::kResourceExhaustion, "connecting to server", "resource exhausted"},
    {"IR--", Cause::kAppError, "waiting for request", "internal error"},
    {"DD--", Cause::kUpstreamFailure, "data transfer", "server down"},
    {"UD--", Cause::kUpstreamFailure, "data transfer", "backup killed (active up)"},
    {"KH--", Cause::kServerShutdown, "waiting for response headers", "killed by admin"},
    {"KR--", Cause::kServerShutdown, "waiting for request", "killed by admin"},
    {"LR--", Cause::kNone, "waiting for request", "handled locally"},
};

class HaproxyTerminationTest : public ::testing::Test {
 protected:
  TimeZone utc_;
  LineContext ctx_{&utc_, Timestamp()};
};

TEST_F(HaproxyTerminationTest, Table) {
  for (const Row& row : kRows) {
    SCOPED_TRACE(row.text);
    Event event;
    ASSERT_TRUE(DecodeHaproxyTermination(row.text, ctx_, &event).ok());
    EXPECT_EQ(event.detail, row.text);
    EXPECT_EQ(CauseName(event.cause), CauseName(row.cause));
    EXPECT_EQ(event.phase, row.phase);
    EXPECT_EQ(event.Extra("ended_by"), row.ended_by);
  }
}

TEST_F(HaproxyTerminationTest, CookieChars) {
  Event event;
  ASSERT_TRUE(DecodeHaproxyTermination("--NI", ctx_, &event).ok());
  EXPECT_EQ(event.Extra("cookie"), "NI");
  Event plain;
  ASSERT_TRUE(DecodeHaproxyTermination("SD--", ctx_, &plain).ok());
  EXPECT_EQ(plain.Extra("cookie"), "");
}

TEST_F(HaproxyTerminationTest, LocallyHandledUsesStatusWhenKnown) {
  Event event;
  event.status = 403;
  ASSERT_TRUE(DecodeHaproxyTermination("LR--", ctx_, &event).ok());
  EXPECT_EQ(event.cause, Cause::kRequestRejected);
  Event redirect;
  redirect.status = 302;
  ASSERT_TRUE(DecodeHaproxyTermination("LR--", ctx_, &redirect).ok());
  EXPECT_EQ(redirect.cause, Cause::kNone);
}

TEST_F(HaproxyTerminationTest, Invalid) {
  const char* kBad[] = {"", "-", "---", "-----", "XD--", "SX--", "SDX-", "SD-X", "sd--",
                        "SD\n-"};
  for (const char* text : kBad) {
    SCOPED_TRACE(text);
    Event event;
    const Status s = DecodeHaproxyTermination(text, ctx_, &event);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("haproxy_termination"), std::string::npos);
    EXPECT_EQ(event.cause, Cause::kNone);
  }
}

TEST_F(HaproxyTerminationTest, RandomBytesDoNotCrash) {
  std::mt19937 rng(8);
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 6, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    Event event;
    (void)DecodeHaproxyTermination(s, ctx_, &event);
  }
}

}  // namespace
}  // namespace culprit::parsers
