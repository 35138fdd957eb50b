"""The e2e scenarios: how each cause is provoked for real, what cause culprit
must answer, and which server line is the evidence for that connection.

Each Scenario has:
  name      short id (tests/e2e/README.md: run one with --only NAME)
  expected  a cause category of RESET_SIGNATURES.md (or NONE_ON_SERVER)
  source    the culpritd source name whose line is the evidence
  line      a regex for that line; {ip}, {port} are the client's own address
            and port, {sid} the stunnel connection id of that connection,
            {sport} the server port. None: nothing to find (NONE_ON_SERVER).
  run       fn(ctx, ip) -> clients.Outcome (what the client saw)
  needs     "netns" when the scenario needs a network namespace
  addressless  the server's line carries no client address (worker_connections):
            the evidence is matched by text only.
  hostwide  the scenario causes a host-wide event (a reload, exhaustion): the
            driver keeps such scenarios HOSTWIDE_GAP_S apart.
"""

import socket
import ssl
import threading
import time

import clients as C

P = "127.0.0.1"
# Host-wide events without a client address can only be told apart by time;
# two of them closer than the clock uncertainty (5 s each way) are ambiguous.
HOSTWIDE_GAP_S = 12.0


class Scenario:
    def __init__(self, name, expected, source, line, run, needs=None, addressless=False,
                 hostwide=False):
        self.name, self.expected, self.source, self.line = name, expected, source, line
        self.run, self.needs, self.addressless = run, needs, addressless
        self.hostwide = hostwide


def _plain(ctx, ip, port, payload):
    s = C.connect(ip, P, port)
    try:
        return C.http_outcome(ip, s, "%s:%d" % (P, port), payload)
    finally:
        s.close()


def _tls(ctx, ip, port, **kw):
    path = kw.pop("path", "/api/profile")
    return C.tls_exchange(ip, P, port, C.tls_context(**kw), C.request(path))


OLD = dict(min_version=ssl.TLSVersion.TLSv1, max_version=ssl.TLSVersion.TLSv1_1, seclevel0=True)


def _idle_reuse(ctx, ip, port, wait_s, tls_ctx=None):
    """One request on a keep-alive connection, idle past the server's timeout, reuse."""
    raw = C.connect(ip, P, port)
    sock = tls_ctx.wrap_socket(raw, server_hostname="e2e.local") if tls_ctx else raw
    try:
        sock.sendall(C.request("/api/session", keepalive=True))
        _, status, complete, err, _ = C.read_response(sock, want_close=False)
        if not complete:
            return C.Outcome(ip, raw.getsockname()[1], "%s:%d" % (P, port), err, "reading_response",
                             status, time.time(), "first request failed: %s" % err)
        time.sleep(wait_s)  # provoking the idle timeout
        out = C.http_outcome(ip, sock, "%s:%d" % (P, port), C.request("/api/session"))
        out.phase = "idle_reuse"
        return out
    finally:
        raw.close()


def _slow_headers(ctx, ip, port):
    s = C.connect(ip, P, port)
    try:
        s.sendall(b"GET /api/report HTTP/1.1\r\nHost: e2e.local\r\nUser-Agent: slow-client\r\n")
        data, status, _, err, t = C.read_response(s)  # the server gives up first
        return C.Outcome(ip, s.getsockname()[1], "%s:%d" % (P, port), err, "request_sent",
                         status, t)
    finally:
        s.close()


def _stunnel_idle(ctx, ip, port):
    raw = C.connect(ip, P, port)
    try:
        tls = C.tls_context().wrap_socket(raw, server_hostname="e2e.local")
        time.sleep(3.0)  # past TIMEOUTidle = 2
        out = C.http_outcome(ip, tls, "%s:%d" % (P, port), C.request("/api/session"))
        out.phase = "idle_reuse"
        return out
    finally:
        raw.close()


