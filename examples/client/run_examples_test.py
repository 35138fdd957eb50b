#!/usr/bin/python3
"""Runs the client examples (examples/client/) against a real nginx and a
real culpritd, and checks the diagnosis each gets back.

  run_examples_test.py --culpritd PATH --culprit PATH --cpp-example PATH
                       --python-example PATH [--python-stubs DIR] [--keep]

The scenario is the classic idle keep-alive reset: nginx with
keepalive_timeout 1s writes the lab-dev "ext" access log; culpritd tails it
with idle_timeout = "1s". Each example makes one request on a keep-alive
connection, leaves it idle past the timeout, reuses it, gets the failure
(ECONNRESET, EPIPE or EOF / RemoteDisconnected) and reports it with phase
idle_reuse. The test passes when each example's top verdict is IDLE_TIMEOUT
and its evidence is the nginx-access line of that very connection (its
client port, rport=PORT).

Exit codes: 0 passed; 1 failed; 77 cannot run here (nginx missing, or it
cannot be started without root): ctest reports that as skipped.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
KEEPALIVE_S = 1
IDLE_S = 2.5  # > KEEPALIVE_S with a wide margin: nginx's timers are not exact

# The lab-dev corpus's nginx log_format "ext" (manifest.json), as in tests/e2e.
NGINX_EXT_FORMAT = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" rport=$remote_port conn=$connection '
    'creq=$connection_requests rt=$request_time msec=$msec tls=$ssl_protocol '
    'cipher=$ssl_cipher saddr=$server_addr sport=$server_port ups=$upstream_addr '
    'ustatus=$upstream_status urt=$upstream_response_time rid=$request_id')

ENV = dict(os.environ, TZ="UTC", LC_ALL="C")


class SetupError(Exception):
    pass


def free_ports(n):
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Procs:
    """Child processes, each in its own process group; stop() kills them all."""

    def __init__(self, tmp):
        self.tmp, self.procs = tmp, []

    def start(self, name, cmd):
        with open(os.path.join(self.tmp, name + ".out"), "ab") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=ENV, start_new_session=True)
        self.procs.append(proc)
        return proc

    def output(self, name, limit=3000):
        try:
            with open(os.path.join(self.tmp, name + ".out"), "rb") as f:
                return f.read()[-limit:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    pass
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # nginx workers, a stuck daemon
                except (ProcessLookupError, PermissionError):
                    pass
                proc.wait(timeout=5)
        self.procs = []


def wait_port(port, proc, name, procs, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError("%s exited with %s: %s" % (name, proc.returncode, procs.output(name)))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SetupError("%s did not listen on 127.0.0.1:%d within %.0fs: %s"
                     % (name, port, timeout, procs.output(name)))


def nginx_conf(prefix, port, access, error):
    temp = "".join("  %s_temp_path %s/%s;\n" % (t, prefix, t)
                   for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return """%(user)sworker_processes 1;
pid %(prefix)s/nginx.pid;
error_log %(err)s info;
events { worker_connections 64; }
http {
%(temp)s  log_format ext '%(fmt)s';
  access_log %(acc)s ext;
  keepalive_timeout %(ka)ds;
  server {
    listen 127.0.0.1:%(port)d;
    server_name examples.local;
    location / { default_type text/plain; return 200 "ok\\n"; }
  }
}
""" % {"user": "user root;\n" if os.geteuid() == 0 else "", "prefix": prefix, "err": error,
       "acc": access, "temp": temp, "fmt": NGINX_EXT_FORMAT, "ka": KEEPALIVE_S, "port": port}


def culprit_conf(tmp, grpc_port, http_port, access):
    return """[daemon]
listen = "127.0.0.1:%d"
database = "%s"
log_level = "info"

