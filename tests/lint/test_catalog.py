"""The rule catalog: complete entries, rule pages in sync, and examples that behave."""

from __future__ import annotations

from pathlib import Path

import pytest

from tlsdoctor.core.lint import Rule, catalog, lint_paths
from tlsdoctor.core.lint.docs import pages

REPO = Path(__file__).resolve().parents[2]
FIELDS = ("title", "title_ja", "why", "why_ja", "fix", "fix_ja", "bad", "good", "lang")
# Where each rule's documented examples are written to be linted (name decides the file kind).
EXAMPLE_FILE = {
    **{f"TLS10{i}": "example.py" for i in range(1, 9)},
    "TLS111": "example.js",
    "TLS121": "example.go",
    "TLS131": "Example.java",
    "TLS132": "Example.kt",
    "TLS141": "Example.cs",
    "TLS151": "example.rb",
    "TLS161": "example.php",
    "TLS171": "example.rs",
    "TLS181": "example.dart",
    "TLS182": "Example.swift",
    "TLS183": "example.pl",
    "TLS184": "example.R",
    "TLS185": "example.ex",
    "TLS186": "example.lua",
    "TLS201": "install.sh",
    "TLS202": "Dockerfile",
    "TLS203": "setup.sh",
    "TLS204": ".npmrc",
    "TLS205": "pip.conf",
    "TLS206": ".condarc",
    "TLS207": "deploy.sh",
    "TLS208": "daemon.json",
    "TLS209": "Dockerfile",
    "TLS210": "workflow.yml",
    "TLS211": "main.tf",
    "TLS303": "Dockerfile",
    "TLS304": "Dockerfile",
    "TLS305": ".npmrc",
    "TLS306": "Dockerfile",
    "TLS401": "README.md",
}
CERT_RULES = {"TLS301", "TLS302"}  # their examples describe files; the corpus has real ones


@pytest.mark.parametrize("rule", catalog(), ids=lambda r: r.id)
def test_entry_is_complete(rule: Rule) -> None:
    for field in FIELDS:
        assert str(rule.entry.get(field, "")).strip(), f"{rule.id}: {field} is empty"
    assert rule.anchors or rule.engine == "cert", f"{rule.id}: no anchors"
    assert rule.patterns or rule.checks, f"{rule.id}: nothing to match"
    for forbidden in ("verify=False", "-k", "strict-ssl=false", "NODE_TLS_REJECT_UNAUTHORIZED=0"):
        assert forbidden not in rule.entry["fix"], f"{rule.id}: the fix must not disable checks"


def test_ids_are_unique_and_every_example_is_covered() -> None:
    ids = [rule.id for rule in catalog()]
    assert len(ids) == len(set(ids))
    assert set(EXAMPLE_FILE) | CERT_RULES == set(ids)


def test_rule_pages_match_the_catalog() -> None:
    folder = REPO / "docs" / "rules"
    for name, text in pages().items():
        page = folder / name
        assert page.is_file(), f"missing {page}: python -m tlsdoctor.core.lint.docs docs/rules"
        assert page.read_text(encoding="utf-8") == text, (
            f"{page} is stale: python -m tlsdoctor.core.lint.docs docs/rules"
        )


@pytest.mark.parametrize("rule_id", sorted(EXAMPLE_FILE))
def test_bad_example_is_flagged_and_good_example_is_clean(rule_id: str, tmp_path: Path) -> None:
    rule = next(r for r in catalog() if r.id == rule_id)
    select = ["ALL"] if not rule.default else None
    for which, expect in (("bad", True), ("good", False)):
        folder = tmp_path / which
        folder.mkdir()
        (folder / EXAMPLE_FILE[rule_id]).write_text(str(rule.entry[which]).lstrip("\n"))
        found = lint_paths([str(folder)], select=select, use_config=False, use_git=False)
        rules = {f.rule for f in found.findings}
        if expect:
            assert rule_id in rules, f"{rule_id}: bad example not flagged"
        else:
            assert not rules, f"{rule_id}: good example flagged {rules}"
