"""Side by side with bandit and ruff's flake8-bandit rules on the Python part of the corpus.

Every TLS finding of theirs must also be a tlsdoctor finding on the same file and line (or on
the construct that spans that line: a multi-line call, a function signature's defaults).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tlsdoctor.core.lint import Finding, lint_paths

CORPUS = Path(__file__).parent / "corpus" / "python"
BIN = Path(sys.executable).parent
BANDIT_TLS = {"B501", "B502", "B503", "B504", "B323"}
RUFF_TLS = {"S501", "S502", "S503", "S504", "S323"}

Hit = tuple[str, int, str]  # (file name, line, their rule)
# Deliberate differences (file, line, their rule without its prefix): B504/S504 flag any
# ssl.wrap_socket without ssl_version, but one with cert_reqs=CERT_REQUIRED verifies and a
# server_side=True one is a server; TLS107 leaves both alone.
DELIBERATE = {("wrap_socket_ok.py", 9, "504"), ("wrap_socket_ok.py", 10, "504")}


def _deliberate(hit: Hit) -> bool:
    name, line, rule = hit
    return (name, line, rule[1:]) in DELIBERATE


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    located = shutil.which(name)
    if located is None:
        pytest.fail(f"{name} is part of the test extra and must be installed")
    return located


def bandit_hits() -> list[Hit]:
    done = subprocess.run(
        [_tool("bandit"), "-q", "-r", "-f", "json", str(CORPUS)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    return sorted(
        (Path(r["filename"]).name, int(r["line_number"]), r["test_id"])
        for r in report["results"]
        if r["test_id"] in BANDIT_TLS
    )


def ruff_hits() -> list[Hit]:
    done = subprocess.run(
        [
            _tool("ruff"),
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            ",".join(sorted(RUFF_TLS)),
            "--output-format",
            "json",
            "--exit-zero",
            str(CORPUS),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return sorted(
        (Path(r["filename"]).name, int(r["location"]["row"]), r["code"])
        for r in json.loads(done.stdout)
        if r["code"] in RUFF_TLS
    )


@pytest.fixture(scope="module")
def ours() -> list[Finding]:
    return lint_paths([str(CORPUS)], use_config=False, use_git=False).findings


def _covered(hit: Hit, findings: list[Finding]) -> bool:
    name, line, _rule = hit
    return any(
        Path(f.path).name == name and min(f.span_start or f.line, f.line) <= line <= f.end_line
        for f in findings
    )


def test_bandit_tls_findings_are_all_found(ours: list[Finding]) -> None:
    theirs = bandit_hits()
    assert len(theirs) >= 10, theirs  # the corpus exercises every one of their TLS checks
    assert {rule for _n, _l, rule in theirs} == BANDIT_TLS
    missed = [hit for hit in theirs if not _covered(hit, ours) and not _deliberate(hit)]
    assert not missed


def test_ruff_tls_findings_are_all_found(ours: list[Finding]) -> None:
    theirs = ruff_hits()
    assert len(theirs) >= 10, theirs
    assert {rule for _n, _l, rule in theirs} == RUFF_TLS
    missed = [hit for hit in theirs if not _covered(hit, ours) and not _deliberate(hit)]
    assert not missed