[[source]]
name = "nginx-access"
path = "%s"
format = "nginx"
log_format = '%s'
ports = [%d]
# keepalive_timeout in the nginx config
idle_timeout = "%ds"
""" % (grpc_port, os.path.join(tmp, "culprit.db"), access, NGINX_EXT_FORMAT, http_port,
       KEEPALIVE_S)


class Cli:
    def __init__(self, binary, daemon):
        self.binary, self.daemon = binary, daemon

    def call(self, *args):
        proc = subprocess.run([self.binary, "--daemon", self.daemon, "--timeout", "3"] +
                              list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=15)
        return proc.returncode, proc.stdout

    def ready(self, timeout=15.0):
        """Polls Status until the daemon answers and reads its source."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rc, out = self.call("status", "--json")
            if rc == 0:
                try:
                    st = json.loads(out)
                except ValueError:
                    st = {}
                srcs = st.get("sources", [])
                if srcs and not any(s.get("problem") for s in srcs):
                    return True
            time.sleep(0.1)
        return False

    def wait_ingested(self, client_port, since, timeout):
        """Polls SearchEvents until the request of that client port is stored."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rc, out = self.call("events", "--from", rfc3339(since - 10),
                                "--to", rfc3339(time.time() + 10),
                                "--client-port", str(client_port), "--json")
            if rc == 0 and out.strip():
                return True
            time.sleep(0.1)
        return False


def run_example(name, cmd, env, cli, access_log, procs):
    """Runs one example; returns a list of problems (empty: passed)."""
    started = time.time()
    print("== %s: %s" % (name, " ".join(cmd)), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    lines, port, ingested = [], None, None
    deadline = time.monotonic() + 60
    try:
        for line in proc.stdout:  # ends when the example exits; bounded by its own timeouts
            lines.append(line.rstrip("\n"))
            print("   " + lines[-1], flush=True)
            m = re.search(r"connected (\S+):(\d+) -> ", line)
            if m:
                port = int(m.group(2))
            if port and ingested is None and " idle for " in line:
                # While the example sits idle: is its request's log line stored?
                ingested = cli.wait_ingested(port, started, IDLE_S * 0.8)
            if time.monotonic() > deadline:
                proc.kill()
                break
        rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read()
    problems = []
    if err.strip():
        print("   stderr: " + err.strip().replace("\n", "\n   stderr: "))
    if rc != 0:
        problems.append("exited with %d" % rc)
    if port is None:
        problems.append("printed no 'connected IP:PORT -> ...' line")
        return problems
    if ingested is False:
        problems.append("culpritd had not stored the request of port %d within %.1fs "
                        "(ingestion lag: the diagnosis cannot find it)" % (port, IDLE_S * 0.8))
    # The top verdict: the first "diagnosis:" line and the lines up to the next one.
    top, block = None, []
    for line in lines:
        if line.startswith("diagnosis: "):
            if top is not None:
                break
            top = line.split()[1]
        elif top is not None:
            block.append(line)
    if top != "IDLE_TIMEOUT":
        problems.append("top cause %s, expected IDLE_TIMEOUT" % top)
    conn_line = re.compile(r"^    127\.0\.0\.1 - .* rport=%d conn=\d+ " % port)
    evidence = [block[i + 1] for i in range(len(block) - 1)
                if block[i].startswith("  evidence [cause] nginx-access ")]
    if not any(conn_line.match(e) for e in evidence):
        problems.append("the top verdict's cause evidence is not the nginx-access line of "
                        "port %d: %s" % (port, evidence or "(none)"))
    if problems:
        with open(access_log, encoding="utf-8", errors="replace") as f:
            tail = f.read().splitlines()[-6:]
        problems.append("access log tail:\n      " + "\n      ".join(tail))
        problems.append("culpritd output:\n" + procs.output("culpritd", 1500))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--culpritd", required=True)
    ap.add_argument("--culprit", required=True)
    ap.add_argument("--cpp-example", required=True)
    ap.add_argument("--python-example", required=True)
    ap.add_argument("--python-stubs", default=None, help="dir with culprit/v1/culprit_pb2*.py")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory")
    args = ap.parse_args()
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK)
                                      else None)
    if not nginx:
        print("SKIPPED: nginx is not installed (scripts/setup.sh installs it)")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="culprit-examples-")
    procs = Procs(tmp)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failures, skipped = {}, []
    try:
        http_port, grpc_port = free_ports(2)
        prefix = os.path.join(tmp, "nginx")
        os.makedirs(os.path.join(tmp, "logs"))
        os.makedirs(prefix)
        access = os.path.join(tmp, "logs", "access_ext.log")
        error = os.path.join(tmp, "logs", "error.log")
        open(access, "a").close()
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_conf(prefix, http_port, access, error))
        check = subprocess.run([nginx, "-t", "-p", prefix, "-c", conf, "-e", error],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV,
                               timeout=30)
        if check.returncode != 0:
            msg = check.stdout.decode(errors="replace")[-1000:]
            if os.geteuid() != 0:
                print("SKIPPED: nginx cannot run here without root: %s" % msg)
                return SKIP
            raise SetupError("nginx -t failed: %s" % msg)
        proc = procs.start("nginx", [nginx, "-p", prefix, "-c", conf, "-e", error,
                                     "-g", "daemon off;"])
        wait_port(http_port, proc, "nginx", procs)
        cconf = os.path.join(tmp, "culprit.toml")
        with open(cconf, "w") as f:
            f.write(culprit_conf(tmp, grpc_port, http_port, access))
        check = subprocess.run([args.culpritd, "--check-config", cconf], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=30)
        if check.returncode != 0:
            raise SetupError("culpritd --check-config: %s" % check.stdout.decode(errors="replace"))
        daemon = procs.start("culpritd", [args.culpritd, "--config", cconf])
        wait_port(grpc_port, daemon, "culpritd", procs)
        target = "127.0.0.1:%d" % grpc_port
        cli = Cli(args.culprit, target)
        if not cli.ready():
            raise SetupError("culpritd did not report its source: %s" % procs.output("culpritd"))
        common = ["--server", "127.0.0.1:%d" % http_port, "--daemon", target,
                  "--idle", str(IDLE_S)]
        failures["c++"] = run_example("c++", [args.cpp_example] + common, ENV, cli, access, procs)
        py_env = dict(ENV)
        stubs_ok = args.python_stubs and os.path.exists(
            os.path.join(args.python_stubs, "culprit", "v1", "culprit_pb2_grpc.py"))
        if not stubs_ok:
            skipped.append("python: no generated stubs (grpc_python_plugin missing at build time)")
        elif subprocess.run(["/usr/bin/python3", "-c", "import grpc, google.protobuf"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            skipped.append("python: python3-grpcio / python3-protobuf not installed")
        else:
            py_env["PYTHONPATH"] = args.python_stubs
            py_env["PYTHONDONTWRITEBYTECODE"] = "1"
            failures["python"] = run_example(
                "python", ["/usr/bin/python3", args.python_example] + common, py_env, cli, access,
                procs)
        if daemon.poll() is not None:
            failures.setdefault("culpritd", []).append(
                "exited with %s: %s" % (daemon.returncode, procs.output("culpritd")))
    except (SetupError, OSError, subprocess.SubprocessError) as exc:
        print("examples: SETUP FAILED: %s" % exc)
        return 1
    finally:
        procs.stop()
        if args.keep:
            print("examples: kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    for name, problems in failures.items():
        print("examples: %-8s %s" % (name, "PASS" if not problems else "FAIL"))
        for p in problems:
            print("   " + p)
    for s in skipped:
        print("examples: SKIPPED %s" % s)
    return 1 if any(failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
