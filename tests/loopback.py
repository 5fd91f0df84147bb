"""A TLS server on 127.0.0.1 that presents a given chain and closes (explain and CA tests)."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from certfactory import Issued, make_ca, make_leaf


def write_chain(folder: Path, leaf: Issued, *, with_parents: bool = True) -> tuple[Path, Path]:
    """The leaf's chain (leaf first) and key as PEM files."""
    folder.mkdir(parents=True, exist_ok=True)
    chain = folder / "chain.pem"
    certs = leaf.chain[:-1] if with_parents else [leaf.cert]
    chain.write_bytes(b"".join(Issued(c, leaf.key).pem for c in certs))
    key = folder / "key.pem"
    key.write_bytes(leaf.key_pem())
    return chain, key


def leaf_under(ca_name: str, host: str = "127.0.0.1") -> tuple[Issued, Issued]:
    """A root named ``ca_name`` (an inspection CA look-alike) and a leaf for ``host``."""
    root = make_ca(ca_name, o=ca_name.split()[0] + " Inc.")
    return root, make_leaf(host, issuer=root)


@contextmanager
def tls_server(chain: Path, key: Path) -> Iterator[int]:
    """Serve TLS on a free loopback port until the block ends; yields the port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except OSError:
                continue
            with suppress(OSError), conn:
                conn.settimeout(5)
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()
