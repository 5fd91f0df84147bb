"""Error text -> cause + fix: one matcher over the signature catalog (data/errors.toml).

The matcher streams. Input arrives as bytes blocks (a file, stdin, a command's output) and is
scanned for a few anchor substrings (``PREFILTER``) with ``bytes.find``, one pass each;
only lines holding an anchor, plus a window of ``CONTEXT_LINES`` lines around them, are decoded
and matched against the catalog. Memory stays bounded on logs of any size: one block, a few
lines of carry-over, and one record per distinct finding.

Lines close to each other that name the same tool form one *occurrence* (npm prints its code,
errno and reason on three lines; wget prints the issuer on one line and the reason on the next);
the highest-priority signature of the occurrence gives its cause. Occurrences with the same
cause, tool and issuer are one *finding* with a count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import IO, Any, TypeVar

from tlsdoctor._data import load_data
from tlsdoctor.i18n import N_, _, localized

CAUSES: tuple[str, ...] = (
    "inspection_untrusted_ca",
    "strict_x509_noncompliant_ca",
    "expired",
    "not_yet_valid",
    "hostname_mismatch",
    "self_signed_leaf",
    "missing_intermediate",
    "revoked",
    "revocation_unreachable",
    "proxy_auth",
    "ca_file_unreadable",
    "unknown",
)
CONFIDENCES: tuple[str, ...] = ("low", "medium", "high")
_DEFAULT_PRIORITY = {"high": 30, "medium": 20, "low": 10}

CONTEXT_LINES = 3  # lines before/after a hit that belong to the same message
BLOCK_SIZE = 4 << 20
MAX_LINE = 64 << 10  # longer lines are cut (a minified blob must not hold the whole file)
MAX_HOSTS = 16  # per finding
MAX_EXCERPT = 300
MERGE_GAP = 60  # lines: findings this close with one cause are one failure (a traceback)
UNKNOWN_TOOL = "unknown"
SIGNATURE_TOOL_PRIORITY = 35  # a tool named by the signature beats generic markers only

# Every line a non-context signature matches holds one of these (lowercase) substrings;
# tests/explain/test_catalog.py checks it against the catalog and the sample corpus.
PREFILTER: dict[str, tuple[bytes, ...]] = {
    # anchor (lowercase, as matched on a lowered line) -> the spellings searched in raw bytes
    "cert": (b"cert", b"CERT"),  # certificate, certification, CERT_* codes, java...cert
    "ssl": (b"SSL",),  # SSL routines, [SSL: ...], SSLError, SSL/TLS
    " 407": (b" 407",),  # proxy authentication: "response 407", "HTTP/1.1 407 Proxy..."
    "0x800": (b"0x800",),  # Windows error codes (schannel, CryptoAPI), in any language
    "trustanchors": (b"trustAnchors",),  # Java: an empty truststore
}
_ANCHORS: tuple[str, ...] = tuple(PREFILTER)
_SPELLINGS: tuple[bytes, ...] = tuple(v for variants in PREFILTER.values() for v in variants)

AMBIGUOUS_NOTE = N_(
    "This message reads the same for an inspection proxy, a self-signed or expired "
    "certificate and a server that forgot its intermediate: run with --probe to tell them apart."
)
CLOCK_NOTE = N_(
    "Several hosts report expired certificates: check this machine's clock before anything else."
)
INSECURE_NOTE = N_(
    "{what} was tried: it switches certificate checks off for every host, so anyone on the "
    "network path can read and change the traffic, and the error returns as soon as it is "
    "removed. Use the fix above instead and remove it."
)


# ------------------------------------------------------------------------------------ catalog


@dataclass(frozen=True)
class Signature:
    id: str
    producer: str
    tool: str | None
    regex: re.Pattern[str]
    cause: str
    confidence: str
    priority: int
    ambiguous: bool
    context: bool
    source: str
    literals: tuple[str, ...] | None  # the line must hold one of these (lowercase), or None
    anchors: frozenset[str] | None  # prefilter anchors a matching line holds one of


@dataclass(frozen=True)
class Marker:
    tool: str
    regex: re.Pattern[str]
    priority: int


@dataclass(frozen=True)
class Insecure:
    id: str
    what: str
    regex: re.Pattern[str]
    literals: tuple[str, ...] | None
    anchors: frozenset[str] | None


@dataclass(frozen=True)
class Catalog:
    signatures: tuple[Signature, ...]
    markers: tuple[Marker, ...]
    hosts: tuple[re.Pattern[str], ...]
    issuers: tuple[re.Pattern[str], ...]
    insecure: tuple[Insecure, ...]
    causes: Mapping[str, Mapping[str, Any]]
    fixes: tuple[Mapping[str, Any], ...]
    refine: Mapping[str, tuple[str, ...]]  # generic tool -> tools that run on it
    ignore_hosts: frozenset[str]

    def refines(self, generic: str, specific: str) -> bool:
        """True when ``specific`` is a tool built on ``generic`` (requests on python)."""
        more = self.refine.get(generic, ())
        return "*" in more or specific in more


@cache
def catalog() -> Catalog:
    data = load_data("errors.toml")
    fixes = load_data("fixes.toml")
    return Catalog(
        signatures=tuple(_signature(e) for e in data.get("signature", [])),
        markers=tuple(
            Marker(str(e["tool"]), re.compile(e["pattern"]), int(e.get("priority", 10)))
            for e in data.get("tool", [])
        ),
        hosts=tuple(re.compile(e["pattern"], re.IGNORECASE) for e in data.get("host", [])),
        issuers=tuple(re.compile(e["pattern"], re.IGNORECASE) for e in data.get("issuer", [])),
        insecure=tuple(_insecure(e) for e in data.get("insecure", [])),
        causes=fixes.get("cause", {}),
        fixes=tuple(fixes.get("fix", [])),
        refine={k: tuple(v) for k, v in data.get("refine", {}).items()},
        ignore_hosts=frozenset(data.get("ignore_hosts", {}).get("names", [])),
    )


def _insecure(entry: Mapping[str, Any]) -> Insecure:
    literals = required_literals(entry["pattern"])
    return Insecure(
        id=str(entry["id"]),
        what=str(entry["what"]),
        regex=re.compile(entry["pattern"], re.IGNORECASE),
        literals=literals,
        anchors=_anchors_of(literals),
    )


def _signature(entry: Mapping[str, Any]) -> Signature:
    confidence = str(entry.get("confidence", "medium"))
    cause = str(entry["cause"])
    if cause not in CAUSES or confidence not in CONFIDENCES:
        raise ValueError(f"errors.toml: bad cause/confidence in {entry.get('id')}")
    return Signature(
        id=str(entry["id"]),
        producer=str(entry.get("producer", "")),
        tool=entry.get("tool"),
        regex=re.compile(entry["pattern"], re.IGNORECASE),
        cause=cause,
        confidence=confidence,
        priority=int(entry.get("priority", _DEFAULT_PRIORITY[confidence])),
        ambiguous=bool(entry.get("ambiguous", False)),
        context=bool(entry.get("context", False)),
        source=str(entry.get("source", "")),
        literals=(literals := required_literals(entry["pattern"])),
        anchors=_anchors_of(literals) or _declared_anchors(entry),
    )


def _declared_anchors(entry: Mapping[str, Any]) -> frozenset[str] | None:
    declared = entry.get("anchored_by")
    if not declared:
        return None
    unknown = set(declared) - set(_ANCHORS)
    if unknown:
        raise ValueError(f"errors.toml: {entry.get('id')}: anchored_by {unknown} not in PREFILTER")
    return frozenset(declared)


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
        anchored = [run for run in runs if any(a in run for a in _ANCHORS)]
        best = max(anchored or runs, key=len, default="")
        if len(best) < 3:
            return None
        literals.append(best)
    return tuple(literals)


def _anchors_of(literals: tuple[str, ...] | None) -> frozenset[str] | None:
    """The anchors a matching line must hold one of, or None when the literals do not say."""
    if literals is None:
        return None
    found: set[str] = set()
    for literal in literals:
        held = [a for a in _ANCHORS if a in literal]
        if not held:
            return None
        found.update(held)
    return frozenset(found)


_T = TypeVar("_T", "Signature", "Insecure")


def _select(items: Sequence[_T], present: frozenset[str]) -> tuple[_T, ...]:
    """The items worth trying on a line holding the anchors ``present`` (catalog order)."""
    return tuple(
        item for item in items if item.anchors is None or not item.anchors.isdisjoint(present)
    )


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


# ------------------------------------------------------------------------------------ findings


@dataclass
class Finding:
    """One distinct TLS failure found in the text (same cause, tool and issuer), with a count."""

    cause: str
    tool: str
    line: int  # 1-based line of its first occurrence
    excerpt: str
    issuer: str | None
    product: str | None
    count: int
    fix: list[str]
    confidence: str
    # Not part of the JSON schema: for the human output and for --probe.
    signature: str = ""
    producer: str = ""
    ambiguous: bool = False
    hosts: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    probe: str | None = None  # what --probe found, already translated

    @property
    def title(self) -> str:
        entry = catalog().causes.get(self.cause, {})
        return str(localized(entry, "title") or self.cause)

    @property
    def explanation(self) -> str:
        entry = catalog().causes.get(self.cause, {})
        return str(localized(entry, "explain") or "")

    def to_json(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "tool": self.tool,
            "line": self.line,
            "excerpt": self.excerpt,
            "issuer": self.issuer,
            "product": self.product,
            "count": self.count,
            "fix": list(self.fix),
            "confidence": self.confidence,
        }


def fix_steps(cause: str, tool: str, producer: str = "") -> list[str]:
    """The fix for ``cause`` in ``tool``'s terms (current language), least blast radius first."""
    keys = [f"{tool}@{producer}", tool, producer, "*"] if producer else [tool, "*"]
    entries = [f for f in catalog().fixes if f.get("cause") == cause]
    for key in keys:
        for entry in entries:
            if key in entry.get("tools", []):
                return [str(step) for step in localized(entry, "fix") or []]
    return []


