#!/usr/bin/env python3
"""Builds the libFuzzer seed corpus for tests/fuzz (run by scripts/fuzz.sh).

Each line of the corpus logs in ../shared/corpus becomes one seed file of the
harness for its format; format files and example configs become one seed
each; the lab-dev cases become ResetReport/ReportRequest JSON. A few
adversarial variants of each log's first lines (NUL byte, invalid UTF-8,
year 9999, CRLF) are added too. Seeds are named by content hash, so running
this again only adds what changed.

Usage: make_seeds.py --corpus DIR --source DIR --out DIR
"""

import argparse
import glob
import hashlib
import json
import os
import re
import sys

# Harness -> corpus files (relative to --corpus) whose lines are its seeds.
LINE_SEEDS = {
    "nginx_access": ["public/nginx-access/*", "lab-dev/logs/nginx/access*.log"],
    "nginx_error": ["public/nginx-error/*", "lab-dev/logs/nginx/error.log"],
    "haproxy": ["public/haproxy/*", "lab-dev/logs/haproxy/haproxy.log"],
    "stunnel": ["lab-dev/logs/stunnel/stunnel.log"],
    "syslog": ["public/syslog/*", "public/firewall/*", "lab-dev/logs/firewall/firewall.log"],
    "json": ["public/json/*", "lab-dev/logs/app/app.jsonl"],
    "regex": ["lab-dev/logs/app/app_netns.log"],
}
# Harness -> project files (relative to --source) that are one seed each.
FILE_SEEDS = {
    "format_loader": ["parsers/formats/*.toml"],
    "config": ["examples/*.toml"],
}
VARIANTS_PER_FILE = 3  # lines of each log that get adversarial variants


def write_seed(out_dir, data):
    os.makedirs(out_dir, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:20]
    path = os.path.join(out_dir, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return 1


def variants(line):
    mid = len(line) // 2
    yield line[:mid] + b"\x00" + line[mid:]
    yield line[:mid] + b"\xff\xfe\xc3(" + line[mid:]
    yield line + b"\r"
    yield line[:mid]
    # The first four-digit year (20xx) as 9999, then as 2999.
    for year in (b"9999", b"2999"):
        changed = re.sub(rb"\b20\d\d\b", year, line, count=1)
        if changed != line:
            yield changed


def line_seeds(corpus, out, harness, patterns):
    count = 0
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(corpus, pattern))):
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                lines = [l.rstrip(b"\n") for l in f if l.strip()]
            for line in lines:
                count += write_seed(out, line)
            for line in lines[:VARIANTS_PER_FILE]:
                for v in variants(line):
                    count += write_seed(out, v)
    return count


def endpoint(ip, port):
    if not ip:
        return None
    host = f"[{ip}]" if ":" in ip else ip
    return f"{host}:{port}" if port else host


def report_seed(case):
    """A lab-dev case (cases.jsonl) or an examples/reports.jsonl line as
    ResetReport + ReportRequest JSON."""
    report = {"seen_at": case.get("reported_ts") or case.get("true_ts")}
    client = case.get("client") or endpoint(case.get("client_ip"), case.get("client_port"))
    server = case.get("server") or endpoint(case.get("server_ip"), case.get("server_port"))
    if client:
        report["client"] = client
    if server:
        report["server"] = server
    for src, dst in (("client_error", "error"), ("error", "error"), ("request_id", "request_id"),
                     ("client_http_status", "http_status"), ("http_status", "http_status")):
        if case.get(src) not in (None, ""):
            report[dst] = case[src]
    if case.get("phase"):
        report["phase"] = case["phase"].upper()
    if "skew_s" in case:
        report["clock_uncertainty"] = f"{abs(case['skew_s']) + 1:.3f}s"
    # ReportRequest fields ride along (the harness ignores unknown fields).
    report["from"] = "2026-11-23T00:00:00Z"
    report["to"] = "2026-11-24T00:00:00Z"
    report["format"] = "md"
    report["timezone"] = "Europe/Berlin"
    return json.dumps(report, sort_keys=True).encode()


def report_seeds(corpus, source, out):
    count = 0
    for path in [os.path.join(corpus, "lab-dev/cases.jsonl"),
                 os.path.join(source, "examples/reports.jsonl")]:
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            for line in f:
                try:
                    case = json.loads(line)
                except ValueError:
                    continue
                count += write_seed(out, report_seed(case))
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        sys.exit(f"make_seeds: corpus directory {args.corpus} does not exist")
    for harness, patterns in LINE_SEEDS.items():
        n = line_seeds(args.corpus, os.path.join(args.out, harness), harness, patterns)
        print(f"make_seeds: {harness}: {n} seeds")
    for harness, patterns in FILE_SEEDS.items():
        n = 0
        for pattern in patterns:
            for path in sorted(glob.glob(os.path.join(args.source, pattern))):
                with open(path, "rb") as f:
                    n += write_seed(os.path.join(args.out, harness), f.read())
        print(f"make_seeds: {harness}: {n} seeds")
    n = report_seeds(args.corpus, args.source, os.path.join(args.out, "report"))
    print(f"make_seeds: report: {n} seeds")


if __name__ == "__main__":
    main()
