#include "daemon/store/event_writer.h"

#include <algorithm>
#include <map>

#include "base/log.h"
#include "daemon/store/event_codec.h"
#include "daemon/store/json_text.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::store {
namespace {

constexpr char kInsertEventSql[] =
    "INSERT INTO events (id, ts_us, ts_precision_us, source_id, file_id, offset, kind, cause, level, "
    "client_ip, client_port, server_ip, server_port, status, conn_id, request_id, duration_us, "
    "bytes_in, bytes_out, phase, detail, message, flags, extra, raw, seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kInsertGroupSql[] =
    "INSERT INTO event_groups (seq, client_lo, client_hi, count, clients, data) "
    "VALUES (?, ?, ?, ?, ?, ?)";
// Events per event_groups row (more when a client's events run past it):
// big enough that a transaction writes few rows, small enough that a
// lookup decodes little beside the client's own events.
constexpr size_t kGroupEvents = 32;
constexpr char kDeleteGroupsSql[] = "DELETE FROM event_groups WHERE seq = ?";
constexpr char kOpenSequenceSql[] = "INSERT OR IGNORE INTO open_sequences (seq) VALUES (?)";
constexpr char kCloseSequenceSql[] = "DELETE FROM open_sequences WHERE seq = ?";
constexpr char kCountGroupsSql[] =
    "SELECT COUNT(*) FROM event_groups INDEXED BY event_groups_by_seq WHERE seq = ?";
constexpr char kInsertSpanSql[] = "INSERT OR IGNORE INTO event_spans (second, seq) VALUES (?, ?)";
// Both indexes lead with seq, so each MAX is one seek to the last entry.
constexpr char kLastSeqSql[] =
    "SELECT MAX(COALESCE((SELECT MAX(seq) FROM events), 0), "
    "COALESCE((SELECT MAX(seq) FROM event_groups), 0))";
constexpr char kNextIdSql[] = "SELECT value FROM store_state WHERE name = 'next_event_id'";
constexpr char kStoreNextIdSql[] =
    "UPDATE store_state SET value = ? WHERE name = 'next_event_id'";
constexpr char kInsertRejectedSql[] =
    "INSERT INTO rejected_lines (source_id, file_id, offset, seen_us, reason, raw) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kInsertCheckpointSql[] =
    "INSERT INTO checkpoints (source_id, path, dev, inode, fingerprint, offset, active, "
    "updated_us) VALUES (?, ?, ?, ?, ?, ?, 1, ?)";
constexpr char kUpdateCheckpointSql[] =
    "UPDATE checkpoints SET path = ?, fingerprint = ?, offset = ?, active = ?, updated_us = ? "
    "WHERE id = ?";
constexpr char kRetireCheckpointSql[] =
    "UPDATE checkpoints SET active = 0, updated_us = ? WHERE id = ?";
constexpr char kUpdateSourceSql[] =
    "UPDATE sources SET lines_parsed = lines_parsed + ?, lines_rejected = lines_rejected + ?, "
    "lines_truncated = lines_truncated + ?, truncations = truncations + ?, "
    "newest_event_us = MAX(COALESCE(newest_event_us, ?), ?) WHERE id = ?";
constexpr char kInsertReportSql[] =
    "INSERT INTO reports (received_us, reported_us, clock_uncertainty_us, client_ip, "
    "client_port, server_ip, server_port, server_name, error, phase, request_id, labels, cause, "
    "confidence, diagnosis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kLoadCheckpointsSql[] =
    "SELECT id, source_id, path, dev, inode, fingerprint, offset, active FROM checkpoints "
    "ORDER BY id";

// One fingerprint a prefix of the other: the same file seen at two sizes.
bool FingerprintsAgree(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Counter deltas of one source within one transaction.
struct SourceDelta {
  int64_t parsed = 0;
  int64_t rejected = 0;
  int64_t truncated_lines = 0;
  int64_t truncations = 0;
  std::optional<int64_t> newest_us;
};

}  // namespace

struct EventWriter::Statements {
  sqlite::Stmt insert_event;
  sqlite::Stmt insert_rejected;
  sqlite::Stmt insert_checkpoint;
  sqlite::Stmt update_checkpoint;
  sqlite::Stmt retire_checkpoint;
  sqlite::Stmt update_source;
  sqlite::Stmt insert_report;
  sqlite::Stmt insert_span;
  sqlite::Stmt insert_group;
  sqlite::Stmt store_next_id;
  sqlite::Stmt delete_groups;
  sqlite::Stmt count_groups;
  sqlite::Stmt open_sequence;
  sqlite::Stmt close_sequence;
  std::map<int64_t, SourceDelta> deltas;  // reused per transaction
};

EventWriter::EventWriter(sqlite::Db* db, const Clock* clock) : db_(db), clock_(clock) {}
EventWriter::~EventWriter() = default;

Result<std::unique_ptr<EventWriter>> EventWriter::Create(sqlite::Db* db, const Clock* clock) {
  std::unique_ptr<EventWriter> w(new EventWriter(db, clock));
  CULPRIT_ASSIGN_OR_RETURN(auto insert_event, db->Prepare(kInsertEventSql));
  CULPRIT_ASSIGN_OR_RETURN(auto insert_rejected, db->Prepare(kInsertRejectedSql));
  CULPRIT_ASSIGN_OR_RETURN(auto insert_checkpoint, db->Prepare(kInsertCheckpointSql));
  CULPRIT_ASSIGN_OR_RETURN(auto update_checkpoint, db->Prepare(kUpdateCheckpointSql));
  CULPRIT_ASSIGN_OR_RETURN(auto retire_checkpoint, db->Prepare(kRetireCheckpointSql));
  CULPRIT_ASSIGN_OR_RETURN(auto update_source, db->Prepare(kUpdateSourceSql));
  CULPRIT_ASSIGN_OR_RETURN(auto insert_report, db->Prepare(kInsertReportSql));
  CULPRIT_ASSIGN_OR_RETURN(auto insert_span, db->Prepare(kInsertSpanSql));
  CULPRIT_ASSIGN_OR_RETURN(auto insert_group, db->Prepare(kInsertGroupSql));
  CULPRIT_ASSIGN_OR_RETURN(auto store_next_id, db->Prepare(kStoreNextIdSql));
  CULPRIT_ASSIGN_OR_RETURN(auto delete_groups, db->Prepare(kDeleteGroupsSql));
  CULPRIT_ASSIGN_OR_RETURN(auto count_groups, db->Prepare(kCountGroupsSql));
  CULPRIT_ASSIGN_OR_RETURN(auto open_sequence, db->Prepare(kOpenSequenceSql));
  CULPRIT_ASSIGN_OR_RETURN(auto close_sequence, db->Prepare(kCloseSequenceSql));
  w->stmts_.reset(new Statements{std::move(insert_event), std::move(insert_rejected),
                                 std::move(insert_checkpoint), std::move(update_checkpoint),
                                 std::move(retire_checkpoint), std::move(update_source),
                                 std::move(insert_report), std::move(insert_span),
                                 std::move(insert_group), std::move(store_next_id),
                                 std::move(delete_groups), std::move(count_groups),
                                 std::move(open_sequence), std::move(close_sequence), {}});
  CULPRIT_ASSIGN_OR_RETURN(const int64_t last_seq, db->QueryInt(kLastSeqSql));
  w->seq_ = last_seq + 1;
  CULPRIT_ASSIGN_OR_RETURN(w->next_id_, db->QueryInt(kNextIdSql));
  CULPRIT_RETURN_IF_ERROR(w->LoadCheckpoints());
  return w;
}

Status EventWriter::LoadCheckpoints() {
  files_.clear();
  CULPRIT_ASSIGN_OR_RETURN(auto load, db_->Prepare(kLoadCheckpointsSql));
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool row, load.Step());
    if (!row) break;
    CachedFile f;
    f.file_id = load.ColumnInt(0);
    const int64_t source_id = load.ColumnInt(1);
    f.path = std::string(load.ColumnText(2));
    const auto dev = static_cast<uint64_t>(load.ColumnInt(3));
    const auto inode = static_cast<uint64_t>(load.ColumnInt(4));
    auto fp = load.ColumnBlob(5);
    f.fingerprint.assign(reinterpret_cast<const char*>(fp.data()), fp.size());
    f.offset = load.ColumnInt(6);
    f.active = load.ColumnInt(7) != 0;
    // Rows of one (source, dev, inode) are a reused inode's files: the
    // newest row is the file there now.
    files_[{source_id, dev, inode}] = std::move(f);
  }
  return Status::Ok();
}

