"""Line arithmetic on the matcher's byte buffer: line starts, context lines, decoding."""

from __future__ import annotations

from tlsdoctor.core.explain.prefilter import SPELLINGS

MAX_LINE = 64 << 10  # longer lines are cut (a minified blob must not hold the whole file)
MAX_EXCERPT = 300


def all_line_starts(buf: bytearray, begin: int, end: int) -> list[int]:
    starts = [begin]
    pos = buf.find(b"\n", begin, end)
    while pos >= 0 and pos + 1 < end:
        starts.append(pos + 1)
        pos = buf.find(b"\n", pos + 1, end)
    return starts


def candidate_line_starts(buf: bytearray, begin: int, end: int) -> list[int]:
    """Start offsets of the lines in buf[begin:end] that hold an anchor (one pass each)."""
    starts: set[int] = set()
    for spelling in SPELLINGS:
        pos = buf.find(spelling, begin, end)
        while pos >= 0:
            starts.add(buf.rfind(b"\n", begin, pos) + 1 or begin)
            nl = buf.find(b"\n", pos, end)
            if nl < 0:
                break
            pos = buf.find(spelling, nl, end)
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


def decode(raw: bytes | bytearray) -> str:
    return raw[:MAX_LINE].decode("utf-8", "replace").rstrip("\r")


def excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_EXCERPT else text[: MAX_EXCERPT - 1] + "…"
