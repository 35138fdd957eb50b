#include "daemon/store/sqlite_event_query.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <utility>
#include <variant>

#include "daemon/store/database.h"
#include "daemon/store/event_codec.h"
#include "daemon/store/json_text.h"
#include "daemon/store/sqlite/db.h"

namespace culprit::store {
namespace {

constexpr char kSourcesSql[] =
    "SELECT id, name, path, format, lines_parsed, lines_rejected, lines_truncated, "
    "truncations, newest_event_us FROM sources ORDER BY id";
constexpr char kCheckpointsSql[] =
    "SELECT id, source_id, path, dev, inode, offset, active FROM checkpoints "
    "WHERE active = 1 ORDER BY source_id, id";

// A row read whole, chosen by id. Column 3, the file's path, is filled from
// a per-lookup cache of the few files involved (a join cost a b-tree seek
// per row).
constexpr char kEventRowByIdSql[] =
    "SELECT e.id, e.source_id, e.file_id, '', e.offset, e.ts_us, e.ts_precision_us, e.kind, "
    "e.cause, e.level, e.client_ip, e.client_port, e.server_ip, e.server_port, e.status, "
    "e.conn_id, e.request_id, e.duration_us, e.bytes_in, e.bytes_out, e.phase, e.detail, "
    "e.message, e.flags, e.extra, e.raw FROM events e WHERE e.id = ?";

std::optional<IpAddress> KeyToIp(std::span<const uint8_t> blob) {
  if (blob.size() != 16) return std::nullopt;
  IpAddress::KeyBytes key;
  std::copy(blob.begin(), blob.end(), key.begin());
  return IpAddress::FromKey(key);
}

using Args = std::vector<std::variant<int64_t, std::string, IpAddress::KeyBytes>>;

Status BindArgs(sqlite::Stmt& stmt, const Args& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const int index = static_cast<int>(i);
    const auto& a = args[i];
    if (const auto* v = std::get_if<int64_t>(&a)) {
      CULPRIT_RETURN_IF_ERROR(stmt.BindInt(index, *v));
    } else if (const auto* t = std::get_if<std::string>(&a)) {
      CULPRIT_RETURN_IF_ERROR(stmt.BindText(index, *t));
    } else {
      CULPRIT_RETURN_IF_ERROR(stmt.BindBlob(index, std::get<IpAddress::KeyBytes>(a)));
    }
  }
  return Status::Ok();
}

// Whether a decoded grouped event passes the filter (the query chose the
// transactions and the groups whose address range may hold the client).
bool Matches(const EventFilter& f, int64_t from, int64_t to, const StoredEvent& se,
             const PackedStrings& strings) {
  const parsers::Event& e = se.event;
  if (f.client_ip && e.client_ip != f.client_ip) return false;
  if (f.client_prefix && !(e.client_ip && f.client_prefix->Contains(*e.client_ip))) return false;
  const int64_t ts = ToUnixMicros(e.time);
  if (ts < from || ts > to) return false;
  if (f.client_port != 0 && e.client_port != f.client_port) return false;
  if (f.server_port != 0 && e.server_port != f.server_port) return false;
  if (f.source_id && se.source_id != *f.source_id) return false;
  if (f.kind && e.kind != *f.kind) return false;
  if (!f.conn_id.empty() && strings.conn_id != f.conn_id) return false;
  if (!f.request_id.empty() && strings.request_id != f.request_id) return false;
  return true;
}

}  // namespace

// The best `limit` matches of one FindEvents() in the filter's order, as
// (time, id, where to read it), whether stored as rows or grouped: chosen
// before any event is read whole. A heap whose front is the one that would
// be cut first.
struct SqliteEventQuery::Picks {
  static constexpr uint32_t kRow = UINT32_MAX;  // Pick::blob of an events row
  struct Pick {
    int64_t ts_us;
    int64_t id;
    uint32_t blob;    // index in blobs, or kRow
    uint32_t offset;  // of the event in its blob
  };
  struct Blob {
    std::string data;  // kept only while a pick points into it
    size_t refs = 0;
  };

  explicit Picks(const EventFilter& f) : limit(f.limit), newest(f.newest_first) {}

