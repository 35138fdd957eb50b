// ingest_bench: file -> parse -> SQLite (production schema and indexes), per
// format, through the same SourceReader / WriterThread / EventWriter the
// daemon runs. Prints lines/s, MB/s, peak RSS, the share of lines stored as
// indexed rows (events with a cause), and the CPU time of the writer thread,
// of the reading/parsing thread and of the WAL checkpointer thread (on an
// idle 2-core machine lines/s is about lines / the larger of the first two,
// as long as the three together fit in two cores).
//
//   ingest_bench [--lines N] [--preload M] [--formats a,b,...] [--dir DIR]
//
// nginx_combined input is generated: time-ordered, client addresses drawn
// from a skewed (Zipf-like) population of 200k with 10 % IPv6, a busy
// edge's status mix (about 3 % of lines indicate a reset cause), varied
// paths and agents. The other formats replay the lab-dev
// corpus files (../shared/corpus/lab-dev) cyclically up to N lines.
// --preload M first fills the database with M events spread over the day
// before, through the production writer, and syncs it to disk, so the
// figure holds for a database that is already large.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "base/time_zone.h"
#include "bench/bench_store.h"
#include "bench/nginx_log.h"
#include "bench/proc_stat.h"
#include "daemon/ingest/ingester.h"
#include "daemon/store/database.h"
#include "daemon/store/event_writer.h"
#include "daemon/store/source_registry.h"
#include "daemon/store/sqlite/db.h"
#include "daemon/store/wal_checkpointer.h"
#include "daemon/tail/file_system.h"
#include "parsers/parser_factory.h"

namespace culprit {
namespace {

using Clock = std::chrono::steady_clock;

const std::string kCorpus = std::string(CULPRIT_SOURCE_DIR) + "/../shared/corpus/lab-dev/logs/";

parsers::ParserSpec Spec(std::string format) {
  parsers::ParserSpec s;
  s.format = std::move(format);
  return s;
}
parsers::ParserSpec Nginx(std::vector<std::string> log_formats) {
  parsers::ParserSpec s = Spec("nginx");
  s.log_formats = std::move(log_formats);
  return s;
}

struct FormatCase {
  std::string name;         // printed
  parsers::ParserSpec spec;
  std::string corpus_file;  // replayed; empty = generated nginx combined
};

std::vector<FormatCase> Cases() {
  std::vector<FormatCase> v;
  v.push_back({"nginx_combined", Spec("nginx_combined"), ""});
  v.push_back({"nginx_ext",
               Nginx({"$remote_addr - $remote_user [$time_local] \"$request\" $status "
                                "$body_bytes_sent \"$http_referer\" \"$http_user_agent\" "
                                "rport=$remote_port conn=$connection creq=$connection_requests "
                                "rt=$request_time msec=$msec tls=$ssl_protocol cipher=$ssl_cipher "
                                "saddr=$server_addr sport=$server_port ups=$upstream_addr "
                                "ustatus=$upstream_status urt=$upstream_response_time "
                                "rid=$request_id"}),
               "nginx/access_ext.log"});
  v.push_back({"nginx_error", Spec("nginx_error"), "nginx/error.log"});
  v.push_back({"haproxy", Spec("haproxy"), "haproxy/haproxy.log"});
  v.push_back({"stunnel", Spec("stunnel"), "stunnel/stunnel.log"});
  v.push_back({"json", Spec("json"), "app/app.jsonl"});
  v.push_back({"syslog_netfilter", Spec("syslog"), "firewall/firewall.log"});
  return v;
}

long PeakRssKb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// CPU seconds (user + system) used so far by this process's thread named
// `comm`, from /proc; 0 if there is none. The writer's CPU time per line is
// its capacity, whatever else the machine is doing.
double ThreadCpuSeconds(const std::string& comm) {
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream name(task.path() / "comm");
    std::string n;
    if (!std::getline(name, n) || n != comm) continue;
    return std::max(0.0, bench::StatCpuSeconds(task.path() / "stat"));
  }
  return 0;
}

size_t GenerateCombined(const std::string& path, int64_t lines) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return 0;
  std::vector<char> buf(1 << 20);
  std::setvbuf(f, buf.data(), _IOFBF, buf.size());
  bench::CombinedLog log;
  std::string ip;
  int64_t second = 0;
  size_t bytes = 0;
  for (int64_t i = 0; i < lines; ++i) {
    const std::string_view line = log.Next(&ip, &second);
    std::fwrite(line.data(), 1, line.size(), f);
    bytes += line.size();
  }
  std::fclose(f);
  return bytes;
}

