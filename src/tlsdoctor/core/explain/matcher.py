"""Error text -> cause + fix: one matcher over the signature catalog (data/errors.toml).

The matcher streams. Input arrives as bytes blocks (a file, stdin, a command's output) and is
scanned for a few anchor substrings (``PREFILTER``) in any case: each block is lowered once,
then searched with ``bytes.find``, one pass per anchor; only lines holding an anchor, plus a
window of ``CONTEXT_LINES`` lines around them, are decoded and matched against the catalog.
Memory stays bounded on logs of any size: one block (and its lowered copy), a few lines of
carry-over, and one record per distinct finding.

Lines close to each other that name the same tool form one *occurrence* (npm prints its code,
errno and reason on three lines; wget prints the issuer on one line and the reason on the next)
unless a line repeats an earlier one or names another specific cause (``_continues``); the
highest-priority signature of the occurrence gives its cause. Occurrences with the same
cause, tool and issuer are one *finding* with a count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from tlsdoctor.core.explain.findings import (
    AMBIGUOUS_NOTE,
    CLOCK_NOTE,
    Finding,
    fix_steps,
    note_switch_offs,
)
from tlsdoctor.core.explain.lines import (
    ELISION,
    MAX_LINE,
    all_line_starts,
    candidate_line_starts,
    clean,
    decode,
    excerpt,
    lines_after,
    lines_before,
    start_of_last_lines,
)
from tlsdoctor.core.explain.names import (
    MAX_HOSTS,
    first_group,
    hosts_in,
    hosts_near,
    product_of,
    search_groups,
)
from tlsdoctor.core.explain.prefilter import ANCHORS, any_of
from tlsdoctor.core.explain.signatures import CONFIDENCES, Catalog, Insecure, Signature, catalog
from tlsdoctor.i18n import _

if TYPE_CHECKING:
    from tlsdoctor.core.explain.parallel import ParallelPrefilter

CONTEXT_LINES = 3  # lines before/after a hit that belong to the same message
ISSUER_LINES = 10  # lines after a hit searched for an issuer row (s_client's chain block)
BLOCK_SIZE = 4 << 20
MERGE_GAP = 60  # lines: findings this close with one cause are one failure (a traceback)
UNKNOWN_TOOL = "unknown"
SIGNATURE_TOOL_PRIORITY = 35  # a tool named by the signature beats generic markers only


@dataclass
class _Last:
    """The occurrence recorded last: nearby repeats of one failure fold into it."""

    key: tuple[str, str, str | None]
    line: int
    first: str  # shape (_shape) of the line that opened the failure: a retry repeats it
    hosts: list[tuple[str, int]]
    causes: frozenset[str]  # every cause its lines named (s_client's 20 and 21)
    settled_by: frozenset[str]  # causes that, named just after, replace its generic one
    once: frozenset[str]  # tools whose once-per-failure line it holds (see Marker.once)


_T = TypeVar("_T", "Signature", "Insecure")


def _select(items: Sequence[_T], present: frozenset[str]) -> tuple[_T, ...]:
    """The items worth trying on a line holding the anchors ``present`` (catalog order)."""
    return tuple(
        item for item in items if item.anchors is None or not item.anchors.isdisjoint(present)
    )


@dataclass(frozen=True)
class _Plan:
    """What to try on a line holding a given set of anchors (built once per set)."""

    signatures: tuple[Signature, ...]
    insecure: tuple[Insecure, ...]
    quick: tuple[str, ...] | None  # the line must hold one of these, or None: try everything
    finds_quick: re.Pattern[str] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        finder = any_of(self.quick) if self.quick is not None else None
        object.__setattr__(self, "finds_quick", finder)  # frozen: set once, here

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
        return cls(signatures, insecure, _fewest_literals(quick, present))

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


def _fewest_literals(literals: list[str], present: frozenset[str]) -> tuple[str, ...]:
    """The literals a line holding the anchors ``present`` must hold one of, fewer: a literal
    holding an anchor the line lacks cannot be on it, and one holding another literal adds
    nothing. Most candidate lines hold none (an anchor by chance), and each costs a test."""
    possible = [lit for lit in literals if all(a in present for a in ANCHORS if a in lit)]
    return tuple(lit for lit in possible if not any(o != lit and o in lit for o in possible))


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
    named: tuple[int, str] | None  # (priority, tool) the hit lines themselves name
    wide: list[str]  # the ISSUER_LINES lines after the last hit

    @property
    def last(self) -> int:
        return self.hits[-1].lineno

    @property
    def line_tool(self) -> str | None:
        return self.named[1] if self.named else None


_RANK = {c: i for i, c in enumerate(CONFIDENCES)}  # low < medium < high


def _best(hits: Sequence[_LineHit]) -> _LineHit:
    return max(hits, key=lambda h: (h.signature.priority, _RANK[h.signature.confidence], -h.lineno))


def _by_line(hits: Sequence[_LineHit]) -> list[list[_LineHit]]:
    lines: dict[int, list[_LineHit]] = {}
    for hit in hits:
        lines.setdefault(hit.lineno, []).append(hit)
    return list(lines.values())


_DIGITS = re.compile(r"[0-9]+")


def _shape(text: str) -> str:
    """A line with its numbers blanked: retries and timestamped repeats have one shape."""
    return _DIGITS.sub("#", text.strip().lower())


def _generic(sig: Signature) -> bool:
    """A row that only says "verification failed" (or sits next to another TLS line): the
    lines around it tell which failure it is."""
    return sig.confidence == "low" or sig.context or sig.ambiguous


def _specific_cause(hits: Sequence[_LineHit]) -> str | None:
    specific = [h for h in hits if not _generic(h.signature)]
    return _best(specific).signature.cause if specific else None


_CARETS = re.compile(r"^\s*[\^~]+\s*$")  # Python 3.11+'s marks under a traceback's source line


def _followed(sig: Signature, after: Sequence[str]) -> bool:
    """Whether the line after a hit says what the row needs (``followed_by``): a traceback's
    source line is the error only with the exception under it, not in a listing or a diff."""
    if sig.followed_by is None:
        return True
    following = next((line for line in after if not _CARETS.match(line)), None)
    return following is not None and sig.followed_by.search(following) is not None


def _continues(old: Sequence[_LineHit], new: Sequence[_LineHit]) -> bool:
    """Whether the hits ``new`` continue the occurrence ``old`` (one error over several lines:
    npm's code/errno/reason, a traceback, s_client's verify line and error queue) rather than
    start another error: the same line again (a retry, a repeat) or another specific cause."""
    old_shapes = {_shape(h.text) for h in old}
    if any(_shape(h.text) in old_shapes for h in new):
        return False
    old_cause, new_cause = _specific_cause(old), _specific_cause(new)
    return old_cause is None or new_cause is None or old_cause == new_cause


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
        self._prefilter: ParallelPrefilter | None = None
        self._offset = 0  # input offset of _buf[0]

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

    def prefilter_with(self, prefilter: ParallelPrefilter) -> None:
        """Take candidate lines from ``prefilter`` (the input is the file it reads, fed from its
        start, as read) instead of running the prefilter's passes here."""
        self._prefilter = prefilter

    def feed_line(self, line: str) -> None:
        self.feed(line.encode("utf-8", "replace") + (b"" if line.endswith("\n") else b"\n"))

    def note_text(self, text: str) -> None:
        """Look at text that is not scanned as output (a command line, a pasted message) for
        signs that verification was switched off: every line, no prefilter."""
        lines = [clean(line) for line in text.splitlines()[:10000]]
        for line in lines:
            self._note_insecure(line, line.lower(), self._cat.insecure)
        for host in hosts_in(lines, self._cat):
            if host not in self._text_hosts and len(self._text_hosts) < MAX_HOSTS:
                self._text_hosts.append(host)

    def close(self, *, switch_off_notes: bool = True) -> list[Finding]:
        """The findings; ``switch_off_notes=False`` leaves the switch-offs to the caller (run
        merges two streams' findings and says them once, with ``note_switch_offs``)."""
        if not self._done:
            self._take_pending()
            self._scan(final=True)
            self._flush_open()
            self._done = True
        return self.findings(switch_off_notes=switch_off_notes)

    # ---- block scanning
    def _scan(self, *, final: bool) -> None:
        buf = self._buf
        if not final:
            self._cut_long_line(buf)
            limit = start_of_last_lines(buf, ISSUER_LINES + 1, len(buf))
            if limit <= self._scanned:
                return
        else:
            limit = len(buf)
        small_input = final and self._base_line == 1 and self._scanned == 0
        every_line = self._exhaustive or (self._exhaustive is None and small_input)
        if every_line:
            starts = all_line_starts(buf, self._scanned, limit)
        else:
            starts = self._candidates(buf, limit)
        counted_pos, counted_line = 0, self._base_line
        for start in starts:
            counted_line += buf.count(b"\n", counted_pos, start)
            counted_pos = start
            self._examine(buf, start, counted_line, every_line)
        # keep CONTEXT_LINES lines before `limit` for the next round's "before" context
        keep = start_of_last_lines(buf, CONTEXT_LINES, limit) if not final else limit
        # the line count goes on from the last candidate: newlines are counted in one pass
        if keep >= counted_pos:
            self._base_line = counted_line + buf.count(b"\n", counted_pos, keep)
        else:
            self._base_line = counted_line - buf.count(b"\n", keep, counted_pos)
        del buf[:keep]
        self._offset += keep
        self._scanned = limit - keep

    def _candidates(self, buf: bytearray, limit: int) -> list[int]:
        if self._prefilter is not None:
            offset = self._offset
            found = self._prefilter.take(offset + self._scanned, offset + limit)
            if found is not None:
                return [start - offset for start in found]
        return candidate_line_starts(buf, self._scanned, limit)

    def _cut_long_line(self, buf: bytearray) -> None:
        """A line still growing keeps its head and its latest tail (see lines.shorten): memory
        stays bounded and an error printed at its end is still seen."""
        begin = max(buf.rfind(b"\n") + 1, self._scanned)
        if len(buf) - begin > MAX_LINE + len(ELISION):
            half = MAX_LINE // 2
            buf[begin + half : len(buf) - half] = ELISION
            self._prefilter = None  # the input's offsets no longer match the buffer's

    def _examine(self, buf: bytearray, start: int, lineno: int, every_line: bool) -> None:
        end = buf.find(b"\n", start)
        end = len(buf) if end < 0 else end
        text = decode(buf[start:end])
        lower = text.lower()
        if every_line:
            plan = self._plan_all
        else:
            plan = self._plan(frozenset(a for a in ANCHORS if a in lower))
        if plan.finds_quick is not None and plan.finds_quick.search(lower) is None:
            return  # an anchor by chance ("SSL handshake completed"): the common case
        if plan.insecure:
            self._note_insecure(text, lower, plan.insecure)
        if lineno in self._used:
            return  # taken as the context of an earlier hit
        hits = self._match_line(text, lower, lineno, plan.signatures)
        if not hits:
            return
        wide = lines_after(buf, end, ISSUER_LINES)
        hits = [h for h in hits if _followed(h.signature, wide)]
        if not hits:
            return
        before = lines_before(buf, start, CONTEXT_LINES)
        after = wide[:CONTEXT_LINES]
        hits += self._context_hits(lineno, text, before, after, self._hits_named(hits))
        for line in (*before, *after):
            self._note_insecure(line, line.lower(), self._cat.insecure)
        self._add(hits, before, after, wide)

    def _context_hits(
        self,
        lineno: int,
        text: str,
        before: list[str],
        after: list[str],
        named: tuple[int, str] | None,
    ) -> list[_LineHit]:
        """Lines next to a hit may carry the reason in words without any anchor (wget's second
        line, s_client's "verify error:num=62:hostname mismatch" above the error queue); the
        same line again, or a line naming another tool than ``named``, is another error,
        examined on its own."""
        shape = _shape(text)
        numbered = [(lineno - len(before) + i, line) for i, line in enumerate(before)]
        numbered += [(lineno + 1 + i, line) for i, line in enumerate(after)]
        found: list[_LineHit] = []
        for number, line in numbered:
            line_lower = line.lower()
            if (
                number in self._used
                or any(a in line_lower for a in ANCHORS)
                or _shape(line) == shape
            ):
                continue  # already counted, or examined on its own
            hits = self._match_line(line, line_lower, number, self._cat.signatures)
            if hits and self._joinable(named, self._hits_named(hits)):
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
    def _add(
        self, hits: list[_LineHit], before: list[str], after: list[str], wide: list[str]
    ) -> None:
        hits = sorted(hits, key=lambda h: h.lineno)
        named = self._hits_named(hits)
        occ = self._open
        first = hits[0].lineno
        if occ is not None and first - occ.last <= CONTEXT_LINES:
            same_tool = self._joinable(occ.named, named)
            if same_tool and _continues(occ.hits, hits) and not self._both_once(occ.hits, hits):
                seen = {(h.lineno, h.signature.id) for h in occ.hits}
                occ.hits.extend(h for h in hits if (h.lineno, h.signature.id) not in seen)
                occ.hits.sort(key=lambda h: h.lineno)
                occ.after = after
                occ.wide = wide
                occ.named = self._specific(occ.named, named)
                return
            if not same_tool:  # another tool's error: neither reads the other's lines
                keep = first - occ.last - 1
                occ.after, occ.wide = occ.after[:keep], occ.wide[:keep]
                before = before[len(before) - keep :] if keep else []
        self._flush_open()
        self._open = _Occurrence(list(hits), before, after, named, wide)

    def _once_tools(self, hits: Sequence[_LineHit]) -> frozenset[str]:
        """The tools whose once-per-failure line (``curl: (60)``) is among ``hits``."""
        return frozenset(
            m.tool
            for m in self._cat.markers
            if m.once and any(m.regex.search(h.text) for h in hits)
        )

    def _both_once(self, old: Sequence[_LineHit], new: Sequence[_LineHit]) -> bool:
        return bool(self._once_tools(old) & self._once_tools(new))

    def _same_tool(self, old: str | None, new: str | None) -> bool:
        """Whether hits of the tools ``old`` and ``new`` can be one error (unknown, the same,
        or one tool built on the other: requests' error around python's)."""
        return (
            old is None
            or new is None
            or old == new
            or self._cat.refines(old, new)
            or self._cat.refines(new, old)
        )

    def _joinable(self, old: tuple[int, str] | None, new: tuple[int, str] | None) -> bool:
        """Whether hits naming ``old`` and ``new`` (priority, tool) can be one error: a tool
        built on the other counts only when the generic one is named weakly (python's
        ``_ssl.c`` in pip's traceback), not by its own program's output (``curl: (77)`` is
        not git's, ``Verify return code`` not pip's)."""
        if old is None or new is None or old[1] == new[1]:
            return True
        if self._cat.refines(old[1], new[1]):
            return old[0] <= SIGNATURE_TOOL_PRIORITY
        if self._cat.refines(new[1], old[1]):
            return new[0] <= SIGNATURE_TOOL_PRIORITY
        return False

    def _specific(
        self, old: tuple[int, str] | None, new: tuple[int, str] | None
    ) -> tuple[int, str] | None:
        if old is None or (new is not None and self._cat.refines(old[1], new[1])):
            return new
        return old

    def _flush_open(self) -> None:
        occ, self._open = self._open, None
        if occ is not None:
            self._record(occ)

    def _hits_named(self, hits: Sequence[_LineHit]) -> tuple[int, str] | None:
        """The (priority, tool) the hit lines themselves name: a marker on them, or a
        signature's tool."""
        tools = [h.signature.tool for h in hits if h.signature.tool]
        best = (SIGNATURE_TOOL_PRIORITY, tools[0]) if tools else None
        return self._strongest_marker([h.text for h in hits], best)

    def _strongest_marker(
        self, lines: Sequence[str], best: tuple[int, str] | None, named: str | None = None
    ) -> tuple[int, str] | None:
        for marker in self._cat.markers:
            if named is not None and not self._same_tool(named, marker.tool):
                continue
            if (best is None or marker.priority > best[0]) and any(
                marker.regex.search(line) for line in lines
            ):
                best = (marker.priority, marker.tool)
        return best

    def _record(self, occ: _Occurrence) -> None:
        best = _best(occ.hits)
        sig = best.signature
        lines = [h.text for h in occ.hits]
        context = [*occ.before, *lines, *occ.after]
        once = self._once_tools(occ.hits)
        if occ.line_tool in once:  # "curl: (60)": only the curl program prints it
            tool = occ.line_tool
        else:
            tool = self._resolve_tool(sig, context, occ.line_tool)
        matches = [h.match for h in occ.hits]
        issuer = (
            first_group(matches, "issuer")
            or search_groups(self._cat.issuers, context, "issuer")
            or search_groups(self._cat.issuers, occ.wide, "issuer")
        )
        issuer = issuer.strip() if issuer else None
        hosts = hosts_near(matches, self._cat, context)
        merged = self._merge_nearby(occ, sig.cause, tool, issuer, hosts, best.text, once)
        if merged is not None:
            self._sharpen(merged, best)
            return
        self._drop_settled(occ, sig.cause, tool)
        key = (sig.cause, tool, issuer)
        causes = frozenset(_best(line).signature.cause for line in _by_line(occ.hits))
        self._last = _Last(
            key, occ.last, _shape(best.text), list(hosts), causes, sig.settled_by, once
        )
        finding = self._findings.get(key)
        if finding is None:
            finding = Finding(
                cause=sig.cause,
                tool=tool,
                line=best.lineno,
                excerpt=excerpt(best.text, best.match.start()),
                issuer=issuer,
                product=product_of(issuer),
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

    @staticmethod
    def _sharpen(finding: Finding, hit: _LineHit) -> None:
        """A surer row for the same cause folded in (Java's ``CertificateExpiredException``
        under its generic "validity check failed"): the finding shows that row."""
        sig = hit.signature
        if sig.cause != finding.cause or _RANK[sig.confidence] <= _RANK[finding.confidence]:
            return
        finding.confidence, finding.signature = sig.confidence, sig.id
        finding.ambiguous, finding.producer = sig.ambiguous, sig.producer
        finding.line, finding.excerpt = hit.lineno, excerpt(hit.text, hit.match.start())

    def _drop_settled(self, occ: _Occurrence, cause: str, tool: str) -> None:
        """A generic row (Java's "validity check failed": expired or not yet valid) gives way
        to the specific cause the same tool names a little further down (its trace's
        ``Caused by: CertificateNotYetValidException``): one failure, one finding."""
        last = self._last
        if (
            last is None
            or cause not in last.settled_by
            or occ.hits[0].lineno - last.line > MERGE_GAP
        ):
            return
        if not self._same_tool(tool, last.key[1]):
            return
        finding = self._findings[last.key]
        finding.count -= 1
        if finding.count == 0:
            del self._findings[last.key]
        self._last = None

    def _merge_nearby(
        self,
        occ: _Occurrence,
        cause: str,
        tool: str,
        issuer: str | None,
        hosts: Sequence[tuple[str, int]],
        text: str,
        once: frozenset[str],
    ) -> Finding | None:
        """Fold this occurrence into the previous one when both are one failure seen twice
        (python's ssl error, then requests' SSLError a few lines down the traceback; s_client's
        summary lines, repeated in each session block). The line that opened the failure again
        (a retry), or another host, is a new failure. ``once``: the tools whose once-per-failure
        line this occurrence holds. The finding folded into, or None."""
        last = self._last
        if last is None:
            return None
        key = last.key
        prev_cause, prev_tool, prev_issuer = key
        if occ.hits[0].lineno - last.line > MERGE_GAP or cause not in last.causes:
            return None  # another cause, unless the previous lines named it too (a summary)
        if hosts and last.hosts and not set(hosts) & set(last.hosts):
            return None
        retry = _shape(text) == last.first  # the line that opened the failure, again
        if tool == prev_tool and retry:
            return None
        if last.once & once:
            return None  # each holds the line its program prints once per failure
        if issuer is not None and prev_issuer not in (None, issuer):
            return None
        if tool == UNKNOWN_TOOL:
            new_tool = prev_tool
        elif prev_tool == UNKNOWN_TOOL:
            new_tool = tool
        elif tool == prev_tool or self._cat.refines(tool, prev_tool):
            new_tool = prev_tool
        elif self._cat.refines(prev_tool, tool):
            new_tool = tool
        else:
            return None
        if (tool != new_tool and tool in once) or (
            prev_tool != new_tool and prev_tool in last.once
        ):
            return None  # a program's own once-per-failure line is never another tool's
        finding = self._findings.pop(key)
        finding.tool = new_tool
        finding.issuer = finding.issuer or issuer
        finding.product = finding.product or product_of(issuer)
        for host in hosts:
            if host not in finding.hosts and len(finding.hosts) < MAX_HOSTS:
                finding.hosts.append(host)
        new_key = (prev_cause, new_tool, finding.issuer)
        existing = self._findings.get(new_key)
        if existing is not None and existing is not finding:
            existing.count += finding.count
            existing.hosts.extend(h for h in finding.hosts if h not in existing.hosts)
            finding = existing
        self._findings[new_key] = finding
        if retry:  # a retry the context names more sharply (pip's last, next to its summary)
            finding.count += 1
        self._last = _Last(
            new_key,
            occ.last,
            last.first,
            [*last.hosts, *hosts],
            last.causes,
            last.settled_by,
            last.once | once,
        )
        return finding

    def _resolve_tool(self, sig: Signature, context: Sequence[str], named: str | None) -> str:
        """The most specific marker in the message wins over the signature's own tool; when
        the hit lines name a tool (``named``), the lines around them can only refine it (pip
        around python's error), not name an unrelated one (another tool's output next to it)."""
        best: tuple[int, str] | None = (SIGNATURE_TOOL_PRIORITY, sig.tool) if sig.tool else None
        best = self._strongest_marker(context, best, named)
        if best is not None:
            return best[1]
        return _PRODUCER_TOOL.get(sig.producer, UNKNOWN_TOOL)

    # ---- results
    def findings(self, *, switch_off_notes: bool = True) -> list[Finding]:
        result = sorted(self._findings.values(), key=lambda f: f.line)
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
        if switch_off_notes:
            note_switch_offs(result, self._insecure.values())
        return result

    @property
    def insecure_attempts(self) -> list[str]:
        return list(self._insecure.values())

    @property
    def insecure_items(self) -> list[dict[str, str]]:
        """The switch-offs seen, as `--json` gives them: the catalog's id and what was tried."""
        return [{"id": key, "what": what} for key, what in self._insecure.items()]


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
