"""The container health check (standard library only: the slim image has no curl).

    python /opt/hub/healthcheck.py                 GET http://127.0.0.1:8000/healthz
    python /opt/hub/healthcheck.py /readyz         GET http://127.0.0.1:8000/readyz
    python /opt/hub/healthcheck.py --tcp 9100      a process accepts connections on port 9100

Exit status 0 when healthy, 1 otherwise (with the reason on standard error).

The request carries the first of ``HUB_ALLOWED_HOSTS`` as its Host header (``*.example`` becomes
``healthcheck.example``): once allowed hosts are set the hub answers 400 to any other host,
``127.0.0.1`` included. Proxy variables (``http_proxy``...) are ignored.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import urllib.error
import urllib.request


def host_header(allowed_hosts: str) -> str:
    first = allowed_hosts.split(",")[0].strip()
    return first.replace("*", "healthcheck", 1) if first else "localhost"


def check_http(port: int, path: str, host: str, timeout: float) -> str | None:
    """None when the answer is 2xx, else why not."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(1024)
    except urllib.error.HTTPError as error:
        return f"{path} answered {error.code}"
    except OSError as error:
        return f"{path}: {error}"
    return None


def check_tcp(port: int, timeout: float) -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return None
    except OSError as error:
        return f"port {port}: {error}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Health check of a hub process on this machine.")
    parser.add_argument("path", nargs="?", default="/healthz", help="path to GET (default /healthz)")
    parser.add_argument("--port", type=int, default=8000, help="web port (default 8000)")
    parser.add_argument("--tcp", type=int, metavar="PORT", help="only check that PORT accepts connections")
    parser.add_argument("--timeout", type=float, default=4.0)
    args = parser.parse_args(argv)
    if args.tcp:
        problem = check_tcp(args.tcp, args.timeout)
    else:
        host = host_header(os.environ.get("HUB_ALLOWED_HOSTS", ""))
        problem = check_http(args.port, args.path, host, args.timeout)
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
