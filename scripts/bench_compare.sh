#!/usr/bin/env bash
# culprit against lnav and GoAccess on the same generated nginx `combined` log
# (`make bench-compare`). Prints, from one run: each tool's processing of the
# file (lines/s, peak RSS, CPU, ratios to culprit), culprit's lookup by
# address + time window against the same query in lnav's SQL, and PASS/FAIL
# against issue 8's targets; the exit status is 1 when one is missed.
#
# Usage: scripts/bench_compare.sh
# Environment:
#   BENCH_COMPARE_LINES    lines in the log (default 2000000; 10000000 for the RSS target)
#   BENCH_COMPARE_LOOKUPS  further culprit lookups to time (default 200)
#   BENCH_COMPARE_LNAV_QUERIES  lnav queries to time, each a full lnav run (default 3)
#   BENCH_COMPARE_TOOLS    comma list of culprit,lnav,goaccess (default all three)
#   BENCH_COMPARE_DIR      work directory (default: a new one under /tmp, removed at the end)
#   BENCH_COMPARE_KEEP=1   keep the work directory (log, database, outputs)
#   JOBS                   build parallelism (default 2)
#
# Each tool reads the same file from a warm page cache, one tool at a time.
# culprit is measured end to end with the real binaries: culpritd started on a
# fresh database, timed until its Status shows the file committed; one lookup
# with the `culprit` CLI; then the further lookups over one gRPC channel
# (compare_client), since a CLI process start would dominate them. lnav keeps
# nothing between runs, so each of its queries is a full start + index + scan.
set -euo pipefail
cd "$(dirname "$0")/.."

lines="${BENCH_COMPARE_LINES:-2000000}"
lookups="${BENCH_COMPARE_LOOKUPS:-200}"
lnav_queries="${BENCH_COMPARE_LNAV_QUERIES:-3}"
tools=",${BENCH_COMPARE_TOOLS:-culprit,lnav,goaccess},"
jobs="${JOBS:-2}"
build="build-bench"
around=10
# The busiest generated client makes ~2,300 requests in 20 s, more than
# SearchEvents' default limit of 1000; lnav returns every row, so ask for all.
limit=100000

want() { [[ "$tools" == *",$1,"* ]]; }

# --- packages: lnav, GoAccess and GNU time, only if missing -----------------
missing=()
for p in lnav goaccess time; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "bench-compare: missing packages (${missing[*]}) and not root; run as root" >&2
      exit 1
    fi
  fi
  echo "bench-compare: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# --- build --------------------------------------------------------------------
# CMAKE_FLAGS (from the Makefile) may hold several words: unquoted on purpose.
# shellcheck disable=SC2086
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCULPRIT_BUILD_TESTS=OFF \
  -DCULPRIT_BUILD_BENCHMARKS=ON ${CMAKE_FLAGS:-} >/dev/null
cmake --build "$build" -j "$jobs" --target culpritd culprit gen_nginx_log compare_client
culpritd="$build/daemon/culpritd"
culprit="$build/cli/culprit"
gen="$build/bench/compare/gen_nginx_log"
client="$build/bench/compare/compare_client"

# --- work directory -------------------------------------------------------------
if [ -n "${BENCH_COMPARE_DIR:-}" ]; then
  dir="$BENCH_COMPARE_DIR"
  mkdir -p "$dir"
else
  dir="$(mktemp -d /tmp/culprit-bench-compare.XXXXXX)"
fi
dir="$(cd "$dir" && pwd)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
  if [ "${BENCH_COMPARE_KEEP:-0}" != 1 ] && [ -z "${BENCH_COMPARE_DIR:-}" ]; then
    rm -rf "$dir"
  fi
}
trap cleanup EXIT

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# GNU time's "%e %M %U %S": wall s, peak RSS KiB, user s, system s.
gtime() { /usr/bin/time -f '%e %M %U %S' -o "$1" "${@:2}"; }

log="$dir/access.log"
echo "bench-compare: generating $lines lines in $dir"
t0=$(now)
"$gen" --lines "$lines" --out "$log" --queries "$((lookups + 1))" --queries-out "$dir/lookups.tsv"
gen_s=$(calc "%.1f" "$(now) - $t0")
bytes=$(stat -c %s "$log")
cat "$log" >/dev/null  # page cache warm for every tool
mb=$(calc "%.0f" "$bytes / 1e6")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-compare: $lines lines, $mb MB, generated in $gen_s s; load average $load_before"

# The first lookup (CLI and lnav) and the lnav queries use the first entries.
read -r q_ip q_ts < "$dir/lookups.tsv"
utc() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }

# --- culprit ----------------------------------------------------------------------
c_s="" c_rss="" c_cpu="" c_parsed="" c_first_s="" c_first_rows="" c_hwm_total=""
g_p50="" g_p99="" g_max="" g_n="" cli_p50="" cli_p99="" c_db_mb=""
if want culprit; then
  addr="unix:$dir/culpritd.sock"
  cat >"$dir/culprit.toml" <<EOF
[daemon]
listen = "$addr"
database = "$dir/culprit.db"
log_level = "warning"

[[source]]
name = "nginx"
path = "$log"
format = "nginx_combined"
start_at = "beginning"
EOF
  "$culpritd" --check-config "$dir/culprit.toml" >/dev/null
  echo "bench-compare: culprit: culpritd ingesting"
  t0=$(now)
  "$culpritd" --config "$dir/culprit.toml" 2>"$dir/culpritd.log" &
  pid=$!
  if ! wait_out=$("$client" wait --daemon "$addr" --source nginx --bytes "$bytes" \
      --timeout 3600 --pid "$pid"); then
    echo "bench-compare: culpritd did not finish ingesting; its log:" >&2
    cat "$dir/culpritd.log" >&2
    exit 1
  fi
  t1=$(now)
  c_s=$(calc "%.2f" "$t1 - $t0")
  read -r _ _ _ c_parsed _ c_rejected _ <<<"$wait_out"
  clk=$(getconf CLK_TCK)
  c_cpu=$(awk -v clk="$clk" '{ printf "%.1f", ($14 + $15) / clk }' "/proc/$pid/stat")
  c_rss=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  c_rss_now=$(awk '/^(RssAnon|RssFile):/ { printf "%s%s %.0f MB", sep, $1, $2 / 1024; sep = ", " }' \
    "/proc/$pid/status")

  # First lookup: the CLI, as an operator would.
  t0=$(now)
  "$culprit" --daemon "$addr" events --ip "$q_ip" --at "$q_ts" --around "${around}s" \
    --limit "$limit" --json </dev/null >"$dir/culprit_first.json"
  c_first_lookup_s=$(calc "%.3f" "$(now) - $t0")
  c_first_rows=$(wc -l <"$dir/culprit_first.json")
  c_first_s=$(calc "%.2f" "$c_s + $c_first_lookup_s")

  # Further lookups through the CLI (a process start each), then over one
  # gRPC channel: the daemon's own latency plus loopback gRPC.
  tail -n +2 "$dir/lookups.tsv" | head -n 50 >"$dir/cli_lookups.tsv"
  : >"$dir/cli_ms.txt"
  while read -r ip ts; do
    t0=$(now)
    "$culprit" --daemon "$addr" events --ip "$ip" --at "$ts" --around "${around}s" \
      --limit "$limit" --json </dev/null >/dev/null
    calc "%.3f\n" "($(now) - $t0) * 1000" >>"$dir/cli_ms.txt"
  done <"$dir/cli_lookups.tsv"
  pct() { sort -n "$1" | awk -v q="$2" '{ v[NR] = $1 } END { i = int(q * NR) + 1; if (i > NR) i = NR; print v[i] }'; }
  cli_p50=$(pct "$dir/cli_ms.txt" 0.5)
  cli_p99=$(pct "$dir/cli_ms.txt" 0.99)

  tail -n +2 "$dir/lookups.tsv" >"$dir/grpc_lookups.tsv"
  g_out=$("$client" lookups --daemon "$addr" --queries "$dir/grpc_lookups.tsv" \
    --around "$around" --limit "$limit" --counts "$dir/culprit_counts.txt")
  read -r _ _ _ g_n _ g_p50 _ g_p99 _ g_max _ <<<"$g_out"
  c_hwm_total=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")

  echo
  "$culprit" --daemon "$addr" status
  echo
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
  c_db_mb=$(du -cm "$dir"/culprit.db* | awk 'END { print $1 }')
  rm -f "$dir"/culprit.db*
fi

