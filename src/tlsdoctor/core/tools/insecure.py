"""Settings that turn certificate verification off: one catalog (``[[insecure]]`` in
``data/tools.toml``), read by doctor (to report them) and by setup (to remove them).

Removing such a setting restores verification; it never weakens it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from tlsdoctor._data import load_data
from tlsdoctor.core.changes import message
from tlsdoctor.core.tools._edit import quoted
from tlsdoctor.i18n import N_, localized

_HEADER = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$")
# git also reads a key on the header's line: "[http]sslVerify=false", "[http] sslVerify = false"
_INLINE_HEADER = re.compile(r"^(\s*\[\s*([^\]]*?)\s*\])(.*)$", re.S)


@dataclass(frozen=True)
class Rule:
    entry: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.entry["id"])

    @property
    def tool(self) -> str:
        return str(self.entry["tool"])

    @property
    def file(self) -> str:
        return str(self.entry["file"])

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(str(self.entry["line"]))

    def turns_off(self, value: str | None) -> bool:
        normal = "" if value is None else quoted(value).strip().lower()
        if value is not None and not normal and self.entry.get("empty_is_off"):
            return True
        if "off" in self.entry:
            return normal in self.entry["off"]
        if "not_off" in self.entry:
            return normal not in self.entry["not_off"]
        return bool(normal)


@dataclass(frozen=True)
class Hit:
    """One insecure setting found in a file: lines [start, end) (none for JSON files)."""

    rule: Rule
    value: str
    start: int = 0
    end: int = 0
    replacement: str | None = None  # the line without the setting, when the rest must stay

    def message(self, path: str) -> str:
        return str(localized(self.rule.entry, "message")).format(path=path, value=self.value)

    def fix(self) -> str:
        return str(localized(self.rule.entry, "fix"))

    def shown(self) -> str:
        """The setting as the plan and undo name it (``strict-ssl=false``)."""
        return str(self.rule.entry.get("shown", self.rule.id)).format(value=self.value)

    def removal(self) -> str:
        """How the plan shows the removal."""
        return message(N_("remove {setting}: turns verification back on"), setting=self.shown())


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def rules(file: str) -> list[Rule]:
    return [Rule(e) for e in load_data("tools.toml").get("insecure", []) if e["file"] == file]


def find(file: str, text: str) -> list[Hit]:
    """Every setting in ``text`` (a ``file``-kind config) that turns verification off."""
    hits: list[Hit] = []
    for rule in rules(file):
        if "json" in rule.entry:
            hits.extend(_find_json(rule, text))
        else:
            hits.extend(_find_lines(rule, text.splitlines(keepends=True)))
    return sorted(hits, key=lambda h: h.start)


def remove(file: str, text: str) -> tuple[str, list[Hit]]:
    """``text`` without the settings :func:`find` reports, and those settings."""
    hits = find(file, text)
    if not hits:
        return text, []
    if any("json" in h.rule.entry for h in hits):
        data = json.loads(text)
        for hit in hits:
            *parents, key = hit.rule.entry["json"]
            node = data
            for name in parents:
                node = node[name]
            node.pop(key, None)
        return json.dumps(data, indent=4, ensure_ascii=False) + "\n", hits
    lines = text.splitlines(keepends=True)
    for hit in hits:
        if hit.replacement is not None:
            lines[hit.start] = hit.replacement
    drop = {i for h in hits if h.replacement is None for i in range(h.start, h.end)}
    return "".join(line for i, line in enumerate(lines) if i not in drop), hits


def _section_name(header: str) -> str:
    return re.split(r'[\s"]', header.strip(), maxsplit=1)[0].lower()


def _find_lines(rule: Rule, lines: list[str]) -> list[Hit]:
    wanted = rule.entry.get("sections")
    section: str | None = None
    hits: list[Hit] = []
    for i, line in enumerate(lines):
        header = _HEADER.match(line)
        if header and rule.file not in ("yarnrc_yml", "condarc"):
            section = _section_name(header.group(1))
            continue
        head = ""
        inline = _INLINE_HEADER.match(line) if rule.entry.get("inline_header") else None
        if inline:
            section = _section_name(inline.group(2))
            head, line = inline.group(1), inline.group(3).lstrip(" \t")
        if wanted is not None and section not in wanted:
            continue
        if rule.entry.get("backslash_continues") and i and _continued(lines[i - 1]):
            continue  # part of the value on the line before (git config), not a setting
        match = rule.pattern.match(line.rstrip("\r\n"))
        if not match:
            continue
        value = match.group("value")
        end = i + 1
        if rule.entry.get("continuation"):
            end = _ini_value_end(lines, i)
            parts = [value] if value else []
            parts += [t.strip() for t in lines[i + 1 : end] if not _ini_blank_or_comment(t)]
            value = " ".join(parts)
        if rule.turns_off(value):
            replacement = _without_short_option(rule, match, line)
            if head:  # the header stays for the keys after it
                replacement = head + line[len(line.rstrip("\r\n")) :]
            hits.append(Hit(rule, value or "", i, end, replacement))
    return hits


def _without_short_option(rule: Rule, match: re.Match[str], line: str) -> str | None:
    """``-sk`` -> ``-s``: the other flags of a cluster stay (None: drop the whole line)."""
    option = rule.entry.get("short_option")
    cluster = match.groupdict().get("cluster")
    if not option or not cluster or cluster == option:
        return None
    start, end = match.span("cluster")
    return line[:start] + cluster.replace(option, "", 1) + line[end:]


def _continued(line: str) -> bool:
    return line.rstrip("\r\n").endswith("\\")


def _ini_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped[0] in "#;"


def _ini_value_end(lines: list[str], start: int) -> int:
    """The line after the multi-line value whose key is on ``start``, by configparser's rules
    (what pip reads): lines indented deeper continue it, and blank or comment lines between
    them do not end it. Blank and comment lines after its last line are not part of it."""

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" \t"))

    key_indent = indent(lines[start])
    end = start + 1
    for i in range(start + 1, len(lines)):
        if _ini_blank_or_comment(lines[i]):
            continue
        if indent(lines[i]) <= key_indent:
            break
        end = i + 1
    return end


def _find_json(rule: Rule, text: str) -> list[Hit]:
    try:
        node: Any = json.loads(text) if text.strip() else {}
    except ValueError:
        return []
    for key in rule.entry["json"]:
        if not isinstance(node, dict) or key not in node:
            return []
        node = node[key]
    value = json.dumps(node) if not isinstance(node, str) else node
    return [Hit(rule, value)] if rule.turns_off(value) else []