  bool Before(const Pick& a, const Pick& b) const {
    const auto ka = std::make_pair(a.ts_us, a.id);
    const auto kb = std::make_pair(b.ts_us, b.id);
    return newest ? kb < ka : ka < kb;
  }
  bool full() const { return kept.size() >= limit; }
  // Whether an event at `ts_us` could still make the cut (ties on time may,
  // by id).
  bool MayTake(int64_t ts_us) const {
    if (!full()) return true;
    return newest ? ts_us >= kept.front().ts_us : ts_us <= kept.front().ts_us;
  }
  uint32_t NewBlob() {
    blobs.emplace_back();
    return static_cast<uint32_t>(blobs.size() - 1);
  }
  // Keeps a copy of the blob's bytes if any pick points into it.
  void KeepBlob(uint32_t index, std::string_view bytes) {
    if (blobs[index].refs > 0) blobs[index].data.assign(bytes);
  }
  void Offer(const Pick& p) {
    auto before = [this](const Pick& a, const Pick& b) { return Before(a, b); };
    if (full()) {
      if (!Before(p, kept.front())) return;
      std::pop_heap(kept.begin(), kept.end(), before);
      const uint32_t dropped = kept.back().blob;
      if (dropped != kRow && --blobs[dropped].refs == 0) std::string().swap(blobs[dropped].data);
      kept.back() = p;
    } else {
      kept.push_back(p);
    }
    std::push_heap(kept.begin(), kept.end(), before);
    if (p.blob != kRow) ++blobs[p.blob].refs;
  }
  // The picks in the filter's order (the heap is spent).
  std::vector<Pick> Sorted() {
    std::sort(kept.begin(), kept.end(), [this](const Pick& a, const Pick& b) { return Before(a, b); });
    return std::move(kept);
  }

  size_t limit;
  bool newest;
  std::vector<Pick> kept;
  std::vector<Blob> blobs;
};

std::string SqliteEventQuery::OverlappingGroupsSql(bool with_port) {
  // Every group of the sequence whose address range holds the client, one
  // per transaction at most (a transaction's groups cover disjoint ranges);
  // the index holds both ends of the range.
  std::string sql =
      "SELECT data FROM event_groups INDEXED BY event_groups_by_seq "
      "WHERE seq = ?1 AND client_lo <= ?2 AND client_hi >= ?2 AND instr(clients, ?2) > 0";
  if (with_port) sql += " AND culprit_may_hold_port(clients, ?2, ?3)";
  return sql;
}

std::optional<SqliteEventQuery::Query> SqliteEventQuery::BuildGroupQuery(const EventFilter& f) {
  if (f.with_cause_only || (f.cause && *f.cause != Cause::kNone)) return std::nullopt;
  const int64_t from = ToUnixMicros(f.from);
  const int64_t to = ToUnixMicros(f.to);
  Query q;
  if (f.client_ip) {
    // Run once per sequence number of the window (?1, bound by
    // ReadGroups()): the one group that can hold the client (?2), the last
    // whose range starts at or below it, if the client is in its address
    // list. (A sequence in open_sequences has overlapping groups and is
    // read with OverlappingGroupsSql() instead.)
    // The end of the group's range is tested in the index, which holds it:
    // a client beyond it (most addresses the server never saw) costs no
    // read of the group's row.
    // With a port, the group's port filter (event_codec.h) must allow the
    // pair too: an idle reuse's lookup of one connection over a minute
    // then reads only the groups that may hold it.
    q.sql =
        "SELECT g.data FROM event_groups g WHERE g.id = (SELECT id FROM (SELECT id, client_hi "
        "FROM event_groups WHERE seq = ?1 AND client_lo <= ?2 ORDER BY client_lo DESC LIMIT 1) "
        "WHERE client_hi >= ?2) AND instr(g.clients, ?2) > 0";
    if (f.client_port != 0) q.sql += " AND culprit_may_hold_port(g.clients, ?2, ?3)";
    q.args.emplace_back(int64_t{0});
    q.args.emplace_back(f.client_ip->Key());
    return q;
  } else {
    q.sql =
        "SELECT data FROM event_groups "
        "WHERE seq IN (SELECT seq FROM event_spans WHERE second BETWEEN ? AND ?)";
  }
  q.args.emplace_back(from / 1'000'000);  // as SQLite divides: toward zero
  q.args.emplace_back(to / 1'000'000);
  if (f.client_prefix) {
    q.sql += " AND client_lo <= ? AND client_hi >= ?";
    q.args.emplace_back(f.client_prefix->HighKey());
    q.args.emplace_back(f.client_prefix->LowKey());
  }
  return q;
}

