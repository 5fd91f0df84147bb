"""Output of tlsdoctor lint: text (one line per finding, then how to fix), JSON or SARIF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from tlsdoctor.core.lint.model import LintResult
from tlsdoctor.core.lint.rules import Rule
from tlsdoctor.i18n import N_, _

from .console import console, print_json

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def severity_label(severity: str) -> str:
    labels = {"error": _("error"), "warning": _("warning"), "info": _("info")}
    return labels.get(severity, severity)


def render_text(result: LintResult, rules: Sequence[Rule]) -> None:
    from rich.markup import escape

    out = console()
    for f in result.findings:
        style = SEVERITY_STYLE.get(f.severity, "")
        out.print(
            f"{escape(f.path)}:{f.line}:{f.column}: [bold]{f.rule}[/bold] "
            f"[{style}]{severity_label(f.severity)}[/{style}]: {escape(f.message)}"
        )
    if not result.findings:
        out.print(_("No problems found ({files} checked).", files=_files(result.files_scanned)))
        _print_skipped(result)
        return
    by_id = {rule.id: rule for rule in rules}
    seen = sorted({f.rule for f in result.findings})
    out.print()
    out.print(f"[bold]{_('How to fix')}[/bold]")
    for rule_id in seen:
        rule = by_id[rule_id]
        out.print(f"  [bold]{rule_id}[/bold] {escape(rule.text('fix'))}")
        out.print(f"        {escape(_('more: {url}', url=rule.help_uri))}")
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in SEVERITY_STYLE}
    out.print()
    out.print(
        _(
            "Found {problems} ({errors}, {warnings}, {infos}) in {files} checked.",
            problems=_count(len(result.findings), N_("{count} problem"), N_("{count} problems")),
            errors=_count(counts["error"], N_("{count} error"), N_("{count} errors")),
            warnings=_count(counts["warning"], N_("{count} warning"), N_("{count} warnings")),
            infos=_("{count} info", count=counts["info"]),
            files=_files(result.files_scanned),
        )
    )
    _print_skipped(result)


def _count(count: int, singular: str, plural: str) -> str:
    """``singular`` or ``plural`` (English templates marked with N_), translated and filled."""
    return _(singular if count == 1 else plural, count=count)


def _files(count: int) -> str:
    return _count(count, N_("{count} file"), N_("{count} files"))


_SKIP_REASONS = {
    "binary": (N_("{count} binary"), N_("{count} binary")),
    "large": (N_("{count} larger than max-file-size"), N_("{count} larger than max-file-size")),
    "special": (N_("{count} not a regular file"), N_("{count} not regular files")),
    "unreadable": (N_("{count} unreadable"), N_("{count} unreadable")),
}


# One sentence per number of reasons: the list separator differs by language (", " and "、").
_SKIPPED = (
    N_("Skipped {files} ({a})."),
    N_("Skipped {files} ({a}, {b})."),
    N_("Skipped {files} ({a}, {b}, {c})."),
    N_("Skipped {files} ({a}, {b}, {c}, {d})."),
)


def _print_skipped(result: LintResult) -> None:
    """Files that were found but not read: say so, never drop them silently."""
    if not result.skipped:
        return
    reasons = [
        _count(count, *_SKIP_REASONS.get(reason, (f"{{count}} {reason}",) * 2))
        for reason, count in sorted(result.skipped.items())
    ]
    total = sum(result.skipped.values())
    named = dict(zip("abcd", reasons, strict=False))
    console().print(_(_SKIPPED[len(named) - 1], files=_files(total), **named))


def to_json(result: LintResult) -> dict[str, object]:
    return {"findings": [f.to_json() for f in result.findings]}


def write_json(data: object, stream: IO[str]) -> None:
    print_json(data, stream)


def render_rules(rules: Sequence[Rule]) -> None:
    from rich.cells import cell_len
    from rich.table import Table

    from tlsdoctor.render.text import wrap as wrap_display

    rows = [
        (
            rule.id,
            severity_label(rule.severity),
            _("on") if rule.default else _("off"),
            rule.text("title"),
        )
        for rule in rules
    ]
    headers = (_("rule"), _("severity"), _("default"), _("title"))
    out = console()
    # rich wraps only at spaces: a Japanese title would move whole to the next line, or be cut
    # mid-word. Wrap it here by display width (breaks between wide characters, ASCII words whole).
    fixed = sum(max(cell_len(r[i]) for r in [headers, *rows]) + 2 for i in range(3))
    title_width = out.width - fixed - 2
    table = Table(show_header=True, header_style="bold", box=None)
    for header in headers[:3]:
        table.add_column(header, no_wrap=True)
    table.add_column(headers[3], overflow="fold")
    for *cells, title in rows:
        if title_width >= 20:
            title = "\n".join(wrap_display(title, title_width))
        table.add_row(*cells, title)
    out.print(table)


def rules_json(rules: Sequence[Rule]) -> list[dict[str, object]]:
    return [
        {
            "id": rule.id,
            "name": rule.name,
            "severity": rule.severity,
            "default": rule.default,
            "title": rule.text("title"),
            "why": rule.text("why"),
            "fix": rule.text("fix"),
            "help_uri": rule.help_uri,
        }
        for rule in rules
    ]
