"""Background traffic from other addresses, running all the while.

Ordinary successes and ordinary errors (404, 500, a client that gives up
(499), TLS 1.0 clients, clients without a certificate, denied paths), so the
right answer is never simply "the only error in the log". Addresses come from
a range no scenario uses; now and then a request reuses the address of a
scenario that has already finished (benign requests only), so matching on the
address alone is not enough either.
"""

import random
import ssl
import threading

import clients as C

P = "127.0.0.1"


class Noise:
    def __init__(self, ports, tls, octet, seed, threads=2):
        self.p = ports
        self.tls = tls
        self.octet = octet  # second octet of the noise addresses: 127.<octet>.x.y
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.finished_addresses = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(k,), daemon=True)
                        for k in range(threads)]
        self.ops = 0
        self.errors_seen = 0

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=C.IO_TIMEOUT + 2)

    def add_finished(self, ip):
        with self.lock:
            self.finished_addresses.append(ip)

    def _address(self, rng):
        with self.lock:
            if self.finished_addresses and rng.random() < 0.08:
                return rng.choice(self.finished_addresses), True
        return "127.%d.%d.%d" % (self.octet, rng.randint(0, 255), rng.randint(1, 254)), False

    def _loop(self, k):
        with self.lock:
            rng = random.Random(self.rng.random())
        p = self.p
        benign = [
            lambda ip: self._plain(ip, p["ngx_plain"], "/api/items/%d" % rng.randint(1, 99)),
            lambda ip: self._plain(ip, p["ha_http"], "/api/items/%d" % rng.randint(1, 99)),
            lambda ip: self._plain(ip, p["app"], "/api/health"),
            lambda ip: self._tls(ip, p["ngx_tls"], "/api/items/1"),
            lambda ip: self._tls(ip, p["ha_tls"], "/api/items/2"),
            lambda ip: self._tls(ip, p["st_tls"], "/api/items/3"),
            lambda ip: self._tls(ip, p["ngx_mtls"], "/api/profile", cert=True),
            lambda ip: self._keepalive_pair(ip, p["ngx_plain"]),
        ]
        errors = [
            lambda ip: self._plain(ip, p["ngx_plain"], "/notfound/x"),
            lambda ip: self._plain(ip, p["ha_http"], "/error/y"),
            lambda ip: self._plain(ip, p["ngx_plain"], "/error/z"),
            lambda ip: self._plain(ip, p["ha_http"], "/admin/panel"),
            lambda ip: self._give_up(ip, p["ngx_plain"]),
            lambda ip: self._tls(ip, p["ngx_tls"], "/", old=True),
            lambda ip: self._tls(ip, p["ha_tls"], "/", old=True),
            lambda ip: self._tls(ip, p["st_mtls"], "/"),
        ]
        while not self.stopping.is_set():
            ip, reused = self._address(rng)
            op = rng.choice(benign) if reused or rng.random() < 0.6 else rng.choice(errors)
            try:
                op(ip)
            except (OSError, ssl.SSLError):
                self.errors_seen += 1
            self.ops += 1
            self.stopping.wait(0.05)  # pacing the traffic, not waiting for anything

    def _plain(self, ip, port, path):
        s = C.connect(ip, P, port)
        try:
            s.sendall(C.request(path))
            C.read_response(s)
        finally:
            s.close()

    def _give_up(self, ip, port):
        s = C.connect(ip, P, port)
        try:
            s.sendall(C.request("/slowlong/report?ms=1500"))
            C.wait_readable(s, 0.3)  # the client's own short timeout: nginx logs 499
        finally:
            s.close()

    def _keepalive_pair(self, ip, port):
        s = C.connect(ip, P, port)
        try:
            s.sendall(C.request("/api/session", keepalive=True))
            C.read_response(s, want_close=False)
            s.sendall(C.request("/api/session"))
            C.read_response(s)
        finally:
            s.close()

    def _tls(self, ip, port, path, old=False, cert=False):
        if old:
            ctx = C.tls_context(min_version=ssl.TLSVersion.TLSv1,
                                max_version=ssl.TLSVersion.TLSv1_1, seclevel0=True)
        elif cert:
            ctx = C.tls_context(cert=self.tls["client.pem"], key=self.tls["client.key"])
        else:
            ctx = C.tls_context()
        C.tls_exchange(ip, P, port, ctx, C.request(path))
