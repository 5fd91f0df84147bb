"""Reading a log by name, as a stream of blocks: a regular file, a pipe (``--file <(cmd)``,
``/dev/stdin``) or a named pipe (``mkfifo``) that may have no writer yet.

A named pipe is read like ``cat`` reads it: its writer may start after tlsdoctor (``explain
--file p & make >p 2>&1``), so it is waited for, but never silently: after a short grace,
``on_wait`` is called once (the CLI says what it is waiting for; Ctrl-C stops it). An anonymous
pipe whose writer has already ended (``<(true)``) is at its end: it reads as empty."""

from __future__ import annotations

import io
import os
import select
import stat
from collections.abc import Callable, Iterator

from tlsdoctor.core.explain.matcher import BLOCK_SIZE
from tlsdoctor.paths import READ_WITHOUT_WAITING

GRACE = 1.0  # seconds a named pipe's writer has before the reader says it is waiting


def read_log_blocks(
    path: str, block_size: int = BLOCK_SIZE, on_wait: Callable[[], None] | None = None
) -> Iterator[bytes]:
    """The bytes of ``path`` in blocks of at most ``block_size``. Raises OSError as open()."""
    fd = os.open(path, READ_WITHOUT_WAITING)
    with os.fdopen(fd, "rb", buffering=0) as raw:
        first = b""
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            first = _first_from_pipe(raw, path, block_size, on_wait)
        os.set_blocking(fd, True)
        if first:
            yield first
        while chunk := raw.read(block_size):
            yield chunk


def _first_from_pipe(
    raw: io.FileIO, path: str, block_size: int, on_wait: Callable[[], None] | None
) -> bytes:
    """What a non-blocking pipe holds now (b"" when its writer has written nothing yet);
    waits for a named pipe's first writer."""
    data = raw.read(block_size)
    if data != b"" or not _is_named_pipe(path):  # data, None (a writer, quiet) or the end
        return data or b""
    # b"": no writer is connected. A named pipe gets one when its writer starts.
    if _readable(raw, GRACE):  # a writer came (it wrote, or it already left)
        return b""
    data = raw.read(block_size)
    if data != b"":  # a writer came just now: what it wrote, or None while it is quiet
        return data or b""
    if on_wait is not None:
        on_wait()
    _readable(raw, None)
    return b""


def _readable(raw: io.FileIO, timeout: float | None) -> bool:
    ready, _w, _x = select.select([raw], [], [], timeout)
    return bool(ready)


def regular_file_size(path: str) -> int:
    """The size of ``path`` if it is a regular file, else 0 (a pipe, a directory, missing or
    unreadable: the reader reports why). Never opens it: opening a named pipe lets a writer in."""
    try:
        info = os.stat(path)
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def _is_named_pipe(path: str) -> bool:
    """A FIFO in a file system (a writer may still open it), not a pipe reached through
    /dev/fd or /proc (``<(cmd)``: once its writer ended, none comes)."""
    try:
        return stat.S_ISFIFO(os.stat(os.path.realpath(path)).st_mode)
    except OSError:
        return False
