#!/usr/bin/python3
"""End-to-end test: real nginx, HAProxy, stunnel, iptables/ulogd2 and a backend
of our own; culpritd tails their logs live; each cause is provoked for real
and the client's report is submitted over gRPC (`culprit submit --json`).

  e2e.py --culpritd PATH --culprit PATH [--only NAME,...] [--keep] [--seed N]

Exit codes: 0 every scenario passed (or was SKIPPED with a reason), 1 a
scenario failed, 77 the test cannot run here at all (not root, a server
package missing): ctest reports that as skipped. See README.md.
"""

import argparse
import atexit
import datetime
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import netns  # noqa: E402
import noise  # noqa: E402
import scenarios  # noqa: E402
import servers as S  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP_ALL = 77
PORT_NAMES = ["app", "ngx_plain", "ngx_tls", "ngx_mtls", "ngx_small", "ha_http", "ha_api",
              "ha_tls", "ha_mtls", "st_tls", "st_mtls", "syslog", "relay", "grpc"]


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Context:
    """What the scenarios need: ports, TLS files, log paths, helpers."""

    def __init__(self, tmp, ports, tls, logs, procs, rng):
        self.tmp, self.p, self.tls, self.logs, self.procs = tmp, ports, tls, logs, procs
        self.rng = rng
        self.octet = rng.randint(20, 49)       # scenario clients: 127.<octet>.<i>.<n>
        self.side_octet = rng.randint(100, 119)  # helper connections of a scenario
        self.netns = None  # netns.Lab once set up
        self.netns_skip = None

    def address(self, i):
        return "127.%d.%d.%d" % (self.octet, i + 1, self.rng.randint(10, 250))

    def side_address(self, k):
        return "127.%d.%d.%d" % (self.side_octet, self.rng.randint(0, 255), 10 + k)

    def reload_nginx(self):
        with open(os.path.join(self.tmp, "nginx", "nginx.pid")) as f:
            os.kill(int(f.read().strip()), signal.SIGHUP)

    def wait_app_log(self, needle1, needle2, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.logs["app"], encoding="utf-8", errors="replace") as f:
                if any(needle1 in l and needle2 in l for l in f):
                    return True
            time.sleep(0.05)
        return False

    def wait_read_by_server(self, port, count, timeout=5.0):
        """Polls until `count` connections to `port` are established and the
        server has read everything they sent (Recv-Q 0 on its side)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = subprocess.run(["ss", "-Htn", "state", "established", "( sport = :%d )" % port],
                                 stdout=subprocess.PIPE, text=True).stdout
            drained = [l for l in out.splitlines() if l.split() and l.split()[0] == "0"]
            if len(drained) >= count:
                return True
            time.sleep(0.05)
        return False

    def ns_port(self, name):
        return self.netns.ports[name]

    def netns_client(self, ip, port, send):
        return self.netns.client(ip, port, send)


def write_culprit_config(ctx, listen):
    p, logs = ctx.p, ctx.logs
    ngx = [p["ngx_plain"], p["ngx_tls"], p["ngx_mtls"], p["ngx_small"]]
    srcs = [
        ("nginx-access", logs["nginx_access"], "nginx", ngx, "2s",
         "log_format = '%s'\n" % S.NGINX_EXT_FORMAT),
        ("nginx-error", logs["nginx_error"], "nginx_error", ngx, "2s", ""),
        ("haproxy", logs["haproxy"], "haproxy",
         [p["ha_http"], p["ha_api"], p["ha_tls"], p["ha_mtls"]], "2s", ""),
        ("stunnel", logs["stunnel"], "stunnel", [p["st_tls"], p["st_mtls"]], "2s", ""),
        ("app", logs["app"], "json", [p["app"]], None, ""),
    ]
    if ctx.netns:
        ns = ctx.netns.ports
        srcs.append(("app-netns", logs["app_netns"], "json", [ns["ns_app"]], None, ""))
        srcs.append(("firewall", logs["firewall"], "syslog", [ns["ns_app"], ns["ns_blocked"]],
                     None, ""))
    text = ('[daemon]\nlisten = "%s"\ndatabase = "%s"\nlog_level = "info"\n'
            % (listen, os.path.join(ctx.tmp, "culprit.db")))
    for name, path, fmt, ports, idle, extra in srcs:
        text += ('\n[[source]]\nname = "%s"\npath = "%s"\nformat = "%s"\nstart_at = "end"\n'
                 'ports = [%s]\n%s' % (name, path, fmt, ", ".join(map(str, ports)), extra))
        if idle:
            text += 'idle_timeout = "%s"\n' % idle
    path = os.path.join(ctx.tmp, "culprit.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


class Culprit:
    def __init__(self, binary, addr):
        self.binary, self.addr = binary, addr

    def call(self, *args, timeout=15):
        proc = subprocess.run([self.binary, "--daemon", self.addr] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=timeout)
        return proc.returncode, proc.stdout, proc.stderr

    def status(self):
        rc, out, _ = self.call("status", "--json", timeout=5)
        if rc != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return None

    def wait_caught_up(self, sizes, timeout=10.0):
        """Polls Status until each source committed what its file held (bounded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status()
            if st:
                done = {s.get("name"): int(s.get("committedOffset", 0)) for s in st.get("sources", [])}
                if all(done.get(name, -1) >= size for name, size in sizes.items()):
                    return True
            time.sleep(0.05)
        return False


def start_servers(ctx, procs):
    p, tls, logs, tmp = ctx.p, ctx.tls, ctx.logs, ctx.tmp
    app = procs.start("backend", ["/usr/bin/python3", os.path.join(HERE, "backend.py"),
                                  "--listen", "127.0.0.1:%d" % p["app"], "--log", logs["app"]])
    S.wait_port("127.0.0.1", p["app"], app, "backend", procs)
    for name, conf_fn, port in (("nginx", S.nginx_main_conf, p["ngx_plain"]),
                                ("nginx-small", S.nginx_small_conf, p["ngx_small"])):
        prefix = os.path.join(tmp, name)
        os.makedirs(prefix, exist_ok=True)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(conf_fn(prefix, p, tls, logs) if name == "nginx" else conf_fn(prefix, p, logs))
        S.run(["nginx", "-t", "-p", prefix, "-c", conf, "-e", logs["nginx_error"]])
        proc = procs.start(name, ["nginx", "-p", prefix, "-c", conf, "-e", logs["nginx_error"],
                                  "-g", "daemon off;"])
        S.wait_port("127.0.0.1", port, proc, name, procs)
    syslog = S.SyslogReceiver(p["syslog"], logs["haproxy"])
    syslog.start()
    procs.cleanups.append(syslog.stop)
    conf = os.path.join(tmp, "haproxy.cfg")
    with open(conf, "w") as f:
        f.write(S.haproxy_conf(tmp, p, tls))
    S.run(["haproxy", "-c", "-f", conf])
    proc = procs.start("haproxy", ["haproxy", "-db", "-f", conf])
    for port in (p["ha_http"], p["ha_tls"]):
        S.wait_port("127.0.0.1", port, proc, "haproxy", procs)
    conf = os.path.join(tmp, "stunnel.conf")
    with open(conf, "w") as f:
        f.write(S.stunnel_conf(tmp, p, tls, logs))
    stunnel = shutil.which("stunnel4") or shutil.which("stunnel")
    proc = procs.start("stunnel", [stunnel, conf])
    for port in (p["st_tls"], p["st_mtls"]):
        S.wait_port("127.0.0.1", port, proc, "stunnel", procs)
    relay = scenarios.Relay(p["relay"], p["ngx_plain"])
    relay.start()
    procs.cleanups.append(relay.stop)


def expected_regex(sc, out, ctx):
    if sc.line is None:
        return None
    sid = None
    if "{sid}" in sc.line:
        sid = find_stunnel_id(ctx.logs["stunnel"], out.client_ip, out.client_port) or "NOTFOUND"
    return sc.line.format(ip=re.escape(out.client_ip or ""), port=out.client_port,
                          sid=sid, sport=out.server.rsplit(":", 1)[-1] if out.server else "")


def find_stunnel_id(path, ip, port, timeout=3.0):
    pat = re.compile(r"LOG\d\[(\d+)\]: Service \[[^\]]+\] accepted connection from %s:%d$"
                     % (re.escape(ip), port))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = pat.search(line.rstrip("\n"))
                if m:
                    return m.group(1)
        time.sleep(0.05)
    return None


def find_line(path, regex, timeout):
    pat = re.compile(regex)
    deadline = time.monotonic() + timeout
    while True:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if pat.search(line):
                    return line.rstrip("\n")
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)


