"""The one lint engine: walk, prefilter, dispatch each file to its checker, suppress, collect.

Every file is read once as bytes and searched for a combined regex of the enabled rules'
anchors; only files containing one are decoded, parsed and matched. Large trees are split
across a process pool.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache

from tlsdoctor.core.utf16 import utf16_codec
from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _, os_reason
from tlsdoctor.paths import READ_WITHOUT_WAITING

from . import python_ast
from .certs import PEM_MARKER, check_certificates
from .config import LintConfig, find_config
from .contexts import (
    PROSE_KINDS,
    at_toml_key,
    in_hcl_prose_value,
    in_prose_value,
    is_message_catalog,
)
from .dockerfile import shipped_matches
from .files import Candidate, candidates, kind_from_shebang, matches_any
from .model import FileResult, Finding, LintResult
from .rules import Rule, by_id, check_codes, select_rules, split_codes
from .text import (
    Comment,
    LineIndex,
    Match,
    Window,
    anchor_windows,
    containing_span,
    find_in_comments,
    find_matches,
    inside_any,
    message_spans,
    search_windows,
    string_spans,
    strip_comments,
)

_SUPPRESS = re.compile(rb"tlsdoctor:\s*ignore(?:\[([A-Za-z0-9_, ]*)\])?")
_BINARY_PROBE = 8192
_PARALLEL_THRESHOLD = 400
_CHUNK = 128


@dataclass(frozen=True)
class Plan:
    """What to run: picklable, so worker processes rebuild the compiled form themselves."""

    rule_ids: tuple[str, ...]
    max_file_size: int


# Up to this many anchors, one `in` test per anchor (fast C search) beats one regex alternation.
_MAX_SUBSTRING_TESTS = 16


class _Anchors:
    """Does a file contain any anchor? The one cheap test every file goes through."""

    def __init__(self, anchors: Iterable[str]) -> None:
        needles = sorted({a.encode("utf-8") for a in anchors})
        # An anchor that contains another one is redundant.
        self.needles = tuple(n for n in needles if not any(o != n and o in n for o in needles))
        self.regex = (
            re.compile(b"|".join(re.escape(n) for n in self.needles))
            if len(self.needles) > _MAX_SUBSTRING_TESTS
            else None
        )

    def found(self, data: bytes) -> bool:
        if self.regex is not None:
            return self.regex.search(data) is not None
        return any(needle in data for needle in self.needles)


@dataclass(frozen=True)
class _Compiled:
    rules_by_kind: dict[str, tuple[Rule, ...]]
    anchors: dict[str, _Anchors]
    python_gates: tuple[re.Pattern[str], ...]
    python_anchors: tuple[str, ...]


@cache
def _compile(plan: Plan) -> _Compiled:
    rules = [by_id()[rule_id] for rule_id in plan.rule_ids]
    kinds: dict[str, list[Rule]] = {}
    for rule in rules:
        for kind in rule.kinds:
            kinds.setdefault(kind, []).append(rule)
    anchors = {
        kind: _Anchors(a for r in kind_rules for a in r.anchors)
        for kind, kind_rules in kinds.items()
    }
    python = [r for r in rules if r.engine == "python"]
    gates = tuple(r.gate for r in python if r.gate is not None)
    python_anchors = tuple(sorted({a for r in python for a in r.anchors}))
    return _Compiled({k: tuple(v) for k, v in kinds.items()}, anchors, gates, python_anchors)


def lint_file(candidate: Candidate, plan: Plan) -> FileResult:
    compiled = _compile(plan)
    kind = candidate.kind
    if kind is not None and kind not in compiled.rules_by_kind:
        return FileResult(skipped="unknown")
    try:
        data = _read_regular(candidate.path, plan.max_file_size)
    except _NotRegular:
        return FileResult(skipped="special")
    except _TooLarge:
        return FileResult(skipped="large")
    except OSError:
        return FileResult(skipped="unreadable")
    data = _utf16_as_utf8(data)
    if kind is None:
        kind = kind_from_shebang(data[:128])
        if kind is None or kind not in compiled.rules_by_kind:
            return FileResult(skipped="unknown")
    if kind != "cert" and b"\0" in data[:_BINARY_PROBE]:
        return FileResult(skipped="binary")
    result = FileResult(scanned=True)
    if kind != "cert" and not compiled.anchors[kind].found(data):
        return result
    findings = _check(candidate.display, kind, data, compiled.rules_by_kind[kind], compiled)
    result.findings = _unsuppressed(findings, data)
    return result


class _NotRegular(Exception):
    pass


class _TooLarge(Exception):
    pass


def _read_regular(path: str, max_size: int) -> bytes:
    """The bytes of a regular file. Opened non-blocking and checked on the open descriptor, so
    a FIFO, socket or device (named on the command line, or swapped in) never blocks the run."""
    fd = os.open(path, READ_WITHOUT_WAITING)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular
        if info.st_size > max_size:
            raise _TooLarge
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def _utf16_as_utf8(data: bytes) -> bytes:
    """UTF-16 text (with a byte order mark, as Windows tools write it) is text, not binary."""
    codec = utf16_codec(data[:4], bom_only=True)
    if codec is not None:
        try:
            return data.decode(codec).encode("utf-8")
        except UnicodeDecodeError:
            return data
    return data


def _check(
    path: str, kind: str, data: bytes, rules: Sequence[Rule], compiled: _Compiled
) -> list[Finding]:
    if kind == "cert":
        return _check_certs(path, data, rules)
    # A certificate embedded in other text (Helm values, ConfigMaps, JSON, code).
    cert_findings = (
        _check_certs(path, data, rules, der=False)
        if PEM_MARKER in data and any(r.engine == "cert" for r in rules)
        else []
    )
    return _dedupe([*cert_findings, *_check_text(path, kind, data, rules, compiled)])


def _triple_quoted(text: str) -> list[Window]:
    """The spans of a Python file's triple-quoted strings (docstrings and other prose)."""
    return [
        (start, end)
        for start, end in string_spans(text, "python")
        if text.startswith(('"""', "'''"), start)
    ]


