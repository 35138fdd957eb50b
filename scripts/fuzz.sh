#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) in a separate clang build and
# runs each one on seeds made from ../shared/corpus.
#
#   scripts/fuzz.sh --smoke          # each harness for 5 s (make test)
#   scripts/fuzz.sh --time 600       # each harness for 600 s (make fuzz)
#   scripts/fuzz.sh --time 60 json regex   # only these harnesses
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), JOBS (default 2).
# Layout under the build directory (never committed):
#   seeds/<harness>/      seed inputs, rebuilt from the corpus each run
#   corpus/<harness>/     what `--time` runs found interesting; kept, so
#                         later runs resume from it (the smoke run keeps none)
#   artifacts/<harness>/  crash-*, leak-*, timeout-*, oom-* inputs
#   logs/<harness>.log    libFuzzer's output of the last run
# Prints executions and seconds per harness, and every artifact; exits 1 if
# any harness crashed (re-run one input: build-fuzz/fuzz/<harness>_fuzzer FILE).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${JOBS:-2}"
seconds=5
smoke=0
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; seconds=5 ;;
    --time) seconds="$2"; shift ;;
    --time=*) seconds="${1#--time=}" ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) harnesses+=("$1") ;;
  esac
  shift
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz.sh: --time wants a whole number of seconds, not \"$seconds\"" >&2
  exit 2
fi
all=(nginx_access nginx_error haproxy stunnel syslog json regex format_loader config report)
[ ${#harnesses[@]} -eq 0 ] && harnesses=("${all[@]}")

cxx="${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}"
if [ -z "$cxx" ]; then
  echo "fuzz.sh: clang++ not found (make setup installs clang-14 and libclang-rt-14-dev)" >&2
  exit 1
fi
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
# -O1 and line tables only: symbolized stacks at a fraction of the compile
# time of -O2 -g, which matters on two cores.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$sanitize -fno-omit-frame-pointer" \
  -DCULPRIT_BUILD_FUZZERS=ON -DCULPRIT_BUILD_TESTS=OFF -DCULPRIT_WERROR=OFF >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("${h}_fuzzer"); done
# One make invocation for all of them is much faster than one per target.
[ "${harnesses[*]}" = "${all[*]}" ] && targets=(fuzzers)
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

corpus_root="$root/../shared/corpus"
python3 "$root/tests/fuzz/make_seeds.py" --corpus "$corpus_root" --source "$root" \
  --out "$build/seeds" >/dev/null

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=0
summary=()
for h in "${harnesses[@]}"; do
  bin="$build/fuzz/${h}_fuzzer"
  seeds="$build/seeds/$h"
  artifacts="$build/artifacts/$h"
  log="$build/logs/$h.log"
  mkdir -p "$seeds" "$artifacts" "$(dirname "$log")"
  if [ "$smoke" -eq 1 ]; then
    work="$(mktemp -d "$build/smoke.XXXXXX")"
  else
    work="$build/corpus/$h"
    mkdir -p "$work"
  fi
  before="$(find "$artifacts" -type f | sort)"
  start=$(date +%s)
  status=0
  # -timeout: one input taking over 10 s is a hang and is saved as such.
  # A long run keeps going after a crash (one fuzzing child process at a
  # time), so one known bug does not end the run; the smoke run stops at the
  # first. The outer timeout only guards against libFuzzer itself wedging.
  # The smoke run uses a fixed random seed, so it does the same work each time.
  mode=(-seed=1)
  [ "$smoke" -eq 0 ] && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  timeout --signal=KILL $((seconds + 300)) "$bin" "${mode[@]}" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$work" "$seeds" >"$log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - start ))
  [ "$smoke" -eq 1 ] && rm -rf "$work"
  # Executions: the final stats, or in fork mode the last "#N: cov: ..." line.
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -z "$execs" ] && execs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -1)
  line=$(printf '%-14s %10s execs %6s s' "$h" "${execs:-?}" "$elapsed")
  if [ "$smoke" -eq 0 ]; then
    line+=$(printf '  corpus %6s' "$(find "$work" -type f | wc -l)")
  fi
  new="$(comm -13 <(printf '%s\n' "$before") <(find "$artifacts" -type f | sort) | sed '/^$/d')"
  if [ "$status" -ne 0 ] || [ -n "$new" ]; then
    failed=1
    line+="  FAILED (exit $status, log $log)"
    while IFS= read -r f; do [ -n "$f" ] && line+=$'\n'"    artifact: $f"; done <<<"$new"
    grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer)|runtime error|contract broken' "$log" \
      | sed 's/^/    /' || true
  fi
  summary+=("$line")
done

echo "fuzz.sh: $seconds s per harness ($build)"
printf '%s\n' "${summary[@]}"
exit "$failed"
