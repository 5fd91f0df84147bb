"""The lab's local servers (a child process): HTTPS sites, look-alikes, special endpoints, AIA.

Run as ``python -m tlsdoctor.lab.sites STATE_DIR TOKEN``. The parent has already bound every
listening socket on 127.0.0.1 and passes them in (their fd numbers are in config.json), so the
ports are known before this process even starts and clients can connect at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import ssl
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

READ_TIMEOUT = 10.0
HTTP_METHODS = (b"GET ", b"HEAD ", b"POST ", b"PUT ", b"DELETE ", b"OPTIONS ", b"PATCH ")


def _response(status: str, body: bytes, content_type: str = "text/plain; charset=utf-8") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = await asyncio.wait_for(reader.read(4096), READ_TIMEOUT)
        if not chunk:
            break
        data += chunk
    return data


def _path_of(head: bytes) -> tuple[str, str]:
    try:
        method, target, _version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
    except ValueError:
        return "GET", "/"
    return method, target.split("?", 1)[0]


async def _finish(writer: asyncio.StreamWriter, data: bytes) -> None:
    with contextlib.suppress(OSError, ssl.SSLError, asyncio.TimeoutError):
        writer.write(data)
        await asyncio.wait_for(writer.drain(), READ_TIMEOUT)
    with contextlib.suppress(OSError, ssl.SSLError, asyncio.TimeoutError):
        writer.close()
        await asyncio.wait_for(writer.wait_closed(), READ_TIMEOUT)


def site_handler(name: str) -> Handler:
    """A tiny web site: 200 "ok NAME" (JSON under /-/, as npm's ping expects)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await _read_head(reader)
        except (OSError, ssl.SSLError, asyncio.TimeoutError):
            writer.close()
            return
        method, path = _path_of(head)
        if path.startswith("/-/"):
            body = json.dumps({"ok": True, "host": name}).encode()
            data = _response("200 OK", body, "application/json")
        else:
            data = _response("200 OK", f"ok {name}\n".encode())
        if method == "HEAD":
            data = data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
        await _finish(writer, data)

    return handle


def plain_handler(name: str) -> Handler:
    """Plain HTTP; a TLS ClientHello gets "400 Bad Request" at once, as nginx answers it."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            first = await asyncio.wait_for(reader.read(4096), READ_TIMEOUT)
        except (OSError, asyncio.TimeoutError):
            writer.close()
            return
        if first.startswith(HTTP_METHODS):
            data = _response("200 OK", f"plain {name}\n".encode())
        else:
            data = _response("400 Bad Request", b"this is a plain HTTP server\n")
        await _finish(writer, data)

    return handle


def hang_handler(held: set[asyncio.StreamWriter]) -> Handler:
    """Accept the connection, then say nothing, ever (until the lab stops)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.add(writer)
        try:
            while await reader.read(65536):
                pass
        except OSError:
            pass
        finally:
            held.discard(writer)
            writer.close()

    return handle


def aia_handler(files: dict[str, Path]) -> Handler:
    """Plain HTTP server for AIA caIssuers URLs: DER certificates by path."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await _read_head(reader)
        except (OSError, asyncio.TimeoutError):
            writer.close()
            return
        method, path = _path_of(head)
        file = files.get(path)
        if file is None or not file.exists():
            data = _response("404 Not Found", b"not found\n")
        else:
            data = _response("200 OK", file.read_bytes(), "application/pkix-cert")
        if method == "HEAD":
            data = data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
        await _finish(writer, data)

    return handle


async def watch_parent(pid: int | None, stop: Callable[[], None]) -> None:
    """End with the process that started the lab (tests), so nothing is left behind."""
    if not pid:
        return
    while os.getppid() == pid:
        await asyncio.sleep(0.5)
    stop()


def _tls_context(entry: dict[str, Any]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(entry["chain_file"], entry["key_file"])
    context.set_alpn_protocols(["http/1.1"])
    return context


def _quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Clients that reject a look-alike's certificate are the point here, not an error."""
    error = context.get("exception")
    if isinstance(error, (OSError, ssl.SSLError, asyncio.TimeoutError, EOFError)):
        return
    loop.default_exception_handler(context)


async def serve(state_dir: Path) -> None:
    config = json.loads((state_dir / "config.json").read_text(encoding="utf-8"))
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_quiet)
    held: set[asyncio.StreamWriter] = set()
    keep: list[socket.socket] = []
    servers: list[asyncio.Server] = []
    aia_files = {path: Path(file) for path, file in config["aia_files"].items()}
    for entry in config["endpoints"]:
        sock = socket.socket(fileno=entry["fd"])
        kind = entry["kind"]
        if kind == "down":
            keep.append(sock)  # bound, never listening: connections are refused
            continue
        tls: ssl.SSLContext | None = None
        if kind == "https":
            handler = site_handler(entry["name"])
            tls = _tls_context(entry)
        elif kind == "plain":
            handler = plain_handler(entry["name"])
        elif kind == "hang":
            handler = hang_handler(held)
        elif kind == "aia":
            handler = aia_handler(aia_files)
        else:
            raise ValueError(f"unknown endpoint kind {kind!r}")
        extra: dict[str, Any] = {"ssl": tls, "ssl_handshake_timeout": 15} if tls else {}
        servers.append(await asyncio.start_server(handler, sock=sock, **extra))
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    watcher = asyncio.ensure_future(watch_parent(config.get("watch_parent"), stop.set))
    print("sites ready", flush=True)
    await stop.wait()
    watcher.cancel()
    for server in servers:
        server.close()
    for writer in list(held):
        writer.close()
    for sock in keep:
        sock.close()


def main(argv: list[str]) -> int:
    asyncio.run(serve(Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