namespace {

// More shapes than this means something unexpected: start over.
constexpr size_t kMaxCachedStatements = 64;

}  // namespace

Result<sqlite::Stmt*> SqliteEventQuery::Statement(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    // Never cleared here: a caller may be stepping another cached
    // statement (see TrimStatements()).
    CULPRIT_ASSIGN_OR_RETURN(sqlite::Stmt stmt, db_->Prepare(sql));
    it = statements_.emplace(sql, std::move(stmt)).first;
  }
  it->second.Reset();
  return &it->second;
}

void SqliteEventQuery::TrimStatements() {
  // At the start of a public call, when no cached statement is in use.
  if (statements_.size() >= kMaxCachedStatements) statements_.clear();
}

Result<std::string> SqliteEventQuery::FilePath(int64_t file_id) {
  CULPRIT_ASSIGN_OR_RETURN(sqlite::Stmt * stmt,
                           Statement("SELECT path FROM checkpoints WHERE id = ?"));
  sqlite::ResetOnExit reset(stmt);
  CULPRIT_RETURN_IF_ERROR(stmt->BindInt(0, file_id));
  CULPRIT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? std::string(stmt->ColumnText(0)) : std::string();
}

Status SqliteEventQuery::ReadGroups(const EventFilter& f, Picks* picks) {
  const std::optional<Query> q = BuildGroupQuery(f);
  if (!q) return Status::Ok();
  const int64_t from = ToUnixMicros(f.from);
  const int64_t to = ToUnixMicros(f.to);
  // Every event of the groups read is decoded, but nothing is copied: the
  // ones that make the cut are kept as (time, id, where) among the picks.
  // A busy address's group holds hundreds of events, and in newest-first
  // order every one of them would beat the one before: copying each
  // event's strings only to drop it again was most of a lookup's time.
  // Group blobs are copied while a pick points into them.
  StoredEvent se;
  PackedStrings strings;
  std::string unpacked;  // a compressed group's events (schema 7), reused
  auto consume = [&](std::span<const uint8_t> bytes) {
    const std::string_view stored(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    // A group this binary cannot decode is skipped, not fatal: the rest of
    // the answer is still right.
    std::string_view whole;
    if (!GroupEvents(stored, &unpacked, &whole)) return;
    const uint32_t index = picks->NewBlob();
    std::string_view data = whole;
    while (!data.empty()) {
      const auto offset = static_cast<uint32_t>(data.data() - whole.data());
      if (!ReadPackedEvent(&data, &se, &strings)) break;
      if (!Matches(f, from, to, se, strings)) continue;
      picks->Offer({ToUnixMicros(se.event.time), se.id, index, offset});
    }
    picks->KeepBlob(index, whole);
  };

  if (f.client_ip) {
    // One exact client: its groups of each sequence number of the window
    // (one or a few transactions), the sequences in the filter's order,
    // stopping once `limit` events are picked that every later sequence's
    // events would lose to.
    struct Seq {
      int64_t seq, first_second, last_second;
    };
    std::vector<Seq> txns;
    {
      CULPRIT_ASSIGN_OR_RETURN(
          sqlite::Stmt * seqs,
          Statement("SELECT seq, MIN(second), MAX(second) FROM event_spans "
                    "WHERE second BETWEEN ? AND ? GROUP BY seq"));
      sqlite::ResetOnExit reset(seqs);
      CULPRIT_RETURN_IF_ERROR(seqs->BindInt(0, from / 1'000'000));
      CULPRIT_RETURN_IF_ERROR(seqs->BindInt(1, to / 1'000'000));
      while (true) {
        CULPRIT_ASSIGN_OR_RETURN(bool row, seqs->Step());
        if (!row) break;
        txns.push_back({seqs->ColumnInt(0), seqs->ColumnInt(1), seqs->ColumnInt(2)});
      }
    }
    std::sort(txns.begin(), txns.end(), [&](const Seq& a, const Seq& b) {
      return f.newest_first ? a.last_second > b.last_second : a.first_second < b.first_second;
    });
    // The sequences whose groups still overlap (a handful at most).
    std::vector<int64_t> open;
    {
      CULPRIT_ASSIGN_OR_RETURN(sqlite::Stmt * list, Statement("SELECT seq FROM open_sequences"));
      sqlite::ResetOnExit reset(list);
      while (true) {
        CULPRIT_ASSIGN_OR_RETURN(bool row, list->Step());
        if (!row) break;
        open.push_back(list->ColumnInt(0));
      }
    }
    CULPRIT_ASSIGN_OR_RETURN(sqlite::Stmt * disjoint, Statement(q->sql));
    sqlite::Stmt* overlapping = nullptr;
    if (!open.empty()) {
      CULPRIT_ASSIGN_OR_RETURN(overlapping, Statement(OverlappingGroupsSql(f.client_port != 0)));
    }
    for (const Seq& t : txns) {
      // Seconds are whole: a sequence's events lie within
      // [first_second, last_second + 1) seconds.
      if (picks->full() && !picks->MayTake(f.newest_first ? (t.last_second + 1) * 1'000'000 - 1
                                                          : t.first_second * 1'000'000)) {
        break;
      }
      sqlite::Stmt* group =
          std::find(open.begin(), open.end(), t.seq) != open.end() ? overlapping : disjoint;
      sqlite::ResetOnExit reset(group);
      CULPRIT_RETURN_IF_ERROR(group->BindInt(0, t.seq));
      CULPRIT_RETURN_IF_ERROR(group->BindBlob(1, f.client_ip->Key()));
      if (f.client_port != 0) CULPRIT_RETURN_IF_ERROR(group->BindInt(2, f.client_port));
      while (true) {
        CULPRIT_ASSIGN_OR_RETURN(bool row, group->Step());
        if (!row) break;
        consume(group->ColumnBlob(0));
      }
    }
  } else {
    CULPRIT_ASSIGN_OR_RETURN(sqlite::Stmt * cached, Statement(q->sql));
    sqlite::ResetOnExit reset(cached);
    CULPRIT_RETURN_IF_ERROR(BindArgs(*cached, q->args));
    while (true) {
      CULPRIT_ASSIGN_OR_RETURN(bool row, cached->Step());
      if (!row) break;
      if (!cached->ColumnIsNull(0)) consume(cached->ColumnBlob(0));
    }
  }
  return Status::Ok();
}

Result<SqliteEventQuery::Query> SqliteEventQuery::BuildQuery(const EventFilter& f, bool count,
                                                             bool every_row_has_cause) {
  const int64_t from = ToUnixMicros(f.from);
  const int64_t to = ToUnixMicros(f.to);
  if (to < from) return Status::InvalidArgument("filter: the end of the time range is before its start");
  if (f.limit == 0) return Status::InvalidArgument("filter: limit must be at least 1");
  if (f.client_ip && f.client_prefix) {
    return Status::InvalidArgument("filter: give a client address or a prefix, not both");
  }
  // Written piece by piece (it runs for every lookup, half a dozen per
  // diagnosis): the ids and times, or the count, of the matching rows.
  Query q;
  q.sql.reserve(400);
  q.sql = count ? "SELECT COUNT(*) FROM events e INDEXED BY "
                : "SELECT e.id, e.ts_us FROM events e INDEXED BY ";
  const bool causes_only = f.with_cause_only || (f.cause && *f.cause != Cause::kNone);
  const bool by_client = f.client_ip || f.client_prefix;
  bool kind_added = false;
  if (causes_only) {
    // Events with a cause have their own (partial) indexes: a few percent
    // of all rows, so a window or a client's hour is read without touching
    // the ordinary requests around them.
    const bool by_request = !by_client && !f.request_id.empty();
    // A client's events with a cause are found like its other events: per
    // write transaction of the range (an index led by the address would
    // take a random page write per caused event).
    const bool by_kind = !by_client && !by_request && f.kind;
    const bool by_cause = !by_client && !by_request && !by_kind && f.cause;
    q.sql += by_client    ? "events_by_seq_client"
             : by_request ? "events_by_request_id"
             : by_kind    ? "events_with_cause_by_kind"
             : by_cause   ? "events_with_cause_by_cause"
                          : "events_with_cause_by_time";
    // The partial indexes need the planner to see `cause <> 0`. By client,
    // the test costs a read of each candidate row (the index does not hold
    // the cause), so it is left out when every row has a cause.
    q.sql += by_client && every_row_has_cause ? " WHERE 1" : " WHERE e.cause <> 0";
    if (by_kind) {
      // Host-wide events (kind process) are a handful among the caused
      // ones: seek to them instead of filtering the window.
      q.sql += " AND e.kind = ?";
      q.args.emplace_back(static_cast<int64_t>(*f.kind));
      kind_added = true;
    }
  } else {
    // The index leads with the write transaction's sequence number; the
    // spans table lists the transactions that stored events in each second
    // of the range. An exact client makes each an equality seek.
    q.sql += "events_by_seq_client WHERE 1";
  }
  if (!causes_only || by_client) {
    q.sql += " AND e.seq IN (SELECT seq FROM event_spans WHERE second BETWEEN ? AND ?)";
    q.args.emplace_back(from / 1'000'000);  // as SQLite divides: toward zero
    q.args.emplace_back(to / 1'000'000);
  }
  if (f.client_ip) {
    q.sql += " AND e.client_ip = ?";
    q.args.emplace_back(f.client_ip->Key());
  } else if (f.client_prefix) {
    q.sql += " AND e.client_ip BETWEEN ? AND ?";
    q.args.emplace_back(f.client_prefix->LowKey());
    q.args.emplace_back(f.client_prefix->HighKey());
  }
  q.sql += " AND e.ts_us BETWEEN ? AND ?";
  q.args.emplace_back(from);
  q.args.emplace_back(to);
  auto add_int = [&](const char* cond, int64_t v) {
    q.sql += cond;
    q.args.emplace_back(v);
  };
  if (f.client_port != 0) add_int(" AND e.client_port = ?", f.client_port);
  if (f.server_port != 0) add_int(" AND e.server_port = ?", f.server_port);
  if (f.source_id) add_int(" AND e.source_id = ?", *f.source_id);
  if (f.kind && !kind_added) {
    add_int(" AND e.kind = ?", static_cast<int64_t>(*f.kind));
  }
  if (f.cause) add_int(" AND e.cause = ?", static_cast<int64_t>(*f.cause));
  if (!f.conn_id.empty()) {
    q.sql += " AND e.conn_id = ?";
    q.args.emplace_back(f.conn_id);
  }
  if (!f.request_id.empty()) {
    q.sql += " AND e.request_id = ?";
    q.args.emplace_back(f.request_id);
  }
  if (count) return q;
  // Ordered and cut to the limit on the index's columns: FindEvents() reads
  // whole only the rows that make the cut among the grouped events too.
  // Sorting whole rows (raw lines, JSON extras) in a temporary b-tree cost
  // more than reading them: two thirds of a busy address's lookup.
  q.sql += f.newest_first ? " ORDER BY e.ts_us DESC, e.id DESC LIMIT ?"
                          : " ORDER BY e.ts_us, e.id LIMIT ?";
  q.args.emplace_back(static_cast<int64_t>(std::min<size_t>(f.limit, INT64_MAX)));
  return q;
}

Result<std::vector<StoredEvent>> SqliteEventQuery::FindEvents(const EventFilter& filter) {
  TrimStatements();
  // One read transaction: rows and groups from the same snapshot.
  CULPRIT_ASSIGN_OR_RETURN(auto txn, BeginRead());
  CULPRIT_ASSIGN_OR_RETURN(Query q, BuildQuery(filter, false, every_row_has_cause_));
  Picks picks(filter);
  {
    CULPRIT_ASSIGN_OR_RETURN(sqlite::Stmt * ids, Statement(q.sql));
    sqlite::ResetOnExit reset(ids);
    CULPRIT_RETURN_IF_ERROR(BindArgs(*ids, q.args));
    while (true) {
      CULPRIT_ASSIGN_OR_RETURN(bool row, ids->Step());
      if (!row) break;
      picks.Offer({ids->ColumnInt(1), ids->ColumnInt(0), Picks::kRow, 0});
    }
  }
  CULPRIT_RETURN_IF_ERROR(ReadGroups(filter, &picks));
  // Only the events that made the cut are read whole, in the filter's order.
  std::vector<StoredEvent> out;
  std::map<int64_t, std::string> paths;  // by file id
  const std::vector<Picks::Pick> chosen = picks.Sorted();
  out.reserve(chosen.size());
  PackedStrings strings;
  for (const Picks::Pick& p : chosen) {
    StoredEvent& se = out.emplace_back();
    if (p.blob == Picks::kRow) {
      CULPRIT_RETURN_IF_ERROR(ReadRow(p.id, &se));
    } else {
      std::string_view data = std::string_view(picks.blobs[p.blob].data).substr(p.offset);
      if (!ReadPackedEvent(&data, &se, &strings)) {
        return Status::Internal("a packed event decoded once but not twice");
      }
      AssignStrings(strings, &se);
    }
    auto [it, fresh] = paths.try_emplace(se.file_id);
    if (fresh) {
      CULPRIT_ASSIGN_OR_RETURN(it->second, FilePath(se.file_id));
    }
    se.path = it->second;
  }
  CULPRIT_RETURN_IF_ERROR(EndRead(txn));
  return out;
}

Status SqliteEventQuery::ReadRow(int64_t id, StoredEvent* out) {
  static const std::string kSql = kEventRowByIdSql;  // once: it runs per row read
  CULPRIT_ASSIGN_OR_RETURN(sqlite::Stmt * cached, Statement(kSql));
  sqlite::ResetOnExit reset(cached);
  sqlite::Stmt& stmt = *cached;
  CULPRIT_RETURN_IF_ERROR(stmt.BindInt(0, id));
  CULPRIT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::Internal("event " + std::to_string(id) + " vanished within a read");
  StoredEvent& se = *out;
  se.id = stmt.ColumnInt(0);
  se.source_id = stmt.ColumnInt(1);
  se.file_id = stmt.ColumnInt(2);
  se.offset = stmt.ColumnInt(4);
  parsers::Event& e = se.event;
  e.time = FromUnixMicros(stmt.ColumnInt(5));
  e.precision = Duration(stmt.ColumnInt(6));
  e.kind = static_cast<EventKind>(stmt.ColumnInt(7));
  e.cause = static_cast<Cause>(stmt.ColumnInt(8));
  if (auto v = stmt.ColumnOptionalInt(9)) e.level = static_cast<int>(*v);
  if (!stmt.ColumnIsNull(10)) e.client_ip = KeyToIp(stmt.ColumnBlob(10));
  e.client_port = static_cast<uint16_t>(stmt.ColumnOptionalInt(11).value_or(0));
  if (!stmt.ColumnIsNull(12)) e.server_ip = KeyToIp(stmt.ColumnBlob(12));
  e.server_port = static_cast<uint16_t>(stmt.ColumnOptionalInt(13).value_or(0));
  if (auto v = stmt.ColumnOptionalInt(14)) e.status = static_cast<int>(*v);
  e.conn_id = std::string(stmt.ColumnText(15));
  e.request_id = std::string(stmt.ColumnText(16));
  if (auto v = stmt.ColumnOptionalInt(17)) e.duration = Duration(*v);
  e.bytes_in = stmt.ColumnOptionalInt(18);
  e.bytes_out = stmt.ColumnOptionalInt(19);
  e.phase = std::string(stmt.ColumnText(20));
  e.detail = std::string(stmt.ColumnText(21));
  e.message = std::string(stmt.ColumnText(22));
  e.flags = static_cast<uint32_t>(stmt.ColumnInt(23));
  if (!stmt.ColumnIsNull(24)) {
    // Written by EventWriter; a row it cannot read back keeps no extras
    // rather than failing the whole lookup.
    auto extra = ParseJsonObject(stmt.ColumnText(24));
    if (extra.ok()) e.extra = std::move(*extra);
  }
  se.raw = std::string(stmt.ColumnText(25));
  return Status::Ok();
}

Result<int64_t> SqliteEventQuery::CountReports(const IpAddress& client, Timestamp from,
                                               Timestamp to) {
  TrimStatements();
  CULPRIT_ASSIGN_OR_RETURN(
      sqlite::Stmt * stmt,
      Statement("SELECT COUNT(*) FROM reports WHERE client_ip = ? AND reported_us BETWEEN ? AND ?"));
  sqlite::ResetOnExit reset(stmt);
  CULPRIT_RETURN_IF_ERROR(stmt->BindBlob(0, client.Key()));
  CULPRIT_RETURN_IF_ERROR(stmt->BindInt(1, ToUnixMicros(from)));
  CULPRIT_RETURN_IF_ERROR(stmt->BindInt(2, ToUnixMicros(to)));
  CULPRIT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->ColumnInt(0) : 0;
}

Result<std::vector<CauseCount>> SqliteEventQuery::CountCauses(Timestamp from, Timestamp to) {
  constexpr char kEventCausesSql[] =
      "SELECT cause, COUNT(*) FROM events INDEXED BY events_with_cause_by_time "
      "WHERE cause <> 0 AND ts_us BETWEEN ? AND ? GROUP BY cause ORDER BY cause";
  constexpr char kReportCausesSql[] =
      "SELECT cause, COUNT(*) FROM reports WHERE reported_us BETWEEN ? AND ? GROUP BY cause "
      "ORDER BY cause";
  const int64_t f = ToUnixMicros(from);
  const int64_t t = ToUnixMicros(to);
  if (t < f) return Status::InvalidArgument("the end of the time range is before its start");
  std::map<int, CauseCount> counts;
  // One read transaction: both counts from the same snapshot.
  CULPRIT_ASSIGN_OR_RETURN(auto txn, BeginRead());
  CULPRIT_ASSIGN_OR_RETURN(auto ev, db_->Prepare(kEventCausesSql));
  CULPRIT_RETURN_IF_ERROR(ev.BindInt(0, f));
  CULPRIT_RETURN_IF_ERROR(ev.BindInt(1, t));
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool row, ev.Step());
    if (!row) break;
    const int code = static_cast<int>(ev.ColumnInt(0));
    counts[code].cause = static_cast<Cause>(code);
    counts[code].events = ev.ColumnInt(1);
  }
  CULPRIT_ASSIGN_OR_RETURN(auto rep, db_->Prepare(kReportCausesSql));
  CULPRIT_RETURN_IF_ERROR(rep.BindInt(0, f));
  CULPRIT_RETURN_IF_ERROR(rep.BindInt(1, t));
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool row, rep.Step());
    if (!row) break;
    const int code = static_cast<int>(rep.ColumnInt(0));
    counts[code].cause = static_cast<Cause>(code);
    counts[code].reports = rep.ColumnInt(1);
  }
  std::vector<CauseCount> out;
  for (const auto& [code, c] : counts) out.push_back(c);
  return out;
}

