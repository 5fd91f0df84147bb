"""Small, conservative editors for the config formats tools use.

Each editor changes one key and leaves every other byte of the file as it was, so the diff a user
sees is one line and undo is trivially byte-identical. They return ``(new_text, old_value)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from tlsdoctor.i18n import _

_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*(?:[#;].*)?$")


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _ensure_trailing_newline(lines: list[str], nl: str) -> None:
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += nl


def set_line_value(
    text: str,
    *,
    section: str | None,
    key_pattern: str,
    line: str,
    parse_value: Callable[[str], str],
    section_header: str | None = None,
    case_insensitive_section: bool = False,
) -> tuple[str, str | None]:
    """Set one ``key <sep> value`` line inside ``[section]`` (``None``: before any section).

    ``key_pattern`` is a regex matching the start of the key's line up to its value, which is
    captured as the group ``value``. ``line`` is the full replacement line (no newline).
    """
    nl = _newline(text)
    lines = _lines(text)
    key_re = re.compile(key_pattern, re.IGNORECASE)
    start, end = _section_bounds(lines, section, case_insensitive_section)
    if start is None:
        _ensure_trailing_newline(lines, nl)
        if lines and lines[-1].strip():
            lines.append(nl)
        lines.append((section_header or f"[{section}]") + nl)
        lines.append(line + nl)
        return "".join(lines), None
    for i in range(start, end):
        match = key_re.match(lines[i])
        if match:
            old = parse_value(match.group("value").rstrip("\r\n"))
            ending = lines[i][len(lines[i].rstrip("\r\n")) :] or nl
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            lines[i] = indent + line.lstrip() + ending
            return "".join(lines), old
    insert_at = end
    while insert_at > start and not lines[insert_at - 1].strip():
        insert_at -= 1
    if insert_at > 0 and not lines[insert_at - 1].endswith(("\n", "\r")):
        lines[insert_at - 1] += nl
    indent = _indent_of(lines, start, end)
    lines.insert(insert_at, indent + line.lstrip() + nl)
    return "".join(lines), None


def get_line_value(
    text: str,
    *,
    section: str | None,
    key_pattern: str,
    parse_value: Callable[[str], str],
    case_insensitive_section: bool = False,
) -> str | None:
    lines = _lines(text)
    key_re = re.compile(key_pattern, re.IGNORECASE)
    start, end = _section_bounds(lines, section, case_insensitive_section)
    if start is None:
        return None
    for i in range(start, end):
        match = key_re.match(lines[i])
        if match:
            return parse_value(match.group("value").rstrip("\r\n"))
    return None


def _indent_of(lines: list[str], start: int, end: int) -> str:
    for i in range(start, end):
        stripped = lines[i].lstrip()
        if stripped and not stripped.startswith(("#", ";", "[")):
            return lines[i][: len(lines[i]) - len(stripped)]
    return ""


def _section_bounds(
    lines: list[str], section: str | None, case_insensitive: bool
) -> tuple[int | None, int]:
    """Index range [start, end) of the body of ``section`` (None = the part before any header)."""
    if section is None:
        for i, line in enumerate(lines):
            if _SECTION.match(line):
                return 0, i
        return 0, len(lines)
    wanted = section.lower() if case_insensitive else section
    start: int | None = None
    for i, line in enumerate(lines):
        match = _SECTION.match(line)
        if not match:
            continue
        if start is not None:
            return start, i
        name = match.group(1).strip()
        if (name.lower() if case_insensitive else name) == wanted:
            start = i + 1
    return start, len(lines)


# ------------------------------------------------------------------ value syntaxes


def plain(value: str) -> str:
    """INI value: strip spaces and an inline comment-free value as is."""
    return value.strip()


def quoted(value: str) -> str:
    """A value that may be wrapped in double or single quotes (.curlrc, TOML, YAML)."""
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        inner = v[1:-1]
        return inner.replace('\\"', '"').replace("\\\\", "\\") if v[0] == '"' else inner
    return v


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def ini_key(key: str) -> str:
    return rf"^\s*{re.escape(key)}\s*[=:]\s*(?P<value>.*)$"


def yaml_key(key: str) -> str:
    return rf"^{re.escape(key)}\s*:\s*(?P<value>.*)$"


def set_ini(text: str, section: str | None, key: str, value: str) -> tuple[str, str | None]:
    return set_line_value(
        text,
        section=section,
        key_pattern=ini_key(key),
        line=f"{key} = {value}",
        parse_value=plain,
    )


def get_ini(text: str, section: str | None, key: str) -> str | None:
    return get_line_value(text, section=section, key_pattern=ini_key(key), parse_value=plain)


def set_yaml_top(text: str, key: str, value: str) -> tuple[str, str | None]:
    """A top-level ``key: value`` line of a YAML file (value written as a JSON string)."""
    return set_line_value(
        text,
        section=None,
        key_pattern=yaml_key(key),
        line=f"{key}: {json.dumps(value, ensure_ascii=False)}",
        parse_value=lambda v: quoted(v.split(" #")[0]),
    )


def get_yaml_top(text: str, key: str) -> str | None:
    return get_line_value(
        text,
        section=None,
        key_pattern=yaml_key(key),
        parse_value=lambda v: quoted(v.split(" #")[0]),
    )


def set_json_path(text: str, keys: tuple[str, ...], value: str) -> tuple[str, str | None]:
    """Set ``obj[k1][k2]... = value`` in a JSON object file (re-serialised with 4 spaces)."""
    data = json.loads(text) if text.strip() else {}
    if not isinstance(data, dict):
        raise ValueError(_("not a JSON object"))
    node = data
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ValueError(_("{key} is not an object", key=key))
        node = child
    old = node.get(keys[-1])
    if old == value:
        return text, value
    node[keys[-1]] = value
    return json.dumps(data, indent=4, ensure_ascii=False) + "\n", (
        None if old is None else str(old)
    )


def get_json_path(text: str, keys: tuple[str, ...]) -> str | None:
    try:
        node = json.loads(text) if text.strip() else {}
    except ValueError:
        return None
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return None if node is None else str(node)