namespace {

std::vector<StoredCheckpoint> SortedByFileId(std::vector<StoredCheckpoint> v) {
  std::sort(v.begin(), v.end(), [](const StoredCheckpoint& a, const StoredCheckpoint& b) {
    return a.file_id < b.file_id;
  });
  return v;
}

}  // namespace

std::vector<StoredCheckpoint> EventWriter::ActiveCheckpoints(int64_t source_id) const {
  std::vector<StoredCheckpoint> out;
  for (const auto& [key, f] : files_) {
    if (std::get<0>(key) != source_id || !f.active) continue;
    out.push_back({f.file_id, f.path, {std::get<1>(key), std::get<2>(key), f.fingerprint}, f.offset});
  }
  return SortedByFileId(std::move(out));
}

std::vector<StoredCheckpoint> EventWriter::RetiredCheckpoints(int64_t source_id) const {
  std::vector<StoredCheckpoint> out;
  for (const auto& [key, f] : files_) {
    if (std::get<0>(key) != source_id || f.active) continue;
    out.push_back({f.file_id, f.path, {std::get<1>(key), std::get<2>(key), f.fingerprint}, f.offset});
  }
  return SortedByFileId(std::move(out));
}

Result<int64_t> EventWriter::FileIdFor(const FileSegment& seg, int64_t now_us) {
  const CacheKey key{seg.source_id, seg.key.dev, seg.key.inode};
  auto it = files_.find(key);
  if (it != files_.end()) {
    // The same file, whether still followed or finished earlier and now
    // seen again (its row becomes active again when the segment is stored).
    if (FingerprintsAgree(it->second.fingerprint, seg.key.fingerprint)) return it->second.file_id;
    // Same inode, different content: the inode was reused (or the file was
    // truncated and rewritten). The old row is finished; this is a new file.
    if (it->second.active) {
      sqlite::Stmt& retire = stmts_->retire_checkpoint;
      CULPRIT_RETURN_IF_ERROR(retire.BindInt(0, now_us));
      CULPRIT_RETURN_IF_ERROR(retire.BindInt(1, it->second.file_id));
      CULPRIT_RETURN_IF_ERROR(retire.Run());
    }
    files_.erase(it);
  }
  sqlite::Stmt& insert = stmts_->insert_checkpoint;
  CULPRIT_RETURN_IF_ERROR(insert.BindInt(0, seg.source_id));
  CULPRIT_RETURN_IF_ERROR(insert.BindText(1, seg.path));
  CULPRIT_RETURN_IF_ERROR(insert.BindInt(2, static_cast<int64_t>(seg.key.dev)));
  CULPRIT_RETURN_IF_ERROR(insert.BindInt(3, static_cast<int64_t>(seg.key.inode)));
  CULPRIT_RETURN_IF_ERROR(insert.BindBlob(4, AsBytes(seg.key.fingerprint)));
  CULPRIT_RETURN_IF_ERROR(insert.BindInt(5, 0));
  CULPRIT_RETURN_IF_ERROR(insert.BindInt(6, now_us));
  CULPRIT_RETURN_IF_ERROR(insert.Run());
  CachedFile f;
  f.file_id = db_->LastInsertRowid();
  f.path = seg.path;
  f.fingerprint = seg.key.fingerprint;
  files_[key] = f;
  return f.file_id;
}

