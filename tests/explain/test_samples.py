"""Sourced real messages of producers not on this machine: the right cause, through both
matcher paths (every line tried, as for pasted text; the prefilter, as for big logs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tomllib

from tlsdoctor.core.explain import Finding, Matcher, catalog

DATA = Path(__file__).parent / "data"
SAMPLES: list[dict[str, Any]] = tomllib.loads((DATA / "samples.toml").read_text())["sample"]


def explain(text: str, *, exhaustive: bool) -> list[Finding]:
    matcher = Matcher(exhaustive=exhaustive)
    matcher.feed(text.encode())
    return matcher.close()


def sample_id(sample: dict[str, Any]) -> str:
    return f"{sample.get('tool', 'any')}-{sample['cause']}-{SAMPLES.index(sample)}"


@pytest.mark.parametrize("exhaustive", [True, False], ids=["every-line", "prefilter"])
@pytest.mark.parametrize("sample", SAMPLES, ids=sample_id)
def test_sample_gives_its_cause(sample: dict[str, Any], exhaustive: bool) -> None:
    findings = explain(sample["text"], exhaustive=exhaustive)
    assert len(findings) == 1, [(f.cause, f.tool, f.line) for f in findings]
    (finding,) = findings
    assert finding.cause == sample["cause"], sample["text"]
    if "tool" in sample:
        assert finding.tool == sample["tool"], sample["text"]
    if "product" in sample:
        assert finding.product == sample["product"]
    assert finding.fix, "every finding comes with a fix"


def test_every_sample_names_a_source() -> None:
    assert all(s.get("source", "").strip() for s in SAMPLES)


def test_rows_without_literal_anchors_are_backed_by_samples() -> None:
    """A row whose pattern holds no prefilter anchor declares the anchor its producer prints on
    the same line (anchored_by); some sample or lab output must show the row firing on a line
    that holds that anchor, through the prefilter."""
    declared = [
        s for s in catalog().signatures if s.anchors is not None and not _literal_anchored(s)
    ]
    exercised: set[str] = set()
    for sample in SAMPLES:
        for line in sample["text"].splitlines():
            for sig in declared:
                if sig.regex.search(line) and any(a in line.lower() for a in sig.anchors or ()):
                    exercised.add(sig.id)
    missing = {s.id for s in declared} - exercised
    assert not missing, f"anchored_by rows without a sample: {sorted(missing)}"


def _literal_anchored(sig: Any) -> bool:
    from tlsdoctor.core.explain.prefilter import anchors_of as _anchors_of

    return _anchors_of(sig.literals) is not None
