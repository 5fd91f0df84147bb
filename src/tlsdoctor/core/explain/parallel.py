"""The prefilter of a big log file on the other cores, while this process matches.

The prefilter (lowering each block and one ``find`` pass per anchor) is most of what explain
spends on a big log with few errors. For a regular file of at least ``MIN_SIZE`` bytes on a
machine with more than one usable core, worker processes run it ahead of the matcher, one chunk
of whole lines each, and hand back the file offsets of the lines holding an anchor; the matcher
takes them instead of running the passes itself (``Matcher.prefilter_with``). Same lines, same
order, so the same findings: a test holds both paths to that. The matcher runs the passes itself
wherever the workers cannot answer: past the file's size when it was opened (a growing log),
after it cut a line too long to keep (its offsets move), when a worker failed or was cancelled.
A UTF-16 log (transcoded, so its offsets move too) is not handed out.
"""

from __future__ import annotations

import collections
import itertools
import mmap
import os
import stat
import sys
from array import array
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tlsdoctor.core.explain.lines import anchor_line_starts
from tlsdoctor.core.explain.matcher import BLOCK_SIZE
from tlsdoctor.core.explain.source import regular_file_size
from tlsdoctor.core.utf16 import SNIFF_SIZE, utf16_codec
from tlsdoctor.paths import READ_WITHOUT_WAITING

if TYPE_CHECKING:
    from tlsdoctor.core.explain.matcher import Matcher

MIN_SIZE = 64 << 20  # smaller logs take well under a second on one core
CHUNK_SIZE = 4 << 20
MAX_WORKERS = 4

_Chunk = tuple[int, bytes]  # (offset where the chunk's lines end, candidate offsets as array "q")


def _line_start_at(data: mmap.mmap, offset: int) -> int:
    """The first line start at or after ``offset``."""
    if offset == 0:
        return 0
    newline = data.find(b"\n", offset - 1)
    return len(data) if newline < 0 else newline + 1


def _chunk_candidates(fd: int, begin: int, end: int) -> _Chunk:
    """Worker: offsets of the lines starting in [begin, end) that hold an anchor (any case).

    ``fd`` is the parent's descriptor, inherited through fork: the file the parent opened, even
    if a log rotation has put another one at its path since."""
    with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as data:
        first, last = _line_start_at(data, begin), _line_start_at(data, end)
        lowered = data[first:last].lower()
    starts = array("q", (first + start for start in anchor_line_starts(lowered, 0, len(lowered))))
    return last, starts.tobytes()


class ParallelPrefilter:
    """Candidate line offsets of a file, computed ahead by worker processes."""

    def __init__(self, fd: int, covered: int, workers: int, chunk_size: int) -> None:
        import multiprocessing

        self._fd = fd  # owned: closed by close()
        self.covered = covered  # offset after the last newline when opened: whole lines only
        # fork: cheap on Linux, nothing to re-import, and the workers inherit the descriptor.
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        bounds = [*range(0, covered, chunk_size), covered]
        self._chunks: collections.deque[Future[_Chunk]] = collections.deque(
            self._pool.submit(_chunk_candidates, fd, begin, end)
            for begin, end in itertools.pairwise(bounds)
        )
        self._ready: collections.deque[int] = collections.deque()
        self._ready_until = 0
        self._failed = False
        self.answered = 0  # regions answered from the workers (the rest ran here)

    def take(self, begin: int, end: int) -> list[int] | None:
        """Candidate line starts in [begin, end) (file offsets), or None where the workers
        cannot answer (the caller runs the passes itself)."""
        if self._failed or end > self.covered:
            return None
        try:
            while self._ready_until < end and self._chunks:
                chunk_end, starts = self._chunks.popleft().result()
                self._ready.extend(array("q", starts))
                self._ready_until = chunk_end
        except Exception:  # a worker died or failed, a chunk cancelled by close()
            self._failed = True
            return None
        found = []
        while self._ready and self._ready[0] < end:
            start = self._ready.popleft()
            if start >= begin:
                found.append(start)
        self.answered += 1
        return found

    def blocks(self, block_size: int = BLOCK_SIZE) -> Iterator[bytes]:
        """The file's bytes from its start, read from the workers' descriptor (the same file,
        whatever its path names by now), on to its end as it grows."""
        offset = 0
        while data := os.pread(self._fd, block_size, offset):
            offset += len(data)
            yield data

    def close(self) -> None:
        """End the workers: chunks not started are dropped (``take`` then answers None)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def open_prefilter(
    path: str, min_size: int = MIN_SIZE, chunk_size: int = CHUNK_SIZE, jobs: int = 0
) -> ParallelPrefilter | None:
    """A parallel prefilter for the log at ``path``, or None when one process is the better
    choice (a small log, a pipe, one core or ``jobs=1``, not Linux, UTF-16) or the file cannot
    be read (the caller reads it and reports why). ``jobs``: worker processes, 0 for one per
    usable core (at most ``MAX_WORKERS``)."""
    workers = jobs or min(_usable_cpus(), MAX_WORKERS)
    if workers < 2 or not sys.platform.startswith("linux"):
        return None
    # A pipe is never opened here: opening its read end lets a writer in (its data then goes
    # nowhere), and one without a writer would wait. The caller reads pipes.
    if regular_file_size(path) < min_size:
        return None
    try:
        fd = os.open(path, READ_WITHOUT_WAITING)
    except OSError:
        return None
    covered = _whole_lines(fd, min_size)
    if not covered:
        os.close(fd)
        return None
    return ParallelPrefilter(fd, covered, workers, chunk_size)


def _whole_lines(fd: int, min_size: int) -> int:
    """Bytes up to the last newline of a regular UTF-8 file of at least ``min_size`` bytes;
    0 for anything else."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size < min_size:
            return 0
        if utf16_codec(os.pread(fd, SNIFF_SIZE, 0)) is not None:
            return 0
        with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as data:
            return data.rfind(b"\n", 0, info.st_size) + 1
    except (OSError, ValueError):
        return 0


@contextmanager
def prefiltered(
    matcher: Matcher, path: str, min_size: int = MIN_SIZE, jobs: int = 0
) -> Iterator[Iterator[bytes] | None]:
    """Within the block, ``matcher`` takes the candidate lines of ``path`` from worker
    processes when that is worth it, and the block gets the file's blocks to feed it (None:
    read ``path`` as usual); the workers end with the block."""
    prefilter = open_prefilter(path, min_size, jobs=jobs)
    if prefilter is None:
        yield None
        return
    matcher.prefilter_with(prefilter)
    try:
        yield prefilter.blocks()
    finally:
        prefilter.close()
