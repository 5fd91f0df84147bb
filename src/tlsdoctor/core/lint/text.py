"""Regex rules over text whose comments are blanked out, per language comment syntax.

Blanking keeps every offset (comment characters become spaces, newlines stay), so a match in
the blanked text has the same line and column as in the file. Strings are kept: a setting
written inside a string ("NODE_TLS_REJECT_UNAUTHORIZED": "0") is still code or configuration.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_C_STRINGS = r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|`(?:\\.|[^`\\])*`'
_C_COMMENTS = r"//[^\n]*|/\*[\s\S]*?(?:\*/|\Z)"

_TOKENS: dict[str, re.Pattern[str]] = {
    "c": re.compile(rf"(?P<c>{_C_COMMENTS})|{_C_STRINGS}"),
    # Rust: 'a is a lifetime, not a string; only one-character literals are strings.
    "rust": re.compile(
        rf'(?P<c>{_C_COMMENTS})|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\\n]|\\u\{{[0-9a-fA-F]+\}})\''
    ),
    "php": re.compile(rf"(?P<c>{_C_COMMENTS}|#(?!\[)[^\n]*)|{_C_STRINGS}"),
    "hash": re.compile(
        r'(?P<c>(?:(?<=[\s;])|^)#[^\n]*)|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'', re.MULTILINE
    ),
    "powershell": re.compile(
        r'(?P<c><#[\s\S]*?(?:#>|\Z)|(?:(?<=[\s;])|^)#[^\n]*)|"(?:`.|[^"`\n])*"|\'[^\'\n]*\'',
        re.MULTILINE,
    ),
    "ini": re.compile(r"(?P<c>^[ \t]*[#;][^\n]*)", re.MULTILINE),
    "python": re.compile(
        r"(?P<c>#[^\n]*)|\"\"\"[\s\S]*?(?:\"\"\"|\Z)|'''[\s\S]*?(?:'''|\Z)"
        r"|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'"
    ),
}

COMMENT_STYLE: dict[str, str] = {
    "python": "python",
    "js": "c",
    "go": "c",
    "java": "c",
    "csharp": "c",
    "rust": "rust",
    "php": "php",
    "json": "c",
    "ruby": "hash",
    "shell": "hash",
    "dockerfile": "hash",
    "makefile": "hash",
    "yaml": "hash",
    "kubeconfig": "hash",
    "toml": "hash",
    "env": "hash",
    "condarc": "hash",
    "requirements": "hash",
    "curlrc": "hash",
    "wgetrc": "hash",
    "powershell": "powershell",
    "ini": "ini",
    "npmrc": "ini",
    "yarnrc": "hash",
    "pipconf": "ini",
    "gitconfig": "ini",
    "properties": "ini",
}


@dataclass(frozen=True)
class Comment:
    start: int
    text: str


@dataclass(frozen=True)
class Match:
    offset: int
    end: int
    start: int = -1  # where the whole match starts (before group "at"); -1: at offset


class LineIndex:
    """Offsets -> 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = find("\n", pos + 1)

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def strip_comments(text: str, kind: str) -> tuple[str, list[Comment]]:
    """The text with comments blanked (offsets kept) and the comments themselves."""
    style = COMMENT_STYLE.get(kind)
    if style is None:
        return text, []
    comments: list[Comment] = []

    def blank(match: re.Match[str]) -> str:
        comment = match.group("c")
        if comment is None:
            return match.group(0)
        comments.append(Comment(match.start(), comment))
        return re.sub(r"[^\n]", " ", comment)

    return _TOKENS[style].sub(blank, text), comments


# Around each anchor, patterns look this many lines back and ahead (a command continued over
# several lines, a Java method body below its signature).
_LINES_BEFORE = 2
_LINES_AFTER = 12

Window = tuple[int, int]


def anchor_windows(text: str, anchors: Iterable[str]) -> list[Window]:
    """Merged (start, end) regions around every occurrence of any anchor.

    Patterns are matched only there: a regex without a literal prefix is slow in Python's
    engine over a whole file, and fast over a few lines.
    """
    spans: list[Window] = []
    for anchor in anchors:
        pos = text.find(anchor)
        while pos != -1:
            start = text.rfind("\n", 0, pos) + 1
            for _ in range(_LINES_BEFORE):
                if start == 0:
                    break
                start = text.rfind("\n", 0, start - 1) + 1
            end = pos - 1
            for _ in range(_LINES_AFTER + 1):
                nxt = text.find("\n", end + 1)
                if nxt == -1:
                    end = len(text)
                    break
                end = nxt
            spans.append((start, end))
            pos = text.find(anchor, max(end, pos + 1))
    spans.sort()
    merged: list[Window] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def search_windows(pattern: re.Pattern[str], text: str, windows: Sequence[Window]) -> bool:
    return any(pattern.search(text, start, end) for start, end in windows)


def find_matches(
    text: str, patterns: Sequence[re.Pattern[str]], windows: Sequence[Window] | None = None
) -> list[Match]:
    found: list[Match] = []
    regions = windows if windows is not None else [(0, len(text))]
    for pattern in patterns:
        at = "at" in pattern.groupindex
        for start, end in regions:
            for match in pattern.finditer(text, start, end):
                group = "at" if at and match.group("at") is not None else 0
                found.append(Match(match.start(group), match.end(group), match.start()))
    return found


def find_in_comments(
    comments: Iterable[Comment], patterns: Sequence[re.Pattern[str]]
) -> list[Match]:
    found: list[Match] = []
    for comment in comments:
        for match in find_matches(comment.text, patterns):
            found.append(Match(comment.start + match.offset, comment.start + match.end))
    return found
