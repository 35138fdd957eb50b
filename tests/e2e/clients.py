"""Client side of the e2e test: sockets bound to the scenario's own source
address, plain HTTP and TLS exchanges, and what the client saw.

Also a small command-line entry point, run inside a network namespace with
`ip netns exec NS python3 clients.py ...`:
  clients.py connect SRC DST:PORT [--send TEXT]   one attempt, prints a JSON Outcome
  clients.py noise SRC DST:PORT[,DST:PORT...]      background probes until killed (max 10 min)
"""

import errno
import json
import select
import struct
import socket
import ssl
import sys
import time

IO_TIMEOUT = 8.0  # bounds every client read: a stuck scenario fails, it never hangs


class Outcome:
    """What a client saw: its own address, the error, the phase, the time."""

    def __init__(self, client_ip, client_port, server, error=None, phase=None,
                 http_status=None, t_error=None, note=""):
        self.client_ip = client_ip
        self.client_port = client_port
        self.server = server  # "ip:port" the client believes it talked to
        self.error = error
        self.phase = phase
        self.http_status = http_status
        self.t_error = t_error
        self.note = note

    def to_json(self):
        return json.dumps(self.__dict__)

    @staticmethod
    def from_json(text):
        o = Outcome(None, None, None)
        o.__dict__.update(json.loads(text))
        return o


def bound_socket(src_ip, reuse=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src_ip, 0))
    s.settimeout(IO_TIMEOUT)
    return s


def connect(src_ip, host, port, reuse=False):
    s = bound_socket(src_ip, reuse)
    s.connect((host, port))
    return s


def wait_readable(sock, timeout):
    """True once sock has bytes (or EOF) to read, within timeout."""
    r, _, _ = select.select([sock], [], [], timeout)
    return bool(r)


def reset_close(sock):
    """Closes sock with an RST (SO_LINGER on, timeout 0)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def request(path, host="e2e.local", method="GET", keepalive=False, extra=""):
    conn = "keep-alive" if keepalive else "close"
    return ("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: e2e-client/1.0\r\nConnection: %s\r\n%s\r\n"
            % (method, path, host, conn, extra)).encode()


def _errname(exc):
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "reason", None)
        if reason:
            return "SSL: " + reason
        if isinstance(exc, ssl.SSLEOFError):
            return "SSL: UNEXPECTED_EOF_WHILE_READING"
        return "SSL: " + str(exc)
    if isinstance(exc, socket.timeout):
        return "ETIMEDOUT"
    if isinstance(exc, OSError) and exc.errno:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    return str(exc) or type(exc).__name__


def parse_head(data):
    """(status or None, content_length or None, header_end or None)."""
    end = data.find(b"\r\n\r\n")
    if not data.startswith(b"HTTP/"):
        return None, None, None
    try:
        status = int(data.split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = None
    if end < 0:
        return status, None, None
    length = None
    for line in data[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    return status, length, end + 4


def read_response(sock, want_close=True):
    """Reads one response. Returns (data, status, complete, error, t_error).

    complete: headers and the announced body arrived. error: None, "EOF"
    (peer closed early, or closed a response without Content-Length) or an
    errno/SSL name. With want_close, a complete response followed by a close
    is reported as complete with error "EOF" at the time of the close.
    """
    data = b""
    deadline = time.monotonic() + IO_TIMEOUT
    while time.monotonic() < deadline:
        status, length, hend = parse_head(data)
        complete = hend is not None and length is not None and len(data) - hend >= length
        if complete and not want_close:
            return data, status, True, None, None
        try:
            chunk = sock.recv(65536)
        except (OSError, ssl.SSLError) as exc:
            return data, status, complete, _errname(exc), time.time()
        if not chunk:
            return data, status, complete, "EOF", time.time()
        data += chunk
    return data, parse_head(data)[0], False, "ETIMEDOUT", time.time()


def http_outcome(src_ip, sock, server, payload, tls=False):
    """Sends payload on an open socket and reports how the exchange ended."""
    port = sock.getsockname()[1]
    try:
        sock.sendall(payload)
    except (OSError, ssl.SSLError) as exc:
        return Outcome(src_ip, port, server, _errname(exc), "request_sent", None, time.time())
    data, status, complete, err, t = read_response(sock)
    phase = "awaiting_response" if not data else "reading_response"
    return Outcome(src_ip, port, server, err, phase, status, t,
                   note="%d bytes, complete=%s" % (len(data), complete))


def tls_context(min_version=None, max_version=None, ciphers=None, cert=None, key=None,
                seclevel0=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if seclevel0:
        ctx.set_ciphers((ciphers or "DEFAULT") + ":@SECLEVEL=0")
    elif ciphers:
        ctx.set_ciphers(ciphers)
    if min_version is not None:
        ctx.minimum_version = min_version
    if max_version is not None:
        ctx.maximum_version = max_version
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def tls_exchange(src_ip, host, port, ctx, payload, server=None):
    """TLS handshake then one request; reports where and how it failed."""
    server = server or "%s:%d" % (host, port)
    raw = connect(src_ip, host, port)
    cport = raw.getsockname()[1]
    try:
        try:
            tls = ctx.wrap_socket(raw, server_hostname="e2e.local")
        except (OSError, ssl.SSLError) as exc:
            return Outcome(src_ip, cport, server, _errname(exc), "tls_handshake", None, time.time())
        return http_outcome(src_ip, tls, server, payload, tls=True)
    finally:
        raw.close()


def _main(argv):
    if len(argv) >= 3 and argv[0] == "connect":
        src, dst = argv[1], argv[2]
        host, port = dst.rsplit(":", 1)
        send = argv[4].encode().decode("unicode_escape").encode() if argv[3:4] == ["--send"] else None
        s = bound_socket(src)
        cport = s.getsockname()[1]
        try:
            s.connect((host, int(port)))
        except OSError as exc:
            print(Outcome(src, cport, dst, _errname(exc), "connect", None, time.time()).to_json())
            return 0
        if send is None:
            print(Outcome(src, cport, dst, None, None, None, None, "connected").to_json())
            return 0
        print(http_outcome(src, s, dst, send).to_json())
        return 0
    if len(argv) == 3 and argv[0] == "noise":
        src, targets = argv[1], [t.rsplit(":", 1) for t in argv[2].split(",")]
        end = time.monotonic() + 600
        i = 0
        while time.monotonic() < end:
            host, port = targets[i % len(targets)]
            i += 1
            s = bound_socket(src)
            try:
                s.settimeout(1.0)
                s.connect((host, int(port)))
                s.sendall(request("/api/items/%d" % i))
                read_response(s)
            except OSError:
                pass
            finally:
                s.close()
            time.sleep(0.4)  # pacing the background traffic, not waiting for anything
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
