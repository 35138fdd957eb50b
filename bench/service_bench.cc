// service_bench: the real culpritd over gRPC, for two figures of issue 8.
//
//   service_bench [--culpritd PATH] [--clients 8,64] [--submit-seconds S]
//                 [--submit-ingest-rate R] [--probes N] [--rate R]
//                 [--high-rate R] [--poll-us U] [--only submit|latency]
//                 [--dir DIR] [--keep] [--quick]
//
// Each scenario starts culpritd (default: the one built next to this
// binary) on a fresh database in a temporary directory, listening on
// 127.0.0.1 (a free port), tailing one nginx access log (the lab-dev
// corpus's extended log_format, with $remote_port and $msec) from its end,
// and stops it with SIGTERM afterwards. Peak RSS is culpritd's VmHWM.
//
// Submit throughput (target >= 5,000 reports/s with 64 clients): N clients,
// each with its own channel and TCP connection (a local subchannel pool), as
// N reporting hosts would have, call Submit in a closed loop (one call in
// flight each, on gRPC's callback API: no thread per client): a
// 1 s warm-up, then --submit-seconds (default 5). Reports are realistic:
// client address (with port) from the benchmarks' skewed population, seen_at
// now +- 1 s, ECONNRESET / EPIPE / SSL errors, idle reuse and other phases.
// Each client count runs idle and, with --submit-ingest-rate lines/s
// (default 2,000; 0: skip), while nginx lines are appended, so Submit
// competes with ingestion (its reports then find events of their clients).
// Transactions come from culpritd's culprit_batch_commit_seconds_count,
// so reports per transaction shows whether group commit works.
//
// Line -> queryable (target p99 <= 250 ms): a background thread appends
// lines at --rate (default 1,000) or --high-rate (default 50,000) lines/s;
// one probe line at a time, with a client address of its own, is appended,
// then SearchEvents (that address, the line's second, limit 5) is polled on one
// channel until it returns the line (at most 5 s: a miss), sleeping
// --poll-us (default 500) between polls. The latency is from write()
// returning to the answer that holds the line, so it overstates the
// pipeline by at most one poll period (printed). Probes are 0-10 ms apart;
// every tenth is a 502 (an indexed row), the others 200s (packed rows).
// Then 20 lookups +- 5 s around the last probes are timed, as an operator's
// query while lines keep coming.
//
// The client threads run on the same machine as culpritd: culpritd's CPU
// time and this process's are printed, to show how the cores were shared.

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/time.h"
#include "bench/nginx_log.h"
#include "bench/service_bench_support.h"
#include "culprit/v1/culprit.grpc.pb.h"
#include "proto/time_convert.h"

