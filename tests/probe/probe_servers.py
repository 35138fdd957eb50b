#!/usr/bin/python3
"""Real-server test of `culprit probe` (issue 9 item 1).

  probe_servers.py --culprit PATH [--culpritd PATH] [--keep] [--print-sample]

Starts real Debian nginx (a TLS port, a plain port, a TLS-1.3-only port, a
plain port with keepalive_timeout 3s, a TLS port with keepalive_timeout 4s),
HAProxy (a TLS frontend pinned to TLSv1.2, `timeout http-keep-alive 2s`) and
stunnel (sslVersion TLSv1.2, in front of the plain nginx) on free 127.0.0.1
ports, with certificates made by openssl at test time, runs
`culprit probe ... --json` against each and checks what it reports. With
--culpritd, also runs `--report` against a real culpritd tailing nginx's logs.

Exit codes: 0 passed, 1 a check failed, 77 cannot run here (not root, a
server missing): ctest reports that as skipped.
"""

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import servers as S  # noqa: E402

SKIP = 77
PORTS = ["ngx_tls", "ngx_plain", "ngx_tls13", "ngx_ka", "ngx_tls_ka", "ha_tls", "st_tls",
         "closed", "grpc"]


def nginx_conf(prefix, p, tls, logs):
    temp = "".join("  %s_temp_path %s/%s;\n" % (t, prefix, t)
                   for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    ok = 'location / { return 200 "ok\\n"; }'
    return """user root;
worker_processes 1;
pid %(prefix)s/nginx.pid;
error_log %(err)s info;
events { worker_connections 256; }
http {
%(temp)s  log_format ext '%(fmt)s';
  access_log %(acc)s ext;
  keepalive_timeout 30s;
  ssl_certificate %(crt)s;
  ssl_certificate_key %(key)s;
  server { listen 127.0.0.1:%(ngx_plain)d; %(ok)s }
  server { listen 127.0.0.1:%(ngx_ka)d; keepalive_timeout 3s; %(ok)s }
  server { listen 127.0.0.1:%(ngx_tls)d ssl; ssl_protocols TLSv1.2 TLSv1.3; %(ok)s }
  server { listen 127.0.0.1:%(ngx_tls13)d ssl; ssl_protocols TLSv1.3; %(ok)s }
  server { listen 127.0.0.1:%(ngx_tls_ka)d ssl; ssl_protocols TLSv1.2 TLSv1.3;
           keepalive_timeout 4s; %(ok)s }
}
""" % dict(p, prefix=prefix, err=logs["nginx_error"], acc=logs["nginx_access"], temp=temp,
           crt=tls["server.pem"], key=tls["server.key"], ok=ok, fmt=S.NGINX_EXT_FORMAT)


def haproxy_conf(d, p, tls):
    return """global
  pidfile %(d)s/haproxy.pid
  hard-stop-after 1s
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 5s
  timeout http-request 5s
  timeout http-keep-alive 2s
frontend fe_tls
  bind 127.0.0.1:%(ha_tls)d ssl crt %(crt)s ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2
  http-request return status 200 content-type text/plain string ok
""" % dict(p, d=d, crt=tls["server-full.pem"])


def stunnel_conf(p, tls, log):
    return """foreground = yes
pid =
output = %(log)s
debug = info
syslog = no

[probe_tls]
accept = 127.0.0.1:%(st_tls)d
connect = 127.0.0.1:%(ngx_plain)d
cert = %(crt)s
key = %(key)s
sslVersion = TLSv1.2
""" % dict(p, log=log, crt=tls["server.pem"], key=tls["server.key"])


class Failures:
    def __init__(self):
        self.items = []

    def check(self, cond, what, detail=""):
        print("  %s  %s" % ("ok  " if cond else "FAIL", what))
        if not cond:
            self.items.append("%s %s" % (what, detail))


def probe(culprit, port, *extra, daemon=None, timeout=180):
    cmd = [culprit]
    if daemon:
        cmd += ["--daemon", daemon]
    cmd += ["probe", "127.0.0.1:%d" % port, "--timeout", "3s"] + list(extra)
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout)
    took = time.monotonic() - start
    print("$ %s   (%.1f s, rc %d)" % (" ".join(cmd[1:]), took, proc.returncode))
    if proc.returncode != 0:
        raise AssertionError("probe failed: %s" % proc.stderr)
    if "--json" not in extra:
        return proc.stdout
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("probe printed no JSON: %r %s" % (proc.stdout[:500], proc.stderr))