Status EventWriter::WriteSegment(const WriteBatch& batch, const FileSegment& seg,
                                 int64_t now_us) {
  CULPRIT_ASSIGN_OR_RETURN(const int64_t file_id, FileIdFor(seg, now_us));
  SourceDelta& delta = stmts_->deltas[seg.source_id];
  if (seg.truncated_file) delta.truncations++;

  sqlite::Stmt& ev = stmts_->insert_event;
  sqlite::Stmt& rej = stmts_->insert_rejected;
  for (size_t i = seg.first_record; i < seg.first_record + seg.record_count; ++i) {
    const LineRecord& r = batch.records[i];
    const std::string_view raw = batch.Raw(r);
    if (r.truncated) delta.truncated_lines++;
    if (r.event_index < 0) {
      const std::string& reason = batch.reasons[static_cast<size_t>(-r.event_index - 1)];
      CULPRIT_RETURN_IF_ERROR(rej.BindInt(0, seg.source_id));
      CULPRIT_RETURN_IF_ERROR(rej.BindInt(1, file_id));
      CULPRIT_RETURN_IF_ERROR(rej.BindInt(2, r.offset));
      CULPRIT_RETURN_IF_ERROR(rej.BindInt(3, ToUnixMicros(batch.read_at)));
      CULPRIT_RETURN_IF_ERROR(rej.BindTextStatic(4, reason));
      CULPRIT_RETURN_IF_ERROR(rej.BindTextStatic(5, raw));
      CULPRIT_RETURN_IF_ERROR(rej.Run());
      delta.rejected++;
      totals_.rejected++;
      continue;
    }
    const parsers::Event& e = batch.event(r.event_index);
    const int64_t ts = ToUnixMicros(e.time);
    const uint32_t flags = e.flags | (r.truncated ? parsers::kFlagTruncated : 0u);
    const int64_t id = next_id_++;
    // Lines of one file come in time order, so consecutive duplicates are
    // the common case; WriteSpans() removes the rest.
    const int64_t second = ts / 1'000'000;  // as SQLite divides: toward zero
    if (span_seconds_.empty() || span_seconds_.back() != second) span_seconds_.push_back(second);
    delta.parsed++;
    delta.newest_us = delta.newest_us ? std::max(*delta.newest_us, ts) : ts;
    totals_.events++;
    if (e.cause == Cause::kNone) {
      // An ordinary event: packed into a group by WriteGroups().
      GroupedEvent& g = grouped_.emplace_back();
      g.event = &e;
      g.raw = raw;
      g.origin = {id, seg.source_id, file_id, r.offset};
      g.flags = flags;
      if (e.client_ip) {
        // The address key as two big-endian halves: compares like the key.
        const auto& k = e.client_ip->Key();
        for (size_t b = 0; b < 8; ++b) {
          g.key_hi = g.key_hi << 8 | k[b];
          g.key_lo = g.key_lo << 8 | k[8 + b];
        }
        g.has_client = true;
      }
      continue;
    }
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(0, id));
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(1, ts));
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(2, std::max<int64_t>(1, e.precision.count())));
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(3, seg.source_id));
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(4, file_id));
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(5, r.offset));
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(6, static_cast<int>(e.kind)));
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(7, static_cast<int>(e.cause)));
    if (e.level) CULPRIT_RETURN_IF_ERROR(ev.BindInt(8, *e.level));
    if (e.client_ip) CULPRIT_RETURN_IF_ERROR(ev.BindBlob(9, e.client_ip->Key()));
    if (e.client_port) CULPRIT_RETURN_IF_ERROR(ev.BindInt(10, e.client_port));
    if (e.server_ip) CULPRIT_RETURN_IF_ERROR(ev.BindBlob(11, e.server_ip->Key()));
    if (e.server_port) CULPRIT_RETURN_IF_ERROR(ev.BindInt(12, e.server_port));
    if (e.status) CULPRIT_RETURN_IF_ERROR(ev.BindInt(13, *e.status));
    if (!e.conn_id.empty()) CULPRIT_RETURN_IF_ERROR(ev.BindTextStatic(14, e.conn_id));
    if (!e.request_id.empty()) CULPRIT_RETURN_IF_ERROR(ev.BindTextStatic(15, e.request_id));
    if (e.duration) CULPRIT_RETURN_IF_ERROR(ev.BindInt(16, e.duration->count()));
    if (e.bytes_in) CULPRIT_RETURN_IF_ERROR(ev.BindInt(17, *e.bytes_in));
    if (e.bytes_out) CULPRIT_RETURN_IF_ERROR(ev.BindInt(18, *e.bytes_out));
    if (!e.phase.empty()) CULPRIT_RETURN_IF_ERROR(ev.BindTextStatic(19, e.phase));
    if (!e.detail.empty()) CULPRIT_RETURN_IF_ERROR(ev.BindTextStatic(20, e.detail));
    if (!e.message.empty()) CULPRIT_RETURN_IF_ERROR(ev.BindTextStatic(21, e.message));
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(22, flags));
    // Extra fields are kept for the events that tell of a reset cause (an
    // upstream address, a TLS reason: what a report and a query look at).
    // For the ordinary majority the raw line holds them and the source's
    // parser (a pure function) gives them back; storing them for every row
    // would double what each row writes.
    if (!e.extra.empty() && e.cause != Cause::kNone) {
      extra_json_.clear();
      AppendJsonObject(e.extra, &extra_json_);
      CULPRIT_RETURN_IF_ERROR(ev.BindTextStatic(23, extra_json_));
    }
    CULPRIT_RETURN_IF_ERROR(ev.BindTextStatic(24, raw));
    CULPRIT_RETURN_IF_ERROR(ev.BindInt(25, seq_));
    CULPRIT_RETURN_IF_ERROR(ev.Run());
  }

  auto it = files_.find({seg.source_id, seg.key.dev, seg.key.inode});
  sqlite::Stmt& up = stmts_->update_checkpoint;
  CULPRIT_RETURN_IF_ERROR(up.BindText(0, seg.path));
  CULPRIT_RETURN_IF_ERROR(up.BindBlob(1, AsBytes(seg.key.fingerprint)));
  CULPRIT_RETURN_IF_ERROR(up.BindInt(2, seg.end_offset));
  CULPRIT_RETURN_IF_ERROR(up.BindInt(3, seg.finished ? 0 : 1));
  CULPRIT_RETURN_IF_ERROR(up.BindInt(4, now_us));
  CULPRIT_RETURN_IF_ERROR(up.BindInt(5, file_id));
  CULPRIT_RETURN_IF_ERROR(up.Run());
  if (it != files_.end()) {
    it->second.active = !seg.finished;
    it->second.path = seg.path;
    if (seg.key.fingerprint.size() > it->second.fingerprint.size()) {
      it->second.fingerprint = seg.key.fingerprint;
    }
    it->second.offset = seg.end_offset;
  }
  return Status::Ok();
}