# ------------------------------------------------------------------------------------ matching


@dataclass
class _Last:
    """The occurrence recorded last: nearby repeats of one failure fold into it."""

    key: tuple[str, str, str | None]
    line: int
    text: str
    hosts: list[tuple[str, int]]


@dataclass(frozen=True)
class _Plan:
    """What to try on a line holding a given set of anchors (built once per set)."""

    signatures: tuple[Signature, ...]
    insecure: tuple[Insecure, ...]
    quick: tuple[str, ...] | None  # the line must hold one of these, or None: try everything

    @classmethod
    def build(cls, cat: Catalog, present: frozenset[str]) -> _Plan:
        # Rows without anchors are tried elsewhere: context rows on the lines after a hit,
        # insecure rows on a hit's context and on pasted text (Matcher.note_text).
        signatures = tuple(
            s for s in _select(cat.signatures, present) if s.anchors is not None or not s.context
        )
        insecure = tuple(i for i in _select(cat.insecure, present) if i.anchors is not None)
        literals = [s.literals for s in signatures] + [i.literals for i in insecure]
        quick: list[str] = []
        for group in literals:
            if group is None:
                return cls(signatures, insecure, None)
            quick.extend(lit for lit in group if lit not in quick)
        return cls(signatures, insecure, tuple(quick))

    @classmethod
    def everything(cls, cat: Catalog) -> _Plan:
        groups = [s.literals for s in cat.signatures] + [i.literals for i in cat.insecure]
        quick: list[str] | None = []
        for group in groups:
            if group is None or quick is None:
                quick = None
                break
            quick.extend(lit for lit in group if lit not in quick)
        return cls(cat.signatures, cat.insecure, tuple(quick) if quick is not None else None)


