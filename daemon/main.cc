// culpritd: reads the config, opens the database, starts serving, and stops
// cleanly on SIGTERM/SIGINT. Wiring only; the work is in the modules.

#include <malloc.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <iostream>

#include "base/clock.h"
#include "base/file_lock.h"
#include "base/log.h"
#include "base/version.h"
#include "base/time_zone.h"
#include "daemon/config/config.h"
#include "daemon/correlate/correlator.h"
#include "daemon/ingest/ingester.h"
#include "daemon/ingest/source_reader.h"
#include "daemon/ingest/writer_thread.h"
#include "daemon/metrics/http_server.h"
#include "daemon/metrics/registry.h"
#include "daemon/report/nightly.h"
#include "daemon/report/render.h"
#include "daemon/report/sqlite_report_query.h"
#include "daemon/store/event_writer.h"
#include "daemon/store/retention.h"
#include "daemon/service/report_sink.h"
#include "daemon/service/server.h"
#include "daemon/service/source_probe.h"
#include "daemon/source_set.h"
#include "daemon/store/database.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "daemon/store/sqlite_event_query.h"
#include "daemon/store/wal_checkpointer.h"
#include "daemon/tail/file_system.h"

namespace culprit {
namespace {

// Exit codes.
constexpr int kExitOk = 0;
constexpr int kExitConfig = 1;   // bad command line or config
constexpr int kExitStartup = 2;  // database or listener could not be set up

// SourceProbe over the real file system.
class FileSystemProbe final : public service::SourceProbe {
 public:
  explicit FileSystemProbe(tail::FileSystem* fs) : fs_(fs) {}
  std::vector<service::ProbedFile> Files(const std::string& pattern) const override {
    std::vector<service::ProbedFile> out;
    auto paths = fs_->Glob(pattern);
    if (!paths.ok()) return out;
    for (const std::string& p : *paths) {
      auto info = fs_->Stat(p);
      if (!info.ok() || !info->is_regular) continue;
      out.push_back({p, info->size, info->dev, info->inode});
    }
    return out;
  }

 private:
  tail::FileSystem* fs_;
};

// Submitted reports go to the writer thread, the database's one writer.
class WriterReportSink final : public service::ReportSink {
 public:
  explicit WriterReportSink(ingest::WriterThread* writer) : writer_(writer) {}
  void Store(store::ReportRecord record) override { writer_->SubmitReport(std::move(record)); }