Result<int64_t> EventWriter::InsertReport(const ReportRecord& r) {
  sqlite::Stmt& st = stmts_->insert_report;
  CULPRIT_RETURN_IF_ERROR(st.BindInt(0, r.received_us));
  CULPRIT_RETURN_IF_ERROR(st.BindInt(1, r.reported_us));
  CULPRIT_RETURN_IF_ERROR(st.BindInt(2, r.clock_uncertainty_us));
  if (r.client_ip) CULPRIT_RETURN_IF_ERROR(st.BindBlob(3, r.client_ip->Key()));
  if (r.client_port) CULPRIT_RETURN_IF_ERROR(st.BindInt(4, r.client_port));
  if (r.server_ip) CULPRIT_RETURN_IF_ERROR(st.BindBlob(5, r.server_ip->Key()));
  if (r.server_port) CULPRIT_RETURN_IF_ERROR(st.BindInt(6, r.server_port));
  if (!r.server_name.empty()) CULPRIT_RETURN_IF_ERROR(st.BindText(7, r.server_name));
  CULPRIT_RETURN_IF_ERROR(st.BindText(8, r.error));
  if (!r.phase.empty()) CULPRIT_RETURN_IF_ERROR(st.BindText(9, r.phase));
  if (!r.request_id.empty()) CULPRIT_RETURN_IF_ERROR(st.BindText(10, r.request_id));
  if (!r.labels_json.empty()) CULPRIT_RETURN_IF_ERROR(st.BindText(11, r.labels_json));
  CULPRIT_RETURN_IF_ERROR(st.BindInt(12, static_cast<int>(r.cause)));
  CULPRIT_RETURN_IF_ERROR(st.BindDouble(13, r.confidence));
  CULPRIT_RETURN_IF_ERROR(st.BindText(14, r.diagnosis_json));
  CULPRIT_RETURN_IF_ERROR(st.Run());
  return db_->LastInsertRowid();
}

