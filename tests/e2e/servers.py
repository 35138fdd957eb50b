"""Real servers for the e2e test: TLS material, configs, processes, cleanup.

Everything lives under one temporary directory. Every process is started in
its own process group and killed (TERM, then KILL) by Processes.stop_all(),
which the driver calls from a finally block and from atexit. All servers run
with TZ=UTC and listen on 127.0.0.1 ports picked free at start.
"""

import os
import signal
import socket
import subprocess
import threading
import time

# The lab-dev corpus's nginx log_format "ext" (manifest.json), verbatim.
NGINX_EXT_FORMAT = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" rport=$remote_port conn=$connection '
    'creq=$connection_requests rt=$request_time msec=$msec tls=$ssl_protocol '
    'cipher=$ssl_cipher saddr=$server_addr sport=$server_port ups=$upstream_addr '
    'ustatus=$upstream_status urt=$upstream_response_time rid=$request_id')

SERVER_ENV = dict(os.environ, TZ="UTC", LC_ALL="C")


class SetupError(Exception):
    """A server or tool the test needs could not be set up."""


def free_ports(n):
    """Returns n distinct free TCP ports on 127.0.0.1 (bind to port 0)."""
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


def run(cmd, check=True, timeout=30, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout, env=kw.pop("env", SERVER_ENV), **kw)
    if check and proc.returncode != 0:
        raise SetupError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode,
                                                 proc.stdout.decode(errors="replace")[-2000:]))
    return proc