def log_tail(path, ip, n=12):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    mine = [l for l in lines if ip and ip in l]
    return (mine[-n:] or ["(no line mentions %s)" % ip]) + ["-- last lines:"] + lines[-4:]


def run_scenario(i, sc, ctx, culprit, rng, noise_gen):
    res = {"name": sc.name, "expected": sc.expected, "got": "-", "conf": "-", "dt": "-",
           "status": "FAIL", "detail": []}
    if sc.needs == "netns" and not ctx.netns:
        res.update(status="SKIPPED", detail=["network namespace: %s" % ctx.netns_skip])
        return res
    ip = ctx.netns.client_ip(sc.name) if sc.needs == "netns" else ctx.address(i)
    out = sc.run(ctx, ip)
    if not out.error or not out.t_error:
        res["detail"] = ["the client saw no error (%s %s): the scenario did not provoke anything"
                         % (out.error, out.note)]
        return res
    source_path = source_file(ctx, sc.source)
    regex = expected_regex(sc, out, ctx)
    server_line = find_line(source_path, regex, 6.0) if regex else None
    if sc.line is None:  # NONE_ON_SERVER: the server's normal line for the connection
        server_line = find_line(source_path, r"^%s .*rport=%d " % (re.escape(ip), out.client_port),
                                4.0)
    sizes = {name: os.path.getsize(path) for name, path in source_files(ctx).items()}
    if not culprit.wait_caught_up(sizes):
        res["detail"].append("note: culpritd had not ingested every log within 10s")
    at = out.t_error + rng.uniform(-3.0, 3.0)
    args = ["submit", "--json", "--at", rfc3339(at),
            "--client", "%s:%d" % (out.client_ip, out.client_port), "--server", out.server,
            "--error", out.error, "--phase", out.phase]
    if out.http_status:
        args += ["--http-status", str(out.http_status)]
    rc, stdout, stderr = culprit.call(*args)
    res["dt"] = "%.2fs" % (time.time() - out.t_error)
    if noise_gen and sc.needs != "netns":
        noise_gen.add_finished(ip)
    res["detail"].append("client %s:%d -> %s saw %s in phase %s (status %s) %s"
                         % (out.client_ip, out.client_port, out.server, out.error, out.phase,
                            out.http_status, out.note))
    res["detail"].append("submitted: culprit " + " ".join(args))
    res["detail"].append("server line: %s" % (server_line or "NOT FOUND (regex %s)" % regex))
    if sc.addressless:
        res["detail"].append("note: that line carries no client address; evidence matched by text")
    if rc != 0:
        res["detail"].append("culprit submit failed (%d): %s" % (rc, stderr.strip()))
        return res
    try:
        doc = json.loads(stdout)
    except ValueError:
        res["detail"].append("culprit printed no JSON: %s" % stdout[:500])
        return res
    diag = doc.get("diagnosis", doc)
    verdicts = diag.get("verdicts") or [{}]
    top = verdicts[0]
    res["got"] = top.get("cause", "CAUSE_UNSPECIFIED")
    res["conf"] = "%.2f" % float(top.get("confidence", 0))
    problems = []
    if res["got"] != sc.expected:
        problems.append("cause %s, expected %s" % (res["got"], sc.expected))
    if regex:
        pat = re.compile(regex)
        if not any(e.get("source") == sc.source and pat.search(e.get("raw", ""))
                   for e in top.get("evidence", [])):
            problems.append("the top verdict's evidence lacks the %s line for this connection"
                            % sc.source)
    if not server_line and sc.line is not None:
        problems.append("the server never wrote the expected line (provocation problem?)")
    if problems:
        res["detail"].append("PROBLEM: " + "; ".join(problems))
        res["detail"].append("diagnosis: " + json.dumps(diag, indent=1)[:6000])
        res["detail"].append("log tail of %s:" % sc.source)
        res["detail"] += ["  " + l[:600] for l in log_tail(source_path, out.client_ip)]
        return res
    res["status"] = "PASS"
    return res


