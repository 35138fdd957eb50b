// SIGHUP reloads the config of the real culpritd: sources added, removed and
// changed take effect without a restart, nothing committed is read again,
// and a config with an error changes nothing. Every wait is bounded.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <set>

#include "culprit/v1/culprit.pb.h"
#include "daemon/store/sqlite/db.h"
#include "tests/testing/stored_events.h"
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

std::string Line(int n) {
  return "192.0.2." + std::to_string(n % 250 + 1) + " - - [27/Nov/2026:09:14:" +
         std::to_string(10 + n % 50) + " +0000] \"GET /r/" + std::to_string(n) +
         " HTTP/1.1\" 200 5 \"-\" \"x\"\n";
}

void Append(const std::string& path, int first, int count) {
  std::ofstream f(path, std::ios::app);
  for (int i = first; i < first + count; ++i) f << Line(i);
}

class ReloadTest : public ::testing::Test {
 protected:
  std::string Config(const std::string& sources) {
    return "[daemon]\nlisten = \"127.0.0.1:0\"\ndatabase = \"state/culprit.db\"\n\n" + sources;
  }
  static std::string Source(const std::string& name, const std::string& extra = "") {
    return "[[source]]\nname = \"" + name + "\"\npath = \"logs/" + name +
           ".log\"\nformat = \"nginx_combined\"\n" + extra + "\n";
  }

  // lines_parsed per source name from `culprit status --json`.
  std::map<std::string, int64_t> Parsed() {
    std::map<std::string, int64_t> out;
    auto r = RunProgram({kCulprit, "--daemon", addr_, "status", "--json"});
    if (r.exit_code != 0) return out;
    v1::StatusResponse s;
    if (!google::protobuf::util::JsonStringToMessage(r.out, &s).ok()) return out;
    for (const auto& src : s.sources()) out[src.name()] = src.lines_parsed();
    return out;
  }
  // Polls (bounded) until Status shows exactly `want`.
  bool WaitParsed(const std::map<std::string, int64_t>& want) {
    for (int i = 0; i < 300; ++i) {
      if (Parsed() == want) return true;
    }
    return false;
  }

  TempDir dir_;
  std::string addr_;
};

TEST_F(ReloadTest, SourcesAddedRemovedAndChangedWithoutReadingAnythingTwice) {
  dir_.Write("state/.keep", "");
  dir_.Write("logs/.keep", "");
  Append(dir_.File("logs/a.log"), 0, 3);
  Append(dir_.File("logs/b.log"), 100, 2);
  Append(dir_.File("logs/c.log"), 200, 2);
  dir_.Write("culprit.toml", Config(Source("a") + Source("c")));
  Subprocess daemon({kCulpritd, "--config", dir_.File("culprit.toml")});
  const int port = culprit::testing::WaitForServingPort(daemon);
  ASSERT_GT(port, 0) << daemon.err();
  addr_ = "127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(WaitParsed({{"a", 3}, {"c", 2}})) << daemon.err();

  // b added, c removed, a changed (its idle timeout).
  dir_.Write("culprit.toml", Config(Source("a", "idle_timeout = \"30s\"") + Source("b")));
  daemon.Signal(SIGHUP);
  auto reloaded = daemon.WaitForStderrLine("reloaded", 20s);
  ASSERT_TRUE(reloaded.has_value()) << daemon.err();
  EXPECT_NE(reloaded->find("2 source(s); added: b; removed: c; changed: a"), std::string::npos)
      << *reloaded;
  Append(dir_.File("logs/a.log"), 3, 2);
  Append(dir_.File("logs/c.log"), 202, 1);  // no longer read
  ASSERT_TRUE(WaitParsed({{"a", 5}, {"b", 2}})) << daemon.err();

  // A config with an error changes nothing, and says where the error is.
  dir_.Write("culprit.toml", Config(Source("a") + "[[source]]\npath = \"logs/d.log\"\nfromat = \"json\"\n"));
  daemon.Signal(SIGHUP);
  auto failed = daemon.WaitForStderrLine("reload failed", 20s);
  ASSERT_TRUE(failed.has_value()) << daemon.err();
  EXPECT_NE(failed->find("still running the previous config"), std::string::npos) << *failed;
  EXPECT_NE(daemon.err().find("culprit.toml:"), std::string::npos) << daemon.err();
  EXPECT_NE(daemon.err().find("unknown key \"fromat\""), std::string::npos) << daemon.err();
  Append(dir_.File("logs/a.log"), 5, 1);
  Append(dir_.File("logs/b.log"), 102, 1);
  ASSERT_TRUE(WaitParsed({{"a", 6}, {"b", 3}})) << daemon.err();

  daemon.Signal(SIGTERM);
  auto code = daemon.Wait(20s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << daemon.err();

  // Every line of a and b once; c's line written after its removal unread.
  std::map<int64_t, std::string> names;
  {
    auto db = store::sqlite::Db::Open(dir_.File("state/culprit.db"), store::sqlite::Db::Mode::kReadOnly);
    ASSERT_TRUE(db.ok()) << db.status().message();
    auto stmt = (*db)->Prepare("SELECT id, name FROM sources");
    ASSERT_TRUE(stmt.ok());
    while (*stmt->Step()) names[stmt->ColumnInt(0)] = std::string(stmt->ColumnText(1));
  }
  std::map<std::string, std::multiset<std::string>> raw;
  for (const auto& e : culprit::testing::AllStoredEvents(dir_.File("state/culprit.db"))) {
    raw[names[e.source_id]].insert(e.raw);
  }
  auto lines = [](int first, int count) {
    std::multiset<std::string> out;
    for (int i = first; i < first + count; ++i) {
      std::string l = Line(i);
      l.pop_back();
      out.insert(l);
    }
    return out;
  };
  EXPECT_EQ(raw["a"], lines(0, 6));
  EXPECT_EQ(raw["b"], lines(100, 3));
  EXPECT_EQ(raw["c"], lines(200, 2));
}

}  // namespace
}  // namespace culprit