namespace culprit {
namespace {

using SteadyClock = std::chrono::steady_clock;
using bench::Daemon;
using bench::LogAppender;

struct Flags {
  std::string culpritd = CULPRITD_PATH;
  std::vector<int> clients = {8, 64};
  double submit_seconds = 5;
  double warmup_seconds = 1;
  int64_t submit_ingest_rate = 2000;
  int probes = 500;
  int64_t rate = 1000;
  int64_t high_rate = 50000;
  int poll_us = 500;
  std::string dir;
  bool keep = false;
  bool submit = true;   // --only latency: false
  bool latency = true;  // --only submit: false
};

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

double ProcessCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// q-quantile of sorted `v` (milliseconds); 0 when empty.
double Quantile(const std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

std::unique_ptr<v1::Culprit::Stub> Connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
  return v1::Culprit::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

// One Status call, so the connection is up before anything is timed.
bool Ready(v1::Culprit::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::StatusResponse response;
  return stub.Status(&context, v1::StatusRequest(), &response).ok();
}

// culpritd's CPU use per thread between two samples, in cores: the writer,
// the ingest thread, "culpritd" (main thread and the query pool, unnamed)
// and the rest (gRPC's threads, metrics) together.
std::string ThreadShares(const std::map<std::string, double>& before,
                         const std::map<std::string, double>& after, double seconds) {
  double writer = 0, ingest = 0, query = 0, rest = 0;
  for (const auto& [name, s] : after) {
    const auto b = before.find(name);
    const double d = (s - (b == before.end() ? 0 : b->second)) / seconds;
    if (name == "culprit-writer") writer += d;
    else if (name == "culprit-ingest") ingest += d;
    else if (name == "culpritd") query += d;
    else rest += d;
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "writer %.2f, ingest %.2f, culpritd/query %.2f, grpc+other %.2f",
                writer, ingest, query, rest);
  return buf;
}

// A fresh directory with an empty access log, and culpritd on it.
struct Setup {
  std::string dir;
  std::string log;
  std::unique_ptr<Daemon> daemon;
};

// Set when culpritd could not be started: the remaining scenarios are skipped.
bool g_cannot_start = false;

bool StartScenario(const Flags& f, const std::string& name, Setup* s) {
  if (g_cannot_start) return false;
  s->dir = f.dir + "/" + name;
  std::error_code ec;
  std::filesystem::remove_all(s->dir, ec);
  std::filesystem::create_directories(s->dir, ec);
  s->log = s->dir + "/access.log";
  std::ofstream(s->log).flush();
  auto d = Daemon::Start(f.culpritd, s->dir, s->log);
  if (!d.ok()) {
    std::fprintf(stderr, "service_bench: %s: %s\n", name.c_str(), d.status().message().c_str());
    g_cannot_start = true;
    return false;
  }
  s->daemon = std::move(*d);
  return true;
}

// Stops culpritd; false (with its output) when it did not exit cleanly.
// Says so when stopping took more than a second.
bool EndScenario(const Flags& f, Setup* s) {
  const auto t0 = SteadyClock::now();
  const bool clean = s->daemon->Stop();
  const double stop_s = Seconds(SteadyClock::now() - t0);
  if (stop_s > 1) std::printf("  (culpritd took %.1f s to stop after SIGTERM)\n", stop_s);
  if (!clean) {
    std::fprintf(stderr, "service_bench: culpritd did not exit cleanly; its output:\n%s\n",
                 s->daemon->Output().c_str());
  }
  s->daemon.reset();
  if (!f.keep) {
    std::error_code ec;
    std::filesystem::remove_all(s->dir, ec);
  }
  return clean;
}

// ---------------------------------------------------------------- Submit --

// A report as a client library would send it after a reset.
void MakeReport(std::mt19937_64& rng, v1::ResetReport* r) {
  static const char* const kErrors[] = {
      "ECONNRESET", "ECONNRESET", "ECONNRESET", "ECONNRESET", "ECONNRESET", "ECONNRESET",
      "EPIPE",      "EOF",        "ECONNABORTED", "ETIMEDOUT", "SSL: WRONG_VERSION_NUMBER",
      "WSAECONNRESET"};
  static const v1::Phase kPhases[] = {
      v1::IDLE_REUSE,        v1::IDLE_REUSE,       v1::IDLE_REUSE,   v1::AWAITING_RESPONSE,
      v1::AWAITING_RESPONSE, v1::AWAITING_RESPONSE, v1::READING_RESPONSE, v1::REQUEST_SENT,
      v1::TLS_HANDSHAKE,     v1::CONNECT};
  const std::string ip = bench::ClientAddress(rng);
  const int port = 1024 + static_cast<int>(rng() % 64000);
  r->set_client(ip.find(':') != std::string::npos ? "[" + ip + "]:" + std::to_string(port)
                                                   : ip + ":" + std::to_string(port));
  const auto now = std::chrono::system_clock::now();
  const int64_t jitter_us = static_cast<int64_t>(rng() % 2'000'001) - 1'000'000;
  proto::ToProto(FromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                    now.time_since_epoch())
                                    .count() +
                                jitter_us),
                 r->mutable_seen_at());
  r->set_server("192.0.2.10:443");
  r->set_server_name("shop.example.com");
  r->set_error(kErrors[rng() % std::size(kErrors)]);
  const v1::Phase phase = kPhases[rng() % std::size(kPhases)];
  r->set_phase(phase);
  if (phase == v1::IDLE_REUSE) {
    proto::ToProto(std::chrono::seconds(60 + rng() % 30), r->mutable_idle_before());
    proto::ToProto(std::chrono::seconds(90 + rng() % 600), r->mutable_connection_age());
  }
  if (rng() % 2 == 0) {
    char rid[40];
    std::snprintf(rid, sizeof rid, "%016" PRIx64 "%016" PRIx64, rng(), rng());
    r->set_request_id(rid);
  }
  r->set_bytes_sent(static_cast<int64_t>(200 + rng() % 4000));
  (*r->mutable_labels())["app"] = "checkout";
  (*r->mutable_labels())["version"] = "4.2.1";
}

struct ClientTally {
  std::vector<double> ok_ms;  // calls started after the warm-up, ended before the end
  std::map<std::string, int64_t> errors;
};

bool RunSubmit(const Flags& f, int clients, int64_t ingest_rate) {
  const std::string name = "submit-" + std::to_string(clients) + (ingest_rate > 0 ? "-ingest" : "");
  Setup s;
  if (!StartScenario(f, name, &s)) return false;
  LogAppender appender(s.log);
  std::vector<std::unique_ptr<v1::Culprit::Stub>> stubs;
  for (int i = 0; i < clients; ++i) {
    stubs.push_back(Connect(s.daemon->address()));
    if (!Ready(*stubs.back())) {
      std::fprintf(stderr, "service_bench: %s: client %d cannot reach culpritd; its output:\n%s\n",
                   name.c_str(), i, s.daemon->Output().c_str());
      EndScenario(f, &s);
      return false;
    }
  }
  appender.StartBackground(ingest_rate);
  const auto start = SteadyClock::now();
  const auto measure_from = start + std::chrono::duration_cast<SteadyClock::duration>(
                                        std::chrono::duration<double>(f.warmup_seconds));
  const auto measure_to = measure_from + std::chrono::duration_cast<SteadyClock::duration>(
                                             std::chrono::duration<double>(f.submit_seconds));
  std::vector<ClientTally> tallies(static_cast<size_t>(clients));
  // Each client keeps one call in flight on gRPC's callback API: the next
  // starts from the previous one's completion. Closed loop as before, but
  // without a blocked thread per client, so the load generator takes less
  // of the two cores the daemon is measured on.
  struct Client {
    v1::Culprit::Stub* stub = nullptr;
    ClientTally* tally = nullptr;
    std::mt19937_64 rng;
    v1::SubmitRequest req;
    v1::SubmitResponse response;
    std::unique_ptr<grpc::ClientContext> context;
    SteadyClock::time_point t0;
  };
  std::mutex done_mu;
  std::condition_variable done_cv;
  int running = clients;
  std::vector<Client> states(static_cast<size_t>(clients));
  std::function<void(Client&)> start_call = [&](Client& c) {
    // Bounded by measure_to: each call has a 10 s deadline.
    if (SteadyClock::now() >= measure_to) {
      std::lock_guard lock(done_mu);
      if (--running == 0) done_cv.notify_all();
      return;
    }
    c.req.Clear();
    MakeReport(c.rng, c.req.mutable_report());
    c.response.Clear();
    c.context = std::make_unique<grpc::ClientContext>();
    c.context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    c.t0 = SteadyClock::now();
    c.stub->async()->Submit(c.context.get(), &c.req, &c.response, [&](grpc::Status st) {
      const auto t1 = SteadyClock::now();
      if (c.t0 >= measure_from && t1 <= measure_to) {
        if (st.ok()) {
          c.tally->ok_ms.push_back(Seconds(t1 - c.t0) * 1e3);
        } else {
          ++c.tally->errors[std::to_string(st.error_code()) + " " +
                            st.error_message().substr(0, 60)];
        }
      }
      start_call(c);
    });
  };
  for (int i = 0; i < clients; ++i) {
    Client& c = states[static_cast<size_t>(i)];
    c.stub = stubs[static_cast<size_t>(i)].get();
    c.tally = &tallies[static_cast<size_t>(i)];
    c.rng.seed(1000 + static_cast<uint64_t>(i));
    start_call(c);
  }
  // Sample culpritd at the window's edges (on this thread).
  struct Sample {
    double cpu, self, tx, tx_s;
    decltype(s.daemon->ThreadCpuSeconds()) threads;
    int64_t lines;
  };
  auto sample = [&] {
    return Sample{s.daemon->CpuSeconds(), ProcessCpuSeconds(),
                  s.daemon->Metric("culprit_batch_commit_seconds_count"),
                  s.daemon->Metric("culprit_batch_commit_seconds_sum"),
                  s.daemon->ThreadCpuSeconds(), appender.background_lines()};
  };
  std::this_thread::sleep_until(measure_from);
  const Sample first = sample();
  std::this_thread::sleep_until(measure_to);
  const Sample last = sample();
  const double cpu0 = first.cpu, cpu1 = last.cpu, self0 = first.self, self1 = last.self;
  const double tx0 = first.tx, tx1 = last.tx, tx_s0 = first.tx_s, tx_s1 = last.tx_s;
  const auto& threads0 = first.threads;
  const auto& threads1 = last.threads;
  const int64_t lines0 = first.lines, lines1 = last.lines;
  {
    // Every call ends within its 10 s deadline.
    std::unique_lock lock(done_mu);
    done_cv.wait(lock, [&] { return running == 0; });
  }
  appender.StopBackground();
  const long peak_kb = s.daemon->PeakRssKb();
  stubs.clear();  // connections closed before culpritd is stopped

  std::vector<double> ms;
  std::map<std::string, int64_t> errors;
  for (const auto& t : tallies) {
    ms.insert(ms.end(), t.ok_ms.begin(), t.ok_ms.end());
    for (const auto& [k, v] : t.errors) errors[k] += v;
  }
  std::sort(ms.begin(), ms.end());
  const double rate = static_cast<double>(ms.size()) / f.submit_seconds;
  const double tx = tx1 - tx0;
  std::string errs;
  int64_t n_errors = 0;
  for (const auto& [k, v] : errors) {
    errs += (errs.empty() ? "" : "; ") + std::to_string(v) + "x code " + k;
    n_errors += v;
  }
  const std::string load =
      ingest_rate > 0
          ? "+" + std::to_string(static_cast<int64_t>(static_cast<double>(lines1 - lines0) /
                                                      f.submit_seconds)) + " lines/s"
          : "idle";
  const bool judged = clients == 64;
  std::printf("submit  %2d clients %-17s %8.0f reports/s  p50 %6.2f ms  p99 %7.2f ms  "
              "errors %" PRId64 "%s  tx %5.0f/s (%.1f reports/tx, commit %.2f ms)  "
              "CPU culpritd %.2f cores (%.2f ms/report; %s) + bench %.2f cores  "
              "peak RSS %ld MB  %s\n",
              clients, load.c_str(), rate, Quantile(ms, 0.5), Quantile(ms, 0.99), n_errors,
              errs.empty() ? "" : (" (" + errs + ")").c_str(), tx / f.submit_seconds,
              tx > 0 ? static_cast<double>(ms.size()) / tx : 0.0,
              tx > 0 ? (tx_s1 - tx_s0) / tx * 1e3 : 0.0, (cpu1 - cpu0) / f.submit_seconds,
              ms.empty() ? 0.0 : (cpu1 - cpu0) * 1e3 / static_cast<double>(ms.size()),
              ThreadShares(threads0, threads1, f.submit_seconds).c_str(),
              (self1 - self0) / f.submit_seconds, peak_kb / 1024,
              !judged ? "(target is for 64)"
              : rate >= 5000 && n_errors == 0 ? "PASS (>= 5000/s)"
                                              : "FAIL (< 5000/s or errors)");
  std::fflush(stdout);
  return EndScenario(f, &s) && (!judged || rate >= 5000);
}

// ------------------------------------------------------ line -> queryable --

// One SearchEvents call for `ip` in [from_us, to_us], every message read;
// *found when it returned an event.
grpc::Status Search(v1::Culprit::Stub& stub, const std::string& ip, int64_t from_us,
                    int64_t to_us, uint32_t limit, bool* found) {
  v1::SearchEventsRequest req;
  proto::ToProto(FromUnixMicros(from_us), req.mutable_from());
  proto::ToProto(FromUnixMicros(to_us), req.mutable_to());
  req.set_ip(ip);
  req.set_limit(limit);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  auto reader = stub.SearchEvents(&context, req);
  v1::SearchEventsResponse batch;
  *found = false;
  while (reader->Read(&batch)) *found |= batch.events_size() > 0;
  return reader->Finish();
}

bool RunLatency(const Flags& f, int64_t rate) {
  const std::string name = "latency-" + std::to_string(rate);
  Setup s;
  if (!StartScenario(f, name, &s)) return false;
  LogAppender appender(s.log);
  auto stub = Connect(s.daemon->address());
  if (!appender.ok() || !Ready(*stub)) {
    std::fprintf(stderr, "service_bench: %s: cannot reach culpritd or open the log; output:\n%s\n",
                 name.c_str(), s.daemon->Output().c_str());
    EndScenario(f, &s);
    return false;
  }
  appender.StartBackground(rate);
  std::this_thread::sleep_for(std::chrono::duration<double>(f.warmup_seconds));
  const double cpu0 = s.daemon->CpuSeconds();
  const auto threads0 = s.daemon->ThreadCpuSeconds();
  const int64_t lines0 = appender.background_lines();
  const auto t_start = SteadyClock::now();
  std::mt19937_64 rng(99);
  std::vector<double> ms;
  int misses = 0, errors = 0;
  int64_t polls = 0;
  double poll_rpc_s = 0;
  std::string last_error, first_miss;
  std::vector<std::pair<std::string, int64_t>> probe_ips;
  for (int i = 0; i < f.probes; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 10'000));
    // 198.18.0.0/15 (benchmarking): never in the background population.
    const int n = i + 1;  // < 2^17: --probes is at most 100000
    const std::string ip = "198." + std::to_string(18 + n / 65536) + "." +
                           std::to_string(n / 256 % 256) + "." + std::to_string(n % 256);
    int64_t unix_us = 0;
    if (!appender.AppendProbe(ip, 20000 + i % 40000, i % 10 == 9 ? 502 : 200, &unix_us)) {
      std::fprintf(stderr, "service_bench: %s: appending to %s failed\n", name.c_str(),
                   s.log.c_str());
      break;
    }
    const auto t0 = SteadyClock::now();
    probe_ips.emplace_back(ip, unix_us);
    // The probe's own second: it holds the line whether its time is taken
    // from $msec or $time_local, and keeps each poll cheap.
    const int64_t second_us = unix_us / 1'000'000 * 1'000'000;
    bool found = false;
    // Bounded: 5 s per probe.
    while (!found && SteadyClock::now() - t0 < std::chrono::seconds(5)) {
      const auto p0 = SteadyClock::now();
      const grpc::Status st = Search(*stub, ip, second_us, second_us + 999'999, 5, &found);
      poll_rpc_s += Seconds(SteadyClock::now() - p0);
      ++polls;
      if (!st.ok()) {
        found = false;
        ++errors;
        last_error = st.error_message();
      }
      if (!found) std::this_thread::sleep_for(std::chrono::microseconds(f.poll_us));
    }
    if (found) {
      ms.push_back(Seconds(SteadyClock::now() - t0) * 1e3);
    } else {
      if (misses++ == 0) first_miss = ip + " at " + std::to_string(unix_us) + " us";
    }
    if (!s.daemon->Running()) break;
  }
  const double secs = Seconds(SteadyClock::now() - t_start);
  const double cpu1 = s.daemon->CpuSeconds();
  const auto threads1 = s.daemon->ThreadCpuSeconds();
  const int64_t lines1 = appender.background_lines();
  // What an operator's lookup costs meanwhile: the last probes' addresses,
  // +- 5 s around their lines.
  std::vector<double> lookup_ms;
  for (size_t i = probe_ips.size() > 20 ? probe_ips.size() - 20 : 0; i < probe_ips.size(); ++i) {
    bool found = false;
    const auto p0 = SteadyClock::now();
    const auto& [ip, at_us] = probe_ips[i];
    if (Search(*stub, ip, at_us - 5'000'000, at_us + 5'000'000, 100, &found).ok()) {
      lookup_ms.push_back(Seconds(SteadyClock::now() - p0) * 1e3);
    }
  }
  std::sort(lookup_ms.begin(), lookup_ms.end());
  appender.StopBackground();
  const long peak_kb = s.daemon->PeakRssKb();
  stub.reset();  // the connection closed before culpritd is stopped
  std::sort(ms.begin(), ms.end());
  const double poll_us = polls > 0 ? poll_rpc_s / static_cast<double>(polls) * 1e6 : 0;
  const bool pass = misses == 0 && !ms.empty() && Quantile(ms, 0.99) <= 250;
  std::printf("latency %6" PRId64 " lines/s (achieved %6.0f) %4zu probes  p50 %6.2f ms  "
              "p99 %7.2f ms  max %7.2f ms  misses %d  poll errors %d  "
              "(poll every ~%.0f us: RPC %.0f + sleep %d; a +-5 s lookup p50 %.1f ms)  "
              "CPU culpritd %.2f cores (%s)  peak RSS %ld MB  %s\n",
              rate, static_cast<double>(lines1 - lines0) / secs, ms.size(), Quantile(ms, 0.5),
              Quantile(ms, 0.99), ms.empty() ? 0.0 : ms.back(), misses, errors,
              poll_us + f.poll_us, poll_us, f.poll_us, Quantile(lookup_ms, 0.5),
              (cpu1 - cpu0) / secs,
              ThreadShares(threads0, threads1, secs).c_str(), peak_kb / 1024,
              pass ? "PASS (p99 <= 250 ms)" : "FAIL (p99 > 250 ms or misses)");
  if (errors > 0) std::printf("  last poll error: %s\n", last_error.c_str());
  if (misses > 0) std::printf("  first miss: %s\n", first_miss.c_str());
  std::fflush(stdout);
  return EndScenario(f, &s) && pass;
}

char g_dir_note[512];  // "service_bench: interrupted; left <dir>\n", for OnSignal

void OnSignal(int) {
  bench::KillRunningDaemon();
  const ssize_t ignored = write(STDERR_FILENO, g_dir_note, std::strlen(g_dir_note));
  (void)ignored;
  _exit(130);
}

std::vector<int> ParseList(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const int n = std::atoi(item.c_str());
    if (n > 0) out.push_back(n);
  }
  return out;
}

int Usage() {
  std::fprintf(stderr,
               "usage: service_bench [--culpritd PATH] [--clients 8,64] [--submit-seconds S]\n"
               "                     [--submit-ingest-rate R] [--probes N] [--rate R]\n"
               "                     [--high-rate R] [--poll-us U] [--only submit|latency]\n"
               "                     [--dir DIR] [--keep] [--quick]\n");
  return 2;
}

}  // namespace
}  // namespace culprit