def _upload_too_large(ctx, ip, port):
    s = C.connect(ip, P, port)
    cport = s.getsockname()[1]
    try:
        s.sendall(C.request("/upload", method="POST",
                            extra="Content-Type: application/octet-stream\r\n"
                                  "Content-Length: 3145728\r\n"))
        chunk = b"u" * 65536
        for _ in range(48):  # 3 MiB, bounded
            try:
                s.sendall(chunk)
            except OSError as exc:
                data, status, _, _, _ = C.read_response(s)
                return C.Outcome(ip, cport, "%s:%d" % (P, port), C._errname(exc),
                                 "request_sent", status, time.time())
        data, status, _, err, t = C.read_response(s)
        return C.Outcome(ip, cport, "%s:%d" % (P, port), err, "reading_response", status, t)
    finally:
        s.close()


def _rate_req(ctx, ip, port):
    first = _plain(ctx, ip, port, C.request("/limited/quote"))
    if first.http_status != 200:
        first.note = "first request was not 200"
        return first
    return _plain(ctx, ip, port, C.request("/limited/quote"))


def _rate_conn(ctx, ip, port):
    holder = C.connect(ip, P, port)
    try:
        holder.sendall(C.request("/download/big.iso?ms=3000"))
        if not C.wait_readable(holder, 3.0):  # the download has started: the slot is taken
            return C.Outcome(ip, 0, "%s:%d" % (P, port), None, None, None, None, "no download")
        return _plain(ctx, ip, port, C.request("/download/small.iso"))
    finally:
        holder.close()


def _haproxy_reject(ctx, ip, port):
    out = None
    for _ in range(10):  # conn_rate > 4 rejects from the 5th or 6th on
        out = _plain(ctx, ip, port, C.request("/api/items/1"))
        if out.http_status is None:
            return out
    out.note = "never rejected"
    return out


def _reload_inflight(ctx, ip, port):
    s = C.connect(ip, P, port)
    try:
        s.sendall(C.request("/slowlong/report?ms=5000"))
        if not ctx.wait_app_log('"forwarded_for":"%s"' % ip, "report started", 5.0):
            return C.Outcome(ip, s.getsockname()[1], "%s:%d" % (P, port), None, None, None, None,
                             "request never reached the backend")
        ctx.reload_nginx()
        data, status, _, err, t = C.read_response(s)
        return C.Outcome(ip, s.getsockname()[1], "%s:%d" % (P, port), err,
                         "awaiting_response" if not data else "reading_response", status, t)
    finally:
        s.close()


def _worker_connections(ctx, ip, port):
    stallers = []
    try:
        # worker_connections 6 = the listener + the master's channel + 4 clients.
        # The stalled clients have sent part of a request, so nginx cannot
        # reuse their connections: the next one is accepted and dropped.
        for k in range(4):
            s = C.connect(ctx.side_address(k), P, port)
            s.sendall(b"GET /api/items HTTP/1.1\r\nHost: e2e.local\r\n")
            stallers.append(s)
        if not ctx.wait_read_by_server(port, 4):
            return C.Outcome(ip, 0, "%s:%d" % (P, port), None, None, None, None,
                             "the stalled clients were not all read by nginx")
        return _plain(ctx, ip, port, C.request("/api/items/7"))
    finally:
        for s in stallers:
            s.close()


def _relay_reset(ctx, ip, port):
    # The client believes it talks to nginx (a transparent middlebox).
    s = C.connect(ip, P, ctx.p["relay"], reuse=True)
    try:
        return C.http_outcome(ip, s, "%s:%d" % (P, ctx.p["ngx_plain"]), C.request("/api/items/0"))
    finally:
        s.close()


def _fw(ctx, ip, port, send=None):
    return ctx.netns_client(ip, port, send)


