// compare_client: the culprit side of `make bench-compare`, as a gRPC client
// of a running culpritd that keeps one channel open, so the figures are the
// daemon's and not a CLI process start.
//
//   compare_client wait --daemon ADDR --source NAME --bytes N [--timeout S]
//                       [--pid PID]
//     Polls Status every 20 ms until the daemon answers and the source's
//     committed_offset reaches N bytes. Prints
//       "ingested <bytes> bytes <parsed> parsed <rejected> rejected"
//     Exit 0 when reached; 1 on a timeout (default 600 s), when process PID
//     (the daemon) has ended, or on bad arguments.
//
//   compare_client lookups --daemon ADDR --queries FILE [--around S] [--limit N]
//     For each line "<address>\t<unix seconds>" of FILE (gen_nginx_log's
//     lookup list), one SearchEvents call: that address, from t-S to t+S
//     (default 10 s), at most N events (default 100000, the server's
//     maximum), every batch streamed back and read. The first
//     call opens the connection and is reported on its own; the others are
//     timed one by one, call to Finish(). Prints
//       "first_us <us> lookups <n> p50_us <us> p99_us <us> max_us <us>
//        mean_us <us> events <total>"
//     and, with --counts FILE, writes "<events>\t<microseconds>" for each
//     lookup, one a line (to check the answers against another tool's, and
//     to see which lookups are slow). Exit 0 when every call
//     succeeded, 1 otherwise (the failing call's status on stderr).
//
// Nothing here is thread-safe or meant as a library: a benchmark driver.

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/time.h"
#include "culprit/v1/culprit.grpc.pb.h"
#include "proto/time_convert.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Query {
  std::string ip;
  int64_t unix_seconds = 0;
};

// "--key value" pairs after the mode, each key one of `known`; false (after
// naming the culprit) on an odd count or an unknown key.
bool Flags(int argc, char** argv, const std::vector<std::string>& known,
           std::map<std::string, std::string>* out) {
  if ((argc - 2) % 2 != 0) return false;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::find(known.begin(), known.end(), argv[i]) == known.end()) {
      std::fprintf(stderr, "compare_client %s: unknown option \"%s\"\n", argv[1], argv[i]);
      return false;
    }
    (*out)[argv[i]] = argv[i + 1];
  }
  return true;
}

bool ToInt(const std::string& text, int64_t* out) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0') return false;
  *out = v;
  return true;
}

// A channel of its own (no subchannel shared with earlier channels), so a new
// one after a failed connect tries again at once instead of inheriting gRPC's
// reconnect backoff (1 s, growing 1.6x), which would add seconds to the
// measured ingest time when the first poll comes before the daemon listens.
std::unique_ptr<culprit::v1::Culprit::Stub> Connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return culprit::v1::Culprit::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

int Wait(const std::map<std::string, std::string>& flags) {
  const auto daemon = flags.find("--daemon");
  const auto source = flags.find("--source");
  const auto bytes_flag = flags.find("--bytes");
  int64_t want = 0;
  int64_t timeout_s = 600;
  int64_t pid = 0;
  if (daemon == flags.end() || source == flags.end() || bytes_flag == flags.end() ||
      !ToInt(bytes_flag->second, &want) ||
      (flags.count("--timeout") != 0 && !ToInt(flags.at("--timeout"), &timeout_s)) ||
      (flags.count("--pid") != 0 && (!ToInt(flags.at("--pid"), &pid) || pid <= 0))) {
    std::fprintf(stderr,
                 "usage: compare_client wait --daemon ADDR --source NAME --bytes N "
                 "[--timeout S] [--pid PID]\n");
    return 1;
  }
  std::unique_ptr<culprit::v1::Culprit::Stub> stub;
  bool answered = false;
  const auto give_up = SteadyClock::now() + std::chrono::seconds(timeout_s);
  std::string last_error = "no answer yet";
  // Bounded by the deadline: at most timeout_s * 50 polls.
  while (SteadyClock::now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    culprit::v1::StatusResponse response;
    if (!answered) stub = Connect(daemon->second);  // until the daemon listens
    const grpc::Status status = stub->Status(&context, culprit::v1::StatusRequest(), &response);
    if (status.ok()) {
      answered = true;
      last_error = "source \"" + source->second + "\" not in the daemon's status";
      for (const auto& s : response.sources()) {
        if (s.name() != source->second) continue;
        if (s.committed_offset() >= want) {
          std::printf("ingested %" PRId64 " bytes %" PRId64 " parsed %" PRId64 " rejected\n",
                      static_cast<int64_t>(s.committed_offset()),
                      static_cast<int64_t>(s.lines_parsed()),
                      static_cast<int64_t>(s.lines_rejected()));
          return 0;
        }
        last_error = "committed " + std::to_string(s.committed_offset()) + " of " +
                     std::to_string(want) + " bytes";
        if (!s.problem().empty()) last_error += " (" + s.problem() + ")";
      }
    } else {
      last_error = status.error_message();
    }
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::fprintf(stderr, "compare_client: process %" PRId64 " has ended: %s\n", pid,
                   last_error.c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::fprintf(stderr, "compare_client: gave up after %" PRId64 " s: %s\n", timeout_s,
               last_error.c_str());
  return 1;
}

bool ReadQueries(const std::string& path, std::vector<Query>* out) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "compare_client: cannot read %s\n", path.c_str());
    return false;
  }
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    std::istringstream fields(line);
    Query q;
    if (!(fields >> q.ip >> q.unix_seconds)) {
      std::fprintf(stderr, "compare_client: %s:%d: expected \"<address>\\t<unix seconds>\"\n",
                   path.c_str(), line_no);
      return false;
    }
    out->push_back(q);
  }
  if (out->empty()) {
    std::fprintf(stderr, "compare_client: %s: no lookups\n", path.c_str());
    return false;
  }
  return true;
}

