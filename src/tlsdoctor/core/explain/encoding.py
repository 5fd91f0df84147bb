"""Logs in UTF-16 read as UTF-8: Windows PowerShell 5.1 writes `cmd > log.txt` as UTF-16LE.

The matcher scans UTF-8 bytes (its anchors are ASCII byte strings), so a UTF-16 stream, told by
its BOM or, without one, by the NUL bytes of its ASCII characters, is transcoded block by block;
any other input passes through untouched.
"""

from __future__ import annotations

import codecs

SNIFF_SIZE = 512  # bytes looked at before deciding (fewer when the input is shorter)


def utf16_codec(head: bytes) -> str | None:
    """The UTF-16 codec of an input starting with ``head``, or None for anything else."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # reads and drops the BOM
    if len(head) < 4:
        return None
    odd, even = head[1::2], head[0::2]
    if odd.count(0) * 2 > len(odd) and not even.count(0):
        return "utf-16-le"  # ASCII text: every other byte is NUL
    if even.count(0) * 2 > len(even) and not odd.count(0):
        return "utf-16-be"
    return None


class Transcoder:
    """Feed raw blocks, get UTF-8 blocks; ``close`` returns what was held back."""

    def __init__(self) -> None:
        self._head = b""
        self._decoder: codecs.IncrementalDecoder | None = None
        self._sniffed = False

    def feed(self, data: bytes) -> bytes:
        if not self._sniffed:
            self._head += data
            if len(self._head) < SNIFF_SIZE:
                return b""
            data = self._sniff()
        if self._decoder is None:
            return data
        return self._decoder.decode(data).encode("utf-8")

    def close(self) -> bytes:
        data = self._sniff() if not self._sniffed else b""
        if self._decoder is None:
            return data
        return self._decoder.decode(data, final=True).encode("utf-8")

    def _sniff(self) -> bytes:
        self._sniffed = True
        codec = utf16_codec(self._head)
        if codec is not None:
            self._decoder = codecs.getincrementaldecoder(codec)("replace")
        head, self._head = self._head, b""
        return head
