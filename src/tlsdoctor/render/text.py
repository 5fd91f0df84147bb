"""Text that fits a terminal by display width (Japanese characters take two columns).

``textwrap`` counts characters and breaks only at spaces: a Japanese line (two columns per
character, few spaces) runs past the terminal, and a short ASCII word inside it gets split. Here
a line breaks at spaces or between two wide characters, never inside an ASCII word, and closing
punctuation never starts a line. Used by the help (cli/_help.py) and by tables of long text.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

# A unit that must stay on one line: an ASCII-ish word (with the punctuation glued to it), or
# one wide character with the closing punctuation that follows it. Small kana and the long
# vowel mark count as closing too: a line starting with "ョン" reads as a typo (kinsoku).
_CLOSING = "、。，．）」』】〕・：；！？ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
_OPENING = "（「『【〔"


@cache
def _unit() -> re.Pattern[str]:
    """Compiled on first use: the wide ranges take ~4 ms to compile, and every command (and
    --version) imports this module for its parser, while only help and tables wrap text."""
    return re.compile(rf"[{_OPENING}]*(?:[^\s\u2e80-\uffef]+|[\u2e80-\uffef])[{_CLOSING}]*|\s+")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide and full-width characters take two): rich's
    measure, as the tables use; imported here, not at the top, because the CLI's parser (every
    command) imports this module and only its help output needs it."""
    from rich.cells import cell_len

    return cell_len(text)


def _breaks_after_wide(unit: str, following: str) -> bool:
    """No space between two units: only a wide character on either side allows a break."""
    return display_width(unit[-1]) == 2 or display_width(following[0]) == 2


def break_offsets(text: str, width: int) -> list[int]:
    """Where the second, third... line of ``text`` wrapped to ``width`` columns starts, as
    offsets into ``text``: each the first character of a line (the spaces before it are dropped).
    """
    offsets: list[int] = []
    used, last, spaced = 0, "", False  # the line's columns so far, its last character
    for match in _unit().finditer(text):
        unit = match.group()
        if unit.isspace():
            spaced = True
            continue
        joint = 1 if spaced and last else 0
        size = display_width(unit)
        can_break = spaced or (last != "" and _breaks_after_wide(last, unit))
        if last and can_break and used + joint + size > width:
            offsets.append(match.start())
            used = size
        else:
            used += joint + size
        last, spaced = unit[-1], False
    return offsets


def wrap(text: str, width: int) -> list[str]:
    """Split ``text`` (whitespace collapsed) into lines of at most ``width`` columns."""
    bounds = [0, *break_offsets(text, width), len(text)]
    lines = (" ".join(text[begin:end].split()) for begin, end in pairwise(bounds))
    return [line for line in lines if line]