def source_files(ctx):
    files = {"nginx-access": ctx.logs["nginx_access"], "nginx-error": ctx.logs["nginx_error"],
             "haproxy": ctx.logs["haproxy"], "stunnel": ctx.logs["stunnel"], "app": ctx.logs["app"]}
    if ctx.netns:
        files.update({"app-netns": ctx.logs["app_netns"], "firewall": ctx.logs["firewall"]})
    return files


def source_file(ctx, name):
    return source_files(ctx).get(name) or ctx.logs["firewall"]


def print_table(results):
    cols = [("scenario", "name"), ("expected", "expected"), ("got", "got"),
            ("confidence", "conf"), ("error->diagnosis", "dt"), ("result", "status")]
    widths = [max(len(h), *(len(str(r[k])) for r in results)) for h, k in cols]
    line = "  ".join(h.ljust(w) for (h, _), w in zip(cols, widths))
    print(line)
    print("-" * len(line))
    for r in results:
        print("  ".join(str(r[k]).ljust(w) for (_, k), w in zip(cols, widths)))


def main():
    ap = argparse.ArgumentParser(description="culprit end-to-end test with real servers")
    ap.add_argument("--culpritd", required=True)
    ap.add_argument("--culprit", required=True)
    ap.add_argument("--only", default="", help="comma-separated scenario names")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--verbose", action="store_true", help="details of passing scenarios too")
    args = ap.parse_args()
    args.culpritd, args.culprit = os.path.abspath(args.culpritd), os.path.abspath(args.culprit)
    if os.geteuid() != 0:
        print("SKIPPED: the e2e test must run as root (servers, iptables, network namespaces)")
        return SKIP_ALL
    missing = [t for t in ("nginx", "haproxy", "openssl", "ss") if not shutil.which(t)]
    if not (shutil.which("stunnel4") or shutil.which("stunnel")):
        missing.append("stunnel4")
    if missing:
        print("SKIPPED: missing %s (scripts/setup.sh installs them)" % ", ".join(missing))
        return SKIP_ALL
    seed = args.seed if args.seed is not None else random.SystemRandom().randint(1, 1 << 30)
    rng = random.Random(seed)
    print("e2e: seed %d" % seed)
    tmp = tempfile.mkdtemp(prefix="culprit-e2e-")
    procs = S.Processes(tmp)
    atexit.register(procs.stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results, noise_gen, t0, setup_error = [], None, time.monotonic(), None
    try:
        ports = dict(zip(PORT_NAMES, S.free_ports(len(PORT_NAMES))))
        logs = {k: os.path.join(tmp, "logs", v) for k, v in {
            "nginx_access": "nginx/access_ext.log", "nginx_error": "nginx/error.log",
            "haproxy": "haproxy/haproxy.log", "stunnel": "stunnel/stunnel.log",
            "app": "app/app.jsonl", "app_netns": "app/app_netns.jsonl",
            "firewall": "firewall/firewall.log"}.items()}
        for path in logs.values():
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "a").close()
        os.makedirs(os.path.join(tmp, "tls"))
        tls = S.make_tls(os.path.join(tmp, "tls"))
        ctx = Context(tmp, ports, tls, logs, procs, rng)
        start_servers(ctx, procs)
        try:
            ctx.netns = netns.Lab(procs, logs, tmp, rng, HERE)
            ctx.netns.start()
        except S.SetupError as exc:
            ctx.netns, ctx.netns_skip = None, str(exc).splitlines()[0][:300]
            print("e2e: network namespace scenarios will be SKIPPED: %s" % ctx.netns_skip)
        grpc = "127.0.0.1:%d" % ports["grpc"]
        conf = write_culprit_config(ctx, grpc)
        S.run([args.culpritd, "--check-config", conf])
        daemon = procs.start("culpritd", [args.culpritd, "--config", conf])
        culprit = Culprit(args.culprit, grpc)
        S.wait_port("127.0.0.1", ports["grpc"], daemon, "culpritd", procs)
        if not culprit.wait_caught_up({n: os.path.getsize(p) for n, p in source_files(ctx).items()}):
            raise S.SetupError("culpritd did not report its sources: %s" % procs.output("culpritd"))
        noise_gen = noise.Noise(ports, tls, rng.randint(50, 99), rng.random())
        noise_gen.start()
        print("e2e: servers up in %.1fs (%s)" % (time.monotonic() - t0, tmp))
        only = set(filter(None, args.only.split(",")))
        chosen = [s for s in scenarios.all_scenarios(ctx) if not only or s.name in only]
        unknown = only - {s.name for s in chosen}
        if unknown:
            raise S.SetupError("unknown scenario(s): %s" % ", ".join(sorted(unknown)))
        last_hostwide = None
        for i, sc in enumerate(chosen):
            if sc.hostwide:
                if last_hostwide is not None:
                    gap = scenarios.HOSTWIDE_GAP_S - (time.monotonic() - last_hostwide)
                    if gap > 0:
                        time.sleep(gap)  # separating two host-wide events, not polling
            try:
                r = run_scenario(i, sc, ctx, culprit, rng, noise_gen)
            except Exception as exc:  # a broken scenario is a failure, not a crash of the run
                r = {"name": sc.name, "expected": sc.expected, "got": "-", "conf": "-",
                     "dt": "-", "status": "FAIL", "detail": ["exception: %r" % exc]}
            if sc.hostwide:
                last_hostwide = time.monotonic()
            print("e2e: %-24s %s" % (sc.name, r["status"]), flush=True)
            results.append(r)
            procs.check_alive("culpritd", daemon)
    except S.SetupError as exc:
        setup_error = str(exc)
        print("e2e: SETUP FAILED: %s" % exc)
    finally:
        if noise_gen:
            noise_gen.stop()
        procs.stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    for r in results:
        if r["status"] != "PASS" or args.verbose:
            print("== %s %s" % (r["name"], r["status"]))
            for d in r["detail"]:
                print("   " + d)
    print()
    print("e2e: background traffic: %d operations" % (noise_gen.ops if noise_gen else 0))
    print_table(results)
    failed = [r["name"] for r in results if r["status"] == "FAIL"]
    print("\ne2e: %d passed, %d failed, %d skipped in %.0fs (seed %d)" % (
        sum(r["status"] == "PASS" for r in results), len(failed),
        sum(r["status"] == "SKIPPED" for r in results), time.monotonic() - t0, seed))
    if setup_error:
        print("e2e: the run stopped early: %s" % setup_error)
    return 1 if failed or setup_error else 0


if __name__ == "__main__":
    sys.exit(main())
