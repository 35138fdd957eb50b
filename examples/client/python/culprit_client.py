"""culprit_client: report a failed connection from a Python program to culpritd.

    import culprit_client

    conn = http.client.HTTPConnection("api.example.com", 80)
    conn.connect()
    ends = culprit_client.endpoints(conn.sock)   # right after connecting
    ...
    try:
        conn.request("GET", "/")
        conn.getresponse().read()
    except (ConnectionError, http.client.RemoteDisconnected) as exc:
        answer = culprit_client.report_reset(
            exc, phase="idle_reuse", client=ends[0], server=ends[1],
            idle_before=idle_seconds, daemon="127.0.0.1:7450")
        top = answer.diagnosis.verdicts[0]
        print(culprit_client.cause_name(top), top.explanation)

What to capture and why: examples/client/README.md.

Needs python3-grpcio and python3-protobuf, and the stubs generated from
proto/culprit/v1/culprit.proto (culprit/v1/culprit_pb2.py and
culprit_pb2_grpc.py) on sys.path; the build writes them to
<build>/examples/client/python (target culprit_python_stubs).

report_reset() raises ReportError (with the gRPC code and message) when the
daemon cannot be reached or refuses the report; it never raises anything
else for a well-formed call. Thread-safe: each call uses its own channel.
"""

import errno as _errno
import socket
import ssl
import time

import grpc

from culprit.v1 import culprit_pb2, culprit_pb2_grpc

PHASES = {
    None: culprit_pb2.PHASE_UNSPECIFIED,
    "connect": culprit_pb2.CONNECT,
    "tls_handshake": culprit_pb2.TLS_HANDSHAKE,
    "request_sent": culprit_pb2.REQUEST_SENT,
    "awaiting_response": culprit_pb2.AWAITING_RESPONSE,
    "reading_response": culprit_pb2.READING_RESPONSE,
    "idle_reuse": culprit_pb2.IDLE_REUSE,
}

MAX_ERROR_BYTES = 1024


class ReportError(Exception):
    """The report did not reach the daemon, or the daemon refused it."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code  # a grpc.StatusCode, or None


def format_endpoint(addr):
    """'ip:port' ('[v6]:port') for a socket address tuple; '' for anything else.
    IPv4-mapped IPv6 ('::ffff:10.0.0.7') is written as IPv4, as server logs do."""
    if not isinstance(addr, tuple) or len(addr) < 2:
        return ""
    host, port = addr[0], addr[1]
    if ":" in host:
        if host.lower().startswith("::ffff:") and "." in host:
            return "%s:%d" % (host[7:], port)
        return "[%s]:%d" % (host.split("%")[0], port)
    return "%s:%d" % (host, port)


def endpoints(sock):
    """(local, peer) of a connected socket as 'ip:port' strings.

    Call it right after connecting and keep the result: once a connection
    has been reset, Linux no longer knows the peer (getpeername fails), and
    http.client drops its socket when the server disconnects."""
    local = peer = ""
    if sock is None:
        return local, peer
    try:
        local = format_endpoint(sock.getsockname())
    except OSError:
        pass
    try:
        peer = format_endpoint(sock.getpeername())
    except OSError:
        pass
    return local, peer


def error_name(exc):
    """The error as the client saw it, raw: the errno (or Windows) name when
    there is one, else the exception's type and message.

    ConnectionResetError(104) -> 'ECONNRESET'; BrokenPipeError -> 'EPIPE';
    on Windows, winerror 10054 -> 'WSAECONNRESET (10054) ...';
    http.client.RemoteDisconnected -> 'RemoteDisconnected: Remote end closed
    connection without response' (a FIN, not a reset: no errno);
    ssl.SSLError -> 'SSL: WRONG_VERSION_NUMBER'; a timeout -> 'ETIMEDOUT'."""
    if isinstance(exc, ssl.SSLError):
        if getattr(exc, "reason", None):
            return "SSL: " + exc.reason
        if isinstance(exc, ssl.SSLEOFError):
            return "SSL: UNEXPECTED_EOF_WHILE_READING"
    if isinstance(exc, (socket.timeout, TimeoutError)) and not getattr(exc, "errno", None):
        return "ETIMEDOUT"
    winerror = getattr(exc, "winerror", None)
    if winerror:
        names = {10054: "WSAECONNRESET", 10053: "WSAECONNABORTED", 10061: "WSAECONNREFUSED",
                 10060: "WSAETIMEDOUT", 10052: "WSAENETRESET"}
        return ("%s (%d) %s" % (names.get(winerror, "WSA"), winerror,
                                getattr(exc, "strerror", "") or ""))[:MAX_ERROR_BYTES].strip()
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code in _errno.errorcode:
        return _errno.errorcode[code]
    text = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    return text.encode("utf-8", "replace")[:MAX_ERROR_BYTES].decode("utf-8", "ignore")


def report_reset(exc, phase=None, sock=None, client=None, server=None, server_name="",
                 request_id="", idle_before=None, connection_age=None, http_status=0,
                 labels=None, seen_at=None, daemon="127.0.0.1:7450", token=None,
                 credentials=None, timeout=5.0):
    """Reports a failed connection to culpritd (Submit) and returns the
    culprit.v1.SubmitResponse: .report_id and .diagnosis (verdicts best first).

    exc          the exception the client caught, or the error text itself
    phase        'connect', 'tls_handshake', 'request_sent',
                 'awaiting_response', 'reading_response', 'idle_reuse'
    sock         the socket, if still open: addresses not given are read from it
    client, server  'ip:port' of each end (see endpoints())
    idle_before, connection_age  seconds (float)
    seen_at      time.time() of the failure; default now
    daemon       culpritd's gRPC address ('host:port' or 'unix:/path')
    token        bearer token; credentials: grpc.ssl_channel_credentials(...) for TLS

    Raises ReportError when the daemon is unreachable or refuses the report
    (INVALID_ARGUMENT names the bad field); ValueError for an unknown phase."""
    if phase not in PHASES:
        raise ValueError("phase %r is not one of %s" % (phase, sorted(p for p in PHASES if p)))
    local, peer = endpoints(sock)
    report = culprit_pb2.ResetReport(
        client=client or local, server=server or peer, server_name=server_name,
        error=exc if isinstance(exc, str) else error_name(exc), phase=PHASES[phase],
        request_id=request_id, http_status=http_status or 0)
    report.seen_at.FromNanoseconds(int((seen_at if seen_at is not None else time.time()) * 1e9))
    if idle_before is not None:
        report.idle_before.FromNanoseconds(int(idle_before * 1e9))
    if connection_age is not None:
        report.connection_age.FromNanoseconds(int(connection_age * 1e9))
    for key, value in (labels or {}).items():
        report.labels[key] = value
    metadata = [("authorization", "Bearer " + token)] if token else None
    if credentials is not None:
        channel = grpc.secure_channel(daemon, credentials)
    else:
        channel = grpc.insecure_channel(daemon)
    try:
        stub = culprit_pb2_grpc.CulpritStub(channel)
        response = stub.Submit(culprit_pb2.SubmitRequest(report=report), timeout=timeout,
                               metadata=metadata)
    except grpc.RpcError as err:
        raise ReportError("Submit to %s failed: %s: %s" % (daemon, err.code().name, err.details()),
                          err.code()) from None
    finally:
        channel.close()
    return response


def cause_name(verdict):
    """'IDLE_TIMEOUT' for a Verdict's cause."""
    return culprit_pb2.Cause.Name(verdict.cause)
