"""UTF-16 text as Windows tools write it (PowerShell 5.1's `>` and `Out-File`, certutil, reg):
told by its byte order mark or, without one, by the NUL bytes of its ASCII characters."""

from __future__ import annotations

SNIFF_SIZE = 512  # bytes looked at before deciding (fewer when the input is shorter)


def utf16_codec(head: bytes, *, bom_only: bool = False) -> str | None:
    """The UTF-16 codec of an input starting with ``head``, or None for anything else.

    ``bom_only``: without a byte order mark it is not UTF-16 (where binary files are common).
    """
    if head.startswith(b"\xff\xfe\x00\x00"):
        return None  # UTF-32-LE's byte order mark
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # reads and drops the BOM
    head = head[:SNIFF_SIZE]
    if bom_only or len(head) < 4:
        return None
    odd, even = head[1::2], head[0::2]
    if odd.count(0) * 2 > len(odd) and not even.count(0):
        return "utf-16-le"  # ASCII text: every other byte is NUL
    if even.count(0) * 2 > len(even) and not odd.count(0):
        return "utf-16-be"
    return None
