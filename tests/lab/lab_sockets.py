"""Helpers for the lab tests: listening sockets from /proc, and a verified GET on an open tunnel.

(A module name unique across the test folders: each folder is put on sys.path.)
"""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from cryptography import x509


def listening_sockets() -> dict[str, tuple[str, int]]:
    """socket inode -> (local address as /proc writes it, port) of every listening TCP socket."""
    found: dict[str, tuple[str, int]] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            next(handle)
            for line in handle:
                fields = line.split()
                if fields[3] == "0A":  # LISTEN
                    host, port = fields[1].rsplit(":", 1)
                    found[fields[9]] = (host, int(port, 16))
    return found


def get_over_tls(sock: socket.socket, host: str, cafile: Path) -> tuple[x509.Certificate, bytes]:
    """GET / over TLS on an open tunnel, verifying the server against ``cafile``."""
    context = ssl.create_default_context(cafile=str(cafile))
    with context.wrap_socket(sock, server_hostname=host) as tls:
        der = tls.getpeercert(binary_form=True)
        assert der is not None
        tls.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := tls.recv(4096):
            answer += chunk
    return x509.load_der_x509_certificate(der), answer
