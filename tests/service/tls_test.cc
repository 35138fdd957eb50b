// TLS and mutual TLS on the gRPC listener, with a CA, a server certificate
// and client certificates made by the openssl command at test time.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "culprit/v1/culprit.grpc.pb.h"
#include "daemon/service/server.h"
#include "daemon/service/source_probe.h"
#include "daemon/store/database.h"
#include "daemon/store/sqlite/db.h"
#include "daemon/store/sqlite_event_query.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace culprit::service {
namespace {

namespace v1 = ::culprit::v1;
using culprit::testing::FakeClock;
using culprit::testing::ReadFileOrEmpty;
using culprit::testing::RunProgram;
using culprit::testing::TempDir;

class NoProbe final : public SourceProbe {
 public:
  std::vector<ProbedFile> Files(const std::string&) const override { return {}; }
};

// PEM files made once for the whole suite (key generation takes a moment).
struct Pki {
  std::string ca, server_cert, server_key, client_cert, client_key, rogue_cert, rogue_key;
};

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    pki_ = new Pki();
    const std::string openssl = "/usr/bin/openssl";
    const auto run = [](const std::vector<std::string>& argv) {
      auto r = RunProgram(argv);
      ASSERT_EQ(r.exit_code, 0) << argv[1] << " " << argv[2] << ": " << r.err;
    };
    const auto key_and_csr = [&](const std::string& name, const std::string& cn) {
      run({openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", dir_->File(name + ".key"), "-out", dir_->File(name + ".csr"),
           "-subj", "/CN=" + cn});
    };
    const auto make_ca = [&](const std::string& name) {
      run({openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", dir_->File(name + ".key"), "-out", dir_->File(name + ".crt"),
           "-days", "2", "-subj", "/CN=culprit test " + name});
    };
    const auto sign = [&](const std::string& name, const std::string& ca, const std::string& ext,
                          const std::string& serial) {
      dir_->Write(name + ".ext", ext);
      run({openssl, "x509", "-req", "-in", dir_->File(name + ".csr"), "-CA",
           dir_->File(ca + ".crt"), "-CAkey", dir_->File(ca + ".key"), "-set_serial", serial,
           "-days", "2", "-out", dir_->File(name + ".crt"), "-extfile", dir_->File(name + ".ext")});
    };
    make_ca("ca");
    make_ca("rogue-ca");
    key_and_csr("server", "localhost");
    sign("server", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
         "1");
    key_and_csr("client", "reporter-1");
    sign("client", "ca", "extendedKeyUsage=clientAuth\n", "2");
    key_and_csr("rogue", "intruder");
    sign("rogue", "rogue-ca", "extendedKeyUsage=clientAuth\n", "3");
    const auto read = [](const std::string& f) { return ReadFileOrEmpty(dir_->File(f)); };
    *pki_ = {read("ca.crt"),     read("server.crt"), read("server.key"), read("client.crt"),
             read("client.key"), read("rogue.crt"),  read("rogue.key")};
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete dir_;
  }

  void SetUp() override {
    ASSERT_FALSE(pki_->server_cert.empty()) << "openssl did not make the certificates";
    db_path_ = db_dir_.File("c.db");
    ASSERT_TRUE(store::OpenForWriting(db_path_).ok());
  }

  void Start(bool mutual) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    const std::string path = db_path_;
    options.query_factory = [path]() -> Result<std::unique_ptr<store::EventQuery>> {
      CULPRIT_ASSIGN_OR_RETURN(auto q, store::SqliteEventQuery::Open(path));
      return std::unique_ptr<store::EventQuery>(std::move(q));
    };
    options.probe = &probe_;
    options.clock = &clock_;
    options.tls = {pki_->server_cert, pki_->server_key, mutual ? pki_->ca : ""};
    auto server = Server::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }

  // Status over a channel with `credentials`, verifying the name "localhost".
  grpc::Status StatusOver(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server_->port()),
                                             credentials, args);
    auto stub = v1::Culprit::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::StatusResponse resp;
    return stub->Status(&ctx, v1::StatusRequest(), &resp);
  }

  static std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& cert = "",
                                                       const std::string& key = "") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = pki_->ca;
    o.pem_cert_chain = cert;
    o.pem_private_key = key;
    return grpc::SslCredentials(o);
  }

  static TempDir* dir_;
  static Pki* pki_;
  TempDir db_dir_;
  std::string db_path_;
  FakeClock clock_;
  NoProbe probe_;
  std::unique_ptr<Server> server_;
};

TempDir* TlsTest::dir_ = nullptr;
Pki* TlsTest::pki_ = nullptr;

TEST_F(TlsTest, ServesTlsAndRefusesPlaintext) {
  Start(/*mutual=*/false);
  grpc::Status st = StatusOver(Tls());
  EXPECT_TRUE(st.ok()) << st.error_message();
  // A client certificate is not needed, and not refused either.
  st = StatusOver(Tls(pki_->client_cert, pki_->client_key));
  EXPECT_TRUE(st.ok()) << st.error_message();
  st = StatusOver(grpc::InsecureChannelCredentials());
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  // A client that does not trust the server's CA does not connect.
  grpc::SslCredentialsOptions wrong_ca;
  wrong_ca.pem_root_certs = ReadFileOrEmpty(dir_->File("rogue-ca.crt"));
  st = StatusOver(grpc::SslCredentials(wrong_ca));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  Start(/*mutual=*/true);
  grpc::Status st = StatusOver(Tls(pki_->client_cert, pki_->client_key));
  EXPECT_TRUE(st.ok()) << st.error_message();
  st = StatusOver(Tls());
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  st = StatusOver(Tls(pki_->rogue_cert, pki_->rogue_key));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  st = StatusOver(grpc::InsecureChannelCredentials());
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
}

TEST_F(TlsTest, BadKeyFailsToStartWithAMessage) {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.query_factory = []() -> Result<std::unique_ptr<store::EventQuery>> {
    return Status::Unavailable("unused");
  };
  options.probe = &probe_;
  options.clock = &clock_;
  options.tls = {pki_->server_cert, "-----BEGIN PRIVATE KEY-----\nnot a key\n", ""};
  auto server = Server::Start(std::move(options));
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("TLS certificate, key or client CA"),
            std::string::npos)
      << server.status().message();
}

}  // namespace
}  // namespace culprit::service
