#!/usr/bin/python3
"""The e2e test's own backend application: HTTP/1.1, JSON-lines log.

Run as a separate process:  backend.py --listen 127.0.0.1:PORT --log FILE

Every request writes one JSON line (ts in RFC 3339 UTC with microseconds,
level, msg, client_ip, client_port = the TCP peer, request_id, error, plus
method, path, status, forwarded_for, forwarded_port from the proxy headers).
The path picks the behaviour:

  /crash/...        logs an error, then resets the connection (SO_LINGER 0)
                    before any response byte: a proxy in front sees a reset
                    while reading the response header (502).
  /crash_mid/...    sends the headers and part of the body, logs an error,
                    then resets: the body is cut short.
  /hang/...         holds the request for 4 s before answering (a proxy with a
                    shorter read timeout answers 504).
  /slowlong/...?ms=N  answers after N ms (default 5000).
  /download/...?ms=N  streams a body over N ms (default 3000).
  /notfound/...     404 (ordinary background error).
  /error/...        500 (ordinary background error).
  anything else     200 with a small JSON body.
Only the standard library is used; the process exits on SIGTERM.
"""

import argparse
import datetime
import http.server
import json
import os
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

_LOG_LOCK = threading.Lock()
_LOG_FILE = None


def _now_rfc3339():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def log_line(**fields):
    record = {"ts": _now_rfc3339()}
    record.update({k: v for k, v in fields.items() if v is not None})
    text = json.dumps(record, separators=(",", ":")) + "\n"
    with _LOG_LOCK:
        _LOG_FILE.write(text)
        _LOG_FILE.flush()


def _reset(sock):
    """Closes `sock` with an RST (SO_LINGER on, timeout 0)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "e2e-backend/1.0"

    def log_message(self, fmt, *args):  # silence stderr access log
        pass

    def _common(self, status, level, msg, error=None, **extra):
        peer_ip, peer_port = self.client_address[0], self.client_address[1]
        fwd_port = self.headers.get("X-Forwarded-Port")
        log_line(level=level, msg=msg, client_ip=peer_ip, client_port=peer_port,
                 request_id=self.headers.get("X-Request-ID") or os.urandom(10).hex(),
                 error=error, method=self.command, path=self.path, status=status,
                 forwarded_for=self.headers.get("X-Forwarded-For"),
                 forwarded_port=int(fwd_port) if fwd_port and fwd_port.isdigit() else None,
                 **extra)

    def _send(self, status, body, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drain_body(self):
        length = self.headers.get("Content-Length")
        if length and length.isdigit():
            remaining = min(int(length), 1 << 20)
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)

    def do_POST(self):
        self._drain_body()
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        ms = int(query.get("ms", ["0"])[0] or 0)
        path = url.path
        if path.startswith("/crash/"):
            self._common(None, "error", "unhandled exception in request handler; aborting connection",
                         error="KeyError: 'account_id'")
            _reset(self.connection)
            self.close_connection = True
            raise ConnectionAbortedError("crash")
        if path.startswith("/crash_mid/"):
            body = b"id,amount\n" * 4000
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self._common(200, "error",
                         "export worker crashed while streaming response; aborting connection",
                         error="ValueError: corrupt row 4182 in ledger export",
                         bytes_sent=len(body) // 3)
            _reset(self.connection)
            self.close_connection = True
            raise ConnectionAbortedError("crash_mid")
        if path.startswith("/hang/"):
            time.sleep(4.0)
            self._send(200, b'{"late":true}\n')
            self._common(200, "info", "slow search answered")
            return
        if path.startswith("/slowlong/"):
            self._common(None, "debug", "report started")
            time.sleep((ms or 5000) / 1000.0)
            self._send(200, b'{"report":"done"}\n')
            self._common(200, "info", "report generated")
            return
        if path.startswith("/download/"):
            total_ms = ms or 3000
            parts = 10
            chunk = b"x" * 4096
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(chunk) * parts))
            self.end_headers()
            for _ in range(parts):
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(total_ms / 1000.0 / parts)
            self._common(200, "info", "download sent")
            return
        if path.startswith("/notfound/"):
            self._send(404, b'{"error":"not found"}\n')
            self._common(404, "warn", "no such item")
            return
        if path.startswith("/error/"):
            self._send(500, b'{"error":"internal"}\n')
            self._common(500, "error", "request failed: upstream quota service answered 500",
                         error="QuotaError: quota service unavailable")
            return
        self._send(200, b'{"ok":true,"items":[1,2,3]}\n')
        self._common(200, "info", "request served")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # crashes are deliberate; the JSON line already says so


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="IP:PORT")
    parser.add_argument("--log", required=True, help="JSON-lines log file (appended)")
    args = parser.parse_args()
    global _LOG_FILE
    _LOG_FILE = open(args.log, "a", encoding="utf-8")
    host, port = args.listen.rsplit(":", 1)
    server = Server((host, int(port)), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log_line(level="info", msg="backend listening on %s" % args.listen)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