namespace {

// culprit_may_hold_port(clients, key, port): MayHoldClientPort() for SQL.
void MayHoldPortSql(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  const auto* clients = static_cast<const char*>(sqlite3_value_blob(argv[0]));
  const int clients_len = sqlite3_value_bytes(argv[0]);
  const auto* key = static_cast<const uint8_t*>(sqlite3_value_blob(argv[1]));
  const int64_t port = sqlite3_value_int64(argv[2]);
  if (key == nullptr || sqlite3_value_bytes(argv[1]) != 16 || port <= 0 || port > 65535) {
    sqlite3_result_int(ctx, 1);  // nothing to rule out with
    return;
  }
  IpAddress::KeyBytes k;
  std::copy(key, key + 16, k.begin());
  const std::string_view c(clients ? clients : "", clients ? static_cast<size_t>(clients_len) : 0);
  sqlite3_result_int(ctx, MayHoldClientPort(c, k, static_cast<uint16_t>(port)) ? 1 : 0);
}

}  // namespace

Result<std::unique_ptr<SqliteEventQuery>> SqliteEventQuery::Open(const std::string& path) {
  CULPRIT_ASSIGN_OR_RETURN(auto db, OpenForReading(path));
  if (sqlite3_create_function_v2(db->raw(), "culprit_may_hold_port", 3,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr,
                                 &MayHoldPortSql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Status::Internal("database \"" + path + "\": cannot register culprit_may_hold_port: " +
                            sqlite3_errmsg(db->raw()));
  }
  return std::unique_ptr<SqliteEventQuery>(new SqliteEventQuery(std::move(db)));
}

SqliteEventQuery::SqliteEventQuery(std::unique_ptr<sqlite::Db> db) : db_(std::move(db)) {}
SqliteEventQuery::~SqliteEventQuery() = default;

Result<std::optional<sqlite::Txn>> SqliteEventQuery::BeginRead() {
  if (in_snapshot_) return std::optional<sqlite::Txn>();
  CULPRIT_ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(*db_, sqlite::Txn::Kind::kDeferred));
  CULPRIT_RETURN_IF_ERROR(CheckRowsHaveCause());
  return std::optional<sqlite::Txn>(std::move(txn));
}