@dataclass
class _LineHit:
    lineno: int
    text: str
    signature: Signature
    match: re.Match[str]


@dataclass
class _Occurrence:
    hits: list[_LineHit]
    before: list[str]
    after: list[str]
    line_tool: str | None  # a tool marker on the hit lines themselves

    @property
    def last(self) -> int:
        return self.hits[-1].lineno


def _best(hits: Sequence[_LineHit]) -> _LineHit:
    rank = {c: i for i, c in enumerate(CONFIDENCES)}
    return max(hits, key=lambda h: (h.signature.priority, rank[h.signature.confidence], -h.lineno))


class Matcher:
    """Feed bytes (``feed``) or lines (``feed_line``); ``findings()`` at the end."""

    def __init__(self, *, exhaustive: bool | None = None) -> None:
        """``exhaustive``: True tries every line, False only lines holding a prefilter anchor,
        None (default) decides by size: inputs smaller than one block (pasted messages, most
        command output) have every line tried, so that a bare error name such as
        UNABLE_TO_VERIFY_LEAF_SIGNATURE is found too; big logs go through the prefilter."""
        self._cat = catalog()
        self._exhaustive = exhaustive
        self._findings: dict[tuple[str, str, str | None], Finding] = {}
        self._open: _Occurrence | None = None
        self._insecure: dict[str, str] = {}
        self._buf = bytearray()
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._scanned = 0  # offset in _buf up to which lines were scanned
        self._base_line = 1  # line number of _buf[0]
        self._expired_hosts: set[str] = set()
        self._plans: dict[frozenset[str], _Plan] = {}
        self._plan_all = _Plan.everything(self._cat)
        self._last: _Last | None = None
        self._text_hosts: list[tuple[str, int]] = []  # named anywhere in note_text() input
        self._used: dict[int, None] = {}  # recent lines already part of a hit (ordered set)
        self._done = False

    # ---- input
    def feed(self, data: bytes) -> None:
        self._pending.append(data)
        self._pending_size += len(data)
        if self._pending_size >= BLOCK_SIZE:
            self._take_pending()
            self._scan(final=False)

    def _take_pending(self) -> None:
        for data in self._pending:
            self._buf += data
        self._pending, self._pending_size = [], 0

    def feed_line(self, line: str) -> None:
        self.feed(line.encode("utf-8", "replace") + (b"" if line.endswith("\n") else b"\n"))

    def note_text(self, text: str) -> None:
        """Look at text that is not scanned as output (a command line, a pasted message) for
        signs that verification was switched off: every line, no prefilter."""
        lines = text.splitlines()[:10000]
        for line in lines:
            self._note_insecure(line, line.lower(), self._cat.insecure)
        for host in hosts_in(lines, self._cat):
            if host not in self._text_hosts and len(self._text_hosts) < MAX_HOSTS:
                self._text_hosts.append(host)

    def close(self) -> list[Finding]:
        if not self._done:
            self._take_pending()
            self._scan(final=True)
            self._flush_open()
            self._done = True
        return self.findings()

    # ---- block scanning
    def _scan(self, *, final: bool) -> None:
        buf = self._buf
        if not final:
            limit = _start_of_last_lines(buf, CONTEXT_LINES + 1, len(buf))
            if limit <= self._scanned:
                self._cut_long_line(buf)
                return
        else:
            limit = len(buf)
        small_input = final and self._base_line == 1 and self._scanned == 0
        every_line = self._exhaustive or (self._exhaustive is None and small_input)
        if every_line:
            starts = _all_line_starts(buf, self._scanned, limit)
        else:
            starts = _candidate_line_starts(buf, self._scanned, limit)
        counted_pos, counted_line = 0, self._base_line
        for start in starts:
            counted_line += buf.count(b"\n", counted_pos, start)
            counted_pos = start
            self._examine(buf, start, counted_line, every_line)
        # keep CONTEXT_LINES lines before `limit` for the next round's "before" context
        keep = _start_of_last_lines(buf, CONTEXT_LINES, limit) if not final else limit
        self._base_line += buf.count(b"\n", 0, keep)
        del buf[:keep]
        self._scanned = limit - keep

    def _cut_long_line(self, buf: bytearray) -> None:
        if len(buf) - self._scanned > MAX_LINE and buf.find(b"\n", self._scanned) < 0:
            del buf[self._scanned + MAX_LINE :]
            buf += b"\n"

    def _examine(self, buf: bytearray, start: int, lineno: int, every_line: bool) -> None:
        end = buf.find(b"\n", start)
        end = len(buf) if end < 0 else end
        text = _decode(buf[start:end])
        lower = text.lower()
        if every_line:
            plan = self._plan_all
        else:
            plan = self._plan(frozenset(a for a in _ANCHORS if a in lower))
        if plan.quick is not None and not any(lit in lower for lit in plan.quick):
            return  # an anchor by chance ("SSL handshake completed"): the common case
        if plan.insecure:
            self._note_insecure(text, lower, plan.insecure)
        if lineno in self._used:
            return  # taken as the context of an earlier hit
        hits = self._match_line(text, lower, lineno, plan.signatures)
        if not hits:
            return
        before = _lines_before(buf, start, CONTEXT_LINES)
        after = _lines_after(buf, end, CONTEXT_LINES)
        hits += self._context_hits(lineno, before, after)
        for line in (*before, *after):
            self._note_insecure(line, line.lower(), self._cat.insecure)
        self._add(hits, before, after)

    def _context_hits(self, lineno: int, before: list[str], after: list[str]) -> list[_LineHit]:
        """Lines next to a hit may carry the reason in words without any anchor (wget's second
        line, s_client's "verify error:num=62:hostname mismatch" above the error queue)."""
        numbered = [(lineno - len(before) + i, line) for i, line in enumerate(before)]
        numbered += [(lineno + 1 + i, line) for i, line in enumerate(after)]
        found: list[_LineHit] = []
        for number, line in numbered:
            line_lower = line.lower()
            if number in self._used or any(a in line_lower for a in _ANCHORS):
                continue  # already counted, or examined on its own
            hits = self._match_line(line, line_lower, number, self._cat.signatures)
            if hits:
                found += hits
                self._used[number] = None
        self._used[lineno] = None
        while len(self._used) > 8 * CONTEXT_LINES:
            del self._used[next(iter(self._used))]
        return found

    def _plan(self, present: frozenset[str]) -> _Plan:
        plan = self._plans.get(present)
        if plan is None:
            plan = self._plans[present] = _Plan.build(self._cat, present)
        return plan

    def _match_line(
        self, text: str, lower: str, lineno: int, signatures: Sequence[Signature]
    ) -> list[_LineHit]:
        found: list[_LineHit] = []
        for sig in signatures:
            if sig.literals is not None and not any(lit in lower for lit in sig.literals):
                continue
            m = sig.regex.search(text)
            if m:
                found.append(_LineHit(lineno, text, sig, m))
        return found

    def _note_insecure(self, text: str, lower: str, items: Sequence[Insecure]) -> None:
        if len(self._insecure) >= len(self._cat.insecure):
            return
        for item in items:
            if item.id in self._insecure:
                continue
            if item.literals is not None and not any(lit in lower for lit in item.literals):
                continue
            if item.regex.search(text):
                self._insecure[item.id] = item.what

    # ---- occurrences
    def _add(self, hits: list[_LineHit], before: list[str], after: list[str]) -> None:
        hits = sorted(hits, key=lambda h: h.lineno)
        line_tool = self._marker_tool([h.text for h in hits])
        occ = self._open
        first = hits[0].lineno
        if (
            occ is not None
            and first - occ.last <= CONTEXT_LINES
            and (line_tool is None or occ.line_tool is None or line_tool == occ.line_tool)
        ):
            seen = {(h.lineno, h.signature.id) for h in occ.hits}
            occ.hits.extend(h for h in hits if (h.lineno, h.signature.id) not in seen)
            occ.hits.sort(key=lambda h: h.lineno)
            occ.after = after
            occ.line_tool = occ.line_tool or line_tool
            return
        self._flush_open()
        self._open = _Occurrence(hits=list(hits), before=before, after=after, line_tool=line_tool)

    def _flush_open(self) -> None:
        occ, self._open = self._open, None
        if occ is not None:
            self._record(occ)

    def _marker_tool(self, lines: Sequence[str]) -> str | None:
        best: tuple[int, str] | None = None
        for marker in self._cat.markers:
            if any(marker.regex.search(line) for line in lines) and (
                best is None or marker.priority > best[0]
            ):
                best = (marker.priority, marker.tool)
        return best[1] if best else None

    def _record(self, occ: _Occurrence) -> None:
        best = _best(occ.hits)
        sig = best.signature
        lines = [h.text for h in occ.hits]
        context = [*occ.before, *lines, *occ.after]
        tool = self._resolve_tool(sig, context)
        issuer = _group(occ.hits, "issuer") or _search_groups(self._cat.issuers, context, "issuer")
        issuer = issuer.strip() if issuer else None
        hosts = _hosts(occ.hits, self._cat, context)
        merged = self._merge_nearby(occ, sig.cause, tool, issuer, hosts, best.text)
        if merged:
            return
        key = (sig.cause, tool, issuer)
        self._last = _Last(key, occ.last, best.text, list(hosts))
        finding = self._findings.get(key)
        if finding is None:
            finding = Finding(
                cause=sig.cause,
                tool=tool,
                line=best.lineno,
                excerpt=_excerpt(best.text),
                issuer=issuer,
                product=_product(issuer),
                count=0,
                fix=[],
                confidence=sig.confidence,
                signature=sig.id,
                producer=sig.producer,
                ambiguous=sig.ambiguous,
            )
            self._findings[key] = finding
        finding.count += 1
        for host in hosts:
            if host not in finding.hosts and len(finding.hosts) < MAX_HOSTS:
                finding.hosts.append(host)
        if sig.cause == "expired":
            self._expired_hosts.update(h for h, _ in hosts)

    def _merge_nearby(
        self,
        occ: _Occurrence,
        cause: str,
        tool: str,
        issuer: str | None,
        hosts: Sequence[tuple[str, int]],
        text: str,
    ) -> bool:
        """Fold this occurrence into the previous one when both are one failure seen twice
        (python's ssl error, then requests' SSLError a few lines down the traceback). The same
        line again, or another host, is a new failure."""
        last = self._last
        if last is None:
            return False
        key = last.key
        prev_cause, prev_tool, prev_issuer = key
        if occ.hits[0].lineno - last.line > MERGE_GAP or prev_cause != cause:
            return False
        if hosts and last.hosts and not set(hosts) & set(last.hosts):
            return False
        if tool == prev_tool and text.strip() == last.text.strip():
            return False
        if issuer is not None and prev_issuer not in (None, issuer):
            return False
        if tool == UNKNOWN_TOOL:
            new_tool = prev_tool
        elif prev_tool == UNKNOWN_TOOL:
            new_tool = tool
        elif tool == prev_tool or self._cat.refines(tool, prev_tool):
            new_tool = prev_tool
        elif self._cat.refines(prev_tool, tool):
            new_tool = tool
        else:
            return False
        finding = self._findings.pop(key)
        finding.tool = new_tool
        finding.issuer = finding.issuer or issuer
        finding.product = finding.product or _product(issuer)
        for host in hosts:
            if host not in finding.hosts and len(finding.hosts) < MAX_HOSTS:
                finding.hosts.append(host)
        new_key = (cause, new_tool, finding.issuer)
        existing = self._findings.get(new_key)
        if existing is not None and existing is not finding:
            existing.count += finding.count
            existing.hosts.extend(h for h in finding.hosts if h not in existing.hosts)
            finding = existing
        self._findings[new_key] = finding
        self._last = _Last(new_key, occ.last, text, [*last.hosts, *hosts])
        return True

    def _resolve_tool(self, sig: Signature, context: Sequence[str]) -> str:
        """The most specific marker in the message wins over the signature's own tool."""
        best: tuple[int, str] | None = (SIGNATURE_TOOL_PRIORITY, sig.tool) if sig.tool else None
        for marker in self._cat.markers:
            if (best is None or marker.priority > best[0]) and any(
                marker.regex.search(line) for line in context
            ):
                best = (marker.priority, marker.tool)
        if best is not None:
            return best[1]
        return _PRODUCER_TOOL.get(sig.producer, UNKNOWN_TOOL)

    # ---- results
    def findings(self) -> list[Finding]:
        result = sorted(self._findings.values(), key=lambda f: f.line)
        insecure = list(self._insecure.values())
        many_expired = len(self._expired_hosts) >= 3
        for finding in result:
            if not finding.hosts:  # the command line of a pasted message names it
                finding.hosts = list(self._text_hosts)
            finding.fix = fix_steps(finding.cause, finding.tool, finding.producer)
            finding.notes = []
            if finding.ambiguous and finding.confidence != "high":
                finding.notes.append(_(AMBIGUOUS_NOTE))
            if many_expired and finding.cause == "expired":
                finding.notes.append(_(CLOCK_NOTE))
            for what in insecure:
                finding.notes.append(_(INSECURE_NOTE, what=what))
        return result

    @property
    def insecure_attempts(self) -> list[str]:
        return list(self._insecure.values())


