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
    # Groovy (Jenkinsfile): triple-quoted strings span lines (sh """ ... https://x ... """).
    "groovy": re.compile(
        rf"(?P<c>{_C_COMMENTS})|\"\"\"[\s\S]*?(?:\"\"\"|\Z)|'''[\s\S]*?(?:'''|\Z)|{_C_STRINGS}"
    ),
    # HCL (Terraform): #, // and /* */ comments; its JSON syntax has only strings. A heredoc
    # (<<EOT, <<-EOT ... EOT) is a string too: a description, or a file for another tool.
    "hcl": re.compile(
        rf"(?P<c>{_C_COMMENTS}|#[^\n]*)|\"(?:\\.|[^\"\\\n])*\""
        r"|<<-?(?P<tag>[A-Za-z_][\w-]*)[ \t]*\n(?:[^\n]*\n)*?[ \t]*(?P=tag)(?=[ \t]*(?:\n|\Z))"
    ),
    "hash": re.compile(
        r'(?P<c>(?:(?<=[\s;])|^)#[^\n]*)|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'', re.MULTILINE
    ),
    "powershell": re.compile(
        r'(?P<c><#[\s\S]*?(?:#>|\Z)|(?:(?<=[\s;])|^)#[^\n]*)|"(?:`.|[^"`\n])*"|\'[^\'\n]*\'',
        re.MULTILINE,
    ),
    # Perl: # comments, POD blocks (=head1 ... =cut) and what follows __END__/__DATA__ are text.
    "perl": re.compile(
        r"(?P<c>^=[a-zA-Z][\s\S]*?(?:^=cut\b[^\n]*|\Z)|^__(?:END|DATA)__\b[\s\S]*"
        r"|(?:(?<=[\s;])|^)#[^\n]*)|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'",
        re.MULTILINE,
    ),
    # Erlang: % comments; $c is a character ($% and $" are not a comment or a string).
    "erlang": re.compile(r'(?P<c>%[^\n]*)|\$\\?.|"(?:\\.|[^"\\])*"'),
    # Lua: --[[ ]] / --[==[ ]==] blocks and -- lines; [[long strings]] as well as quotes.
    "lua": re.compile(
        r"(?P<c>--\[(?P<eq>=*)\[[\s\S]*?(?:\](?P=eq)\]|\Z)|--[^\n]*)"
        r"|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'|\[(?P<leq>=*)\[[\s\S]*?(?:\](?P=leq)\]|\Z)"
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
    # Groovy (.groovy, .gradle, Jenkinsfiles), Java text blocks, Kotlin/Scala raw strings: """
    # spans lines.
    "java": "groovy",
    "jenkinsfile": "groovy",
    "csharp": "c",
    "rust": "rust",
    "php": "php",
    # Dart and Swift: // and /* */ comments, '''/""" strings spanning lines (as in Groovy).
    "dart": "groovy",
    "swift": "groovy",
    "objc": "c",
    "perl": "perl",
    "r": "hash",
    # Elixir: # comments and """ heredocs (@moduledoc), as in Python.
    "elixir": "python",
    "erlang": "erlang",
    "lua": "lua",
    "json": "c",
    "terraform": "hcl",
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


# In a multi-line Groovy string, a line that starts with # is a comment of the script the
# string holds: a shell script in sh """ ... """ (or YAML, Python), and is blanked like one.
_SCRIPT_COMMENT = re.compile(r"^[ \t]*(#[^\n]*)", re.MULTILINE)
_MULTILINE_STRING = ('"""', "'''")


def _blanked(comment: str) -> str:
    return re.sub(r"[^\n]", " ", comment)


def strip_comments(text: str, kind: str) -> tuple[str, list[Comment]]:
    """The text with comments blanked (offsets kept) and the comments themselves."""
    style = COMMENT_STYLE.get(kind)
    if style is None:
        return text, []
    comments: list[Comment] = []

    def blank(match: re.Match[str]) -> str:
        comment = match.group("c")
        if comment is not None:
            comments.append(Comment(match.start(), comment))
            return _blanked(comment)
        token = match.group(0)
        if style == "groovy" and token.startswith(_MULTILINE_STRING) and "#" in token:
            return _blank_script_comments(token, match.start(), comments)
        return token

    return _TOKENS[style].sub(blank, text), comments


def _blank_script_comments(string: str, start: int, comments: list[Comment]) -> str:
    def blank(found: re.Match[str]) -> str:
        comments.append(Comment(start + found.start(1), found.group(1)))
        return found.group(0)[: found.start(1) - found.start()] + _blanked(found.group(1))

    return _SCRIPT_COMMENT.sub(blank, string)


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
            # The next occurrence on a later line gets its own lines after it: one in this
            # window's tail would otherwise be cut off at this window's end.
            pos = text.find(anchor, text.find("\n", pos) + 1 or len(text))
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


# ---------------------------------------------------------------- text written for people
#
# Comments are blanked before rules run. Two more kinds of text are messages, not code: the
# arguments of echo/printf in shell-like files (printed, not run) and, for rules about code
# constructs, string literals (a setting spelled inside a string is prose or data). Matches
# entirely inside them are not code findings; TLS401 (comments engine) reads the messages.

MESSAGE_KINDS = frozenset({"shell", "dockerfile", "makefile", "yaml", "powershell", "jenkinsfile"})
# echo/printf and its arguments up to the end of the simple command. Anything that could make
# the text run or land in a file ends the match early (|, >, <, $(, backquotes, a line
# continuation), and then the command is not a message: `echo insecure >> ~/.curlrc` writes a
# setting and `echo "curl -k ..." | sh` runs one. Only >&2 and >/dev/null are allowed.
_MESSAGE = re.compile(
    r"(?<![\w$./-])(?:echo|printf|Write-Host|Write-Output)(?![\w-])"
    r"(?P<args>(?:[^\n;&|()<>`\\\"'$]|\$(?![({])|\\[^\n]"
    r"|[0-9]?>>?[ \t]*(?:&[0-9]|/dev/(?:null|stderr|stdout|tty)\b)"
    r"|\"(?:\\[^\n]|\$(?![({])|[^\"\\$`\n])*\"|'[^'\n]*')*)"
    r"(?=[ \t]*(?:[;\n)]|&|\Z))",
    re.IGNORECASE,
)


def message_spans(text: str, kind: str) -> list[Window]:
    """(start, end) of echo/printf arguments that are only printed (text with comments blanked)."""
    if kind not in MESSAGE_KINDS or not ("echo" in text or "printf" in text or "Write-" in text):
        return []
    return [m.span("args") for m in _MESSAGE.finditer(text) if m.group("args").strip()]


def string_spans(text: str, kind: str) -> list[Window]:
    """(start, end) of every string literal (per the kind's comment syntax), in order."""
    style = COMMENT_STYLE.get(kind)
    if style is None or style == "ini":
        return []
    return [m.span() for m in _TOKENS[style].finditer(text) if m.group("c") is None]


def containing_span(spans: Sequence[Window], match: Match) -> Window | None:
    """The span (of ``spans``, in order) that holds the whole match, from its start to its end."""
    start = match.start if 0 <= match.start < match.offset else match.offset
    index = bisect_right(spans, (start, 1 << 62)) - 1
    if index >= 0 and spans[index][0] <= start and match.end <= spans[index][1]:
        return spans[index]
    return None


def inside_any(spans: Sequence[Window], match: Match) -> bool:
    """Whether the whole match (from its start to its end) lies inside one span."""
    return containing_span(spans, match) is not None
