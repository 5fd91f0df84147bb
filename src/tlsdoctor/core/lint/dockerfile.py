"""Dockerfile stages: which of them end up in the image that is shipped.

A multi-stage build ships its last stage plus every stage that one is built ``FROM``. A CA
trusted in any other stage (to download dependencies behind the proxy) stays there, unless a
shipped stage copies that stage's trust store (``COPY --from=build /etc/ssl ...``): then the
copy is what ships it. ``COPY --from`` of a stage that trusted nothing, or of another image,
copies the public bundle (the ``FROM scratch`` pattern).
"""

from __future__ import annotations

import re
import shlex
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from .text import Match

_FROM = re.compile(
    r"^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(?P<image>[^\s\\]+)(?:[ \t]+AS[ \t]+(?P<name>[^\s\\]+))?",
    re.IGNORECASE | re.MULTILINE,
)
# COPY/ADD with its continuation lines; group "args" is everything after the instruction.
_COPY = re.compile(
    r"^[ \t]*(?P<at>COPY|ADD)\b(?P<args>(?:[^\n\\]|\\\n|\\.)*)", re.IGNORECASE | re.MULTILINE
)
_FROM_FLAG = re.compile(r"(?<!\S)--from=(?P<ref>\S+)", re.IGNORECASE)
TRUST_PATHS = (
    "/usr/local/share/ca-certificates",
    "/usr/share/ca-certificates",
    "/etc/pki",
    "/etc/ssl",
    "/etc/ca-certificates",
    "/usr/local/share/certs",
)


@dataclass(frozen=True)
class _Copy:
    at: int  # where the instruction (COPY/ADD) starts
    end: int
    stage: int
    source_stage: int | None  # None: another image (a public bundle)
    trust: bool  # copies a trust store or a part of one


@dataclass(frozen=True)
class _Stages:
    starts: list[int]
    bases: list[int | None]  # the stage each one is built FROM, if it is one of them
    copies: list[_Copy]

    def of(self, offset: int) -> int:
        """The stage holding ``offset`` (-1: before the first FROM)."""
        return bisect_right(self.starts, offset) - 1


def _resolve(ref: str, names: dict[str, int], before: int) -> int | None:
    ref = ref.strip("\"'").lower()
    index = int(ref) if ref.isdigit() else names.get(ref)
    return index if index is not None and index < before else None


def _touches_trust_store(sources: Sequence[str]) -> bool:
    for source in sources:
        path = source.rstrip("/") or "/"
        if "cacerts" in path:
            return True
        for trust in TRUST_PATHS:
            if path == "/" or trust.startswith(path + "/") or path.startswith(trust):
                return True
    return False


def _sources(args: str) -> list[str]:
    """The source paths of a COPY/ADD (flags and the destination left out)."""
    text = args.replace("\\\n", " ").strip()
    try:
        words = shlex.split(text.strip("[]").replace(",", " ") if text.startswith("[") else text)
    except ValueError:
        words = text.split()
    paths = [w for w in words if not w.startswith("--")]
    return paths[:-1]


def _parse(text: str) -> _Stages:
    starts: list[int] = []
    bases: list[int | None] = []
    names: dict[str, int] = {}
    for index, found in enumerate(_FROM.finditer(text)):
        starts.append(found.start())
        bases.append(_resolve(found.group("image"), names, index))
        if found.group("name"):
            names[found.group("name").lower()] = index
    stages = _Stages(starts, bases, [])
    for found in _COPY.finditer(text):
        flag = _FROM_FLAG.search(found.group("args"))
        if flag is None:
            continue
        stage = stages.of(found.start())
        source = _resolve(flag.group("ref"), names, max(stage, 0))
        trust = _touches_trust_store(_sources(found.group("args")))
        stages.copies.append(_Copy(found.start("at"), found.end(), stage, source, trust))
    return stages


def shipped_matches(text: str, matches: Sequence[Match], scope: str = "trust-store") -> list[Match]:
    """Of the matches, those that reach the shipped image.

    ``trust-store`` (a CA put into a trust store): also the ``COPY --from`` lines that carry a
    trust store with such a CA into it. ``inherited`` (a setting such as ``ENV``): only matches
    in the last stage and the stages it is built ``FROM``; ``COPY --from`` copies files, not it.
    """
    stages = _parse(text) if matches else None
    if stages is None or not stages.starts:
        return list(matches)
    if scope == "inherited":
        shipped = _shipped(stages)
        return [m for m in matches if stages.of(m.offset) < 0 or stages.of(m.offset) in shipped]
    copy_of = {id(m): _copy_holding(stages.copies, m.offset) for m in matches}
    tainted = _tainted(stages, [stages.of(m.offset) for m in matches if copy_of[id(m)] is None])
    shipped = _shipped(stages)

    def carries_ca(copy: _Copy) -> bool:
        return copy.source_stage is not None and tainted[copy.source_stage]

    kept: list[Match] = []
    for match in matches:
        stage = stages.of(match.offset)
        copy = copy_of[id(match)]
        if stage < 0 or (stage in shipped and (copy is None or carries_ca(copy))):
            kept.append(match)
    reported = {copy_of[id(m)] for m in kept}
    for copy in stages.copies:
        if copy.stage in shipped and copy.trust and carries_ca(copy) and copy not in reported:
            kept.append(Match(copy.at, copy.end))
    return kept


def _copy_holding(copies: Sequence[_Copy], offset: int) -> _Copy | None:
    return next((c for c in copies if c.at <= offset < c.end), None)


def _tainted(stages: _Stages, adding: Sequence[int]) -> list[bool]:
    """Stages whose trust store holds an added CA: added there, inherited, or copied in."""
    tainted = [False] * len(stages.starts)
    for stage in range(len(tainted)):
        base = stages.bases[stage]
        tainted[stage] = (
            stage in adding
            or (base is not None and tainted[base])
            or any(
                c.stage == stage
                and c.trust
                and c.source_stage is not None
                and tainted[c.source_stage]
                for c in stages.copies
            )
        )
    return tainted


def _shipped(stages: _Stages) -> set[int]:
    """The last stage and the stages it is built on."""
    shipped: set[int] = set()
    current: int | None = len(stages.starts) - 1
    while current is not None and current not in shipped:
        shipped.add(current)
        current = stages.bases[current]
    return shipped