def _check_text(
    path: str, kind: str, data: bytes, rules: Sequence[Rule], compiled: _Compiled
) -> list[Finding]:
    """The code, text and comment findings of one file (``_check`` deduplicates them)."""
    python_rules = [r for r in rules if r.engine == "python"]
    comment_rules = [r for r in rules if r.engine == "comments"]
    text = data.decode("utf-8", errors="replace")
    python_due = bool(python_rules) and _python_gate_open(text, compiled)
    # Each text rule looks near its own anchors; one that does not match the raw text there
    # cannot match once comments are blanked.
    due: list[tuple[Rule, list[Window]]] = []
    for rule in rules:
        if rule.engine != "text":
            continue
        windows = anchor_windows(text, rule.anchors)
        if windows and any(search_windows(p, text, windows) for p in rule.patterns_for(kind)):
            due.append((rule, windows))
    if not (python_due or due or comment_rules):
        return []
    index = LineIndex(text)
    findings: list[Finding] = []
    hits = python_ast.check_source(data) if python_due else None
    if hits is not None:
        findings += _python_findings(path, hits, python_rules, data)
    if not (due or comment_rules or (python_due and hits is None)):
        return findings
    stripped, comments = strip_comments(text, kind)
    messages = message_spans(stripped, kind)
    strings: list[Window] | None = None
    if python_due and hits is None:  # not Python 3: the rules' plain patterns, comments blanked
        docstrings = _triple_quoted(text)  # prose; a one-line string may be a setting
        for rule in python_rules:
            matches = find_matches(stripped, rule.fallback)
            matches = [m for m in matches if not inside_any(docstrings, m)]
            findings += _text_findings(path, rule, matches, index)
    for rule, windows in due:
        matches = find_matches(stripped, rule.patterns_for(kind), windows)
        if kind == "toml":
            matches = [m for m in matches if at_toml_key(text, m.offset)]
        elif kind in PROSE_KINDS:
            matches = [m for m in matches if not in_prose_value(text, m.offset)]
        elif kind == "terraform" and matches:  # description = "never set ...": prose
            strings = string_spans(text, kind) if strings is None else strings
            matches = [
                m for m in matches if not in_hcl_prose_value(text, containing_span(strings, m))
            ]
        if messages:  # echo "use curl -k if it fails": printed, not run
            matches = [m for m in matches if not inside_any(messages, m)]
        if rule.shipped_only and kind == "dockerfile":  # a CA trusted in a build stage only
            matches = shipped_matches(stripped, matches, rule.shipped_only)
        if rule.code_only and matches:  # "rejectUnauthorized: false is dangerous": a string
            strings = string_spans(text, kind) if strings is None else strings
            matches = [m for m in matches if not inside_any(strings, m)]
        findings += _text_findings(path, rule, matches, index)
    for rule in comment_rules:
        matches = (
            find_matches(text, rule.patterns)
            if kind == "docs"
            else find_in_comments([*comments, *_as_comments(stripped, messages)], rule.patterns)
        )
        findings += _text_findings(path, rule, matches, index)
    return findings