Status SqliteEventQuery::CheckRowsHaveCause() {
  // Once true, true for good: since schema 4 the writer stores only events
  // with a cause as rows, and the older ones only ever get deleted.
  if (every_row_has_cause_) return Status::Ok();
  CULPRIT_ASSIGN_OR_RETURN(
      sqlite::Stmt * stmt,
      Statement("SELECT NOT EXISTS (SELECT 1 FROM events INDEXED BY events_without_cause_by_time "
                "WHERE cause = 0)"));
  sqlite::ResetOnExit reset(stmt);
  CULPRIT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  every_row_has_cause_ = row && stmt->ColumnInt(0) != 0;
  return Status::Ok();
}

Status SqliteEventQuery::EndRead(std::optional<sqlite::Txn>& txn) {
  return txn ? txn->Commit() : Status::Ok();
}

Status SqliteEventQuery::InOneSnapshot(const std::function<void()>& fn) {
  if (in_snapshot_) {
    fn();
    return Status::Ok();
  }
  CULPRIT_ASSIGN_OR_RETURN(auto txn, sqlite::Txn::Begin(*db_, sqlite::Txn::Kind::kDeferred));
  CULPRIT_RETURN_IF_ERROR(CheckRowsHaveCause());
  in_snapshot_ = true;
  fn();
  in_snapshot_ = false;
  return txn.Commit();
}