 private:
  ingest::WriterThread* writer_;
};

// The nightly report's settings from [report]. REQUIRES: cfg.report.enabled
// and a valid config (formats and time already checked by the loader).
Result<report::NightlyOptions> NightlyOptionsOf(const config::ReportConfig& cfg) {
  report::NightlyOptions o;
  o.at = {cfg.at_hour, cfg.at_minute};
  CULPRIT_ASSIGN_OR_RETURN(o.zone, TimeZone::Load(cfg.timezone));
  o.dir = cfg.dir;
  o.formats.clear();
  for (const std::string& f : cfg.formats) {
    CULPRIT_ASSIGN_OR_RETURN(auto format, report::ParseReportFormat(f));
    o.formats.push_back(format);
  }
  return o;
}

// Access control, TLS and limits from [auth], [tls] and [limits].
// REQUIRES: a validated config (roles and hashes already checked).
Status ApplyAccessConfig(const config::Config& cfg, service::ServerOptions* options) {
  for (const config::TokenConfig& t : cfg.auth.tokens) {
    CULPRIT_ASSIGN_OR_RETURN(service::Role role, service::ParseRole(t.role));
    CULPRIT_ASSIGN_OR_RETURN(service::Sha256Digest hash, service::ParseSha256Hex(t.sha256));
    options->tokens.push_back({t.name, role, hash});
  }
  options->reporter_sees_evidence = cfg.auth.reporter_sees_evidence;
  options->submit_limit.per_minute = cfg.limits.submit_per_minute;
  options->submit_limit.burst = static_cast<int>(std::max<int64_t>(1, cfg.limits.submit_burst));
  if (cfg.tls.enabled()) {
    CULPRIT_ASSIGN_OR_RETURN(config::TlsPem pem, config::ReadTlsFiles(cfg.tls));
    options->tls = {std::move(pem.cert), std::move(pem.key), std::move(pem.client_ca)};
  }
  return Status::Ok();
}

// What culpritd was started with, for reloading the config on SIGHUP.
struct Startup {
  std::string config_file;
  config::Overrides overrides;
  std::optional<LogLevel> log_level;  // --log-level, which wins over the file
};

// The correlator's and the service's view of the configured sources.
std::vector<correlate::SourceInfo> SourceInfos(const config::Config& cfg,
                                               const std::vector<int64_t>& ids) {
  std::vector<correlate::SourceInfo> infos;
  for (size_t i = 0; i < cfg.sources.size(); ++i) {
    const config::SourceConfig& s = cfg.sources[i];
    infos.push_back({ids[i], s.name, s.format, s.ports, s.idle_timeout});
  }
  return infos;
}

std::vector<service::ServedSource> ServedSources(const config::Config& cfg,
                                                 const std::vector<int64_t>& ids) {
  std::vector<service::ServedSource> out;
  for (size_t i = 0; i < cfg.sources.size(); ++i) {
    const config::SourceConfig& s = cfg.sources[i];
    out.push_back({ids[i], s.name, s.path, s.format});
  }
  return out;
}

// Settings a reload cannot apply: they name what was bound or opened at
// start. Returns the keys that differ.
std::vector<std::string> NeedRestart(const config::Config& a, const config::Config& b) {
  std::vector<std::string> out;
  if (a.daemon.listen != b.daemon.listen) out.push_back("daemon.listen");
  if (a.daemon.database != b.daemon.database) out.push_back("daemon.database");
  if (a.daemon.retention != b.daemon.retention) out.push_back("daemon.retention");
  if (a.daemon.allow_insecure_remote != b.daemon.allow_insecure_remote) {
    out.push_back("daemon.allow_insecure_remote");
  }
  if (a.metrics.listen != b.metrics.listen) out.push_back("metrics.listen");
  auto token_key = [](const config::AuthConfig& auth) {
    std::string k = auth.reporter_sees_evidence ? "1" : "0";
    for (const config::TokenConfig& t : auth.tokens) k += "|" + t.name + ":" + t.role + ":" + t.sha256;
    return k;
  };
  if (token_key(a.auth) != token_key(b.auth)) out.push_back("[auth]");
  if (a.tls.cert != b.tls.cert || a.tls.key != b.tls.key || a.tls.client_ca != b.tls.client_ca) {
    out.push_back("[tls]");
  }
  if (a.limits.submit_per_minute != b.limits.submit_per_minute ||
      a.limits.submit_burst != b.limits.submit_burst) {
    out.push_back("[limits]");
  }
  if (a.report.enabled != b.report.enabled || a.report.at_hour != b.report.at_hour ||
      a.report.at_minute != b.report.at_minute || a.report.timezone != b.report.timezone ||
      a.report.dir != b.report.dir || a.report.formats != b.report.formats) {
    out.push_back("[report]");
  }
  return out;
}

// SIGHUP: reads the config file again and applies its sources (added,
// removed, changed), their ports and idle timeouts, and the log level. A
// config with an error changes nothing; the error names file and line.
void Reload(const Startup& startup, config::Config* cfg, SourceSet* sources,
            correlate::Correlator* correlator, service::Server* server) {
  CULPRIT_LOG(kInfo) << "SIGHUP: reloading " << startup.config_file;
  auto next = config::LoadConfigFile(startup.config_file, startup.overrides);
  if (!next.ok()) {
    CULPRIT_LOG(kError) << "reload failed, still running the previous config: "
                        << next.status().message();
    return;
  }
  if (startup.log_level) next->daemon.log_level = *startup.log_level;
  std::string summary;
  if (Status st = sources->Reload(*next, &summary); !st.ok()) {
    CULPRIT_LOG(kError) << "reload failed, still running the previous config: " << st.message();
    return;
  }
  correlator->SetSources(SourceInfos(*next, sources->ids()));
  server->SetSources(ServedSources(*next, sources->ids()));
  SetLogLevel(next->daemon.log_level);
  for (const std::string& key : NeedRestart(*cfg, *next)) {
    CULPRIT_LOG(kWarning) << "reload: " << key << " changed; restart culpritd to apply it";
  }
  CULPRIT_LOG(kInfo) << "reloaded " << startup.config_file << ": " << summary;
  *cfg = std::move(*next);
}

int Run(config::Config cfg, const Startup& startup) {
  SystemClock clock;
  const Timestamp started_at = clock.Now();
  SetLogLevel(cfg.daemon.log_level);

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto parsers = BuildParsers(cfg);
  if (!parsers.ok()) {
    CULPRIT_LOG(kError) << parsers.status().message();
    return kExitConfig;
  }
  const std::string report_zone = cfg.report.enabled ? cfg.report.timezone : "UTC";
  std::optional<report::NightlyOptions> nightly_options;
  if (cfg.report.enabled) {
    auto o = NightlyOptionsOf(cfg.report);
    if (!o.ok()) {
      CULPRIT_LOG(kError) << cfg.file << ":" << cfg.report.line << ": report: "
                          << o.status().message();
      return kExitConfig;
    }
    nightly_options = std::move(*o);
  }
  // One daemon per database: a second one would store every line again.
  auto lock = FileLock::Acquire(cfg.daemon.database + ".lock");
  if (!lock.ok()) {
    CULPRIT_LOG(kError) << "database \"" << cfg.daemon.database
                        << "\" is in use: " << lock.status().message()
                        << "; is another culpritd running with it?";
    return kExitStartup;
  }
  auto db = store::OpenForWriting(cfg.daemon.database);
  if (!db.ok()) {
    CULPRIT_LOG(kError) << db.status().message();
    return kExitStartup;
  }

  // Copies the WAL back into the database on its own thread; declared
  // before the writer thread, so it is destroyed after that has stopped.
  auto checkpointer = store::WalCheckpointer::Attach(db->get());
  if (!checkpointer.ok()) {
    CULPRIT_LOG(kError) << "starting the WAL checkpointer: " << checkpointer.status().message();
    return kExitStartup;
  }

  tail::PosixFileSystem fs;
  auto writer = store::EventWriter::Create(db->get(), &clock);
  if (!writer.ok()) {
    CULPRIT_LOG(kError) << "preparing the event writer: " << writer.status().message();
    return kExitStartup;
  }
  // Metrics only when [metrics] listen is set; the registry outlives every
  // component that exports to it and the endpoint.
  std::unique_ptr<metrics::Registry> registry;
  if (!cfg.metrics.listen.empty()) registry = std::make_unique<metrics::Registry>();

  // Retention runs on the writer thread, the database's one writer: a
  // short step between transactions while there is more to delete, else
  // once a minute.
  std::unique_ptr<store::Retention> retention;
  ingest::WriterThread::Options writer_options;
  writer_options.metrics = registry.get();
  writer_options.checkpointer = checkpointer->get();
  if (cfg.daemon.retention > Duration::zero()) {
    auto r = store::Retention::Create(db->get(), {cfg.daemon.retention});
    if (!r.ok()) {
      CULPRIT_LOG(kError) << "preparing retention: " << r.status().message();
      return kExitStartup;
    }
    retention = std::move(*r);
    writer_options.maintenance = [&retention, &clock] {
      auto step = retention->Step(clock.Now());
      if (!step.ok()) {
        CULPRIT_LOG(kWarning) << "retention: " << step.status().message()
                              << " (will try again)";
        return false;
      }
      if (step->events_deleted + step->grouped_events_deleted + step->rejected_deleted +
              step->reports_deleted > 0) {
        CULPRIT_LOG(kDebug) << "retention: deleted " << step->events_deleted << " + "
                            << step->grouped_events_deleted << " event(s), "
                            << step->rejected_deleted << " rejected line(s), "
                            << step->reports_deleted << " report(s); " << step->pages_freed
                            << " page(s) freed";
      }
      return step->more;
    };
    writer_options.maintenance_interval = std::chrono::minutes(1);
  }
  ingest::WriterThread writer_thread(writer->get(), writer_options);
  writer_thread.Start();
  ingest::Ingester::Options ingester_options;
  ingester_options.metrics = registry.get();
  SourceSet sources(db->get(), writer->get(), &writer_thread, &fs, &clock, ingester_options);
  if (Status st = sources.Init(cfg); !st.ok()) {
    CULPRIT_LOG(kError) << st.message();
    return kExitStartup;
  }
  const std::vector<int64_t>* ids = &sources.ids();

  FileSystemProbe probe(&fs);
  service::ServerOptions options;
  options.listen = cfg.daemon.listen;
  options.database_path = cfg.daemon.database;
  options.sources = ServedSources(cfg, *ids);
  const std::string db_path = cfg.daemon.database;
  options.query_factory = [db_path]() -> Result<std::unique_ptr<store::EventQuery>> {
    CULPRIT_ASSIGN_OR_RETURN(auto q, store::SqliteEventQuery::Open(db_path));
    return std::unique_ptr<store::EventQuery>(std::move(q));
  };
  correlate::Correlator correlator(SourceInfos(cfg, *ids));
  options.correlator = &correlator;
  WriterReportSink report_sink(&writer_thread);
  options.report_sink = &report_sink;
  options.make_report = [db_path, &clock](Timestamp from, Timestamp to,
                                          report::ReportFormat format,
                                          const TimeZone& zone) -> Result<std::string> {
    CULPRIT_ASSIGN_OR_RETURN(report::ReportData data,
                             report::BuildReportFromDatabase(db_path, {from, to, clock.Now(), zone}));
    return report::Render(data, format);
  };
  options.report_timezone = report_zone;
  options.probe = &probe;
  options.clock = &clock;
  options.metrics = registry.get();
  options.ingest_problem = [&writer_thread]() -> std::optional<std::pair<std::string, Timestamp>> {
    auto failing = writer_thread.failing();
    if (!failing) return std::nullopt;
    return std::make_pair("writing to the database fails: " + failing->error.message(),
                          failing->since);
  };
  options.started_at = started_at;
  if (Status st = ApplyAccessConfig(cfg, &options); !st.ok()) {
    CULPRIT_LOG(kError) << cfg.file << ": " << st.message();
    return kExitStartup;
  }

  auto server = service::Server::Start(std::move(options));
  if (!server.ok()) {
    CULPRIT_LOG(kError) << server.status().message();
    return kExitStartup;
  }
  std::unique_ptr<metrics::MetricsServer> metrics_server;
  if (registry) {
    auto m = metrics::MetricsServer::Start(registry.get(), {.listen = cfg.metrics.listen});
    if (!m.ok()) {
      CULPRIT_LOG(kError) << cfg.file << ":" << cfg.metrics.line << ": metrics: "
                          << m.status().message();
      (*server)->Shutdown(std::chrono::seconds(1));
      return kExitStartup;
    }
    metrics_server = std::move(*m);
    CULPRIT_LOG(kInfo) << "metrics on http://" << cfg.metrics.listen << "/metrics (port "
                       << metrics_server->port() << ")";
  }
  sources.Start();
  std::unique_ptr<report::NightlyReports> nightly;
  if (nightly_options) {
    const TimeZone zone = nightly_options->zone;
    nightly = std::make_unique<report::NightlyReports>(
        *nightly_options, &clock, [db_path, &clock, zone](Timestamp from, Timestamp to) {
          return report::BuildReportFromDatabase(db_path, {from, to, clock.Now(), zone});
        });
    nightly->Start();
  }
  CULPRIT_LOG(kInfo) << "culpritd " << kVersion << " serving on " << cfg.daemon.listen
                     << " (port " << (*server)->port() << "), database " << cfg.daemon.database
                     << ", " << cfg.sources.size() << " source(s)";
  CULPRIT_LOG(kInfo) << "access: "
                     << (cfg.auth.tokens.empty()
                             ? std::string("open (no [auth] tokens)")
                             : std::to_string(cfg.auth.tokens.size()) + " token(s)")
                     << ", TLS "
                     << (!cfg.tls.enabled()          ? "off"
                         : cfg.tls.client_ca.empty() ? "on"
                                                     : "on with client certificates")
                     << ", Submit limit "
                     << (cfg.limits.submit_per_minute == 0
                             ? std::string("none")
                             : std::to_string(cfg.limits.submit_per_minute) + "/min per client");

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      Reload(startup, &cfg, &sources, &correlator, server->get());
      continue;
    }
    CULPRIT_LOG(kInfo) << "received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
                       << ", shutting down";
    break;
  }
  if (nightly) nightly->Stop();
  if (metrics_server) metrics_server->Stop();
  // Stop serving first (calls in flight finish: a Submit needs the writer),
  // then stop reading and let the writer commit what is queued, so what was
  // read before SIGTERM is stored and its checkpoint with it.
  (*server)->Shutdown(std::chrono::seconds(5));
  sources.Stop();
  writer_thread.Stop();
  server->reset();
  CULPRIT_LOG(kInfo) << "stopped";
  return kExitOk;
}

}  // namespace
}  // namespace culprit