def _as_comments(text: str, spans: Iterable[Window]) -> list[Comment]:
    return [Comment(start, text[start:end]) for start, end in spans]


def _python_gate_open(text: str, compiled: _Compiled) -> bool:
    """Parse only files where some Python rule's gate matches near an anchor."""
    if not compiled.python_gates:
        return True
    windows = anchor_windows(text, compiled.python_anchors)
    return any(search_windows(gate, text, windows) for gate in compiled.python_gates)


def _text_findings(
    path: str, rule: Rule, matches: Iterable[Match], index: LineIndex
) -> list[Finding]:
    out = []
    for match in matches:
        line, column = index.position(match.offset)
        end_line, _col = index.position(max(match.offset, match.end - 1))
        start_line = index.position(match.start)[0] if 0 <= match.start < match.offset else line
        out.append(
            Finding(
                path,
                line,
                column,
                rule.id,
                rule.severity,
                end_line=end_line,
                span_start=start_line,
            )
        )
    return out


def _python_findings(
    path: str, hits: Iterable[python_ast.Hit], python_rules: Sequence[Rule], data: bytes
) -> list[Finding]:
    rule_of = {check: rule for rule in python_rules for check in rule.checks}
    lines: list[bytes] | None = None
    out = []
    for hit in hits:
        rule = rule_of.get(hit.check)
        if rule is not None:
            column = hit.column
            if not data.isascii():  # ast columns count UTF-8 bytes; report characters
                lines = lines if lines is not None else data.split(b"\n")
                line = lines[hit.line - 1] if hit.line <= len(lines) else b""
                column = len(line[: hit.column - 1].decode("utf-8", errors="replace")) + 1
            out.append(
                Finding(
                    path,
                    hit.line,
                    column,
                    rule.id,
                    rule.severity,
                    end_line=hit.end_line,
                    span_start=hit.span_start,
                )
            )
    return out


