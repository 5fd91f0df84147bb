"""Recall and precision of every lint rule on the corpus (tests/lint/corpus + expected.toml)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tlsdoctor._data import tomllib
from tlsdoctor.core.lint import catalog, lint_paths

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
EXPECTED = tomllib.loads((HERE / "expected.toml").read_text(encoding="utf-8"))

Key = tuple[str, int]  # (path relative to the corpus, line)


def expected_by_rule(only: set[str] | None = None) -> dict[str, set[Key]]:
    out: dict[str, set[Key]] = defaultdict(set)
    for rel, rules in EXPECTED["files"].items():
        for rule, lines in rules.items():
            if only is None or rule in only:
                out[rule].update((rel, line) for line in lines)
    return out


def found_by_rule(paths: list[Path], select: list[str] | None = None) -> dict[str, set[Key]]:
    result = lint_paths([str(p) for p in paths], select=select, use_config=False, use_git=False)
    out: dict[str, set[Key]] = defaultdict(set)
    for finding in result.findings:
        rel = Path(finding.path).resolve().relative_to(CORPUS.resolve()).as_posix()
        out[finding.rule].add((rel, finding.line))
    return out


@pytest.fixture(scope="module")
def default_run() -> dict[str, set[Key]]:
    return found_by_rule([CORPUS])


@pytest.fixture(scope="module")
def docs_run() -> dict[str, set[Key]]:
    return found_by_rule([CORPUS / "docs"], select=["TLS401"])


DEFAULT_RULES = [rule.id for rule in catalog() if rule.default]


@pytest.mark.parametrize("rule", DEFAULT_RULES)
def test_recall_and_precision(rule: str, default_run: dict[str, set[Key]]) -> None:
    expected = expected_by_rule()[rule]
    found = default_run.get(rule, set())
    missed = sorted(expected - found)
    false_positives = sorted(found - expected)
    recall = len(expected & found) / len(expected) if expected else 0.0
    precision = len(expected & found) / len(found) if found else 0.0
    assert not missed, f"{rule} recall {recall:.2f}, missed {missed}"
    assert not false_positives, f"{rule} precision {precision:.2f}, false: {false_positives}"
    assert recall == precision == 1.0


def test_doc_instructions_are_info_and_opt_in(docs_run: dict[str, set[Key]]) -> None:
    expected = expected_by_rule({"TLS401"})["TLS401"]
    assert docs_run.get("TLS401", set()) == expected
    assert set(docs_run) == {"TLS401"}
    default = lint_paths([str(CORPUS / "docs")], use_config=False, use_git=False)
    assert default.findings == []


def test_no_finding_outside_the_manifest(default_run: dict[str, set[Key]]) -> None:
    unknown = {rule for rule in default_run if rule not in DEFAULT_RULES}
    assert not unknown


@pytest.mark.parametrize("rule", [rule.id for rule in catalog()])
def test_every_rule_has_targets_and_near_misses(rule: str) -> None:
    expected = expected_by_rule()[rule]
    near_misses = EXPECTED["near_misses"].get(rule, [])
    assert expected, f"{rule}: no file in the corpus must be flagged"
    assert near_misses, f"{rule}: no near miss in the corpus"
    flagged_files = {rel for rel, _line in expected}
    for rel in near_misses:
        assert (CORPUS / rel).is_file(), rel
        assert rel not in flagged_files or rule not in EXPECTED["files"][rel], (rule, rel)
