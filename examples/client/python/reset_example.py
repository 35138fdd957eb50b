#!/usr/bin/python3
"""reset_example.py: hit the classic keep-alive reset with the standard
library's http.client and report it to culpritd with culprit_client.

  reset_example.py --server 127.0.0.1:8080 --daemon 127.0.0.1:7450 --idle 2.5

One GET on a keep-alive connection, then the connection sits idle for --idle
seconds (longer than the server's keepalive_timeout, so the server closes
it), then it is reused. http.client raises RemoteDisconnected (a
ConnectionResetError: the server's FIN arrived before any response),
ConnectionResetError (ECONNRESET) or BrokenPipeError (EPIPE); the example
reports it with phase idle_reuse, the idle time and both addresses captured
at connect time, and prints the daemon's diagnosis.

Needs the generated stubs on PYTHONPATH (see culprit_client.py).
Exit codes: 0 reported and diagnosed; 1 the report failed; 2 usage or the
server could not be reached; 3 the reused connection did not fail.
"""

import argparse
import http.client
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import culprit_client  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True, help="HOST:PORT of an HTTP server")
    ap.add_argument("--daemon", default="127.0.0.1:7450", help="culpritd's gRPC address")
    ap.add_argument("--idle", type=float, default=2.5, help="seconds to leave the connection idle")
    ap.add_argument("--token", default=None)
    args = ap.parse_args()
    host, _, port = args.server.rpartition(":")
    if not host or not port.isdigit() or not 0 < args.idle <= 600:
        ap.error("--server HOST:PORT and 0 < --idle <= 600")

    conn = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=10)
    try:
        conn.connect()
    except OSError as exc:
        print("reset_example.py: cannot connect to %s: %s" % (args.server,
                                                             culprit_client.error_name(exc)),
              file=sys.stderr)
        return 2
    connected = time.monotonic()
    # Both ends now, while the connection is healthy: http.client drops its
    # socket when the server disconnects, and after a reset the kernel no
    # longer knows the peer.
    local, peer = culprit_client.endpoints(conn.sock)
    print("reset_example.py: connected %s -> %s" % (local, peer))
    headers = {"User-Agent": "culprit-reset-example-py/1.0"}
    try:
        conn.request("GET", "/", headers=headers)
        first = conn.getresponse()
        first.read()
    except (OSError, http.client.HTTPException) as exc:
        print("reset_example.py: the first request failed: %s"
              % culprit_client.error_name(exc), file=sys.stderr)
        return 2
    last_used = time.monotonic()
    print("reset_example.py: GET / -> %d; idle for %.1f s" % (first.status, args.idle), flush=True)
    time.sleep(args.idle)  # the scenario itself: wait past the server's keep-alive timeout

    try:
        conn.request("GET", "/", headers=headers)
        again = conn.getresponse()
        again.read()
        print("reset_example.py: the reused connection still worked (HTTP %d); the server's "
              "keep-alive timeout is longer than --idle" % again.status, file=sys.stderr)
        return 3
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as exc:
        failed_at = time.time()
        failed = time.monotonic()
        error = exc
    finally:
        sock = conn.sock  # None once http.client has closed it
    idle = failed - last_used
    print("reset_example.py: reusing the connection failed: %s (phase idle_reuse, idle %d ms)"
          % (culprit_client.error_name(error), idle * 1000))
    try:
        answer = culprit_client.report_reset(
            error, phase="idle_reuse", sock=sock, client=local, server=peer,
            server_name=host.strip("[]"), idle_before=idle, connection_age=failed - connected,
            seen_at=failed_at, labels={"app": "reset_example", "lang": "python"},
            daemon=args.daemon, token=args.token)
    except culprit_client.ReportError as exc:
        print("reset_example.py: %s" % exc, file=sys.stderr)
        return 1
    finally:
        conn.close()
    print("reset_example.py: reported to %s as report %d" % (args.daemon, answer.report_id))
    for v in answer.diagnosis.verdicts:
        print("diagnosis: %s (confidence %.2f)" % (culprit_client.cause_name(v), v.confidence))
        print("  explanation: %s" % v.explanation)
        if v.remedy:
            print("  remedy: %s" % v.remedy)
        for e in v.evidence:
            print("  evidence [%s] %s %s:%d\n    %s" % (e.role, e.source, e.file, e.offset, e.raw))
    print("retry may help: %s" % ("yes" if answer.diagnosis.retry_may_help else "no"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
