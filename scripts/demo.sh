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
echo "== the example client reports, diagnosed (culprit correlate) =="
CULPRIT="$culprit" ADDR="$addr" python3 - <<'PY'
import json, os, subprocess
culprit, addr = os.environ["CULPRIT"], os.environ["ADDR"]
with open("examples/reports.jsonl") as f:
    reports = [json.loads(line) for line in f if line.strip()]
for r in reports:
    args = [culprit, "--daemon", addr, "correlate", "--json", "--at", r["reported_ts"],
            "--client", r["client"], "--server", r["server"], "--error", r["error"],
            "--phase", r["phase"]]
    if r.get("http_status"):
        args += ["--http-status", str(r["http_status"])]
    p = subprocess.run(args, capture_output=True, text=True, timeout=30)
    print(f'{r["name"]}  ({r["client"]} -> {r["server"]}, {r["error"]}, {r["phase"]})')
    if p.returncode != 0:
        print("    failed:", p.stderr.strip())
        continue
    d = json.loads(p.stdout)
    top = d["verdicts"][0]
    print(f'    {top["cause"]}  confidence {top.get("confidence", 0):.2f}')
    print(f'    {top["explanation"]}')
    for e in top.get("evidence", [])[:2]:
        print(f'    [{e.get("role", "")}] {e.get("source", "")}: {e["raw"][:150]}')
    print()
PY

echo
echo "== the reset report of the demo day (culprit report) =="
# Store the example reports (submit), then write the day's report.
CULPRIT="$culprit" ADDR="$addr" python3 - <<'PY'
import json, os, subprocess
culprit, addr = os.environ["CULPRIT"], os.environ["ADDR"]
with open("examples/reports.jsonl") as f:
    for line in f:
        if not line.strip():
            continue
        r = json.loads(line)
        args = [culprit, "--daemon", addr, "submit", "--at", r["reported_ts"], "--client",
                r["client"], "--server", r["server"], "--error", r["error"], "--phase", r["phase"]]
        if r.get("http_status"):
            args += ["--http-status", str(r["http_status"])]
        subprocess.run(args, check=True, capture_output=True, timeout=30)
PY
"$culprit" --daemon "$addr" report --from 2026-11-20T00:00:00Z --to 2026-11-21T00:00:00Z \
  --format html --out "$build/culprit-report-2026-11-20.html"

stop
trap - EXIT
echo
echo "demo: culpritd stopped cleanly (log: $log)"
