"""No false positives: ordinary failures (DNS, unreachable, HTTP 404/500, permission denied,
timeouts) and successful TLS chatter give no findings, or "unknown" at most."""

from __future__ import annotations

from pathlib import Path

import pytest

from tlsdoctor.core.explain import Matcher

CORPUS = sorted((Path(__file__).parent / "data" / "ordinary").glob("*.log"))


@pytest.mark.parametrize("exhaustive", [True, False], ids=["every-line", "prefilter"])
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_ordinary_failures_are_not_tls_findings(path: Path, exhaustive: bool) -> None:
    text = path.read_text()
    matcher = Matcher(exhaustive=exhaustive)
    matcher.note_text(text)
    matcher.feed(text.encode())
    findings = matcher.close()
    assert all(f.cause == "unknown" for f in findings), [(f.cause, f.excerpt) for f in findings]
    assert matcher.insecure_attempts == []


def test_corpus_covers_the_issue_list() -> None:
    assert {p.stem for p in CORPUS} >= {
        "dns",
        "unreachable",
        "http-status",
        "permission",
        "timeouts",
    }
