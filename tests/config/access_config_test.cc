// [auth], [tls], [limits], [daemon] allow_insecure_remote, and the refusal
// of a remote listener that is not secured.

#include <gtest/gtest.h>

#include "daemon/config/config.h"
#include "tests/testing/temp_dir.h"

namespace culprit::config {
namespace {

using culprit::testing::TempDir;

// sha256("op-secret") and sha256("rep-secret"), as `printf %s ... | sha256sum`.
constexpr char kOpHash[] = "1404ccb7e370497229e0478ebfe329b1067563cb646826f6ef685a04d02431de";
constexpr char kRepHash[] = "7f5076c65003841c365972c4d35894c1b1df1eebae832ebdd2a09c9855671be0";

class AccessConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Only readability and the PEM armour are checked by the config.
    dir_.Write("tls/server.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    dir_.Write("tls/server.key", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
    dir_.Write("tls/clients.crt", "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n");
    dir_.Write("tls/not-pem.crt", "just text\n");
  }
  Result<Config> Parse(const std::string& text, const Overrides& o = {}) {
    return ParseConfig("[daemon]\ndatabase = \"c.db\"\n" + text, "t.toml", dir_.path(), o);
  }
  TempDir dir_;
};

TEST_F(AccessConfigTest, DefaultsAreOpenOnLoopback) {
  auto cfg = Parse("");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_TRUE(cfg->auth.tokens.empty());
  EXPECT_FALSE(cfg->auth.reporter_sees_evidence);
  EXPECT_FALSE(cfg->tls.enabled());
  EXPECT_EQ(cfg->limits.submit_per_minute, 0);
  EXPECT_FALSE(cfg->daemon.allow_insecure_remote);
}

TEST_F(AccessConfigTest, EverySettingIsRead) {
  auto cfg = Parse(std::string(R"(listen = "192.0.2.10:7450"
allow_insecure_remote = false

[[auth.tokens]]
name = "ops"
role = "operator"
sha256 = ")") + kOpHash + R"("

[[auth.tokens]]
role = "reporter"
sha256 = ")" + std::string(kRepHash).substr(0, 60) + R"(A1B2"

[tls]
cert = "tls/server.crt"
key = "tls/server.key"
client_ca = "tls/clients.crt"

[limits]
submit_per_minute = 30
submit_burst = 5
)");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  ASSERT_EQ(cfg->auth.tokens.size(), 2u);
  EXPECT_EQ(cfg->auth.tokens[0].name, "ops");
  EXPECT_EQ(cfg->auth.tokens[0].role, "operator");
  EXPECT_EQ(cfg->auth.tokens[0].sha256, kOpHash);
  EXPECT_EQ(cfg->auth.tokens[0].line, 6);
  EXPECT_EQ(cfg->auth.tokens[1].name, "tokens[2]");  // the default name
  EXPECT_EQ(cfg->auth.tokens[1].role, "reporter");
  EXPECT_EQ(cfg->auth.tokens[1].sha256, std::string(kRepHash).substr(0, 60) + "a1b2");
  EXPECT_EQ(cfg->tls.cert, dir_.File("tls/server.crt"));
  EXPECT_EQ(cfg->tls.key, dir_.File("tls/server.key"));
  EXPECT_EQ(cfg->tls.client_ca, dir_.File("tls/clients.crt"));
  EXPECT_TRUE(cfg->tls.enabled());
  EXPECT_EQ(cfg->limits.submit_per_minute, 30);
  EXPECT_EQ(cfg->limits.submit_burst, 5);

  auto pem = ReadTlsFiles(cfg->tls);
  ASSERT_TRUE(pem.ok()) << pem.status().message();
  EXPECT_NE(pem->cert.find("MIIB"), std::string::npos);
  EXPECT_NE(pem->key.find("MIIE"), std::string::npos);
  EXPECT_NE(pem->client_ca.find("MIIC"), std::string::npos);

  // The burst defaults to a minute's worth; the evidence flag is read.
  cfg = Parse("[limits]\nsubmit_per_minute = 12\n[auth]\nreporter_sees_evidence = true\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->limits.submit_burst, 12);
  EXPECT_TRUE(cfg->auth.reporter_sees_evidence);
}

TEST_F(AccessConfigTest, ErrorsNameFileLineAndKey) {
  const std::string op = kOpHash;
  const struct {
    const char* name;
    std::string toml;  // after "[daemon]\ndatabase = ...\n" (lines 1-2)
    std::string want;  // the whole message
  } cases[] = {
      {"role typo", "[auth]\ntokens = [{ role = \"reporer\", sha256 = \"" + op + "\" }]\n",
       "t.toml:4: auth.tokens[1].role: \"reporer\" is not a role (reporter or operator) (did you "
       "mean \"reporter\"?)"},
      {"raw token instead of hash",
       "[auth]\ntokens = [{ role = \"operator\", sha256 = \"s3cret-token\" }]\n",
       "t.toml:4: auth.tokens[1].sha256: must be the token's SHA-256 as 64 hex digits (printf %s "
       "\"$TOKEN\" | sha256sum), not 12 characters"},
      {"non-hex hash",
       "[auth]\ntokens = [{ role = \"operator\", sha256 = \"" + op.substr(0, 63) + "z\" }]\n",
       "t.toml:4: auth.tokens[1].sha256: must be the token's SHA-256 as 64 hex digits (printf %s "
       "\"$TOKEN\" | sha256sum), not 64 characters with a non-hex digit"},
      {"missing hash", "[auth]\ntokens = [{ role = \"operator\" }]\n",
       "t.toml:4: auth.tokens[1]: missing required key \"sha256\""},
      {"missing role", "[auth]\n[[auth.tokens]]\nsha256 = \"" + op + "\"\n",
       "t.toml:4: auth.tokens[1]: missing required key \"role\""},
      {"unknown token key",
       "[auth]\ntokens = [{ role = \"operator\", sha256 = \"" + op + "\", nmae = \"x\" }]\n",
       "t.toml:4: auth.tokens[1].nmae: unknown key \"nmae\" (did you mean \"name\"?)"},
      {"tokens not an array", "[auth]\ntokens = \"abc\"\n",
       "t.toml:4: auth.tokens: must be an array of tables such as [{ role = \"operator\", sha256 "
       "= \"...\" }], not a string"},
      {"duplicate name",
       "[auth]\n[[auth.tokens]]\nname = \"a\"\nrole = \"operator\"\nsha256 = \"" + op +
           "\"\n[[auth.tokens]]\nname = \"a\"\nrole = \"reporter\"\nsha256 = \"" +
           std::string(kRepHash) + "\"\n",
       "t.toml:8: auth.tokens[2]: another token already has the name \"a\""},
      {"duplicate hash",
       "[auth]\ntokens = [{ role = \"operator\", sha256 = \"" + op +
           "\" },\n  { role = \"reporter\", sha256 = \"" + op + "\" }]\n",
       "t.toml:5: auth.tokens[2]: the same sha256 is listed twice (one token, one role)"},
      {"evidence flag type", "[auth]\nreporter_sees_evidence = \"yes\"\n",
       "t.toml:4: auth.reporter_sees_evidence: must be true or false, not a string"},
      {"unknown auth key", "[auth]\ntoken = []\n",
       "t.toml:4: auth.token: unknown key \"token\" (did you mean \"tokens\"?)"},
      {"missing cert file", "[tls]\ncert = \"tls/absent.crt\"\nkey = \"tls/server.key\"\n",
       "t.toml:4: tls.cert: cannot read \"" + dir_.File("tls/absent.crt") +
           "\": No such file or directory (errno 2)"},
      {"not PEM", "[tls]\ncert = \"tls/not-pem.crt\"\nkey = \"tls/server.key\"\n",
       "t.toml:4: tls.cert: \"" + dir_.File("tls/not-pem.crt") +
           "\" is not PEM (no \"-----BEGIN\" line)"},
      {"cert without key", "[tls]\ncert = \"tls/server.crt\"\n",
       "t.toml:3: tls: missing required key \"key\" (the certificate's private key)"},
      {"key without cert", "[tls]\nkey = \"tls/server.key\"\n",
       "t.toml:3: tls: missing required key \"cert\" (the key's certificate chain)"},
      {"client_ca alone", "[tls]\nclient_ca = \"tls/clients.crt\"\n",
       "t.toml:3: tls: client_ca needs \"cert\" and \"key\": mutual TLS is TLS first"},
      {"unknown tls key", "[tls]\ncrt = \"x\"\n",
       "t.toml:4: tls.crt: unknown key \"crt\" (did you mean \"cert\"?)"},
      {"negative rate", "[limits]\nsubmit_per_minute = -1\n",
       "t.toml:4: limits.submit_per_minute: -1 is out of range (0 .. 1000000)"},
      {"zero burst", "[limits]\nsubmit_per_minute = 5\nsubmit_burst = 0\n",
       "t.toml:5: limits.submit_burst: 0 is out of range (1 .. 1000000)"},
      {"burst alone", "[limits]\nsubmit_burst = 3\n",
       "t.toml:3: limits: submit_burst needs submit_per_minute (the rate it refills at)"},
      {"rate as text", "[limits]\nsubmit_per_minute = \"60/min\"\n",
       "t.toml:4: limits.submit_per_minute: must be an integer, not a string"},
      {"unknown limits key", "[limits]\nsubmit_per_minut = 3\n",
       "t.toml:4: limits.submit_per_minut: unknown key \"submit_per_minut\" (did you mean "
       "\"submit_per_minute\"?)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto cfg = Parse(c.toml);
    ASSERT_FALSE(cfg.ok());
    EXPECT_EQ(cfg.status().message(), c.want);
    // A pasted token is never repeated back.
    EXPECT_EQ(cfg.status().message().find("s3cret"), std::string::npos);
  }
  // allow_insecure_remote is a [daemon] key.
  auto cfg = ParseConfig("[daemon]\ndatabase = \"c.db\"\nallow_insecure_remote = 1\n", "t.toml",
                         dir_.path());
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(),
            "t.toml:3: daemon.allow_insecure_remote: must be true or false, not an integer");
}

TEST_F(AccessConfigTest, RemoteListenerNeedsTlsAndAuthentication) {
  const std::string tokens =
      "[auth]\ntokens = [{ role = \"operator\", sha256 = \"" + std::string(kOpHash) + "\" }]\n";
  const std::string tls = "[tls]\ncert = \"tls/server.crt\"\nkey = \"tls/server.key\"\n";
  const std::string mtls = tls + "client_ca = \"tls/clients.crt\"\n";
  const std::string prefix =
      "t.toml:3: daemon.listen: \"192.0.2.10:7450\" can be reached from other hosts, but the "
      "listener has ";
  const std::string suffix =
      "; secure it, listen on loopback, or set [daemon] allow_insecure_remote = true to accept "
      "the risk";
  const struct {
    const char* name;
    std::string listen;
    std::string rest;
    std::string want;  // empty: valid
  } cases[] = {
      {"loopback v4 open", "127.0.0.1:0", "", ""},
      {"loopback range", "127.0.0.53:7450", "", ""},
      {"loopback v6 open", "[::1]:7450", "", ""},
      {"localhost", "localhost:7450", "", ""},
      {"unix socket", "unix:/run/culprit.sock", "", ""},
      {"remote bare", "192.0.2.10:7450", "",
       prefix + "no TLS (set [tls] cert and key) and no authentication (set [auth] tokens, or "
                "[tls] client_ca for mutual TLS)" + suffix},
      {"remote tokens only", "192.0.2.10:7450", tokens,
       prefix + "no TLS (set [tls] cert and key)" + suffix},
      {"remote TLS only", "192.0.2.10:7450", tls,
       prefix + "no authentication (set [auth] tokens, or [tls] client_ca for mutual TLS)" +
           suffix},
      {"remote TLS and tokens", "192.0.2.10:7450", tls + tokens, ""},
      {"remote mutual TLS", "192.0.2.10:7450", mtls, ""},
      {"wildcard v6", "[::]:7450", tls + tokens, ""},
      {"host name", "culprit.example.net:7450", tls + tokens, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto cfg = ParseConfig("[daemon]\ndatabase = \"c.db\"\nlisten = \"" + c.listen + "\"\n" + c.rest,
                           "t.toml", dir_.path());
    if (c.want.empty()) {
      EXPECT_TRUE(cfg.ok()) << cfg.status().message();
    } else {
      ASSERT_FALSE(cfg.ok());
      EXPECT_EQ(cfg.status().message(), c.want);
    }
  }
  // Anywhere else, unsecured: refused unless explicitly allowed.
  for (const char* listen : {"0.0.0.0:7450", "[::]:7450", "10.1.2.3:7450", "example.net:1"}) {
    SCOPED_TRACE(listen);
    const std::string base = "[daemon]\ndatabase = \"c.db\"\nlisten = \"" + std::string(listen) + "\"\n";
    EXPECT_FALSE(ParseConfig(base, "t.toml", dir_.path()).ok());
    auto allowed = ParseConfig(base + "allow_insecure_remote = true\n", "t.toml", dir_.path());
    EXPECT_TRUE(allowed.ok()) << allowed.status().message();
  }
  // --listen is checked too, and named.
  auto over = ParseConfig("[daemon]\ndatabase = \"c.db\"\n", "t.toml", dir_.path(),
                          {"", "0.0.0.0:7450"});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message().rfind("t.toml: --listen: \"0.0.0.0:7450\" can be reached", 0),
            0u)
      << over.status().message();
}

TEST_F(AccessConfigTest, SecuredExampleIsValid) {
  // examples/secured.toml as if it sat in <tmp>, with its tls/ files.
  const std::string text = culprit::testing::ReadFileOrEmpty(std::string(CULPRIT_SOURCE_DIR) +
                                                             "/examples/secured.toml");
  ASSERT_FALSE(text.empty());
  dir_.Write("tls/culpritd.crt", "-----BEGIN CERTIFICATE-----\n");
  dir_.Write("tls/culpritd.key", "-----BEGIN PRIVATE KEY-----\n");
  dir_.Write("tls/clients-ca.crt", "-----BEGIN CERTIFICATE-----\n");
  dir_.Write("logs/.keep", "");
  auto cfg = ParseConfig(text, "secured.toml", dir_.path(), {dir_.File("c.db"), ""});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_FALSE(cfg->auth.tokens.empty());
  EXPECT_TRUE(cfg->tls.enabled());
  EXPECT_GT(cfg->limits.submit_per_minute, 0);
}

}  // namespace
}  // namespace culprit::config
