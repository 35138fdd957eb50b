#!/usr/bin/env bash
# Renders the HTML reset report of the demo data in headless Chromium and
# saves a screenshot, to look at what an operator will see.
# Usage: scripts/report_check.sh [BUILD_DIR]   (make report-check)
# Output: BUILD_DIR/report.html, BUILD_DIR/report.md, BUILD_DIR/report.json,
#         BUILD_DIR/report.png
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
culpritd="$build/daemon/culpritd"
culprit="$build/cli/culprit"
config="examples/culprit.toml"
addr="127.0.0.1:7451"  # not the demo's port, so a running demo is not disturbed
log="$build/report-check-culpritd.log"
db="$build/report-check.db"

if ! command -v chromium >/dev/null 2>&1; then
  echo "report-check: installing Debian's chromium package" >&2
  if ! apt-get install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1; then
    apt-get update >/dev/null
    apt-get install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null
  fi
fi

if [ ! -x "$culpritd" ] || [ ! -x "$culprit" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j "${JOBS:-2}" --target culpritd culprit >/dev/null

mkdir -p "$build"
rm -f "$db" "$db-wal" "$db-shm"
"$culpritd" --config "$config" --database "$db" --listen "$addr" 2>"$log" &
pid=$!
stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
}
trap stop EXIT

ready=0
for _ in $(seq 1 50); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if "$culprit" --daemon "$addr" --timeout 1 status >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  echo "report-check: culpritd did not start; its log ($log):" >&2
  cat "$log" >&2
  exit 1
fi
for _ in $(seq 1 50); do
  lag=$("$culprit" --daemon "$addr" --timeout 1 status --json |
        python3 -c 'import json,sys; print(sum(int(s.get("lagBytes", 0)) for s in json.load(sys.stdin).get("sources", [])))')
  if [ "$lag" = 0 ]; then break; fi
  sleep 0.2
done

# The example client reports, stored with their diagnoses.
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

from="2026-11-20T00:00:00Z"
to="2026-11-21T00:00:00Z"
for format in html md json; do
  "$culprit" --daemon "$addr" report --from "$from" --to "$to" --format "$format" \
    --out "$build/report.$format" >/dev/null
done
python3 -m json.tool "$build/report.json" >/dev/null
# Nothing fetched: no script, no external src/href, no CSS url() or @import.
if grep -Eiq '<script|(src|href)=["'"'"']?[a-z]+:|url\(|@import' "$build/report.html"; then
  echo "report-check: the HTML report has a script or an external reference" >&2
  exit 1
fi

png="$build/report.png"
rm -f "$png"
html_abs="$(cd "$(dirname "$build/report.html")" && pwd)/report.html"
png_abs="$(cd "$(dirname "$png")" && pwd)/report.png"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --screenshot="$png_abs" --window-size=1366,2400 "file://$html_abs" >/dev/null 2>&1 || true
if [ ! -s "$png" ]; then
  echo "report-check: chromium did not write $png" >&2
  exit 1
fi
echo "report-check: $html_abs"
echo "report-check: $png_abs"
