"""The rule catalog (data/lint_rules.toml) as typed objects, and rule selection."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from tlsdoctor._data import load_data
from tlsdoctor._version import PROJECT_URL
from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _, localized

SEVERITIES = ("error", "warning", "info")
ENGINES = ("python", "text", "cert", "comments")
DOCS_BASE = f"{PROJECT_URL}/blob/main/docs/rules/"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    default: bool
    engine: str
    kinds: frozenset[str]
    anchors: tuple[str, ...]
    gate: re.Pattern[str] | None
    patterns: tuple[re.Pattern[str], ...]
    kind_patterns: Mapping[str, tuple[re.Pattern[str], ...]]
    fallback: tuple[re.Pattern[str], ...]
    checks: tuple[str, ...]
    entry: Mapping[str, Any]
    code_only: bool = False  # text engine: a match entirely inside a string literal is prose
    # Dockerfiles: only what reaches the final image counts. "trust-store": a CA put into a
    # trust store (COPY --from of that store carries it on); "inherited": a setting (ENV) that
    # only the stages the shipped one is built FROM pass on. "": every stage counts.
    shipped_only: str = ""

    def patterns_for(self, kind: str) -> tuple[re.Pattern[str], ...]:
        return self.patterns + self.kind_patterns.get(kind, ())

    def text(self, field: str) -> str:
        """A documentation field (title, why, fix...) in the current language."""
        value = localized(self.entry, field)
        return str(value) if value is not None else ""

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}{self.id}.md"


def _expand_kinds(kinds: Iterable[str], groups: Mapping[str, Sequence[str]]) -> frozenset[str]:
    out: set[str] = set()
    for kind in kinds:
        if kind.startswith("@"):
            out.update(groups[kind[1:]])
        else:
            out.add(kind)
    return frozenset(out)


def _compile_all(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.MULTILINE) for p in patterns)


def _rule(entry: Mapping[str, Any], groups: Mapping[str, Sequence[str]]) -> Rule:
    severity = str(entry["severity"])
    engine = str(entry["engine"])
    if severity not in SEVERITIES or engine not in ENGINES:
        raise ValueError(f"lint rule {entry.get('id')}: bad severity or engine")
    return Rule(
        id=str(entry["id"]),
        name=str(entry["name"]),
        severity=severity,
        default=bool(entry.get("default", True)),
        engine=engine,
        kinds=_expand_kinds(entry.get("kinds", []), groups),
        anchors=tuple(entry.get("anchors", [])),
        gate=re.compile(entry["gate"], re.MULTILINE) if "gate" in entry else None,
        patterns=_compile_all(entry.get("patterns", [])),
        kind_patterns={
            kind: _compile_all(patterns)
            for key, patterns in entry.get("patterns_by_kind", {}).items()
            for kind in _expand_kinds([key], groups)
        },
        fallback=_compile_all(entry.get("fallback", [])),
        checks=tuple(entry.get("checks", [])),
        entry=entry,
        code_only=bool(entry.get("code_only", False)),
        shipped_only=_shipped_scope(entry),
    )


SHIPPED_SCOPES = ("", "trust-store", "inherited")


def _shipped_scope(entry: Mapping[str, Any]) -> str:
    value = entry.get("shipped_only", False)
    scope = "trust-store" if value is True else "" if value is False else str(value)
    if scope not in SHIPPED_SCOPES:
        raise ValueError(f"lint rule {entry.get('id')}: bad shipped_only {value!r}")
    return scope


@cache
def catalog() -> tuple[Rule, ...]:
    data = load_data("lint_rules.toml")
    groups: dict[str, list[str]] = data.get("groups", {})
    return tuple(_rule(entry, groups) for entry in data.get("rule", []))


def by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in catalog()}


def _expand(codes: Iterable[str], option: str) -> set[str]:
    """Rule ids for codes given as ids or prefixes ('TLS1' -> every TLS1xx rule, 'ALL')."""
    ids = [rule.id for rule in catalog()]
    chosen: set[str] = set()
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        matched = ids if code == "ALL" else [i for i in ids if i.startswith(code)]
        if not matched:
            raise UsageError(
                _("unknown rule {code!r} in {option}", code=raw.strip(), option=option),
                hint=_("run 'tlsdoctor lint --list-rules' to see the rule ids"),
            )
        chosen.update(matched)
    return chosen


def check_codes(codes: Iterable[str], option: str) -> None:
    """Raise UsageError for a code that names no rule (as --select does)."""
    _expand(codes, option)


def split_codes(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [code for item in items for code in str(item).split(",") if code.strip()]


def select_rules(
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    *,
    extend_select: Sequence[str] = (),
) -> tuple[Rule, ...]:
    """Default rules (or ``select``) plus ``extend_select``, minus ``ignore``, in catalog order."""
    chosen = (
        _expand(select, "--select") if select else {rule.id for rule in catalog() if rule.default}
    )
    chosen |= _expand(extend_select, "--extend-select")
    chosen -= _expand(ignore, "--ignore")
    if not chosen:
        raise UsageError(
            _("no rules selected: --select/--ignore (or the config) leave nothing to run"),
            hint=_("run 'tlsdoctor lint --list-rules' to see the rule ids"),
        )
    return tuple(rule for rule in catalog() if rule.id in chosen)
