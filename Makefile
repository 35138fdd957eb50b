# Thin wrapper over CMake. Quick start (as root on Debian 12):
#   make demo   # install packages, build, run the example
#   make test   # install packages, build, run every test
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
# CI builds treat warnings as errors.
ifeq ($(CI),true)
CMAKE_FLAGS += -DCULPRIT_WERROR=ON
endif

.PHONY: all setup configure build test demo report-check test-asan bench bench-compare fuzz clean

all: build

setup:
	bash scripts/setup.sh

configure: setup
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	JOBS=$(JOBS) bash scripts/fuzz.sh --smoke

demo: build
	bash scripts/demo.sh $(BUILD_DIR)

# Renders the demo data's HTML report in headless Chromium (installed if
# missing) and writes $(BUILD_DIR)/report.png to look at.
report-check:
	bash scripts/report_check.sh $(BUILD_DIR)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan:
	$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo \
	  CMAKE_FLAGS="$(CMAKE_FLAGS) -DCULPRIT_SANITIZE=ON"

# Benchmarks (figures, not tests), all in one run: ingest per format
# (BENCH_LINES lines, into a fresh database and into one holding
# BENCH_PRELOAD events), correlate latency at 1M and 10M stored events, idle
# and during ingest, the real culpritd's Submit throughput (8 and 64
# clients) and line -> queryable latency, then the comparison with lnav and
# GoAccess (bench-compare). Each runs even when one before it missed a
# target; the exit status is 1 if any missed one (or failed).
BENCH_LINES ?= 2000000
BENCH_PRELOAD ?= 20000000
bench: setup
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCULPRIT_BUILD_TESTS=OFF \
	  -DCULPRIT_BUILD_BENCHMARKS=ON $(CMAKE_FLAGS)
	cmake --build build-bench -j $(JOBS) --target ingest_bench correlate_bench service_bench
	status=0; \
	build-bench/bench/ingest_bench --lines $(BENCH_LINES) || status=1; \
	build-bench/bench/ingest_bench --lines $(BENCH_LINES) --preload $(BENCH_PRELOAD) \
	  --formats nginx_combined || status=1; \
	build-bench/bench/correlate_bench --events 1000000,10000000 --queries 500 || status=1; \
	build-bench/bench/service_bench || status=1; \
	BENCH_COMPARE_LINES=$(BENCH_COMPARE_LINES) JOBS=$(JOBS) CMAKE_FLAGS="$(CMAKE_FLAGS)" \
	  bash scripts/bench_compare.sh || status=1; \
	if [ $$status -ne 0 ]; then echo "bench: a target was missed or a benchmark failed (FAIL above)"; fi; \
	exit $$status

# culprit against lnav and GoAccess (installed from Debian if missing) on one
# generated nginx log of BENCH_COMPARE_LINES lines: processing rate, peak RSS,
# and a lookup by address + time window; prints PASS/FAIL against issue 8's
# targets (exit status 1 on a FAIL). Use BENCH_COMPARE_LINES=10000000 for the
# peak-RSS target. `make bench` runs it last.
BENCH_COMPARE_LINES ?= 2000000
bench-compare: setup
	BENCH_COMPARE_LINES=$(BENCH_COMPARE_LINES) JOBS=$(JOBS) CMAKE_FLAGS="$(CMAKE_FLAGS)" \
	  bash scripts/bench_compare.sh

# Every libFuzzer harness (tests/fuzz) for FUZZ_TIME seconds each, in a
# clang build in build-fuzz; prints executions per harness and any crash.
FUZZ_TIME ?= 600
fuzz: setup
	JOBS=$(JOBS) bash scripts/fuzz.sh --time $(FUZZ_TIME)

clean:
	rm -rf build build-asan build-bench
