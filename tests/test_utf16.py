"""The one UTF-16 sniffer that certificate loading, explain, lint and the WSL reader share."""

from __future__ import annotations

import pytest

from tlsdoctor.core.utf16 import utf16_codec

PEM_LINE = "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n"


@pytest.mark.parametrize(
    ("encoding", "codec"),
    [("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")],
)
def test_utf16_is_told_with_or_without_its_bom(encoding: str, codec: str) -> None:
    data = PEM_LINE.encode(encoding)
    assert utf16_codec(data) == codec
    assert data.decode(codec) == PEM_LINE


@pytest.mark.parametrize(
    "data",
    [
        PEM_LINE.encode("utf-8"),
        PEM_LINE.encode("utf-32"),  # its BOM starts like UTF-16-LE's
        bytes(range(256)),
        b"\x30\x82\x01\x0a\x02\x82\x01\x01\x00",  # DER
        b"a\0",
    ],
)
def test_anything_else_is_not_utf16(data: bytes) -> None:
    assert utf16_codec(data) is None


def test_bom_only_leaves_bomless_text_alone() -> None:
    assert utf16_codec(PEM_LINE.encode("utf-16-le"), bom_only=True) is None
    assert utf16_codec(PEM_LINE.encode("utf-16"), bom_only=True) == "utf-16"