def _check_certs(
    path: str, data: bytes, rules: Sequence[Rule], *, der: bool = True
) -> list[Finding]:
    rule_of = {check: rule for rule in rules if rule.engine == "cert" for check in rule.checks}
    return [
        Finding(
            path,
            hit.line,
            1,
            rule_of[hit.check].id,
            rule_of[hit.check].severity,
            end_line=hit.line,
            detail=hit.detail,
        )
        for hit in check_certificates(data, frozenset(rule_of), der=der)
    ]


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule and line (the leftmost)."""
    best: dict[tuple[str, int], Finding] = {}
    for finding in findings:
        key = (finding.rule, finding.line)
        if key not in best or finding.column < best[key].column:
            best[key] = finding
    return sorted(best.values())


def _unsuppressed(findings: list[Finding], data: bytes) -> list[Finding]:
    """Drop findings whose line carries ``tlsdoctor: ignore[RULE]`` (or a bare ignore).

    For a finding inside a multi-line construct (a call spread over lines), the first line of
    the construct counts too: ``requests.get(  # tlsdoctor: ignore[TLS101]``.
    """
    if not findings or b"tlsdoctor:" not in data:
        return findings
    lines = data.split(b"\n")
    kept = []
    for finding in findings:
        numbers = {finding.line, finding.span_start or finding.line}
        if not any(
            n <= len(lines) and _suppresses(lines[n - 1], finding.rule) for n in numbers if n > 0
        ):
            kept.append(finding)
    return kept


def _suppresses(line: bytes, rule: str) -> bool:
    for match in _SUPPRESS.finditer(line):
        codes = match.group(1)
        if codes is None:
            return True
        listed = {c.strip().upper() for c in codes.decode("ascii").split(",") if c.strip()}
        if any(rule.startswith(code) for code in listed):
            return True
    return False


# ---------------------------------------------------------------- running over many files


def _lint_chunk(chunk: Sequence[Candidate], plan: Plan) -> tuple[list[Finding], int, Counter[str]]:
    findings: list[Finding] = []
    scanned = 0
    skipped: Counter[str] = Counter()
    for candidate in chunk:
        try:
            result = lint_file(candidate, plan)
        except Exception:  # one bad file is counted as unreadable, never the end of the run
            # (and in a worker, the exception object never has to cross the process boundary)
            result = FileResult(skipped="unreadable")
        findings += result.findings
        scanned += result.scanned
        if result.skipped and result.skipped != "unknown":
            skipped[result.skipped] += 1
    return findings, scanned, skipped


def _workers(jobs: int) -> int:
    if jobs > 0:
        return jobs
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cpus or 1, 8)


Totals = tuple[list[Finding], int, Counter[str]]


def _run(files: Iterable[Candidate], plan: Plan, jobs: int) -> Totals:
    """Lint serially for small inputs; otherwise hand chunks to worker processes while the walk
    goes on (the walk and the linting overlap)."""
    workers = _workers(jobs)
    stream = iter(files)
    head = list(itertools.islice(stream, _PARALLEL_THRESHOLD))
    # fork is cheap and safe here on Linux; elsewhere one process is simpler than spawn's cost.
    if workers <= 1 or len(head) < _PARALLEL_THRESHOLD or not sys.platform.startswith("linux"):
        return _lint_chunk([*head, *stream], plan)
    import multiprocessing

    _compile(plan)  # compiled once here, inherited by the forked workers
    findings: list[Finding] = []
    scanned = 0
    skipped: Counter[str] = Counter()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: list[Future[Totals]] = [
            pool.submit(_lint_chunk, head[i : i + _CHUNK], plan)
            for i in range(0, len(head), _CHUNK)
        ]
        chunk: list[Candidate] = []
        for candidate in stream:
            chunk.append(candidate)
            if len(chunk) == _CHUNK:
                futures.append(pool.submit(_lint_chunk, chunk, plan))
                chunk = []
        if chunk:
            futures.append(pool.submit(_lint_chunk, chunk, plan))
        for future in futures:
            part_findings, part_scanned, part_skipped = future.result()
            findings += part_findings
            scanned += part_scanned
            skipped.update(part_skipped)
    return findings, scanned, skipped


class _ProjectPaths:
    """Paths relative to the project root (where the config lives), cached per folder."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.cache: dict[str, str | None] = {}

    def relative(self, display: str) -> str | None:
        folder, _sep, name = display.rpartition("/")
        if folder not in self.cache:
            absolute = os.path.abspath(folder or ".")
            rel = os.path.relpath(absolute, self.root)
            self.cache[folder] = None if rel.startswith("..") else rel.replace(os.sep, "/")
        base = self.cache[folder]
        if base is None:
            return None
        return name if base == "." else f"{base}/{name}"


def _prose_if_catalog(candidate: Candidate, project: _ProjectPaths) -> Candidate:
    """Message catalogs in locale folders are read as documentation (see contexts.py)."""
    rel = project.relative(candidate.display)
    if is_message_catalog(rel if rel is not None else candidate.rel, candidate.kind):
        return replace(candidate, kind="docs")
    return candidate


def _check_named(path: str) -> None:
    """A path named on the command line must be readable: a missing one, a dangling symlink,
    a symlink loop or a folder that cannot be listed is a usage error, never a clean run."""
    if not os.path.lexists(path):
        raise UsageError(_("no such file or folder: {path}", path=path))
    try:
        if os.path.isdir(path):
            with os.scandir(path):
                pass
        else:
            os.close(os.open(path, READ_WITHOUT_WAITING))  # non-blocking: a FIFO is skipped later
    except OSError as err:
        reason = os_reason(err)
        raise UsageError(_("cannot read {path}: {error}", path=path, error=reason)) from None


def _check_config_codes(config: LintConfig) -> None:
    """An unknown rule in the config is reported with the config file's name (not as --select)."""
    where = f" ({config.source})" if config.source else ""
    lists = [("select", config.select), ("extend-select", config.extend_select)]
    lists += [("ignore", config.ignore)]
    lists += [("per-file-ignores", codes) for codes in config.per_file_ignores.values()]
    for key, codes in lists:
        check_codes(codes, key + where)


def lint_paths(
    paths: Sequence[str] = (".",),
    *,
    select: Sequence[str] | str | None = None,
    ignore: Sequence[str] | str | None = None,
    extend_select: Sequence[str] | str | None = None,
    exclude: Sequence[str] = (),
    config: LintConfig | None = None,
    use_config: bool = True,
    use_git: bool = True,
    jobs: int = 0,
) -> LintResult:
    """Lint files and folders; the library face of ``tlsdoctor lint``."""
    paths = list(paths) or ["."]
    for path in paths:
        _check_named(path)
    if config is None:
        config = find_config(paths[0]) if use_config else LintConfig(root=os.getcwd())
    if select is not None and len(select) > 0 and not split_codes(select):
        raise UsageError(_("--select needs at least one rule id or prefix (or ALL)"))
    _check_config_codes(config)
    rules = select_rules(
        split_codes(select) or config.select,
        [*config.ignore, *split_codes(ignore)],
        extend_select=[
            *(config.extend_select if not split_codes(select) else ()),
            *split_codes(extend_select),
        ],
    )
    plan = Plan(tuple(rule.id for rule in rules), config.max_file_size)
    excludes = [*config.exclude, *exclude]
    project = _ProjectPaths(config.root)
    counter = itertools.count(1)

    def excluded(candidate: Candidate) -> bool:
        rel = project.relative(candidate.display)
        if rel is not None and matches_any(rel, excludes):
            return True
        # --exclude also matches the path relative to the linted folder (one outside the
        # project, or without a config); the config's excludes are relative to its folder.
        return matches_any(candidate.rel, [*exclude] if rel is not None else excludes)

    def wanted() -> Iterator[Candidate]:
        for candidate in candidates(paths, use_git=use_git):
            next(counter)
            if not excludes or not excluded(candidate):
                yield _prose_if_catalog(candidate, project)

    findings, scanned, skipped = _run(wanted(), plan, jobs)
    seen = next(counter) - 1
    findings = _per_file_ignored(findings, config, project)
    catalog = by_id()
    findings = sorted(replace(f, message=_message(catalog[f.rule], f)) for f in findings)
    return LintResult(findings, seen, scanned, dict(skipped), plan.rule_ids)


def _per_file_ignored(
    findings: list[Finding], config: LintConfig, project: _ProjectPaths
) -> list[Finding]:
    if not config.per_file_ignores:
        return findings
    kept = []
    for finding in findings:
        rel = project.relative(finding.path)
        ignored = rel is not None and any(
            matches_any(rel, [glob]) and any(finding.rule.startswith(c.upper()) for c in codes)
            for glob, codes in config.per_file_ignores.items()
        )
        if not ignored:
            kept.append(finding)
    return kept


def _message(rule: Rule, finding: Finding) -> str:
    title = rule.text("title")
    return f"{title} ({finding.detail})" if finding.detail else title