# --- lnav -------------------------------------------------------------------------
l_s="" l_rss="" l_cpu="" l_n="" lq_first_s="" lq_med_s="" lq_rss="" l_first_rows=""
if want lnav; then
  lnav_home="$dir/lnav-home"
  mkdir -p "$lnav_home"
  echo "bench-compare: lnav: load + count(*)"
  HOME="$lnav_home" TZ=UTC gtime "$dir/lnav_count.time" \
    lnav -n -c ';SELECT count(*) AS n FROM access_log' "$log" </dev/null >"$dir/lnav_count.out"
  read -r l_s l_kb lu ls_ <"$dir/lnav_count.time"
  l_rss=$(calc "%.0f" "$l_kb / 1024")
  l_cpu=$(calc "%.1f" "$lu + $ls_")
  l_n=$(awk 'NR == 2 { print $1 }' "$dir/lnav_count.out")
  : >"$dir/lnav_q.txt"
  i=0
  while read -r ip ts && [ "$i" -lt "$lnav_queries" ]; do
    echo "bench-compare: lnav: query $((i + 1))/$lnav_queries ($ip, $(utc "$ts") +/- ${around}s)"
    # Addresses are written by gen_nginx_log ([0-9a-f.:] only): safe to quote.
    sql=";SELECT log_time, c_ip, cs_method, cs_uri_stem, sc_status FROM access_log
          WHERE c_ip = '$ip' AND log_time BETWEEN '$(utc $((ts - around))).000'
                                             AND '$(utc $((ts + around))).000'"
    HOME="$lnav_home" TZ=UTC gtime "$dir/lnav_q$i.time" lnav -n -c "$sql" "$log" \
      </dev/null >"$dir/lnav_q$i.out"
    # One header line, then a row per match; nothing when there is none.
    rows=$(awk 'NR > 1 && NF > 0' "$dir/lnav_q$i.out" | wc -l)
    echo "$(cat "$dir/lnav_q$i.time") $rows" >>"$dir/lnav_q.txt"
    i=$((i + 1))
  done <"$dir/lookups.tsv"
  read -r lq_first_s lq_kb _ _ l_first_rows <"$dir/lnav_q.txt"
  lq_rss=$(calc "%.0f" "$lq_kb / 1024")
  lq_med_s=$(sort -n -k1,1 "$dir/lnav_q.txt" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
fi

# --- GoAccess ---------------------------------------------------------------------
a_s="" a_rss="" a_cpu="" a_n=""
if want goaccess; then
  echo "bench-compare: GoAccess: parse + JSON report"
  gtime "$dir/goaccess.time" goaccess "$log" --no-global-config --log-format=COMBINED \
    -o "$dir/goaccess.json" </dev/null >/dev/null 2>&1
  read -r a_s a_kb au as_ <"$dir/goaccess.time"
  a_rss=$(calc "%.0f" "$a_kb / 1024")
  a_cpu=$(calc "%.1f" "$au + $as_")
  a_n=$(grep -o '"valid_requests": *[0-9]*' "$dir/goaccess.json" | head -1 | grep -o '[0-9]*$')
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -------------------------------------------------------------------------
echo
echo "=== bench-compare: $lines lines, $mb MB nginx combined; $(nproc) cores;" \
  "load average $load_before before, $load_after after ==="
echo
printf '%-34s %10s %8s %11s %8s %7s %16s %14s\n' "processing the file" "lines" "seconds" \
  "lines/s" "RSS MB" "CPU s" "culprit speedup" "RSS vs culprit"
row() {  # name lines seconds rss cpu
  local rate speed mem
  rate=$(calc "%.0f" "$2 / $3")
  speed="-" mem="-"
  if [ -n "$c_s" ]; then
    speed=$(calc "%.1fx" "($lines / $c_s) / ($2 / $3)")
    mem=$(calc "%.1fx" "$4 / $c_rss")
  fi
  printf '%-34s %10s %8s %11s %8s %7s %16s %14s\n' "$1" "$2" "$3" "$rate" "$4" "$5" "$speed" "$mem"
}
if want culprit; then
  row "culprit (culpritd start->committed)" "$c_parsed" "$c_s" "$c_rss" "$c_cpu"
fi
want lnav && row "lnav (load + SQL count(*))" "$l_n" "$l_s" "$l_rss" "$l_cpu"
want goaccess && row "GoAccess (parse + JSON report)" "$a_n" "$a_s" "$a_rss" "$a_cpu"
if want culprit; then
  echo "  culprit: $c_rejected lines rejected; database $c_db_mb MB; RSS once ingested:" \
    "$c_rss_now; peak RSS $c_hwm_total MB after the lookups too"
fi

if want culprit && want lnav; then
  echo
  echo "lookup: one client address, +/- ${around} s"
  printf '  %-58s %10s s  (%s rows)\n' \
    "culprit: start + ingest + first lookup (CLI)" "$c_first_s" "$c_first_rows"
  printf '  %-58s %10s s  (%s rows, RSS %s MB)\n' \
    "lnav: one query (start + index + scan)" "$lq_first_s" "$l_first_rows" "$lq_rss"
  printf '  %-58s %10s\n' "  culprit's first answer sooner than lnav's by" \
    "$(calc "%.2fx" "$lq_first_s / $c_first_s")"
  printf '  %-58s %10s s  (median of %s runs)\n' "lnav: each further query (no state kept)" \
    "$lq_med_s" "$(wc -l <"$dir/lnav_q.txt")"
  printf '  %-58s p50 %s ms, p99 %s ms\n' "culprit further lookups, CLI (process start incl.), n=$(wc -l <"$dir/cli_ms.txt")" \
    "$cli_p50" "$cli_p99"
  printf '  %-58s p50 %s us, p99 %s us, max %s us\n' \
    "culprit further lookups, gRPC (one channel), n=$g_n" "$g_p50" "$g_p99" "$g_max"
  # The slow lookups are the ones with many events (the busiest clients).
  printf '  %-58s %s\n' "  by answer size (events: n, p50, p99, max us)" "$(awk -F'\t' '
    NR > 1 { k = $1 <= 100 ? "<=100" : ($1 <= 1000 ? "101-1000" : ">1000"); n[k]++; v[k, n[k]] = $2 }
    END {
      split("<=100 101-1000 >1000", ks, " ")
      for (i = 1; i <= 3; i++) {
        k = ks[i]; m = n[k]; if (m == 0) continue
        for (a = 2; a <= m; a++) {  # insertion sort: at most a few hundred
          x = v[k, a]; b = a - 1
          while (b >= 1 && v[k, b] > x) { v[k, b + 1] = v[k, b]; b-- }
          v[k, b + 1] = x
        }
        printf "%s%s: %d, %d, %d, %d", sep, k, m, v[k, int(m * 0.5) + 1],
          v[k, (int(m * 0.99) + 1 > m ? m : int(m * 0.99) + 1)], v[k, m]
        sep = "; "
      }
    }' "$dir/culprit_counts.txt")"
  printf '  %-58s p50 %sx, p99 %sx, slowest %sx; via the CLI p50 %sx\n' \
    "lnav query time / culprit lookup time" \
    "$(calc "%.0f" "$lq_med_s * 1e6 / $g_p50")" "$(calc "%.0f" "$lq_med_s * 1e6 / $g_p99")" \
    "$(calc "%.0f" "$lq_med_s * 1e6 / $g_max")" "$(calc "%.0f" "$lq_med_s * 1e3 / $cli_p50")"
  # Same answers? culprit's counts for the lnav queries vs lnav's rows.
  agree=1
  while read -r _ _ _ _ rows; do
    [ "$rows" = "$c_first_rows" ] || agree=0
    break
  done <"$dir/lnav_q.txt"
  j=0
  while read -r _ _ _ _ rows; do
    if [ "$j" -gt 0 ]; then
      c=$(awk -v j="$j" 'NR == j { print $1 }' "$dir/culprit_counts.txt")
      [ "$rows" = "$c" ] || agree=0
    fi
    j=$((j + 1))
  done <"$dir/lnav_q.txt"
  echo "  answers: culprit and lnav return the same number of lines for the lnav queries:" \
    "$([ "$agree" = 1 ] && echo yes || echo NO)"
fi

echo
echo "targets (issue 8):"
missed=0
# target OK TEXT...: one line, PASS or FAIL; a FAIL makes the exit status 1.
target() {
  local ok="$1"
  shift
  if [ "$ok" = 1 ]; then echo "  PASS  $*"; else echo "  FAIL  $*"; missed=1; fi
}
ge() { awk "BEGIN { exit !($1 >= $2) }" && echo 1 || echo 0; }
if want culprit && want lnav; then
  ok=$(ge "$lq_first_s" "$c_first_s")
  target "$ok" "ingest + first lookup ($c_first_s s) < one lnav query ($lq_first_s s)"
  ok=$(ge "$(calc "%.3f" "$lq_med_s * 1e6 / $g_max")" 1000)
  ok99=$(ge "$(calc "%.3f" "$lq_med_s * 1e6 / $g_p99")" 1000)
  note=""
  [ "$ok" = 0 ] && [ "$ok99" = 1 ] && note=" (p99 passes; the slowest of $g_n does not)"
  target "$ok" "every further lookup >= 1000x faster than lnav's query" \
    "(slowest $g_max us vs $lq_med_s s)$note"
fi
if want culprit && want goaccess; then
  ratio=$(calc "%.1f" "($lines / $c_s) / ($a_n / $a_s)")
  target "$(ge "$ratio" 10)" "culprit >= 10x GoAccess's lines/s (${ratio}x)"
fi
if want culprit; then
  if [ "$lines" -ge 10000000 ]; then
    target "$(ge 100 "$c_rss")" "peak RSS <= 100 MB ingesting $lines lines ($c_rss MB)"
  else
    echo "  n/a   peak RSS <= 100 MB ingesting 10M lines: this run has $lines lines" \
      "($c_rss MB); run with BENCH_COMPARE_LINES=10000000"
  fi
fi
exit "$missed"
