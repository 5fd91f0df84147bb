"""Line arithmetic on the matcher's byte buffer: line starts, context lines, decoding."""

from __future__ import annotations

import re

from tlsdoctor.core.explain.prefilter import ANCHOR_BYTES

MAX_LINE = 64 << 10  # longer lines keep their head and tail (a blob must not hold the file)
ELISION = " \u2026 ".encode()  # where the middle of a long line was dropped
MAX_EXCERPT = 300


def all_line_starts(buf: bytearray, begin: int, end: int) -> list[int]:
    starts = [begin]
    pos = buf.find(b"\n", begin, end)
    while pos >= 0 and pos + 1 < end:
        starts.append(pos + 1)
        pos = buf.find(b"\n", pos + 1, end)
    return starts


def candidate_line_starts(buf: bytearray, begin: int, end: int) -> list[int]:
    """Start offsets of the lines in buf[begin:end] that hold an anchor, in any case: the block
    is lowered once (ASCII only: offsets stay), then one ``find`` pass per anchor."""
    low = buf.lower()  # the whole buffer: a slice first would copy the block once more
    return anchor_line_starts(low, begin, end)


def anchor_line_starts(low: bytes | bytearray, begin: int, end: int) -> list[int]:
    """Start offsets of the lines in low[begin:end] (lowered, ``begin`` a line start) holding
    an anchor."""
    starts: set[int] = set()
    for anchor in ANCHOR_BYTES:
        pos = low.find(anchor, begin, end)
        while pos >= 0:
            starts.add(low.rfind(b"\n", begin, pos) + 1 or begin)
            nl = low.find(b"\n", pos, end)
            if nl < 0:
                break
            pos = low.find(anchor, nl, end)
    return sorted(starts)


def start_of_last_lines(buf: bytearray, n: int, end: int) -> int:
    """Offset where the last ``n`` complete lines (plus any partial last line) of buf[:end]
    begin."""
    pos = end
    if end > 0 and buf[end - 1] == 0x0A:
        pos -= 1
    else:  # a partial last line is always kept
        pos = buf.rfind(b"\n", 0, pos)
        if pos < 0:
            return 0
    for _line in range(n):
        pos = buf.rfind(b"\n", 0, pos)
        if pos < 0:
            return 0
    return pos + 1


def lines_before(buf: bytearray, start: int, n: int) -> list[str]:
    lines: list[str] = []
    end = start - 1
    while len(lines) < n and end > 0:
        begin = buf.rfind(b"\n", 0, end) + 1
        lines.append(decode(buf[begin:end]))
        end = begin - 1
    lines.reverse()
    return lines


def lines_after(buf: bytearray, end: int, n: int) -> list[str]:
    lines: list[str] = []
    pos = end + 1
    while len(lines) < n and pos < len(buf):
        nl = buf.find(b"\n", pos)
        nl = len(buf) if nl < 0 else nl
        lines.append(decode(buf[pos:nl]))
        pos = nl + 1
    return lines


def shorten(raw: bytes | bytearray) -> bytes | bytearray:
    """A line of at most about MAX_LINE bytes: its head and its tail, where a tool's error
    ends up when it is appended to a long line (a progress bar, a minified blob)."""
    if len(raw) <= MAX_LINE:
        return raw
    half = MAX_LINE // 2
    return bytes(raw[:half]) + ELISION + bytes(raw[-half:])


# Terminal escape sequences (colours, cursor moves, OSC titles and links) a coloured tool or a
# CI runner writes into its log.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# A timestamp a CI system puts before each line: GitHub Actions / Azure Pipelines
# (2024-01-01T00:00:00.0000000Z), GitLab (... 00O), Jenkins ([2024-01-01T00:00:00.000Z]),
# logging layouts (2024-01-01 00:00:00,123).
_STAMP = re.compile(
    r"\[?[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?\]?(?: [0-9]{2}[OE]\+?)? "
)


def decode(raw: bytes | bytearray) -> str:
    return clean(shorten(raw).decode("utf-8", "replace").rstrip("\r"))


def clean(line: str) -> str:
    """A log line as the tool wrote it: without colour codes and a CI timestamp prefix."""
    if "\x1b" in line:
        line = _ESCAPES.sub("", line)
    if line[:1].isdigit() or line[:1] == "[":
        stamp = _STAMP.match(line)
        if stamp:
            line = line[stamp.end() :]
    return line


def excerpt(text: str, at: int = 0) -> str:
    """At most MAX_EXCERPT characters of ``text``, around offset ``at`` (where it matched)."""
    stripped = text.strip()
    if len(stripped) <= MAX_EXCERPT:
        return stripped
    at -= len(text) - len(text.lstrip())
    start = at - 80 if at > MAX_EXCERPT // 2 else 0
    if start == 0:
        return stripped[: MAX_EXCERPT - 1] + "…"
    room = MAX_EXCERPT - 1  # after the leading "…"
    if start + room >= len(stripped):
        return "…" + stripped[-room:]
    return "…" + stripped[start : start + room - 1] + "…"