Status EventWriter::WriteGroups() {
  // This transaction's ordinary events, packed, then cut into groups.
  txn_entries_.clear();
  txn_packed_.clear();
  for (const GroupedEvent& g : grouped_) {
    PackedEntry& p = txn_entries_.emplace_back();
    p.has_client = g.has_client;
    p.key_hi = g.key_hi;
    p.key_lo = g.key_lo;
    p.id = g.origin.id;
    p.port = g.event->client_ip ? g.event->client_port : 0;
    p.offset = txn_packed_.size();
    AppendPackedEvent(g.origin, *g.event, g.flags, g.raw, &txn_packed_);
    p.size = txn_packed_.size() - p.offset;
  }
  txn_groups_ = 0;
  CULPRIT_RETURN_IF_ERROR(InsertGroups(seq_, txn_entries_, txn_packed_, &txn_groups_));
  if (txn_groups_ > 0 && seq_groups_ > 0) {
    // The sequence's groups now overlap: lookups read it by range.
    sqlite::Stmt& open = stmts_->open_sequence;
    CULPRIT_RETURN_IF_ERROR(open.BindInt(0, seq_));
    CULPRIT_RETURN_IF_ERROR(open.Run());
  }
  sqlite::Stmt& store_id = stmts_->store_next_id;
  CULPRIT_RETURN_IF_ERROR(store_id.BindInt(0, next_id_));
  return store_id.Run();
}