def make_tls(d):
    """CA, server and client certs, and a client cert from an untrusted CA."""
    def ossl(*args):
        run(["openssl"] + list(args), cwd=d)

    def ca(name, cn):
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-keyout", name + ".key", "-out", name + ".pem", "-subj", "/CN=" + cn)

    def leaf(name, cn, ca_name, ext):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(ext)
        ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key",
             "-out", name + ".csr", "-subj", "/CN=" + cn)
        ossl("x509", "-req", "-in", name + ".csr", "-CA", ca_name + ".pem", "-CAkey",
             ca_name + ".key", "-CAcreateserial", "-days", "2", "-out", name + ".pem",
             "-extfile", name + ".ext")

    ca("ca", "culprit-e2e-ca")
    ca("rogue-ca", "culprit-e2e-rogue-ca")
    leaf("server", "e2e.local", "ca",
         "subjectAltName=DNS:e2e.local,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    leaf("client", "e2e-client", "ca", "extendedKeyUsage=clientAuth\n")
    leaf("rogue", "e2e-client-rogue", "rogue-ca", "extendedKeyUsage=clientAuth\n")
    with open(os.path.join(d, "server-full.pem"), "w") as out:
        for part in ("server.pem", "server.key"):
            with open(os.path.join(d, part)) as f:
                out.write(f.read())
    return {k: os.path.join(d, k) for k in (
        "ca.pem", "server.pem", "server.key", "server-full.pem", "client.pem",
        "client.key", "rogue.pem", "rogue.key")}


def nginx_main_conf(prefix, p, tls, logs):
    temp = "".join("  %s_temp_path %s/%s;\n" % (t, prefix, t)
                   for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    proxy = ("proxy_pass http://app; proxy_set_header X-Forwarded-For $remote_addr;"
             " proxy_set_header X-Forwarded-Port $remote_port;"
             " proxy_set_header X-Request-ID $request_id;")
    locations = """
    location = /blocked { return 444; }
    location /upload { client_max_body_size 16k; lingering_close off; %(proxy)s }
    location /limited { limit_req zone=perip_req nodelay; limit_req_status 444; %(proxy)s }
    location /download { limit_conn perip_conn 1; limit_conn_status 444;
                         proxy_read_timeout 10s; %(proxy)s }
    location /slowlong { proxy_read_timeout 15s; %(proxy)s }
    location / { %(proxy)s }
""" % {"proxy": proxy}
    return """user root;
worker_processes 1;
pid %(prefix)s/nginx.pid;
error_log %(err)s info;
worker_shutdown_timeout 1s;
events { worker_connections 512; }
http {
%(temp)s  log_format ext '%(fmt)s';
  access_log %(acc)s ext;
  keepalive_timeout 2s;
  client_header_timeout 2s;
  client_body_timeout 2s;
  send_timeout 5s;
  client_max_body_size 64k;
  proxy_connect_timeout 1s;
  proxy_read_timeout 1500ms;
  limit_req_zone $binary_remote_addr zone=perip_req:1m rate=1r/s;
  limit_conn_zone $binary_remote_addr zone=perip_conn:1m;
  upstream app { server 127.0.0.1:%(app)d; }
  ssl_certificate %(crt)s;
  ssl_certificate_key %(key)s;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
  server { listen 127.0.0.1:%(plain)d; server_name e2e-plain; %(loc)s }
  server { listen 127.0.0.1:%(tls)d ssl; server_name e2e-tls; %(loc)s }
  server { listen 127.0.0.1:%(mtls)d ssl; server_name e2e-mtls;
           ssl_client_certificate %(ca)s; ssl_verify_client on; %(loc)s }
}
""" % {"prefix": prefix, "err": logs["nginx_error"], "acc": logs["nginx_access"],
       "temp": temp, "fmt": NGINX_EXT_FORMAT, "app": p["app"], "crt": tls["server.pem"],
       "key": tls["server.key"], "plain": p["ngx_plain"], "tls": p["ngx_tls"],
       "mtls": p["ngx_mtls"], "ca": tls["ca.pem"], "loc": locations}


def nginx_small_conf(prefix, p, logs):
    """A second nginx whose worker_connections are easy to exhaust."""
    temp = "".join("  %s_temp_path %s/%s;\n" % (t, prefix, t)
                   for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return """user root;
worker_processes 1;
pid %(prefix)s/nginx.pid;
error_log %(err)s info;
events { worker_connections 6; }
http {
%(temp)s  log_format ext '%(fmt)s';
  access_log %(acc)s ext;
  keepalive_timeout 2s;
  client_header_timeout 10s;
  server { listen 127.0.0.1:%(small)d; server_name e2e-small;
           location / { proxy_pass http://127.0.0.1:%(app)d; } }
}
""" % {"prefix": prefix, "err": logs["nginx_error"], "acc": logs["nginx_access"],
       "temp": temp, "fmt": NGINX_EXT_FORMAT, "app": p["app"], "small": p["ngx_small"]}


def haproxy_conf(d, p, tls):
    return """global
  log 127.0.0.1:%(syslog)d local0 info
  pidfile %(d)s/haproxy.pid
  hard-stop-after 1s
  maxconn 2000
defaults
  mode http
  log global
  option httplog
  timeout connect 1s
  timeout client 10s
  timeout server 1500ms
  timeout http-request 2s
  timeout http-keep-alive 2s
frontend fe_http
  bind 127.0.0.1:%(ha_http)d
  http-request deny if { path_beg /admin }
  default_backend be_app
frontend fe_api
  bind 127.0.0.1:%(ha_api)d
  stick-table type ip size 10k expire 30s store conn_rate(10s)
  tcp-request inspect-delay 1s
  tcp-request connection track-sc0 src
  tcp-request content reject if { sc0_conn_rate gt 4 }
  default_backend be_app
frontend fe_tls
  bind 127.0.0.1:%(ha_tls)d ssl crt %(crt)s ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384
  default_backend be_app
frontend fe_mtls
  bind 127.0.0.1:%(ha_mtls)d ssl crt %(crt)s ca-file %(ca)s verify required
  default_backend be_app
backend be_app
  server app1 127.0.0.1:%(app)d
""" % dict(p, d=d, crt=tls["server-full.pem"], ca=tls["ca.pem"])


def stunnel_conf(d, p, tls, logs):
    return """foreground = yes
pid =
output = %(log)s
debug = info
syslog = no

[web_tls]
accept = 127.0.0.1:%(st_tls)d
connect = 127.0.0.1:%(app)d
cert = %(crt)s
key = %(key)s
sslVersionMin = TLSv1.2
TIMEOUTidle = 2

[web_mtls]
accept = 127.0.0.1:%(st_mtls)d
connect = 127.0.0.1:%(app)d
cert = %(crt)s
key = %(key)s
CAfile = %(ca)s
verifyChain = yes
requireCert = yes
""" % dict(p, log=logs["stunnel"], crt=tls["server.pem"], key=tls["server.key"],
           ca=tls["ca.pem"])


def ulogd_conf(d, logs, group):
    return """[global]
logfile="%(d)s/ulogd.self.log"
loglevel=3
stack=log1:NFLOG,base1:BASE,ifi1:IFINDEX,ip2str1:IP2STR,print1:PRINTPKT,emu1:LOGEMU

[log1]
group=%(group)d

[emu1]
file="%(fw)s"
sync=1
""" % {"d": d, "fw": logs["firewall"], "group": group}


class SyslogReceiver(threading.Thread):
    """UDP syslog (RFC 3164) receiver writing lines the way rsyslog does:
    'MMM dd HH:MM:SS e2e-host haproxy[pid]: message'."""

    def __init__(self, port, path):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.out = open(path, "ab", buffering=0)
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if data.startswith(b"<") and b">" in data[:6]:
                data = data[data.index(b">") + 1:]
            data = data.rstrip(b"\r\n\x00")
            # RFC 3164 header: "Mmm dd HH:MM:SS " then "tag[pid]: msg"; insert the host.
            if len(data) > 16 and data[15:16] == b" ":
                data = data[:16] + b"e2e-host " + data[16:]
            self.out.write(data + b"\n")

    def stop(self):
        self.stopping.set()
        self.join(timeout=2)
        self.sock.close()
        self.out.close()


class Processes:
    """Owns every child process; stop_all() kills each process group."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.procs = []  # (name, Popen)
        self.cleanups = []  # callables run in reverse order after the processes

    def start(self, name, cmd, cwd=None):
        out = open(os.path.join(self.workdir, name + ".out"), "ab")
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=cwd or self.workdir, env=SERVER_ENV, start_new_session=True)
        out.close()
        self.procs.append((name, proc))
        return proc

    def output(self, name, limit=3000):
        try:
            with open(os.path.join(self.workdir, name + ".out"), "rb") as f:
                return f.read()[-limit:].decode(errors="replace")
        except OSError:
            return ""

    def check_alive(self, name, proc):
        if proc.poll() is not None:
            raise SetupError("%s exited with %s: %s" % (name, proc.returncode, self.output(name)))

    def stop_all(self):
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    pass
        deadline = time.monotonic() + 5
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # stragglers (nginx workers, old haproxy)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self.procs = []
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception:  # cleanup must go on
                pass
        self.cleanups = []


def wait_port(host, port, proc, name, procs, timeout=10.0, netns=None, src=""):
    """Polls until host:port accepts a connection (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs.check_alive(name, proc)
        if netns:
            rc = subprocess.run(["ip", "netns", "exec", netns, "python3", "-c",
                                 "import socket;socket.create_connection((%r,%d),0.5,(%r,0)).close()"
                                 % (host, port, src)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=5).returncode
            if rc == 0:
                return
        else:
            try:
                socket.create_connection((host, port), timeout=0.5).close()
                return
            except OSError:
                pass
        time.sleep(0.05)
    raise SetupError("%s did not listen on %s:%d within %.0fs: %s"
                     % (name, host, port, timeout, procs.output(name)))


def wait_file_contains(path, needle, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path, "rb") as f:
                if needle in f.read():
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False
