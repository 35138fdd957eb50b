#!/usr/bin/env bash
# Runs culpritd on examples/culprit.toml, shows what it sees, and stops it.
# Usage: scripts/demo.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
culpritd="$build/daemon/culpritd"
culprit="$build/cli/culprit"
config="examples/culprit.toml"
addr="127.0.0.1:7450"
log="$build/demo-culpritd.log"
db="build/culprit-demo.db"  # where examples/culprit.toml puts it

# A fresh database each run, so the demo shows the same thing every time.
mkdir -p build
rm -f "$db" "$db-wal" "$db-shm"

"$culpritd" --check-config "$config"
"$culpritd" --config "$config" 2>"$log" &
pid=$!
stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
}
trap stop EXIT

# Wait (at most 10 s) until the daemon answers.
ready=0
for _ in $(seq 1 50); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if "$culprit" --daemon "$addr" --timeout 1 status >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  echo "demo: culpritd did not start; its log ($log):" >&2
  cat "$log" >&2
  exit 1
fi

# Wait (at most 10 s) until every source is read to its end.
for _ in $(seq 1 50); do
  lag=$("$culprit" --daemon "$addr" --timeout 1 status --json |
        python3 -c 'import json,sys; print(sum(int(s.get("lagBytes", 0)) for s in json.load(sys.stdin).get("sources", [])))')
  if [ "$lag" = 0 ]; then break; fi
  sleep 0.2
done

echo
echo "== culprit status =="
"$culprit" --daemon "$addr" status

echo
echo "== reset causes the server logs show, per source (from the event table) =="
sqlite3 -readonly -column -header "$db" "
  SELECT s.name AS source, c.name AS cause, COUNT(*) AS events,
         strftime('%H:%M:%S', MIN(e.ts_us) / 1000000, 'unixepoch') AS first,
         strftime('%H:%M:%S', MAX(e.ts_us) / 1000000, 'unixepoch') AS last
  FROM events e JOIN sources s ON s.id = e.source_id JOIN causes c ON c.code = e.cause
  WHERE e.cause <> 0
  GROUP BY s.name, c.name ORDER BY s.name, events DESC, c.name;"

echo
echo "== client reports in examples/reports.jsonl =="
echo "(this version ingests the sources; diagnosing reports comes with correlation)"
python3 - <<'PY'
import json
with open("examples/reports.jsonl") as f:
    rows = [json.loads(line) for line in f if line.strip()]
w = max(len(r["name"]) for r in rows)
for r in rows:
    print(f'{r["name"]:<{w}}  {r["reported_ts"]}  {r["client"]:>24} -> {r["server"]:<20} {r["error"]} ({r["phase"]})')
PY

stop
trap - EXIT
echo
echo "demo: culpritd stopped cleanly (log: $log)"