Status EventWriter::InsertGroups(int64_t seq, std::vector<PackedEntry>& entries,
                                 std::string_view packed, int64_t* inserted) {
  // By client address (events without one first), then in insertion order
  // (ids increase): the order groups are cut in and appended.
  std::sort(entries.begin(), entries.end(), [](const PackedEntry& a, const PackedEntry& b) {
    return std::tie(a.has_client, a.key_hi, a.key_lo, a.id) <
           std::tie(b.has_client, b.key_hi, b.key_lo, b.id);
  });
  auto key = [](const PackedEntry& e) {
    IpAddress::KeyBytes k{};
    for (size_t b = 0; b < 8; ++b) {
      k[b] = static_cast<uint8_t>(e.key_hi >> (56 - 8 * b));
      k[8 + b] = static_cast<uint8_t>(e.key_lo >> (56 - 8 * b));
    }
    return k;
  };
  auto same_client = [](const PackedEntry& a, const PackedEntry& b) {
    return a.has_client == b.has_client && a.key_hi == b.key_hi && a.key_lo == b.key_lo;
  };
  sqlite::Stmt& insert = stmts_->insert_group;
  for (size_t i = 0; i < entries.size();) {
    // A group: at least kGroupEvents events, and never part of a client's
    // events (a lookup reads one group per transaction of a sequence, or
    // one per sequence once CompactSequence() rewrote it).
    group_data_.clear();
    group_clients_.clear();
    size_t j = i;
    while (j < entries.size() &&
           (j - i < kGroupEvents || same_client(entries[j], entries[j - 1]))) {
      const PackedEntry& e = entries[j];
      if (e.has_client) {
        const IpAddress::KeyBytes k = key(e);
        if (j == i || !same_client(e, entries[j - 1])) {
          group_clients_.append(reinterpret_cast<const char*>(k.data()), k.size());
        }
        if (e.port != 0) port_filter_.Add(k, e.port);
      }
      group_data_.append(packed.substr(e.offset, e.size));
      ++j;
    }
    port_filter_.AppendTo(&group_clients_);
    const IpAddress::KeyBytes lo = key(entries[i]);
    const IpAddress::KeyBytes hi = key(entries[j - 1]);
    CULPRIT_RETURN_IF_ERROR(insert.BindInt(0, seq));
    if (entries[i].has_client) {
      CULPRIT_RETURN_IF_ERROR(insert.BindBlob(1, lo));
    } else {
      CULPRIT_RETURN_IF_ERROR(insert.BindBlob(1, std::span<const uint8_t>()));
    }
    if (entries[j - 1].has_client) {
      CULPRIT_RETURN_IF_ERROR(insert.BindBlob(2, hi));
    } else {
      CULPRIT_RETURN_IF_ERROR(insert.BindBlob(2, std::span<const uint8_t>()));
    }
    CULPRIT_RETURN_IF_ERROR(insert.BindInt(3, static_cast<int64_t>(j - i)));
    CULPRIT_RETURN_IF_ERROR(insert.BindBlobStatic(4, AsBytes(group_clients_)));
    CompressGroup(group_data_, &group_stored_);
    CULPRIT_RETURN_IF_ERROR(insert.BindBlobStatic(5, AsBytes(group_stored_)));
    CULPRIT_RETURN_IF_ERROR(insert.Run());
    ++*inserted;
    i = j;
  }
  return Status::Ok();
}

