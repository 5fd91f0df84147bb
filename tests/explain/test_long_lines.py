"""A line longer than MAX_LINE keeps its head and tail: an error at its end is still found,
line numbers stay right, and memory stays bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tlsdoctor.core.explain import MAX_LINE, Matcher, explain_file
from tlsdoctor.core.explain import matcher as matcher_module

EXPIRED = "curl: (60) SSL certificate problem: certificate has expired"
IN_CHAIN = "curl: (60) SSL certificate problem: self-signed certificate in certificate chain"


def test_error_at_the_end_of_a_2_mb_line(tmp_path: Path) -> None:
    log = tmp_path / "long.log"
    log.write_bytes(b"S" * 2_000_000 + f" {EXPIRED}\n".encode())
    (f,) = explain_file(str(log))
    assert (f.cause, f.tool, f.line) == ("expired", "curl", 1)
    assert f.excerpt.endswith(EXPIRED) and len(f.excerpt) <= 300


@pytest.mark.parametrize("exhaustive", [True, False])
def test_a_long_line_across_blocks(monkeypatch: pytest.MonkeyPatch, exhaustive: bool) -> None:
    monkeypatch.setattr(matcher_module, "BLOCK_SIZE", 8192)
    text = (
        "start\nsecond\n"
        + "x" * (MAX_LINE * 20)
        + f" {EXPIRED}\nfourth\n{'y' * 50}\n\n\n\n\n\n{IN_CHAIN}\n"
    )
    data = text.encode()
    matcher = Matcher(exhaustive=exhaustive)
    biggest = 0
    for i in range(0, len(data), 5000):
        matcher.feed(data[i : i + 5000])
        biggest = max(biggest, len(matcher._buf))
    got = [(f.cause, f.line) for f in matcher.close()]
    assert got == [("expired", 3), ("inspection_untrusted_ca", 11)]
    assert biggest < MAX_LINE + 4 * 8192
