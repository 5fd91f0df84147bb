"""The public entry points: explain a stream, a text, lines or a file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from tlsdoctor.core.explain.encoding import utf8_blocks
from tlsdoctor.core.explain.findings import Finding
from tlsdoctor.core.explain.matcher import BLOCK_SIZE, Matcher
from tlsdoctor.core.explain.source import read_log_blocks


def explain_stream(stream: IO[bytes], block_size: int = BLOCK_SIZE) -> list[Finding]:
    """Explain everything in a binary stream (a file, stdin; UTF-8 or UTF-16), in bounded
    memory."""
    return _explain_blocks(iter(lambda: stream.read(block_size), b""))


def _explain_blocks(blocks: Iterable[bytes]) -> list[Finding]:
    matcher = Matcher()
    for data in utf8_blocks(blocks):
        matcher.feed(data)
    return matcher.close()


def explain_text(text: str) -> list[Finding]:
    """Find and explain every TLS failure in ``text``: an empty list when there is none.

    Texts under one block (4 MiB) have every line tried, bigger ones go through the
    prefilter."""
    matcher = Matcher()
    matcher.note_text(text)
    matcher.feed(text.encode("utf-8", "replace"))
    return matcher.close()


def explain_lines(lines: Iterable[str]) -> list[Finding]:
    """Like :func:`explain_text` for an iterable of lines (streaming: nothing is kept whole)."""
    matcher = Matcher()
    for line in lines:
        matcher.feed_line(line)
    return matcher.close()


def explain_file(path: str, *, parallel_from: int | None = None, jobs: int = 0) -> list[Finding]:
    """Like :func:`explain_stream` for the file named ``path`` (a named pipe is waited for,
    as ``cat`` waits; a pipe whose writer has ended reads as empty). A regular file of at least
    ``parallel_from`` bytes (default: parallel.MIN_SIZE) is prefiltered by ``jobs`` worker
    processes (0: one per usable core; 1: none)."""
    from tlsdoctor.core.explain.parallel import MIN_SIZE, prefiltered

    matcher = Matcher()
    min_size = MIN_SIZE if parallel_from is None else parallel_from
    with prefiltered(matcher, path, min_size, jobs) as blocks:
        for data in utf8_blocks(read_log_blocks(path) if blocks is None else blocks):
            matcher.feed(data)
    return matcher.close()