Result<std::vector<SourceStats>> SqliteEventQuery::ListSources() {
  // Both reads in one read transaction, so counters and offsets agree.
  CULPRIT_ASSIGN_OR_RETURN(auto txn, BeginRead());
  CULPRIT_ASSIGN_OR_RETURN(auto sources, db_->Prepare(kSourcesSql));
  std::vector<SourceStats> out;
  std::map<int64_t, size_t> index;
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool row, sources.Step());
    if (!row) break;
    SourceStats s;
    s.id = sources.ColumnInt(0);
    s.name = sources.ColumnText(1);
    s.path = sources.ColumnText(2);
    s.format = sources.ColumnText(3);
    s.lines_parsed = sources.ColumnInt(4);
    s.lines_rejected = sources.ColumnInt(5);
    s.lines_truncated = sources.ColumnInt(6);
    s.truncations = sources.ColumnInt(7);
    if (auto us = sources.ColumnOptionalInt(8)) s.newest_event = FromUnixMicros(*us);
    index[s.id] = out.size();
    out.push_back(std::move(s));
  }
  CULPRIT_ASSIGN_OR_RETURN(auto files, db_->Prepare(kCheckpointsSql));
  while (true) {
    CULPRIT_ASSIGN_OR_RETURN(bool row, files.Step());
    if (!row) break;
    auto it = index.find(files.ColumnInt(1));
    if (it == index.end()) continue;
    FileCheckpoint f;
    f.file_id = files.ColumnInt(0);
    f.path = files.ColumnText(2);
    f.dev = static_cast<uint64_t>(files.ColumnInt(3));
    f.inode = static_cast<uint64_t>(files.ColumnInt(4));
    f.offset = files.ColumnInt(5);
    f.active = files.ColumnInt(6) != 0;
    out[it->second].files.push_back(std::move(f));
  }
  CULPRIT_RETURN_IF_ERROR(EndRead(txn));
  return out;
}

}  // namespace culprit::store