def all_scenarios(ctx):
    """In run order. The two host-wide causes (worker_connections exhausted,
    the reload) are far apart in the list, so the driver seldom has to wait
    to keep them HOSTWIDE_GAP_S apart."""
    p = ctx.p
    http_tls_nginx = r"client sent plain HTTP request to HTTPS port.*client: {ip},"
    S = Scenario
    return [
        S("pm_http_to_nginx_tls", "PROTOCOL_MISMATCH", "nginx-error", http_tls_nginx,
          lambda c, ip: _plain(c, ip, p["ngx_tls"], C.request("/api/items/0"))),
        S("pm_http_to_haproxy_tls", "PROTOCOL_MISMATCH", "haproxy",
          r"{ip}:{port} .*fe_tls/\d+: SSL handshake failure",
          lambda c, ip: _plain(c, ip, p["ha_tls"], C.request("/api/items/0"))),
        S("pm_http_to_stunnel", "PROTOCOL_MISMATCH", "stunnel",
          r"LOG\d\[{sid}\]: SSL_accept: .*http request",
          lambda c, ip: _plain(c, ip, p["st_tls"], C.request("/api/items/0"))),
        S("pm_tls_to_nginx_plain", "PROTOCOL_MISMATCH", "nginx-access",
          r'^{ip} .*"\\x16\\x03.*" 400 .*rport={port} ',
          lambda c, ip: _tls(c, ip, p["ngx_plain"])),
        S("pm_tls_to_haproxy_plain", "PROTOCOL_MISMATCH", "haproxy",
          r"{ip}:{port} .* 400 .*<BADREQ>", lambda c, ip: _tls(c, ip, p["ha_http"])),
        S("tls_old_nginx", "TLS_HANDSHAKE_FAILED", "nginx-error",
          r"SSL_do_handshake\(\) failed .*unsupported protocol.*client: {ip},",
          lambda c, ip: _tls(c, ip, p["ngx_tls"], **OLD)),
        S("tls_nocipher_nginx", "TLS_HANDSHAKE_FAILED", "nginx-error",
          r"SSL_do_handshake\(\) failed .*no shared cipher.*client: {ip},",
          lambda c, ip: _tls(c, ip, p["ngx_tls"], max_version=ssl.TLSVersion.TLSv1_2,
                             ciphers="AES128-SHA:AES256-SHA")),
        S("tls_old_haproxy", "TLS_HANDSHAKE_FAILED", "haproxy",
          r"{ip}:{port} .*fe_tls/\d+: SSL handshake failure",
          lambda c, ip: _tls(c, ip, p["ha_tls"], **OLD)),
        S("tls_new_haproxy", "TLS_HANDSHAKE_FAILED", "haproxy",
          r"{ip}:{port} .*fe_tls/\d+: SSL handshake failure",
          lambda c, ip: _tls(c, ip, p["ha_tls"], min_version=ssl.TLSVersion.TLSv1_3)),
        S("tls_old_stunnel", "TLS_HANDSHAKE_FAILED", "stunnel",
          r"LOG\d\[{sid}\]: SSL_accept: .*unsupported protocol",
          lambda c, ip: _tls(c, ip, p["st_tls"], **OLD)),
        S("tls_nocert_nginx", "TLS_HANDSHAKE_FAILED", "nginx-error",
          r"client sent no required SSL certificate.*client: {ip},",
          lambda c, ip: _tls(c, ip, p["ngx_mtls"])),
        S("tls_badcert_nginx", "TLS_HANDSHAKE_FAILED", "nginx-error",
          r"client SSL certificate verify error.*client: {ip},",
          lambda c, ip: _tls(c, ip, p["ngx_mtls"], cert=c.tls["rogue.pem"], key=c.tls["rogue.key"])),
        S("tls_nocert_haproxy", "TLS_HANDSHAKE_FAILED", "haproxy",
          r"{ip}:{port} .*fe_mtls/\d+: SSL (handshake failure|client certificate)",
          lambda c, ip: _tls(c, ip, p["ha_mtls"], max_version=ssl.TLSVersion.TLSv1_2)),
        S("tls_badcert_haproxy", "TLS_HANDSHAKE_FAILED", "haproxy",
          r"{ip}:{port} .*fe_mtls/\d+: SSL (handshake failure|client certificate|client CA)",
          lambda c, ip: _tls(c, ip, p["ha_mtls"], cert=c.tls["rogue.pem"], key=c.tls["rogue.key"])),
        S("tls_nocert_stunnel", "TLS_HANDSHAKE_FAILED", "stunnel",
          r"LOG\d\[{sid}\]: SSL_accept: .*peer did not return a certificate",
          lambda c, ip: _tls(c, ip, p["st_mtls"], max_version=ssl.TLSVersion.TLSv1_2)),
        S("tls_badcert_stunnel", "TLS_HANDSHAKE_FAILED", "stunnel",
          r"LOG\d\[{sid}\]: .*(certificate verify failed|Rejected by CERT)",
          lambda c, ip: _tls(c, ip, p["st_mtls"], cert=c.tls["rogue.pem"], key=c.tls["rogue.key"])),
        S("res_nginx_wc", "RESOURCE_EXHAUSTION", "nginx-error",
          r"\[alert\] \d+#\d+: \d+ worker_connections are not enough$",
          lambda c, ip: _worker_connections(c, ip, p["ngx_small"]), addressless=True,
          hostwide=True),
        S("idle_nginx", "IDLE_TIMEOUT", "nginx-access", r'^{ip} .*" 200 .*rport={port} ',
          lambda c, ip: _idle_reuse(c, ip, p["ngx_plain"], 3.0)),
        S("idle_haproxy", "IDLE_TIMEOUT", "haproxy", r"{ip}:{port} .* 200 ",
          lambda c, ip: _idle_reuse(c, ip, p["ha_http"], 3.0)),
        S("idle_stunnel", "IDLE_TIMEOUT", "stunnel", r"LOG\d\[{sid}\]: .*TIMEOUTidle exceeded",
          lambda c, ip: _stunnel_idle(c, ip, p["st_tls"])),
        S("reqto_nginx_header", "REQUEST_TIMEOUT", "nginx-error",
          r"client timed out .* while reading client request headers.*client: {ip},",
          lambda c, ip: _slow_headers(c, ip, p["ngx_plain"])),
        S("reqto_haproxy", "REQUEST_TIMEOUT", "haproxy", r"{ip}:{port} .* 408 .*cR",
          lambda c, ip: _slow_headers(c, ip, p["ha_http"])),
        S("upfail_nginx_header", "UPSTREAM_FAILURE", "nginx-error",
          r"(recv\(\) failed \(104|upstream prematurely closed).*while reading response header "
          r"from upstream.*client: {ip},",
          lambda c, ip: _plain(c, ip, p["ngx_plain"], C.request("/crash/orders/1"))),
        S("upfail_nginx_body", "UPSTREAM_FAILURE", "nginx-error",
          r"(readv?\(\) failed \(104|upstream prematurely closed).*while reading upstream.*"
          r"client: {ip},",
          lambda c, ip: _plain(c, ip, p["ngx_plain"], C.request("/crash_mid/export.csv"))),
        S("upfail_haproxy_header", "UPSTREAM_FAILURE", "haproxy", r"{ip}:{port} .* 502 .* SH-- ",
          lambda c, ip: _plain(c, ip, p["ha_http"], C.request("/crash/orders/2"))),
        S("upto_nginx", "UPSTREAM_TIMEOUT", "nginx-error",
          r"upstream timed out .* while reading response header from upstream.*client: {ip},",
          lambda c, ip: _plain(c, ip, p["ngx_plain"], C.request("/hang/search?q=1"))),
        S("upto_haproxy", "UPSTREAM_TIMEOUT", "haproxy", r"{ip}:{port} .* 504 .* sH-- ",
          lambda c, ip: _plain(c, ip, p["ha_http"], C.request("/hang/search?q=2"))),
        S("app_crash", "APP_ERROR", "app",
          r'"level":"error".*"client_ip":"{ip}","client_port":{port},',
          lambda c, ip: _plain(c, ip, p["app"], C.request("/crash/checkout/1"))),
        S("rej_nginx_444", "REQUEST_REJECTED", "nginx-access",
          r'^{ip} .*"GET /blocked HTTP/1.1" 444 .*rport={port} ',
          lambda c, ip: _plain(c, ip, p["ngx_plain"], C.request("/blocked"))),
        S("rej_nginx_413", "REQUEST_REJECTED", "nginx-error",
          r"client intended to send too large body.*client: {ip},",
          lambda c, ip: _upload_too_large(c, ip, p["ngx_plain"])),
        S("rej_haproxy_deny", "REQUEST_REJECTED", "haproxy", r"{ip}:{port} .* 403 .*PR-- ",
          lambda c, ip: _plain(c, ip, p["ha_http"], C.request("/admin/users"))),
        S("rl_nginx_req", "RATE_LIMITED", "nginx-error",
          r'limiting requests, excess: .* by zone "perip_req", client: {ip},',
          lambda c, ip: _rate_req(c, ip, p["ngx_plain"])),
        S("rl_nginx_conn", "RATE_LIMITED", "nginx-error",
          r'limiting connections by zone "perip_conn", client: {ip},',
          lambda c, ip: _rate_conn(c, ip, p["ngx_plain"])),
        S("rl_haproxy", "RATE_LIMITED", "haproxy", r"{ip}:{port} .*fe_api fe_api/<NOSRV> .* PR-- ",
          lambda c, ip: _haproxy_reject(c, ip, p["ha_api"])),
        S("fw_syn_reset", "FIREWALL", "firewall",
          r"\[UFW BLOCK\] .*SRC={ip} DST=\S+ .*SPT={port} DPT={sport} .*SYN",
          lambda c, ip: _fw(c, ip, c.ns_port("ns_app")), needs="netns"),
        S("fw_ips_reset", "FIREWALL", "firewall", r"FW-IPS-RESET .*SRC={ip} .*SPT={port} ",
          lambda c, ip: _fw(c, ip, c.ns_port("ns_app"), "GET /export/ledger.csv HTTP/1.1\\r\\n"
                            "Host: e2e.local\\r\\nConnection: close\\r\\n\\r\\n"), needs="netns"),
        S("shut_nginx_inflight", "SERVER_SHUTDOWN", "nginx-access",
          r'^{ip} .*"GET /slowlong/report\?ms=5000 HTTP/1.1" 000 .*rport={port} ',
          lambda c, ip: _reload_inflight(c, ip, p["ngx_plain"]), hostwide=True),
        S("none_relay_rst", "NONE_ON_SERVER", "nginx-access", None,
          lambda c, ip: _relay_reset(c, ip, p["ngx_plain"])),
    ]


class Relay(threading.Thread):
    """A transparent middlebox of the test's own: it keeps the client's address
    and port toward nginx, takes the whole response, passes a third of it on,
    then resets the client. It writes no log."""

    def __init__(self, port, upstream_port):
        super().__init__(daemon=True)
        self.upstream_port = upstream_port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((P, port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                conn, addr = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn, addr), daemon=True).start()

    def _serve(self, conn, addr):
        up = socket.socket()
        try:
            conn.settimeout(C.IO_TIMEOUT)
            up.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            up.bind(addr)  # the client's own ip:port, as a transparent device would
            up.settimeout(C.IO_TIMEOUT)
            up.connect((P, self.upstream_port))
            req = b""
            while b"\r\n\r\n" not in req and len(req) < 65536:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                req += chunk
            up.sendall(req)
            data, _, _, _, _ = C.read_response(up, want_close=True)
            conn.sendall(data[: max(1, len(data) // 3)])
            C.reset_close(conn)
        except OSError:
            pass
        finally:
            up.close()
            conn.close()

    def stop(self):
        self.stopping.set()
        self.join(timeout=2)
        self.sock.close()