_PRODUCER_TOOL = {
    "openssl": UNKNOWN_TOOL,
    "gnutls": "curl",
    "schannel": UNKNOWN_TOOL,
    "node": "node",
    "python": "python",
    "java": "java",
    "go": "go",
    "rustls": "rust",
    "dotnet": "dotnet",
    "wget": "wget",
    "curl": "curl",
}


# ------------------------------------------------------------------------------------ helpers


def _all_line_starts(buf: bytearray, begin: int, end: int) -> list[int]:
    starts = [begin]
    pos = buf.find(b"\n", begin, end)
    while pos >= 0 and pos + 1 < end:
        starts.append(pos + 1)
        pos = buf.find(b"\n", pos + 1, end)
    return starts


def _candidate_line_starts(buf: bytearray, begin: int, end: int) -> list[int]:
    """Start offsets of the lines in buf[begin:end] that hold an anchor (one pass each)."""
    starts: set[int] = set()
    for spelling in _SPELLINGS:
        pos = buf.find(spelling, begin, end)
        while pos >= 0:
            starts.add(buf.rfind(b"\n", begin, pos) + 1 or begin)
            nl = buf.find(b"\n", pos, end)
            if nl < 0:
                break
            pos = buf.find(spelling, nl, end)
    return sorted(starts)