int main(int argc, char** argv) {
  using culprit::Flags;
  Flags f;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--quick") { quick = true; continue; }
    if (k == "--keep") { f.keep = true; continue; }
    if (i + 1 >= argc) return culprit::Usage();
    const std::string v = argv[++i];
    if (k == "--culpritd") f.culpritd = v;
    else if (k == "--clients") f.clients = culprit::ParseList(v);
    else if (k == "--submit-seconds") f.submit_seconds = std::atof(v.c_str());
    else if (k == "--submit-ingest-rate") f.submit_ingest_rate = std::atoll(v.c_str());
    else if (k == "--probes") f.probes = std::atoi(v.c_str());
    else if (k == "--rate") f.rate = std::atoll(v.c_str());
    else if (k == "--high-rate") f.high_rate = std::atoll(v.c_str());
    else if (k == "--poll-us") f.poll_us = std::atoi(v.c_str());
    else if (k == "--dir") f.dir = v;
    else if (k == "--only" && (v == "submit" || v == "latency")) {
      f.submit = v == "submit";
      f.latency = v == "latency";
    }
    else return culprit::Usage();
  }
  if (quick) {
    f.submit_seconds = std::min(f.submit_seconds, 1.0);
    f.warmup_seconds = 0.5;
    f.probes = std::min(f.probes, 50);
  }
  if (f.clients.empty() || f.submit_seconds <= 0 || f.probes <= 0 || f.probes > 100000 ||
      f.poll_us < 0 || f.poll_us > 1000 || f.rate < 0 || f.high_rate < 0 ||
      f.submit_ingest_rate < 0) {
    return culprit::Usage();
  }
  bool made_dir = false;
  if (f.dir.empty()) {
    char tmpl[] = "/tmp/culprit-service-bench.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      std::perror("service_bench: mkdtemp");
      return 1;
    }
    f.dir = tmpl;
    made_dir = true;
  }
  std::snprintf(culprit::g_dir_note, sizeof culprit::g_dir_note,
                "service_bench: interrupted; left %s\n", f.dir.c_str());
  signal(SIGINT, culprit::OnSignal);
  signal(SIGTERM, culprit::OnSignal);
  signal(SIGPIPE, SIG_IGN);

  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("service: the real culpritd (%s) over gRPC on 127.0.0.1, fresh database per "
              "scenario, one nginx log (lab-dev ext log_format) tailed from its end; %u cores, "
              "load average %.2f %.2f %.2f\n"
              "  Submit: closed loop, one channel + TCP connection per client, %.1f s warm-up "
              "then %.1f s, idle and with %" PRId64 " lines/s appended; "
              "line->queryable: %d probes among background lines, SearchEvents polled until "
              "found (<= 5 s); peak RSS = culpritd VmHWM\n",
              f.culpritd.c_str(), std::thread::hardware_concurrency(), load[0], load[1],
              load[2], f.warmup_seconds, f.submit_seconds, f.submit_ingest_rate, f.probes);
  std::fflush(stdout);
  bool ok = true;
  for (const int n : f.submit ? f.clients : std::vector<int>{}) {
    ok &= culprit::RunSubmit(f, n, 0);
    if (f.submit_ingest_rate > 0) ok &= culprit::RunSubmit(f, n, f.submit_ingest_rate);
  }
  if (f.latency) {
    ok &= culprit::RunLatency(f, f.rate);
    if (f.high_rate > 0) ok &= culprit::RunLatency(f, f.high_rate);
  }
  if (made_dir && !f.keep) {
    std::error_code ec;
    std::filesystem::remove_all(f.dir, ec);
  } else if (f.keep) {
    std::printf("kept %s\n", f.dir.c_str());
  }
  return ok ? 0 : 1;
}
