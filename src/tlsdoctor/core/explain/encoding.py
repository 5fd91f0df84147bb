"""Logs in UTF-16 read as UTF-8: Windows PowerShell 5.1 writes `cmd > log.txt` as UTF-16LE.

The matcher scans UTF-8 bytes (its anchors are ASCII byte strings), so a UTF-16 stream, told by
its BOM or, without one, by the NUL bytes of its ASCII characters, is transcoded block by block;
any other input passes through untouched.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

from tlsdoctor.core.utf16 import SNIFF_SIZE, utf16_codec


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


def utf8_blocks(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """The blocks as UTF-8 (a UTF-16 log transcoded), then what the transcoder still holds."""
    utf8 = Transcoder()
    for raw in blocks:
        yield utf8.feed(raw)
    yield utf8.close()
