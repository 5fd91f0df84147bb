"""Loopback helpers for the detect tests: a small PKI, TLS servers, a CONNECT proxy.

The real lab (mitmproxy) is used by test_lab_detect.py; these pieces let the probe and the trust
logic be tested on their own, with certificates whose names we choose.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import certfactory
import pytest
from certfactory import Issued
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tlsdoctor.core.trust import RootStore


def make_name(cn: str, o: str | None = None) -> x509.Name:
    """``CN=cn[, O=o]``: the subjects the detect tests compare against."""
    return certfactory.cn_name(cn, o)


def make_ca(
    name: x509.Name,
    parent: Issued | None = None,
    *,
    critical_bc: bool = True,
    with_ski: bool = True,
) -> Issued:
    """A CA named ``name`` under ``parent`` (a root without one), valid for a year."""
    return certfactory.make_ca(
        name,
        issuer=parent,
        bc_critical=critical_bc,
        ski=with_ski,
        not_after=certfactory.NOW + dt.timedelta(days=365),
    )


def make_leaf(
    issuer: Issued, *names: str, expired: bool = False, self_signed: bool = False
) -> tuple[list[x509.Certificate], certfactory.Key]:
    """A server leaf ``CN=names[0]`` with every name as a SAN (IP literals as IP SANs), no SKI;
    ``([leaf], key)``."""
    leaf = certfactory.make_leaf(
        names[0],
        None if self_signed else issuer,
        sans=names,
        subject=make_name(names[0]),
        ski=False,
        expired=expired,
    )
    return [leaf.cert], leaf.key


def store_of(*issuers: Issued) -> RootStore:
    return RootStore("test", None, tuple(i.chain[-1] for i in issuers))


def write_pem(path: Path, *certs: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    return path


class _Server:
    def __init__(self, family: int = socket.AF_INET, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.received: list[bytes] = []
        self._stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    @property
    def url(self) -> str:
        """The address as a proxy URL (plain http://), for the servers that play a proxy."""
        return f"http://127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket) -> None:  # pragma: no cover - overridden
        conn.close()

    def close(self) -> None:
        self._stop = True
        self.sock.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.close()


class TLSServer(_Server):
    """Presents ``chain``; records any application data a client sends after the handshake."""

    def __init__(
        self,
        chain: list[x509.Certificate],
        key: certfactory.Key,
        tmp: Path,
        family: int = socket.AF_INET,
        host: str = "127.0.0.1",
    ) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert_file = write_pem(tmp / f"srv-{id(self)}.pem", *chain)
        key_file = tmp / f"srv-{id(self)}.key"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.context.load_cert_chain(cert_file, key_file)
        self.sni: list[str | None] = []
        self.context.sni_callback = lambda s, name, ctx: self.sni.append(name)  # type: ignore[assignment,misc,func-returns-value]
        super().__init__(family, host)

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
            data = tls.recv(4096)
            self.received.append(data)
        except (OSError, ssl.SSLError):
            pass


class HangServer(_Server):
    """Accepts and never answers."""

    def handle(self, conn: socket.socket) -> None:
        pass


class PlainHTTPServer(_Server):
    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        except OSError:
            pass
        conn.close()


class ConnectProxy(_Server):
    """A CONNECT proxy that maps names to local ports; optional Basic authentication."""

    def __init__(self, routes: dict[str, int], auth: str | None = None) -> None:
        self.routes = routes
        self.auth = auth
        self.requests: list[str] = []
        self.forbid = False
        self.answer_in_pieces = False  # the 200 answer one byte per write
        self.after_answer = b""  # bytes the proxy sends right after its 200 answer
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(1)
                if not chunk:
                    return
                head += chunk
            text = head.decode("latin-1")
            self.requests.append(text)
            target = text.split()[1]
            host = target.rsplit(":", 1)[0].strip("[]")
            if self.auth is not None:
                expected = "Basic " + base64.b64encode(self.auth.encode()).decode()
                if f"proxy-authorization: {expected}".lower() not in text.lower():
                    conn.sendall(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b'Proxy-Authenticate: Basic realm="lab"\r\nContent-Length: 0\r\n\r\n'
                    )
                    return
            if self.forbid:
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            port = self.routes.get(host)
            if port is None:
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            self._answer(conn, b"HTTP/1.1 200 Connection established\r\n\r\n")
            _pipe(conn, upstream)
        except OSError:
            pass
        finally:
            conn.close()

    def _answer(self, conn: socket.socket, head: bytes) -> None:
        if not self.answer_in_pieces:
            conn.sendall(head + self.after_answer)
            return
        for byte in head:
            conn.sendall(bytes([byte]))
            time.sleep(0.002)
        conn.sendall(self.after_answer)


class CannedAnswer(_Server):
    """Not a proxy, or a proxy that answers itself: reads the request, sends ``answer``, closes."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            conn.recv(4096)
            conn.sendall(self.answer)
            time.sleep(0.2)  # the client reads the answer before the close
        except OSError:
            pass
        finally:
            conn.close()


def _pipe(a: socket.socket, b: socket.socket) -> None:
    def forward(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    t = threading.Thread(target=forward, args=(b, a), daemon=True)
    t.start()
    forward(a, b)
    t.join(5)
    b.close()


@dataclass
class World:
    """A public PKI, an inspection CA and servers for both, on loopback."""

    tmp: Path
    public_root: Issued
    public_issuing: Issued
    servers: list[_Server] = field(default_factory=list)

    def public_site(self, *names: str, **kw: bool) -> TLSServer:
        chain, key = make_leaf(self.public_issuing, *names, **kw)
        return self.serve([*chain, self.public_issuing.cert], key)

    def signed_by(self, issuer: Issued, *names: str, send_root: bool = False) -> TLSServer:
        chain, key = make_leaf(issuer, *names)
        presented = [*chain, *issuer.chain] if send_root else [*chain, *issuer.chain[:-1]]
        return self.serve(presented, key)

    def serve(self, chain: list[x509.Certificate], key: certfactory.Key, **kw: object) -> TLSServer:
        server = TLSServer(chain, key, self.tmp, **kw)  # type: ignore[arg-type]
        self.servers.append(server)
        return server

    def add(self, server: _Server) -> _Server:
        self.servers.append(server)
        return server

    @property
    def public_store(self) -> RootStore:
        return RootStore("public", None, (self.public_root.cert,))

    def public_pem(self) -> Path:
        return write_pem(self.tmp / "public-root.pem", self.public_root.cert)


@pytest.fixture
def world(tmp_path: Path, isolated_process_env: dict[str, str]) -> Iterator[World]:
    root = make_ca(make_name("Test Public Root CA", "Test Public PKI"))
    issuing = make_ca(make_name("Test Public Issuing CA", "Test Public PKI"), root)
    w = World(tmp_path, root, issuing)
    yield w
    for server in w.servers:
        server.close()
