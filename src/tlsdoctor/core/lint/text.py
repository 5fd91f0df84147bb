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


def find_matches(text: str, patterns: Sequence[re.Pattern[str]]) -> list[Match]:
    found: list[Match] = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            group = "at" if "at" in pattern.groupindex and match.group("at") is not None else 0
            found.append(Match(match.start(group), match.end(group)))
    return found


def find_in_comments(
    comments: Iterable[Comment], patterns: Sequence[re.Pattern[str]]
) -> list[Match]:
    found: list[Match] = []
    for comment in comments:
        for match in find_matches(comment.text, patterns):
            found.append(Match(comment.start + match.offset, comment.start + match.end))
    return found
