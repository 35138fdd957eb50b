// The real culpritd and culprit binaries, run as a user would: a config in a
// temp directory, a real database, gRPC over loopback.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>


#include "culprit/v1/culprit.pb.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace culprit {
namespace {

using culprit::testing::RunProgram;
using culprit::testing::Subprocess;
using culprit::testing::TempDir;
using namespace std::chrono_literals;

const std::string kCulpritd = std::string(CULPRIT_BINARY_DIR) + "/daemon/culpritd";
const std::string kCulprit = std::string(CULPRIT_BINARY_DIR) + "/cli/culprit";

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

class CulpritdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("logs/access.log",
               "192.0.2.1 - - [20/Nov/2026:09:14:01 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\n");
    dir_.Write("culprit.toml", R"(
[daemon]
listen = "127.0.0.1:0"
database = "state/culprit.db"

[[source]]
name = "edge-access"
path = "logs/access.log"
format = "nginx_combined"

[[source]]
path = "logs/app/*.jsonl"
format = "json"
)");
    dir_.Write("state/.keep", "");
  }

  // Starts culpritd on the test config and returns the port it serves on.
  int StartDaemon(Subprocess& daemon) {
    const int port = culprit::testing::WaitForServingPort(daemon);
    EXPECT_GT(port, 0) << "culpritd did not start; stderr:\n" << daemon.err();
    return port;
  }

  TempDir dir_;
};

