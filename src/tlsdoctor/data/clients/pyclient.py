"""One HTTPS GET with a Python client, verification on, proxy from the environment.

Usage: python pyclient.py MODE URL TIMEOUT   (MODE: ssl, urllib, requests, httpx)
Prints "HTTP <status>" and exits 0 when the server answered (any status: the TLS handshake
and verification succeeded); prints the exception and exits 1 otherwise. Run by
``tlsdoctor check``; it never turns verification off.
"""

from __future__ import annotations

import base64
import socket
import ssl
import sys
import urllib.parse
import urllib.request


def _tunnel(host: str, port: int, timeout: float) -> socket.socket:
    """A TCP socket to host:port, through the HTTPS proxy of the environment when there is one."""
    proxy = urllib.request.getproxies().get("https")
    if not proxy or urllib.request.proxy_bypass(host):
        return socket.create_connection((host, port), timeout=timeout)
    parsed = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
    sock = socket.create_connection((parsed.hostname, parsed.port or 8080), timeout=timeout)
    target = f"{host}:{port}"
    head = f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n"
    if parsed.username is not None:
        user = urllib.parse.unquote(parsed.username)
        password = urllib.parse.unquote(parsed.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        head += f"Proxy-Authorization: Basic {token}\r\n"
    sock.sendall((head + "\r\n").encode("ascii"))
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    status_line = reply.split(b"\r\n", 1)[0].decode("latin-1")
    if " 200" not in status_line:
        sock.close()
        raise OSError(f"Tunnel connection failed: {status_line}")
    return sock


def with_ssl(url: str, timeout: float) -> int:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or 443
    context = ssl.create_default_context()
    raw = _tunnel(host, port, timeout)
    with context.wrap_socket(raw, server_hostname=host) as tls:
        path = parts.path or "/"
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        tls.sendall(request.encode("ascii"))
        first = tls.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
    return int(first.split()[1]) if len(first.split()) > 1 else 0


def with_urllib(url: str, timeout: float) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:  # an HTTP answer: the handshake worked
        return int(err.code)


def with_requests(url: str, timeout: float) -> int:
    import requests

    return int(requests.get(url, timeout=timeout).status_code)


def with_httpx(url: str, timeout: float) -> int:
    import httpx

    return int(httpx.get(url, timeout=timeout).status_code)


MODES = {"ssl": with_ssl, "urllib": with_urllib, "requests": with_requests, "httpx": with_httpx}


def main() -> int:
    mode, url, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    try:
        status = MODES[mode](url, timeout)
    except Exception as err:
        print(f"{type(err).__module__}.{type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(f"HTTP {status}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