def checks(res, name):
    return [c for c in res["checks"] if c["name"] == name]


def versions(res):
    return {c["label"]: c["passed"] for c in checks(res, "tls_version")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--culprit", required=True)
    ap.add_argument("--culpritd")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--print-sample", action="store_true",
                    help="print the table output for the README")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIPPED: needs root (nginx as root, like tests/e2e)")
        return SKIP
    stunnel = shutil.which("stunnel4") or shutil.which("stunnel")
    for tool in ("nginx", "haproxy", "openssl"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            print("SKIPPED: %s is not installed" % tool)
            return SKIP
    if not stunnel:
        print("SKIPPED: stunnel4 is not installed")
        return SKIP
    culprit = os.path.abspath(args.culprit)
    tmp = tempfile.mkdtemp(prefix="culprit-probe-")
    procs = S.Processes(tmp)
    atexit.register(procs.stop_all)
    f = Failures()
    try:
        p = dict(zip(PORTS, S.free_ports(len(PORTS))))
        tls = S.make_tls(tmp)
        logs = {k: os.path.join(tmp, k + ".log")
                for k in ("nginx_error", "nginx_access", "stunnel")}
        prefix = os.path.join(tmp, "nginx")
        os.makedirs(prefix)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as fh:
            fh.write(nginx_conf(prefix, p, tls, logs))
        S.run(["nginx", "-t", "-p", prefix, "-c", conf, "-e", logs["nginx_error"]])
        ngx = procs.start("nginx", ["nginx", "-p", prefix, "-c", conf, "-e", logs["nginx_error"],
                                    "-g", "daemon off;"])
        for k in ("ngx_tls", "ngx_plain", "ngx_tls13", "ngx_ka", "ngx_tls_ka"):
            S.wait_port("127.0.0.1", p[k], ngx, "nginx", procs)
        hconf = os.path.join(tmp, "haproxy.cfg")
        with open(hconf, "w") as fh:
            fh.write(haproxy_conf(tmp, p, tls))
        S.run(["haproxy", "-c", "-f", hconf])
        ha = procs.start("haproxy", ["haproxy", "-db", "-f", hconf])
        S.wait_port("127.0.0.1", p["ha_tls"], ha, "haproxy", procs)
        sconf = os.path.join(tmp, "stunnel.conf")
        with open(sconf, "w") as fh:
            fh.write(stunnel_conf(p, tls, logs["stunnel"]))
        st = procs.start("stunnel", [stunnel, sconf])
        S.wait_port("127.0.0.1", p["st_tls"], st, "stunnel", procs)
    except S.SetupError as e:
        print("SKIPPED: setup failed: %s" % e)
        return SKIP

    try:
        print("closed port")
        r = probe(culprit, p["closed"], "--json")
        f.check(r["speaks"] == "none", "closed port: speaks none", r["speaks"])
        c = checks(r, "tcp_connect")[0]
        f.check(c["outcome"] == "refused" and c["error"] == "ECONNREFUSED",
                "closed port: connect refused (ECONNREFUSED)", c)

        print("nginx TLS port (TLSv1.2 TLSv1.3)")
        r = probe(culprit, p["ngx_tls"], "--json", "--no-keepalive", "--sni", "e2e.local")
        f.check(r["speaks"] == "tls", "nginx tls: speaks tls", r["speaks_detail"])
        plain = checks(r, "plain_http")[0]
        f.check(plain.get("http_status") == 400 and "HTTPS port" in plain["detail"],
                "nginx tls: plain HTTP gets 400 'plain HTTP request was sent to HTTPS port'",
                plain)
        v = versions(r)
        f.check(v == {"TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": True},
                "nginx tls: accepts TLSv1.2, TLSv1.3 only", v)
        hello = checks(r, "tls")[0]
        f.check(hello["tls"]["subject"] == "CN=e2e.local", "nginx tls: certificate subject",
                hello.get("tls"))
        http = checks(r, "http")[0]
        f.check(http.get("http_status") == 200, "nginx tls: HTTPS GET / is 200", http)
        rejected = [c for c in checks(r, "tls_version") if not c["passed"]]
        f.check(all(c["phase"] == "tls_handshake" and c["error"].startswith("SSL: ")
                    for c in rejected), "nginx tls: rejections carry the OpenSSL reason",
                [c["error"] for c in rejected])

        print("nginx plain port")
        r = probe(culprit, p["ngx_plain"], "--json", "--max-idle", "1500ms")
        f.check(r["speaks"] == "http", "nginx plain: speaks http", r["speaks_detail"])
        hello = checks(r, "tls")[0]
        f.check(not hello["passed"] and "wrong version number" in hello["error"],
                "nginx plain: ClientHello gets 'wrong version number'", hello)
        f.check(not checks(r, "tls_version"), "nginx plain: no TLS version matrix")
        f.check(r["keepalive"]["kept_open"], "nginx plain (keepalive 30s): kept open >= --max-idle",
                r["keepalive"])

        print("nginx TLS-1.3-only port")
        r = probe(culprit, p["ngx_tls13"], "--json", "--no-keepalive")
        v = versions(r)
        f.check(v == {"TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": False, "TLSv1.3": True},
                "nginx tls13: rejects 1.0-1.2, accepts 1.3", v)
        suites = {c["label"]: c["passed"] for c in checks(r, "cipher")}
        f.check(suites.get("TLS_AES_256_GCM_SHA384") is True and
                not any(k.startswith("ECDHE") for k in suites),
                "nginx tls13: 1.3 suites tried, no <=1.2 families", suites)

        print("nginx plain port, keepalive_timeout 3s")
        r = probe(culprit, p["ngx_ka"], "--json", "--max-idle", "20s")
        ka = r["keepalive"]
        f.check(ka["idle_close_s"] is not None and 2.0 <= ka["idle_close_s"] <= 4.0,
                "nginx keepalive_timeout 3s: found %s s" % ka["idle_close_s"], ka)
        f.check(ka["how"] == "fin", "nginx keepalive: closed with FIN", ka)
        reuse = checks(r, "idle_reuse")
        f.check(bool(reuse) and not reuse[0]["passed"] and reuse[0]["phase"] == "idle_reuse" and
                reuse[0]["error"] in ("EOF", "ECONNRESET", "EPIPE"),
                "nginx keepalive: reuse after the close fails (EOF/ECONNRESET)", reuse)

        print("nginx TLS port, keepalive_timeout 4s")
        r = probe(culprit, p["ngx_tls_ka"], "--json", "--max-idle", "20s")
        ka = r["keepalive"]
        f.check(ka["idle_close_s"] is not None and 3.0 <= ka["idle_close_s"] <= 5.0,
                "nginx TLS keepalive_timeout 4s: found %s s" % ka["idle_close_s"], ka)

        print("HAProxy TLS frontend (TLSv1.2 only, http-keep-alive 2s)")
        r = probe(culprit, p["ha_tls"], "--json", "--max-idle", "20s")
        f.check(r["speaks"] == "tls", "haproxy: speaks tls", r["speaks_detail"])
        v = versions(r)
        f.check(v == {"TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": False},
                "haproxy: accepts TLSv1.2 only", v)
        ka = r["keepalive"]
        f.check(ka["idle_close_s"] is not None and 1.0 <= ka["idle_close_s"] <= 3.0,
                "haproxy timeout http-keep-alive 2s: found %s s" % ka["idle_close_s"], ka)

        print("stunnel (sslVersion TLSv1.2) in front of nginx")
        r = probe(culprit, p["st_tls"], "--json", "--no-keepalive")
        f.check(r["speaks"] == "tls", "stunnel: speaks tls", r["speaks_detail"])
        v = versions(r)
        f.check(v == {"TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": False},
                "stunnel: accepts TLSv1.2 only", v)
        http = checks(r, "http")[0]
        f.check(http.get("http_status") == 200, "stunnel: HTTPS GET / through it is 200", http)

        if args.print_sample:
            print(probe(culprit, p["ngx_tls_ka"], "--sni", "e2e.local", "--max-idle", "20s"))
            print(probe(culprit, p["ngx_plain"], "--no-keepalive"))

        if args.culpritd:
            report_test(args, culprit, p, logs, tmp, procs, f)
    except (AssertionError, subprocess.TimeoutExpired, KeyError, IndexError) as e:
        f.items.append("error: %r" % (e,))
        print("FAIL  %r" % (e,))
    finally:
        if not args.keep:
            procs.stop_all()
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept", tmp)
    if f.items:
        print("\n%d failure(s):\n  %s" % (len(f.items), "\n  ".join(f.items)))
        return 1
    print("\nall probe checks passed")
    return 0


def report_test(args, culprit, p, logs, tmp, procs, f):
    """--report against a real culpritd tailing nginx's logs."""
    print("--report against culpritd")
    ports = ", ".join(str(p[k]) for k in ("ngx_tls", "ngx_plain", "ngx_tls13", "ngx_ka",
                                          "ngx_tls_ka"))
    conf = os.path.join(tmp, "culprit.toml")
    with open(conf, "w") as fh:
        fh.write('[daemon]\nlisten = "127.0.0.1:%d"\ndatabase = "%s"\n\n'
                 '[[source]]\nname = "nginx-access"\npath = "%s"\nformat = "nginx"\n'
                 'ports = [%s]\nlog_format = \'%s\'\n\n'
                 '[[source]]\nname = "nginx-error"\npath = "%s"\nformat = "nginx_error"\n'
                 'ports = [%s]\n'
                 % (p["grpc"], os.path.join(tmp, "culprit.db"), logs["nginx_access"], ports,
                    S.NGINX_EXT_FORMAT, logs["nginx_error"], ports))
    S.run([os.path.abspath(args.culpritd), "--check-config", conf])
    d = procs.start("culpritd", [os.path.abspath(args.culpritd), "--config", conf])
    S.wait_port("127.0.0.1", p["grpc"], d, "culpritd", procs)
    daemon = "127.0.0.1:%d" % p["grpc"]
    r = probe(culprit, p["ngx_tls13"], "--json", "--no-keepalive", "--report", daemon=daemon)
    rejected = [c for c in checks(r, "tls_version") if not c["passed"]]
    f.check(rejected and all("diagnosis" in c and not c["diagnosis"].get("error")
                             for c in rejected),
            "report: every rejected TLS version was submitted and diagnosed",
            [c.get("diagnosis") for c in rejected])
    causes = sorted({c["diagnosis"].get("cause", "") for c in rejected if "diagnosis" in c})
    print("  causes for the rejected versions: %s" % causes)
    f.check("TLS_HANDSHAKE_FAILED" in causes,
            "report: the daemon names TLS_HANDSHAKE_FAILED for a rejected version", causes)
    if args.print_sample:
        print(probe(culprit, p["ngx_tls13"], "--no-keepalive", "--report", daemon=daemon))


if __name__ == "__main__":
    sys.exit(main())