TEST_F(CulpritdTest, ServesStatusAndStopsOnSigterm) {
  Subprocess daemon({kCulpritd, "--config", dir_.File("culprit.toml")});
  const int port = StartDaemon(daemon);
  ASSERT_GT(port, 0);
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  EXPECT_TRUE(Exists(dir_.File("state/culprit.db")));

  auto table = RunProgram({kCulprit, "--daemon", addr, "status"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("edge-access"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("nginx_combined"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(dir_.File("logs/app/*.jsonl")), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("no file matches the path yet"), std::string::npos) << table.out;

  auto json = RunProgram({kCulprit, "--daemon", addr, "status", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  v1::StatusResponse parsed;
  const auto st = google::protobuf::util::JsonStringToMessage(json.out, &parsed);
  ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << json.out;
  ASSERT_EQ(parsed.sources_size(), 2);
  EXPECT_EQ(parsed.sources(0).name(), "edge-access");
  EXPECT_EQ(parsed.sources(0).file_size(),
            static_cast<int64_t>(culprit::testing::ReadFileOrEmpty(dir_.File("logs/access.log")).size()));
  EXPECT_EQ(parsed.database_path(), dir_.File("state/culprit.db"));

  daemon.Signal(SIGTERM);
  auto code = daemon.Wait(20s);
  ASSERT_TRUE(code.has_value()) << "culpritd did not stop on SIGTERM";
  EXPECT_EQ(*code, 0) << daemon.err();
  EXPECT_NE(daemon.err().find("shutting down"), std::string::npos);
}

TEST_F(CulpritdTest, DaemonAddressFromEnvironment) {
  Subprocess daemon({kCulpritd, "--config", dir_.File("culprit.toml")});
  const int port = StartDaemon(daemon);
  ASSERT_GT(port, 0);
  ASSERT_EQ(setenv("CULPRIT_DAEMON", ("127.0.0.1:" + std::to_string(port)).c_str(), 1), 0);
  auto r = RunProgram({kCulprit, "status"});
  unsetenv("CULPRIT_DAEMON");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("edge-access"), std::string::npos);
}

TEST_F(CulpritdTest, TypoInConfigFailsAndCreatesNoDatabase) {
  dir_.Write("bad.toml", R"([daemon]
database = "state/bad.db"

[[source]]
path = "logs/access.log"
fromat = "nginx_combined"
)");
  auto r = RunProgram({kCulpritd, "--config", dir_.File("bad.toml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.toml:6: source[1].fromat: unknown key \"fromat\" (did you mean "
                       "\"format\"?)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(Exists(dir_.File("state/bad.db")));
}

TEST_F(CulpritdTest, CheckConfigExitCodes) {
  auto good = RunProgram({kCulpritd, "--check-config", dir_.File("culprit.toml")});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("OK (2 source(s)"), std::string::npos) << good.out;
  EXPECT_FALSE(Exists(dir_.File("state/culprit.db")));

  dir_.Write("bad.toml", "[daemon]\ndatabase = \"nope/x.db\"\n");
  auto bad = RunProgram({kCulpritd, "--check-config", dir_.File("bad.toml")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.toml:2: daemon.database: directory"), std::string::npos) << bad.err;

  // Parsers are built by --check-config too: a bad log_format or regex is
  // reported with the file, the source's line and its name, and the
  // database is not created by a start with the same config.
  dir_.Write("badfmt.toml", R"([daemon]
database = "state/culprit.db"

[[source]]
name = "edge"
path = "logs/access.log"
format = "nginx"
log_format = '$remote_addr [$time_local] "$request" $status $'

[[source]]
name = "app"
path = "logs/app.log"
format = "regex"
pattern = '^(?P<time>\S+) (?P<client_ip>[0-9.+)'
)");
  auto badfmt = RunProgram({kCulpritd, "--check-config", dir_.File("badfmt.toml")});
  EXPECT_EQ(badfmt.exit_code, 1);
  EXPECT_NE(badfmt.err.find("badfmt.toml:4: source \"edge\": "), std::string::npos) << badfmt.err;
  EXPECT_NE(badfmt.err.find("badfmt.toml:10: source \"app\": "), std::string::npos) << badfmt.err;
  auto start = RunProgram({kCulpritd, "--config", dir_.File("badfmt.toml")});
  EXPECT_EQ(start.exit_code, 1) << start.err;
  EXPECT_FALSE(Exists(dir_.File("state/culprit.db")));

  auto missing = RunProgram({kCulpritd, "--check-config", dir_.File("absent.toml")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("absent.toml"), std::string::npos) << missing.err;
}

TEST_F(CulpritdTest, NewerDatabaseIsRefusedAtStart) {
  // Make a database that claims a schema version from the future.
  {
    Subprocess daemon({kCulpritd, "--config", dir_.File("culprit.toml")});
    ASSERT_GT(StartDaemon(daemon), 0);
    daemon.Signal(SIGTERM);
    ASSERT_TRUE(daemon.Wait(20s).has_value());
  }
  auto bump = RunProgram({"/usr/bin/sqlite3", dir_.File("state/culprit.db"), "PRAGMA user_version=99"});
  ASSERT_EQ(bump.exit_code, 0) << bump.err;
  auto r = RunProgram({kCulpritd, "--config", dir_.File("culprit.toml")}, 20s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("schema version 99, newer than this culpritd knows"), std::string::npos)
      << r.err;
}

TEST_F(CulpritdTest, CorrelateFromTheCommandLine) {
  dir_.Write("logs/access.log",
             "192.0.2.1 - - [20/Nov/2026:09:14:01 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\n"
             "192.0.2.9 - - [20/Nov/2026:09:14:02 +0000] \"GET /x HTTP/1.1\" 502 0 \"-\" \"x\"\n");
  Subprocess daemon({kCulpritd, "--config", dir_.File("culprit.toml")});
  const int port = StartDaemon(daemon);
  ASSERT_GT(port, 0);
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  // The lines are ingested within moments; ask until the 502 is there.
  testing::RunResult r;
  for (int i = 0; i < 50; ++i) {
    r = RunProgram({kCulprit, "--daemon", addr, "correlate", "--json", "--at",
                    "2026-11-20T09:14:02.400Z", "--client", "192.0.2.9", "--error", "EOF",
                    "--phase", "awaiting_response", "--http-status", "502"});
    if (r.out.find("UPSTREAM_FAILURE") != std::string::npos) break;
    daemon.WaitForStderrLine("\x01never\x01", 100ms);  // bounded pause, draining its output
  }
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"cause\": \"UPSTREAM_FAILURE\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GET /x HTTP/1.1"), std::string::npos) << r.out;

  auto readable = RunProgram({kCulprit, "--daemon", addr, "correlate", "--at",
                              "2026-11-20T09:14:02.400Z", "--client", "192.0.2.9", "--error",
                              "EOF", "--phase", "awaiting_response"});
  EXPECT_EQ(readable.exit_code, 0) << readable.err;
  EXPECT_NE(readable.out.find("1. UPSTREAM_FAILURE"), std::string::npos) << readable.out;

  // submit stores the report with its diagnosis and says its id.
  auto submitted = RunProgram({kCulprit, "--daemon", addr, "submit", "--json", "--at",
                               "2026-11-20T09:14:02.400Z", "--client", "192.0.2.9", "--error",
                               "EOF", "--phase", "awaiting_response"});
  EXPECT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_NE(submitted.out.find("\"reportId\": \"1\""), std::string::npos) << submitted.out;
  auto stored = RunProgram({"/usr/bin/sqlite3", dir_.File("state/culprit.db"),
                            "SELECT id || ' ' || cause || ' ' || error FROM reports"});
  EXPECT_EQ(stored.out, "1 5 EOF\n") << stored.err;

  auto bad_phase = RunProgram({kCulprit, "--daemon", addr, "correlate", "--at",
                               "2026-11-20T09:14:02Z", "--client", "192.0.2.9", "--phase", "later"});
  EXPECT_EQ(bad_phase.exit_code, 1);
  EXPECT_NE(bad_phase.err.find("--phase: \"later\" is not one of"), std::string::npos)
      << bad_phase.err;
  auto bad_client = RunProgram({kCulprit, "--daemon", addr, "correlate", "--at",
                                "2026-11-20T09:14:02Z", "--client", "not-an-ip"});
  EXPECT_EQ(bad_client.exit_code, 2);
  EXPECT_NE(bad_client.err.find("report.client: \"not-an-ip\" is not an address"),
            std::string::npos)
      << bad_client.err;
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(20s), 0);
}

// Two tokens; their hashes are filled in by the test.
constexpr char kAuthConfig[] = R"(
[auth]
tokens = [
  { name = "ops", role = "operator", sha256 = "OPHASH" },
  { name = "app", role = "reporter", sha256 = "REPHASH" },
]
)";

TEST_F(CulpritdTest, TokensFromFlagAndEnvironment) {
  // The hashes of the two tokens, computed the way the README says.
  auto op_hash = RunProgram({"/bin/sh", "-c", "printf %s op-token-7c1d | sha256sum"});
  auto rep_hash = RunProgram({"/bin/sh", "-c", "printf %s rep-token-52aa | sha256sum"});
  ASSERT_EQ(op_hash.exit_code, 0);
  std::string config = kAuthConfig;
  config.replace(config.find("OPHASH"), 6, op_hash.out.substr(0, 64));
  config.replace(config.find("REPHASH"), 7, rep_hash.out.substr(0, 64));
  dir_.Write("culprit.toml", culprit::testing::ReadFileOrEmpty(dir_.File("culprit.toml")) + config);
  Subprocess daemon({kCulpritd, "--config", dir_.File("culprit.toml")});
  const int port = StartDaemon(daemon);
  ASSERT_GT(port, 0);
  ASSERT_TRUE(daemon.WaitForStderrLine("access: 2 token(s), TLS off", 20s).has_value())
      << daemon.err();
  const std::string addr = "127.0.0.1:" + std::to_string(port);

  auto none = RunProgram({kCulprit, "--daemon", addr, "status"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("UNAUTHENTICATED: this culpritd requires a token"), std::string::npos)
      << none.err;
  EXPECT_NE(none.err.find("give a token (--token or CULPRIT_TOKEN)"), std::string::npos)
      << none.err;
  auto wrong = RunProgram({kCulprit, "--daemon", addr, "--token", "op-token-7c1e", "status"});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("the bearer token is not valid"), std::string::npos) << wrong.err;

  auto op = RunProgram({kCulprit, "--daemon", addr, "--token", "op-token-7c1d", "status"});
  EXPECT_EQ(op.exit_code, 0) << op.err;
  EXPECT_NE(op.out.find("edge-access"), std::string::npos) << op.out;

  // The reporter's token from the environment: Submit works, the timeline
  // is the operator's.
  ASSERT_EQ(setenv("CULPRIT_TOKEN", "rep-token-52aa", 1), 0);
  auto submit = RunProgram({kCulprit, "--daemon", addr, "submit", "--json", "--at",
                            "2026-11-20T09:14:01.400Z", "--client", "192.0.2.1", "--error",
                            "EOF"});
  auto events = RunProgram({kCulprit, "--daemon", addr, "events", "--from",
                            "2026-11-20T09:00:00Z", "--to", "2026-11-20T10:00:00Z"});
  // --token wins over the environment.
  auto flag_wins = RunProgram({kCulprit, "--daemon", addr, "--token", "op-token-7c1d", "events",
                               "--from", "2026-11-20T09:00:00Z", "--to", "2026-11-20T10:00:00Z"});
  unsetenv("CULPRIT_TOKEN");
  EXPECT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_NE(submit.out.find("\"reportId\""), std::string::npos) << submit.out;
  EXPECT_EQ(submit.out.find("\"evidence\""), std::string::npos) << submit.out;
  EXPECT_EQ(events.exit_code, 2);
  EXPECT_NE(events.err.find("PERMISSION_DENIED: the reporter token \"app\" may not call "
                            "SearchEvents"),
            std::string::npos)
      << events.err;
  EXPECT_EQ(flag_wins.exit_code, 0) << flag_wins.err;

  auto bad = RunProgram({kCulprit, "--daemon", addr, "--token", "two words", "status"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--token: must be printable ASCII without spaces"), std::string::npos);
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(20s), 0);
}

TEST_F(CulpritdTest, TlsListenerAndCliTlsOptions) {
  const std::string openssl = "/usr/bin/openssl";
  const auto run = [&](const std::vector<std::string>& argv) {
    auto r = RunProgram(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  run({openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", dir_.File("ca.key"), "-out", dir_.File("ca.crt"), "-days", "2",
       "-subj", "/CN=culprit test ca"});
  run({openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", dir_.File("server.key"), "-out", dir_.File("server.csr"), "-subj",
       "/CN=culprit.test"});
  dir_.Write("server.ext", "subjectAltName=DNS:culprit.test\n");
  run({openssl, "x509", "-req", "-in", dir_.File("server.csr"), "-CA", dir_.File("ca.crt"),
       "-CAkey", dir_.File("ca.key"), "-set_serial", "7", "-days", "2", "-out",
       dir_.File("server.crt"), "-extfile", dir_.File("server.ext")});
  dir_.Write("culprit.toml", culprit::testing::ReadFileOrEmpty(dir_.File("culprit.toml")) +
                                 "\n[tls]\ncert = \"server.crt\"\nkey = \"server.key\"\n");
  Subprocess daemon({kCulpritd, "--config", dir_.File("culprit.toml")});
  const int port = StartDaemon(daemon);
  ASSERT_GT(port, 0);
  const std::string addr = "127.0.0.1:" + std::to_string(port);

  auto tls = RunProgram({kCulprit, "--daemon", addr, "--tls-ca", dir_.File("ca.crt"),
                         "--tls-server-name", "culprit.test", "status"});
  EXPECT_EQ(tls.exit_code, 0) << tls.err;
  EXPECT_NE(tls.out.find("edge-access"), std::string::npos) << tls.out;
  auto plain = RunProgram({kCulprit, "--daemon", addr, "--timeout", "5", "status"});
  EXPECT_EQ(plain.exit_code, 2);
  auto wrong_name = RunProgram({kCulprit, "--daemon", addr, "--timeout", "5", "--tls-ca",
                                dir_.File("ca.crt"), "status"});
  EXPECT_EQ(wrong_name.exit_code, 2);  // 127.0.0.1 is not in the certificate
  auto half = RunProgram({kCulprit, "--daemon", addr, "--tls-cert", dir_.File("ca.crt"), "status"});
  EXPECT_EQ(half.exit_code, 1);
  EXPECT_NE(half.err.find("--tls-cert and --tls-key go together"), std::string::npos) << half.err;
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(20s), 0);
}

TEST_F(CulpritdTest, RemoteListenerWithoutTlsOrTokensIsRefused) {
  auto r = RunProgram({kCulpritd, "--check-config", dir_.File("culprit.toml"), "--listen",
                       "0.0.0.0:7450"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--listen: \"0.0.0.0:7450\" can be reached from other hosts, but the "
                       "listener has no TLS (set [tls] cert and key) and no authentication"),
            std::string::npos)
      << r.err;
}

TEST(CulpritCliTest, UnreachableDaemonExitsTwo) {
  // Nothing listens on port 1 of loopback (it needs root and we never bind it).
  auto r = RunProgram({kCulprit, "--daemon", "127.0.0.1:1", "--timeout", "5", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("UNAVAILABLE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is culpritd running"), std::string::npos) << r.err;
}

TEST(CulpritCliTest, UsageErrorsExitOne) {
  EXPECT_EQ(RunProgram({kCulprit}).exit_code, 1);
  EXPECT_EQ(RunProgram({kCulprit, "status", "--bogus"}).exit_code, 1);
  EXPECT_EQ(RunProgram({kCulprit, "frobnicate"}).exit_code, 1);
  EXPECT_EQ(RunProgram({kCulprit, "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace culprit