int main(int argc, char** argv) {
  // Batches are filled on the reading thread and freed on the writer's:
  // with glibc's default of one malloc arena per thread, each arena keeps
  // its own free memory. Two arenas hold the same work in less.
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{"culpritd: finds the server-side cause of a client's connection reset"};
  std::string config_file;
  std::string check_file;
  std::string log_level;
  auto* config_opt = app.add_option("--config", config_file, "the TOML config file to run with");
  auto* check_opt = app.add_option("--check-config", check_file,
                                   "validate a config file and exit (0 valid, 1 invalid)");
  config_opt->excludes(check_opt);
  app.add_option("--log-level", log_level, "debug, info, warning or error (overrides the config)");
  std::string database_override;
  std::string listen_override;
  app.add_option("--database", database_override,
                 "the SQLite database file (overrides [daemon] database)");
  app.add_option("--listen", listen_override, "the gRPC address (overrides [daemon] listen)");
  app.set_version_flag("--version", std::string("culpritd ") + culprit::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : culprit::kExitConfig;
  }

  if (!check_file.empty()) {
    auto cfg = culprit::config::LoadConfigFile(check_file, {database_override, listen_override});
    if (!cfg.ok()) {
      std::cerr << cfg.status().message() << "\n";
      return culprit::kExitConfig;
    }
    if (auto parsers = culprit::BuildParsers(*cfg); !parsers.ok()) {
      std::cerr << parsers.status().message() << "\n";
      return culprit::kExitConfig;
    }
    std::cout << check_file << ": OK (" << cfg->sources.size() << " source(s), database "
              << cfg->daemon.database << ", listen " << cfg->daemon.listen << ")\n";
    return culprit::kExitOk;
  }
  if (config_file.empty()) {
    std::cerr << "culpritd: --config FILE is required (or --check-config FILE)\n"
              << app.help();
    return culprit::kExitConfig;
  }
  auto cfg = culprit::config::LoadConfigFile(config_file, {database_override, listen_override});
  if (!cfg.ok()) {
    std::cerr << cfg.status().message() << "\n";
    return culprit::kExitConfig;
  }
  culprit::Startup startup{config_file, {database_override, listen_override}, std::nullopt};
  if (!log_level.empty()) {
    auto level = culprit::ParseLogLevel(log_level);
    if (!level.ok()) {
      std::cerr << "culpritd: --log-level: " << level.status().message() << "\n";
      return culprit::kExitConfig;
    }
    cfg->daemon.log_level = *level;
    startup.log_level = *level;
  }

  return culprit::Run(std::move(*cfg), startup);
}
