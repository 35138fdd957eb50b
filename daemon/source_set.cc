#include "daemon/source_set.h"

#include <map>
#include <utility>

#include "base/log.h"
#include "base/time_zone.h"
#include "daemon/ingest/source_reader.h"
#include "daemon/store/event_writer.h"
#include "daemon/store/source_registry.h"
#include "parsers/parser_factory.h"

namespace culprit {
namespace {

parsers::ParserSpec SpecOf(const config::SourceConfig& s) {
  parsers::ParserSpec spec;
  spec.format = s.format;
  spec.log_formats = s.log_formats;
  spec.pattern = s.pattern;
  spec.time_format = s.time_format;
  spec.prefix = s.prefix;
  spec.fields = s.fields;
  return spec;
}

// Whether reading `a` and `b` differs in anything a reader is built from.
bool SameReading(const config::SourceConfig& a, const config::SourceConfig& b) {
  return a.path == b.path && a.format == b.format && a.timezone == b.timezone &&
         a.start_at == b.start_at && a.max_line_bytes == b.max_line_bytes &&
         a.log_formats == b.log_formats && a.pattern == b.pattern &&
         a.time_format == b.time_format && a.prefix == b.prefix && a.fields == b.fields &&
         a.idle_timeout == b.idle_timeout && a.ports == b.ports;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Result<std::vector<std::unique_ptr<parsers::LineParser>>> BuildParsers(const config::Config& cfg) {
  std::vector<std::unique_ptr<parsers::LineParser>> out;
  std::string errors;
  for (const config::SourceConfig& s : cfg.sources) {
    const std::string where =
        cfg.file + ":" + std::to_string(s.line) + ": source \"" + s.name + "\": ";
    auto parser = parsers::NewLineParser(SpecOf(s));
    if (!parser.ok()) {
      errors += where + parser.status().message() + "\n";
      out.push_back(nullptr);
    } else {
      out.push_back(std::move(*parser));
    }
    auto zone = TimeZone::Load(s.timezone);
    if (!zone.ok()) errors += where + zone.status().message() + "\n";
  }
  if (!errors.empty()) {
    errors.pop_back();
    return Status::InvalidArgument(errors);
  }
  return out;
}

SourceSet::SourceSet(store::sqlite::Db* db, store::EventWriter* writer,
                     ingest::WriterThread* writer_thread, tail::FileSystem* fs, const Clock* clock,
                     ingest::Ingester::Options options)
    : db_(db),
      writer_(writer),
      writer_thread_(writer_thread),
      fs_(fs),
      clock_(clock),
      options_(options) {}

SourceSet::~SourceSet() { Stop(); }

Result<std::unique_ptr<ingest::Ingester>> SourceSet::Build(const config::Config& cfg,
                                                           std::vector<int64_t>* ids) {
  CULPRIT_ASSIGN_OR_RETURN(auto parsers, BuildParsers(cfg));
  std::vector<store::SourceDef> defs;
  for (const config::SourceConfig& s : cfg.sources) defs.push_back({s.name, s.path, s.format});
  // The database and the writer's checkpoint cache belong to the writer
  // thread: register and read the checkpoints there, between transactions.
  std::vector<std::vector<store::StoredCheckpoint>> active, retired;
  CULPRIT_RETURN_IF_ERROR(writer_thread_->Call([&]() -> Status {
    auto registered = store::RegisterSources(*db_, defs, clock_->Now());
    if (!registered.ok()) {
      return Status(registered.status().code(),
                    "registering sources: " + registered.status().message());
    }
    *ids = std::move(*registered);
    for (int64_t id : *ids) {
      active.push_back(writer_->ActiveCheckpoints(id));
      retired.push_back(writer_->RetiredCheckpoints(id));
    }
    return Status::Ok();
  }));
  std::vector<std::unique_ptr<ingest::SourceReader>> readers;
  for (size_t i = 0; i < cfg.sources.size(); ++i) {
    const config::SourceConfig& s = cfg.sources[i];
    ingest::SourceReader::Options o;
    o.source_id = (*ids)[i];
    o.name = s.name;
    o.tail.pattern = s.path;
    o.tail.start_at_end = s.start_at == config::StartAt::kEnd;
    o.tail.max_line_bytes = static_cast<size_t>(s.max_line_bytes);
    o.zone = *TimeZone::Load(s.timezone);  // checked by BuildParsers
    readers.push_back(std::make_unique<ingest::SourceReader>(
        fs_, std::move(o), std::move(parsers[i]), active[i], retired[i]));
  }
  return std::make_unique<ingest::Ingester>(std::move(readers), writer_thread_, clock_, options_);
}

Status SourceSet::Init(const config::Config& cfg) {
  std::vector<int64_t> ids;
  CULPRIT_ASSIGN_OR_RETURN(ingester_, Build(cfg, &ids));
  ids_ = std::move(ids);
  sources_ = cfg.sources;
  return Status::Ok();
}

void SourceSet::Start() {
  if (ingester_) ingester_->Start();
}

void SourceSet::Stop() {
  if (ingester_) ingester_->Stop();
}

Status SourceSet::Reload(const config::Config& cfg, std::string* summary) {
  // Parsers first: a config that cannot be read changes nothing.
  CULPRIT_RETURN_IF_ERROR(BuildParsers(cfg).status());
  if (auto failing = writer_thread_->failing()) {
    return Status::Unavailable("writing to the database fails (" + failing->error.message() +
                               "); reload again once it works");
  }
  // Everything read so far committed: the new readers start from the
  // committed checkpoints, which then cover every line read.
  ingester_->Stop();
  if (Status flushed = writer_thread_->Flush(); !flushed.ok()) {
    ingester_->Start();
    return Status(flushed.code(), "waiting for what was read to be stored: " + flushed.message());
  }
  std::vector<int64_t> ids;
  auto next = Build(cfg, &ids);
  if (!next.ok()) {
    ingester_->Start();
    return next.status();
  }
  ingester_ = std::move(*next);
  ingester_->Start();

  std::map<std::string, const config::SourceConfig*> before;
  for (const config::SourceConfig& s : sources_) before[s.name] = &s;
  std::vector<std::string> added, changed;
  for (const config::SourceConfig& s : cfg.sources) {
    auto it = before.find(s.name);
    if (it == before.end()) {
      added.push_back(s.name);
    } else {
      if (!SameReading(*it->second, s)) changed.push_back(s.name);
      before.erase(it);
    }
  }
  std::vector<std::string> removed;
  for (const auto& [name, s] : before) removed.push_back(name);
  *summary = std::to_string(cfg.sources.size()) + " source(s)";
  if (!added.empty()) *summary += "; added: " + Join(added);
  if (!removed.empty()) *summary += "; removed: " + Join(removed);
  if (!changed.empty()) *summary += "; changed: " + Join(changed);
  if (added.empty() && removed.empty() && changed.empty()) *summary += ", unchanged";
  ids_ = std::move(ids);
  sources_ = cfg.sources;
  return Status::Ok();
}

}  // namespace culprit
