"""Loopback servers for the check tests: a trustme-signed HTTPS site and a CONNECT proxy.

The proxy resolves every site name to the loopback server, like the lab proxy does, so clients
must go through it. The real lab (mitmproxy) is used by the end-to-end test.
"""

from __future__ import annotations

import http.server
import select
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>tlsdoctor check test site</body></html>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _TLSServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class _Proxy(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    upstream: tuple[str, int] = ("127.0.0.1", 0)


class _ProxyHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        if not data.startswith(b"CONNECT "):
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        upstream = socket.create_connection(self.server.upstream)  # type: ignore[attr-defined]
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            self._relay(upstream)
        except OSError:
            pass
        finally:
            upstream.close()

    def _relay(self, upstream: socket.socket) -> None:
        sockets = [self.request, upstream]
        while True:
            readable, _, _ = select.select(sockets, [], [], 30)
            if not readable:
                return
            for sock in readable:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                (upstream if sock is self.request else self.request).sendall(chunk)


@dataclass
class Site:
    url: str
    host: str
    proxy_url: str
    ca_pem: Path


@pytest.fixture(scope="session")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """https://site1.test/ signed by a private CA, reachable only through proxy_url."""
    folder = tmp_path_factory.mktemp("check-site")
    ca = trustme.CA()
    cert = ca.issue_cert("site1.test")
    ca_pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    server = _TLSServer(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    proxy = _Proxy(("127.0.0.1", 0), _ProxyHandler)
    proxy.upstream = ("127.0.0.1", server.server_address[1])
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (server, proxy)]
    for thread in threads:
        thread.start()
    try:
        yield Site(
            url="https://site1.test/",
            host="site1.test",
            proxy_url=f"http://127.0.0.1:{proxy.server_address[1]}",
            ca_pem=ca_pem,
        )
    finally:
        proxy.shutdown()
        server.shutdown()