def _start_of_last_lines(buf: bytearray, n: int, end: int) -> int:
    """Offset where the last ``n`` complete lines (plus any partial last line) of buf[:end]
    begin."""
    pos = end
    if end > 0 and buf[end - 1] == 0x0A:
        pos -= 1
    else:  # a partial last line is always kept
        pos = buf.rfind(b"\n", 0, pos)
        if pos < 0:
            return 0
    for _line in range(n):
        pos = buf.rfind(b"\n", 0, pos)
        if pos < 0:
            return 0
    return pos + 1


def _lines_before(buf: bytearray, start: int, n: int) -> list[str]:
    lines: list[str] = []
    end = start - 1
    while len(lines) < n and end > 0:
        begin = buf.rfind(b"\n", 0, end) + 1
        lines.append(_decode(buf[begin:end]))
        end = begin - 1
    lines.reverse()
    return lines


def _lines_after(buf: bytearray, end: int, n: int) -> list[str]:
    lines: list[str] = []
    pos = end + 1
    while len(lines) < n and pos < len(buf):
        nl = buf.find(b"\n", pos)
        nl = len(buf) if nl < 0 else nl
        lines.append(_decode(buf[pos:nl]))
        pos = nl + 1
    return lines


def _decode(raw: bytes | bytearray) -> str:
    return raw[:MAX_LINE].decode("utf-8", "replace").rstrip("\r")


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_EXCERPT else text[: MAX_EXCERPT - 1] + "…"