// One SearchEvents call, all events read; false after printing the status.
bool Lookup(culprit::v1::Culprit::Stub& stub, const Query& q, int64_t around_s, uint32_t limit,
            int64_t* events) {
  culprit::v1::SearchEventsRequest req;
  const culprit::Timestamp at = culprit::FromUnixMicros(q.unix_seconds * 1'000'000);
  culprit::proto::ToProto(at - std::chrono::seconds(around_s), req.mutable_from());
  culprit::proto::ToProto(at + std::chrono::seconds(around_s), req.mutable_to());
  req.set_ip(q.ip);
  req.set_limit(limit);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto reader = stub.SearchEvents(&context, req);
  culprit::v1::SearchEventsResponse batch;
  int64_t n = 0;
  while (reader->Read(&batch)) n += batch.events_size();
  const grpc::Status status = reader->Finish();
  if (!status.ok()) {
    std::fprintf(stderr, "compare_client: SearchEvents %s at %" PRId64 ": %s\n", q.ip.c_str(),
                 q.unix_seconds, status.error_message().c_str());
    return false;
  }
  *events = n;
  return true;
}

int Lookups(const std::map<std::string, std::string>& flags) {
  const auto daemon = flags.find("--daemon");
  const auto queries_flag = flags.find("--queries");
  int64_t around_s = 10;
  int64_t limit = 100000;
  if (daemon == flags.end() || queries_flag == flags.end() ||
      (flags.count("--around") != 0 && !ToInt(flags.at("--around"), &around_s)) ||
      (flags.count("--limit") != 0 && !ToInt(flags.at("--limit"), &limit)) || around_s < 0 ||
      limit <= 0 || limit > 100000) {
    std::fprintf(stderr,
                 "usage: compare_client lookups --daemon ADDR --queries FILE [--around S] "
                 "[--limit 1..100000] [--counts FILE]\n");
    return 1;
  }
  std::vector<Query> queries;
  if (!ReadQueries(queries_flag->second, &queries)) return 1;
  auto stub = Connect(daemon->second);
  std::vector<int64_t> counts(queries.size(), 0);
  std::vector<double> each_us(queries.size(), 0);
  std::vector<double> micros;
  micros.reserve(queries.size());
  double first_us = 0;
  int64_t total_events = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const auto t0 = SteadyClock::now();
    if (!Lookup(*stub, queries[i], around_s, static_cast<uint32_t>(limit), &counts[i])) return 1;
    const double us = std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count();
    total_events += counts[i];
    each_us[i] = us;
    if (i == 0) {
      first_us = us;  // includes connecting
    } else {
      micros.push_back(us);
    }
  }
  if (flags.count("--counts") != 0) {
    std::ofstream out(flags.at("--counts"));
    for (size_t i = 0; i < counts.size(); ++i) {
      out << counts[i] << "\t" << static_cast<int64_t>(each_us[i]) << "\n";
    }
  }
  double p50 = first_us, p99 = first_us, max = first_us, mean = first_us;
  if (!micros.empty()) {
    std::sort(micros.begin(), micros.end());
    const auto at = [&](double q) {
      return micros[std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()))];
    };
    p50 = at(0.50);
    p99 = at(0.99);
    max = micros.back();
    double sum = 0;
    for (const double m : micros) sum += m;
    mean = sum / static_cast<double>(micros.size());
  }
  std::printf("first_us %.0f lookups %zu p50_us %.0f p99_us %.0f max_us %.0f mean_us %.0f "
              "events %" PRId64 "\n",
              first_us, micros.size(), p50, p99, max, mean, total_events);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  const std::string mode = argc > 1 ? argv[1] : "";
  const std::vector<std::string> known =
      mode == "wait" ? std::vector<std::string>{"--daemon", "--source", "--bytes", "--timeout",
                                                "--pid"}
                     : std::vector<std::string>{"--daemon", "--queries", "--around", "--limit",
                                                "--counts"};
  if ((mode != "wait" && mode != "lookups") || !Flags(argc, argv, known, &flags)) {
    std::fprintf(stderr, "usage: compare_client wait|lookups --daemon ADDR ...\n");
    return 1;
  }
  return mode == "wait" ? Wait(flags) : Lookups(flags);
}