size_t ReplayCorpus(const std::string& from, const std::string& path, int64_t lines) {
  std::ifstream in(from, std::ios::binary);
  std::vector<std::string> src;
  for (std::string l; std::getline(in, l);) src.push_back(l);
  if (src.empty()) return 0;
  std::ofstream out(path, std::ios::binary);
  size_t bytes = 0;
  for (int64_t i = 0; i < lines; ++i) {
    const std::string& l = src[i % src.size()];
    out << l << '\n';
    bytes += l.size() + 1;
  }
  return bytes;
}

// Fills the database with `n` events over the day before, in time order,
// with addresses from the same skewed population.
// Fills the database with `n` events of the day before the generated log,
// through the production writer (so the layout is what culpritd stores):
// nginx combined lines from the same client population and status mix.
bool Preload(store::EventWriter& writer, int64_t source_id, int64_t n) {
  if (n <= 0) return true;
  const auto t0 = Clock::now();
  bench::StoreFiller filler(&writer, {source_id}, {"/var/log/nginx/access.log.1"});
  std::mt19937_64 rng(7);
  const int64_t start_us = 1795392000LL * 1000000;  // the day before the generated log
  char line[512];
  for (int64_t done = 0; done < n; ++done) {
    const std::string ip_text = bench::ClientAddress(rng);
    auto ip = IpAddress::Parse(ip_text);
    if (!ip.ok()) return false;
    const int64_t ts_us = start_us + done * (86'400'000'000LL / n) / 1'000'000 * 1'000'000;
    const int status = rng() % 100 < 3 ? 502 : 200;
    const int len = std::snprintf(line, sizeof line,
                                  "%s - - [22/Nov/2026:%02d:%02d:%02d +0000] \"GET /api/items/%d "
                                  "HTTP/1.1\" %d %d \"-\" \"curl/7.88.1\"",
                                  ip_text.c_str(), static_cast<int>(ts_us / 3'600'000'000 % 24),
                                  static_cast<int>(ts_us / 60'000'000 % 60),
                                  static_cast<int>(ts_us / 1'000'000 % 60),
                                  static_cast<int>(rng() % 100000), status,
                                  static_cast<int>(rng() % 40000));
    parsers::Event& e = filler.Add(0, std::string_view(line, static_cast<size_t>(len)));
    e.time = FromUnixMicros(ts_us);
    e.kind = EventKind::kRequest;
    e.client_ip = *ip;
    e.status = status;
    if (status == 502) e.cause = Cause::kUpstreamFailure;
    e.message = "GET /api/items HTTP/1.1";
  }
  if (!filler.Flush()) return false;
  // The database already exists on disk before the timed run, as it would
  // in production: without this, the run would start by waiting for the
  // kernel to write back the gigabytes the preload left dirty.
  ::sync();
  std::printf("preloaded %" PRId64 " events in %.1f s (synced to disk)\n", n,
              std::chrono::duration<double>(Clock::now() - t0).count());
  return true;
}

int RunCase(const FormatCase& c, const std::string& dir, int64_t lines, int64_t preload) {
  const std::string log = dir + "/" + c.name + ".log";
  const std::string db_path = dir + "/" + c.name + ".db";
  std::filesystem::remove(db_path);
  std::filesystem::remove(db_path + "-wal");
  std::filesystem::remove(db_path + "-shm");
  const size_t bytes = c.corpus_file.empty() ? GenerateCombined(log, lines)
                                             : ReplayCorpus(kCorpus + c.corpus_file, log, lines);
  if (bytes == 0) {
    std::fprintf(stderr, "%s: no input (is ../shared/corpus there?)\n", c.name.c_str());
    return 1;
  }
  SystemClock clock;
  auto db = store::OpenForWriting(db_path);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().message().c_str());
    return 1;
  }
  std::vector<store::SourceDef> defs = {{c.name, log, c.spec.format}};
  auto ids = store::RegisterSources(**db, defs, clock.Now());
  if (!ids.ok()) return 1;
  auto parser = parsers::NewLineParser(c.spec);
  if (!parser.ok()) {
    std::fprintf(stderr, "%s: %s\n", c.name.c_str(), parser.status().message().c_str());
    return 1;
  }
  auto writer = store::EventWriter::Create(db->get(), &clock);
  if (!writer.ok()) return 1;
  if (!Preload(**writer, (*ids)[0], preload)) {
    std::fprintf(stderr, "%s: setting up the database failed\n", c.name.c_str());
    return 1;
  }
  tail::PosixFileSystem fs;
  // As culpritd: the WAL is copied back on a thread of its own.
  auto checkpointer = store::WalCheckpointer::Attach(db->get());
  if (!checkpointer.ok()) {
    std::fprintf(stderr, "%s: %s\n", c.name.c_str(), checkpointer.status().message().c_str());
    return 1;
  }
  ingest::WriterThread writer_thread(writer->get(), {});
  writer_thread.Start();
  ingest::SourceReader::Options o;
  o.source_id = (*ids)[0];
  o.name = c.name;
  o.tail.pattern = log;
  std::vector<std::unique_ptr<ingest::SourceReader>> readers;
  readers.push_back(std::make_unique<ingest::SourceReader>(&fs, std::move(o),
                                                           std::move(*parser),
                                                           (*writer)->ActiveCheckpoints((*ids)[0])));
  ingest::Ingester ingester(std::move(readers), &writer_thread, &clock, {});

  const auto t0 = Clock::now();
  const double reader_cpu0 = ThreadCpuSeconds("ingest_bench");
  while (ingester.RunOnce()) {
  }
  const Status flushed = writer_thread.Flush();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const double writer_cpu = ThreadCpuSeconds("culprit-writer");
  const double reader_cpu = ThreadCpuSeconds("ingest_bench") - reader_cpu0;
  const double checkpointer_cpu = ThreadCpuSeconds("culprit-ckpt");
  writer_thread.Stop();
  const store::WalCheckpointer::Stats ck = (*checkpointer)->stats();
  std::fprintf(stderr, "  WAL: %" PRId64 " background checkpoints, %" PRId64 " tails, writer waited %" PRId64 " time(s), largest WAL %" PRId64 " frames\n",
               ck.background_passes, ck.tail_passes, ck.writer_waits, ck.max_wal_frames);
  if (!flushed.ok()) {
    std::fprintf(stderr, "%s: %s\n", c.name.c_str(), flushed.message().c_str());
    return 1;
  }
  const auto& totals = (*writer)->totals();
  const int64_t read = totals.events + totals.rejected - preload;
  // Events with a cause are indexed rows; the rest are packed per client.
  const auto rows = (*db)->QueryInt("SELECT COUNT(*) FROM events WHERE file_id IN "
                                    "(SELECT id FROM checkpoints WHERE active = 1)");
  std::printf("%-17s %10" PRId64 " lines %8.1f MB %7.2f s %10.0f lines/s %7.1f MB/s  "
              "rejected %" PRId64 "  with a cause %.1f%%  peak RSS %ld MB  "
              "CPU: writer %.2f s, reader %.2f s, checkpointer %.2f s\n",
              c.name.c_str(), read, bytes / 1e6, secs, read / secs, bytes / 1e6 / secs,
              totals.rejected, rows.ok() && read > 0 ? 100.0 * *rows / read : -1.0,
              PeakRssKb() / 1024, writer_cpu, reader_cpu, checkpointer_cpu);
  std::fflush(stdout);
  std::filesystem::remove(log);
  return read == lines ? 0 : 1;
}

}  // namespace
}  // namespace culprit

int main(int argc, char** argv) {
  int64_t lines = 2'000'000;
  int64_t preload = 0;
  std::string formats;
  std::string dir = std::filesystem::temp_directory_path() / "culprit-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--lines") lines = std::atoll(argv[i + 1]);
    else if (k == "--preload") preload = std::atoll(argv[i + 1]);
    else if (k == "--formats") formats = argv[i + 1];
    else if (k == "--dir") dir = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: ingest_bench [--lines N] [--preload M] [--formats a,b] [--dir D]\n");
      return 1;
    }
  }
  std::filesystem::create_directories(dir);
  culprit::SetLogLevel(culprit::LogLevel::kWarning);
  std::printf("ingest: file -> parse -> SQLite with production indexes; %" PRId64
              " lines per format, %" PRId64 " events preloaded\n",
              lines, preload);
  int rc = 0;
  for (const auto& c : culprit::Cases()) {
    if (!formats.empty() && ("," + formats + ",").find("," + c.name + ",") == std::string::npos) {
      continue;
    }
    rc |= culprit::RunCase(c, dir, lines, preload);
  }
  return rc;
}