def _group(hits: Sequence[_LineHit], prefix: str) -> str | None:
    for hit in hits:
        for name, value in hit.match.groupdict().items():
            if name.startswith(prefix) and value:
                return value
    return None


def _search_groups(
    patterns: Sequence[re.Pattern[str]], lines: Sequence[str], name: str
) -> str | None:
    for pattern in patterns:
        for line in lines:
            m = pattern.search(line)
            if m and m.group(name):
                return m.group(name)
    return None


def _hosts(hits: Sequence[_LineHit], cat: Catalog, context: Sequence[str]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    named = _group(hits, "host")
    if named:
        found.append((_clean_host(named), 443))
    found.extend(hosts_in(context, cat))
    unique: list[tuple[str, int]] = []
    for host in found:
        if host[0] and host not in unique and host[0] not in cat.ignore_hosts:
            unique.append(host)
    return unique[:MAX_HOSTS]


def hosts_in(lines: Iterable[str], cat: Catalog | None = None) -> list[tuple[str, int]]:
    """(host, port) pairs named in ``lines`` (URLs, 'host=...', wget's quotes...), in order."""
    cat = cat or catalog()
    found: list[tuple[str, int]] = []
    for line in lines:
        for pattern in cat.hosts:
            for m in pattern.finditer(line):
                host = _clean_host(m.group("host"))
                port = int(m.groupdict().get("port") or 443)
                if host and (host, port) not in found and host not in cat.ignore_hosts:
                    found.append((host, port))
                    if len(found) >= MAX_HOSTS:
                        return found
    return found


def _clean_host(host: str) -> str:
    return host.strip().strip("[]'\"‘’.").lower()


def _product(issuer: str | None) -> str | None:
    if not issuer:
        return None
    try:
        from tlsdoctor.core.vendors import identify
    except ImportError:  # pragma: no cover - the vendor catalog ships with the package
        return None
    return identify(issuer.replace("; ", ", "))


# ------------------------------------------------------------------------------------ API


def explain_stream(stream: IO[bytes], block_size: int = BLOCK_SIZE) -> list[Finding]:
    """Explain everything in a binary stream (a file, stdin), in bounded memory."""
    matcher = Matcher()
    while True:
        data = stream.read(block_size)
        if not data:
            break
        matcher.feed(data)
    return matcher.close()


def explain_text(text: str) -> list[Finding]:
    """Find and explain every TLS failure in ``text``: an empty list when there is none.

    Texts under one block (4 MiB) have every line tried, bigger ones go through the
    prefilter."""
    matcher = Matcher()
    matcher.note_text(text)
    matcher.feed(text.encode("utf-8", "replace"))
    return matcher.close()


def explain_lines(lines: Iterable[str]) -> list[Finding]:
    """Like :func:`explain_text` for an iterable of lines (streaming: nothing is kept whole)."""
    matcher = Matcher()
    for line in lines:
        matcher.feed_line(line)
    return matcher.close()


def explain_file(path: str) -> list[Finding]:
    with open(path, "rb") as stream:
        return explain_stream(stream)


# ------------------------------------------------------------------------------------ --probe

_NOT_PROBED = ("proxy_auth", "ca_file_unreadable")
MAX_PROBED_HOSTS = 8


def probe_findings(
    findings: Sequence[Finding],
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    roots_path: str | None = None,
    timeout: float = 5.0,
    deadline: float = 20.0,
) -> None:
    """Connect to the hosts the findings name and confirm or correct each cause (in place).

    The detect engine reads the chain each host presents and validates it like OpenSSL does;
    several hosts re-signed by one unknown CA are inspection, a leaf whose AIA intermediate
    chains to a public root is a server that forgot its intermediate, and so on.
    """
    from tlsdoctor.core.detect import detect
    from tlsdoctor.core.probe import Target
    from tlsdoctor.core.trust import mozilla_roots

    targets: list[Target] = []
    for finding in findings:
        if finding.cause in _NOT_PROBED:
            continue
        for host, port in finding.hosts:
            target = Target(host, port)
            if target not in targets and len(targets) < MAX_PROBED_HOSTS:
                targets.append(target)
    if not targets:
        for finding in findings:
            if finding.cause not in _NOT_PROBED:
                finding.probe = _("the message names no host: nothing to probe")
        return
    report = detect(
        targets,
        proxy=proxy,
        use_env_proxy=use_env_proxy,
        roots_path=roots_path,
        timeout=timeout,
        deadline=deadline,
    )
    evidence = {(ev.host.lower(), ev.port): ev for ev in report.hosts}
    public = mozilla_roots(roots_path)
    fetch = _AiaFetcher(proxy, use_env_proxy, timeout)
    for finding in findings:
        if finding.cause in _NOT_PROBED:
            continue
        for host, port in finding.hosts:
            ev = evidence.get((host.lower(), port))
            if ev is not None:
                _apply_probe(finding, host, ev, public, fetch)
                break


def _apply_probe(finding: Finding, host: str, ev: Any, public: Any, fetch: _AiaFetcher) -> None:
    verdict = _probe_verdict(host, ev, public, fetch)
    label = host if ev.port == 443 else f"{host}:{ev.port}"
    if verdict is None:
        if ev.chain and ev.status == "clean":
            finding.probe = _(
                "{host} presents a chain the public roots trust from here: this tool has "
                "different CA settings (a CA-only file in a replace-style variable, or a "
                "proxy bypass).",
                host=label,
            )
        else:
            finding.probe = _(
                "could not read {host}'s certificate: {error}", host=label, error=ev.error or "?"
            )
        return
    cause, confidence, text = verdict
    if cause == "inspection_untrusted_ca" and finding.cause == "strict_x509_noncompliant_ca":
        cause = finding.cause  # the CA is the inspection CA, and the text says why it fails
    if cause != finding.cause:
        old = catalog().causes.get(finding.cause, {})
        text += " " + _(
            "(the message alone suggested: {old})",
            old=str(localized(old, "title") or finding.cause),
        )
        finding.cause = cause
        finding.fix = fix_steps(cause, finding.tool, finding.producer)
    finding.confidence = confidence
    finding.probe = text
    if confidence == "high":  # settled: the advice to probe is done
        finding.fix = [step for step in finding.fix if "--probe" not in step]
    if ev.product and not finding.product:
        finding.product = ev.product
    if ev.issuer and not finding.issuer:
        finding.issuer = ev.issuer
    ambiguous = _(AMBIGUOUS_NOTE)
    finding.notes = [n for n in finding.notes if n != ambiguous]
    finding.ambiguous = False


def _probe_verdict(
    host: str, ev: Any, public: Any, fetch: _AiaFetcher
) -> tuple[str, str, str] | None:
    import datetime as dt

    from tlsdoctor.core.trust.verify import hostname_matches, verify_chain

    if not ev.chain:
        return None
    label = host if ev.port == 443 else f"{host}:{ev.port}"
    leaf = ev.chain[0]
    issuer = ev.issuer or "?"
    if ev.status == "intercepted":
        return (
            "inspection_untrusted_ca",
            "high",
            _(
                "{host} is re-signed by {product} ({issuer}).",
                host=label,
                product=ev.product,
                issuer=issuer,
            ),
        )
    if leaf.subject == leaf.issuer and len(ev.chain) == 1:
        return (
            "self_signed_leaf",
            "high",
            _("{host} presents a self-signed certificate.", host=label),
        )
    now = dt.datetime.now(dt.timezone.utc)
    if leaf.not_valid_after_utc < now:
        return (
            "expired",
            "high",
            _(
                "{host}'s certificate expired on {date}.",
                host=label,
                date=f"{leaf.not_valid_after_utc:%Y-%m-%d}",
            ),
        )
    if leaf.not_valid_before_utc > now:
        return (
            "not_yet_valid",
            "high",
            _(
                "{host}'s certificate is valid only from {date}.",
                host=label,
                date=f"{leaf.not_valid_before_utc:%Y-%m-%d}",
            ),
        )
    if not hostname_matches(leaf, host):
        return (
            "hostname_mismatch",
            "high",
            _("{host}'s certificate does not name {name}.", host=label, name=host),
        )
    if ev.status == "clean":
        return None
    if ev.public_result is not None and ev.public_result.error_code == 23:
        return "revoked", "high", _("{host}'s certificate is revoked.", host=label)
    fetched = fetch.issuers(leaf) if len(ev.chain) == 1 else []
    if fetched and verify_chain([leaf, *fetched], public).trusted:
        return (
            "missing_intermediate",
            "high",
            _(
                "{host} sends only its own certificate; the intermediate named in it (AIA) "
                "chains to a public root: the server must send its intermediate.",
                host=label,
            ),
        )
    if ev.trusted_os:
        return (
            "inspection_untrusted_ca",
            "high",
            _(
                "{host} is signed by {issuer}, a CA your OS trusts but the public roots do not.",
                host=label,
                issuer=issuer,
            ),
        )
    return (
        "inspection_untrusted_ca",
        "medium",
        _(
            "{host} is signed by {issuer}, which no public root vouches for: an inspection CA "
            "or a private CA.",
            host=label,
            issuer=issuer,
        ),
    )


class _AiaFetcher:
    """Download the issuer a certificate names in its AIA extension (plain http, as browsers do)."""

    def __init__(self, proxy: str | None, use_env_proxy: bool, timeout: float) -> None:
        self.proxy = proxy
        self.use_env_proxy = use_env_proxy
        self.timeout = timeout

    def issuers(self, cert: Any) -> list[Any]:
        from tlsdoctor.core.x509 import aia_ca_issuers, load_certificates

        for url in aia_ca_issuers(cert)[:2]:
            if not url.lower().startswith("http://"):
                continue
            try:
                data = self._get(url)
                return list(load_certificates(data, source=url))
            except Exception:  # any failure only means: no intermediate from AIA
                continue
        return []

    def _get(self, url: str) -> bytes:
        import urllib.request

        handlers: list[urllib.request.BaseHandler] = []
        if self.proxy:
            handlers.append(urllib.request.ProxyHandler({"http": self.proxy}))
        elif not self.use_env_proxy:
            handlers.append(urllib.request.ProxyHandler({}))
        opener = urllib.request.build_opener(*handlers)
        with opener.open(url, timeout=self.timeout) as response:
            data: bytes = response.read(1 << 20)
        return data