Status EventWriter::CompactSequence() {
  // The sequence's transactions each wrote their own groups: a lookup read
  // one per transaction. Rewritten as one transaction's would be, a client's
  // events of the whole sequence sit in one group.
  // Only if every group written is still there (retention deletes old
  // sequences a few groups at a time; a backlog's may be going already).
  sqlite::Stmt& count = stmts_->count_groups;
  CULPRIT_RETURN_IF_ERROR(count.BindInt(0, compact_.seq));
  CULPRIT_ASSIGN_OR_RETURN(bool row, count.Step());
  const int64_t stored = row ? count.ColumnInt(0) : -1;
  count.Reset();
  if (stored != compact_.groups) return Status::Ok();
  sqlite::Stmt& del = stmts_->delete_groups;
  CULPRIT_RETURN_IF_ERROR(del.BindInt(0, compact_.seq));
  CULPRIT_RETURN_IF_ERROR(del.Run());
  int64_t inserted = 0;
  CULPRIT_RETURN_IF_ERROR(
      InsertGroups(compact_.seq, compact_.entries, compact_.packed, &inserted));
  sqlite::Stmt& close = stmts_->close_sequence;
  CULPRIT_RETURN_IF_ERROR(close.BindInt(0, compact_.seq));
  CULPRIT_RETURN_IF_ERROR(close.Run());
  totals_.compactions++;
  return Status::Ok();
}

Status EventWriter::WriteSpans() {
  std::sort(span_seconds_.begin(), span_seconds_.end());
  span_seconds_.erase(std::unique(span_seconds_.begin(), span_seconds_.end()),
                      span_seconds_.end());
  sqlite::Stmt& span = stmts_->insert_span;
  for (const int64_t second : span_seconds_) {
    CULPRIT_RETURN_IF_ERROR(span.BindInt(0, second));
    CULPRIT_RETURN_IF_ERROR(span.BindInt(1, seq_));
    CULPRIT_RETURN_IF_ERROR(span.Run());
  }
  return Status::Ok();
}

void EventWriter::EndSequence(bool compact) {
  // Only a sequence of several transactions has groups to merge; at most
  // one compaction waits (the next transaction runs it).
  if (compact && seq_txns_ >= 2 && !compact_.pending) {
    compact_.pending = true;
    compact_.seq = seq_;
    compact_.groups = seq_groups_;
    compact_.entries.swap(seq_entries_);
    compact_.packed.swap(seq_packed_);
  }
  seq_entries_.clear();
  seq_packed_.clear();
  seq_++;
  seq_opened_.reset();
  seq_events_ = 0;
  seq_txns_ = 0;
  seq_groups_ = 0;
}

