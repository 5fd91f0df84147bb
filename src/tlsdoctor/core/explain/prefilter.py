"""The prefilter: anchor substrings found with ``bytes.find``, and the literals a regex requires.

Every line a non-context signature matches holds one of the ``PREFILTER`` anchors, in any case
(the catalog's regexes ignore case), so big logs are scanned for those few strings only: each
block is lowered once (ASCII only, so offsets stay) and searched for each anchor, one pass each;
``required_literals`` reads a signature's pattern to learn which literal (and so which anchor) a
matching line must hold.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

# Every line a non-context signature matches holds one of these (lowercase ASCII) substrings in
# any case: 'Certificate' in .NET and rustls names, 'TRUST' in Windows' and pip's, 'ssl' in
# settings (strict-ssl, sslVerify); tests/explain/test_catalog.py checks it against the catalog
# and the sample corpus.
PREFILTER: tuple[str, ...] = (
    "cert",  # certificate, certification, CERT_* codes, java...cert
    "ssl",  # SSL routines, [SSL: ...], SSLError, SSL/TLS, strict-ssl
    " 407",  # proxy authentication: "response 407", "HTTP/1.1 407 Proxy..."
    "0x800",  # Windows error codes (schannel, CryptoAPI), in any language
    # Java: "the trustAnchors parameter must be non-empty" (an empty truststore) and "problem
    # accessing trust store" (an unusable one); one pass for both
    "trust",
    "load_verify_locations",  # Python: the CA file failed to load
    # GnuTLS, whose lines hold none of the above: "An unexpected TLS packet was received"
    # (plain port), "A TLS fatal alert has been received" (the peer refused),
    # "gnutls_handshake() failed: <alert name>" (curl/git/apt), "The TLS connection was
    # non-properly terminated" (-110). One pass for all four: each anchor costs a pass over
    # the whole log, and these lines are rare.
    "tls",
    "webpkierror(",  # older rustls: "WebPKIError(UnknownIssuer)" (no other anchor on the line)
)
ANCHORS: tuple[str, ...] = PREFILTER
ANCHOR_BYTES: tuple[bytes, ...] = tuple(a.encode("ascii") for a in PREFILTER)


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Lowercase substrings one of which every match must contain (None: no cheap test).

    A small reading of the regex: the top-level alternatives, and in each a run of plain
    characters outside groups and classes that no quantifier makes optional: the longest run
    holding a prefilter anchor, else the longest run.
    """
    branches = _top_level_branches(pattern)
    literals: list[str] = []
    for branch in branches:
        runs = [run.lower() for run in _literal_runs(branch)]
        anchored = [run for run in runs if any(a in run for a in ANCHORS)]
        best = max(anchored or runs, key=len, default="")
        if len(best) < 3:
            return None
        literals.append(best)
    return tuple(literals)


def anchors_of(literals: tuple[str, ...] | None) -> frozenset[str] | None:
    """The anchors a matching line must hold one of, or None when the literals do not say."""
    if literals is None:
        return None
    found: set[str] = set()
    for literal in literals:
        held = [a for a in ANCHORS if a in literal]
        if not held:
            return None
        found.update(held)
    return frozenset(found)


def _top_level_branches(pattern: str) -> list[str]:
    branches: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


_ESCAPED_LITERAL = set(".()[]{}?*+|^$\\/-'\"` :,=<>!@#%&~;")


def _literal_runs(branch: str) -> Iterator[str]:
    run: list[str] = []
    depth, i, in_class = 0, 0, False
    while i < len(branch):
        ch = branch[i]
        nxt = branch[i + 1] if i + 1 < len(branch) else ""
        if in_class:
            in_class = ch != "]" or False
            if ch == "\\":
                i += 1
            i += 1
            continue
        if depth == 0 and nxt in ("?", "*", "{") and ch not in "()[]":
            if run:
                yield "".join(run)
            run = []
            i += 1
            continue
        if ch == "\\":
            if depth == 0 and nxt in _ESCAPED_LITERAL:
                run.append(nxt)
            else:
                if run:
                    yield "".join(run)
                run = []
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if depth == 0 and ch not in ".^$*+?{}[]()|" and not in_class:
            run.append(ch)
            if nxt == "+":  # one or more: the character stays, the run ends after it
                yield "".join(run)
                run = []
        else:
            if run:
                yield "".join(run)
            run = []
        i += 1
    if run:
        yield "".join(run)


_Trie = dict[str, "_Trie"]


@functools.lru_cache(maxsize=256)
def any_of(literals: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern that finds any of ``literals`` (case as given): their trie as nested groups,
    so the regex engine follows each character once instead of trying every literal in turn.
    On a candidate line that holds an anchor by chance it is 2-3x faster than an ``in`` test per
    literal (81 of them for a line holding 'cert'). Built once per set of literals in a process
    (the pattern for every literal of the catalog takes ~3.5 ms): each Matcher asks again."""
    trie: _Trie = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}  # a literal ends here
    return re.compile(_trie_pattern(trie) if trie else "(?!)")  # no literal: nothing matches


def _trie_pattern(node: _Trie) -> str:
    branches = [
        re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body  # a literal ends here: the rest is optional