Status EventWriter::Write(std::span<const WriteBatch* const> batches) {
  const Timestamp now = clock_->Now();
  const int64_t now_us = ToUnixMicros(now);
  const int64_t events_before = totals_.events;
  // A transaction joins the open sequence only if its events' seconds lie
  // with the sequence's within a few seconds: a backlog read beside a live
  // log starts its own, so retention (by whole sequence) is not held back
  // by a neighbour's newer events.
  // A transaction as large as a sequence has one of its own.
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  int64_t events = 0;
  for (const WriteBatch* batch : batches) {
    events += static_cast<int64_t>(batch->event_count());
    for (size_t i = 0; i < batch->event_count(); ++i) {
      const int64_t second = ToUnixMicros(batch->event(static_cast<int32_t>(i)).time) / 1'000'000;
      lo = std::min(lo, second);
      hi = std::max(hi, second);
    }
  }
  if (seq_opened_ &&
      (now - *seq_opened_ >= kSeqSpan || now < *seq_opened_ || events >= kSeqEvents ||
       (lo <= hi &&
        std::max(hi, seq_last_second_) - std::min(lo, seq_first_second_) > kSeqSeconds))) {
    EndSequence(/*compact=*/true);
  }
  stmts_->deltas.clear();
  report_ids_.clear();
  span_seconds_.clear();
  grouped_.clear();
  Status st = [&]() -> Status {
    CULPRIT_ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(*db_));
    if (compact_.pending) CULPRIT_RETURN_IF_ERROR(CompactSequence());
    for (const WriteBatch* batch : batches) {
      for (const FileSegment& seg : batch->segments) {
        CULPRIT_RETURN_IF_ERROR(WriteSegment(*batch, seg, now_us));
      }
      for (const ReportRecord& r : batch->reports) {
        CULPRIT_ASSIGN_OR_RETURN(const int64_t id, InsertReport(r));
        report_ids_.push_back(id);
      }
    }
    sqlite::Stmt& src = stmts_->update_source;
    for (const auto& [source_id, d] : stmts_->deltas) {
      CULPRIT_RETURN_IF_ERROR(src.BindInt(0, d.parsed));
      CULPRIT_RETURN_IF_ERROR(src.BindInt(1, d.rejected));
      CULPRIT_RETURN_IF_ERROR(src.BindInt(2, d.truncated_lines));
      CULPRIT_RETURN_IF_ERROR(src.BindInt(3, d.truncations));
      if (d.newest_us) {
        CULPRIT_RETURN_IF_ERROR(src.BindInt(4, *d.newest_us));
        CULPRIT_RETURN_IF_ERROR(src.BindInt(5, *d.newest_us));
      }
      CULPRIT_RETURN_IF_ERROR(src.BindInt(6, source_id));
      CULPRIT_RETURN_IF_ERROR(src.Run());
    }
    CULPRIT_RETURN_IF_ERROR(WriteGroups());
    CULPRIT_RETURN_IF_ERROR(WriteSpans());
    return txn.Commit();
  }();
  // A rolled-back transaction ends its sequence, uncompacted (gaps are
  // harmless; a pending compaction rolled back too and stays pending).
  const int64_t stored = totals_.events - events_before;
  if (st.ok()) {
    compact_.pending = false;
    if (stored > 0) {
      if (!seq_opened_) {
        seq_opened_ = now;
        seq_first_second_ = lo;
        seq_last_second_ = hi;
      }
      seq_first_second_ = std::min(seq_first_second_, lo);
      seq_last_second_ = std::max(seq_last_second_, hi);
      seq_events_ += stored;
      ++seq_txns_;
      seq_groups_ += txn_groups_;
    }
  }
  const bool ends = !st.ok() || seq_events_ >= kSeqEvents ||
                    (seq_opened_ && (now - *seq_opened_ >= kSeqSpan || now < *seq_opened_));
  // Keep the sequence's ordinary events for its compaction, unless this
  // transaction alone makes the whole sequence (a backlog's 8,192 lines):
  // nothing to rewrite then, and nothing to copy.
  if (st.ok() && stored > 0 && !(ends && seq_txns_ == 1)) {
    const size_t base = seq_packed_.size();
    seq_packed_.append(txn_packed_);
    for (PackedEntry e : txn_entries_) {
      e.offset += base;
      seq_entries_.push_back(e);
    }
  }
  if (ends) EndSequence(/*compact=*/st.ok());
  if (!st.ok()) {
    // The transaction rolled back: forget what the cache learned inside it.
    Status reload = LoadCheckpoints();
    if (!reload.ok()) CULPRIT_LOG(kError) << "reloading checkpoints: " << reload.message();
    return st;
  }
  totals_.transactions++;
  return Status::Ok();
}

}  // namespace culprit::store
