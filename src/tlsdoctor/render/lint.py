"""Output of tlsdoctor lint: text (one line per finding, then how to fix), JSON or SARIF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from tlsdoctor.core.lint.model import LintResult
from tlsdoctor.core.lint.rules import Rule
from tlsdoctor.i18n import _

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
        out.print(_("No problems found ({files} files checked).", files=result.files_scanned))
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
            "Found {total} problems ({errors} errors, {warnings} warnings, {infos} info) "
            "in {files} files checked.",
            total=len(result.findings),
            errors=counts["error"],
            warnings=counts["warning"],
            infos=counts["info"],
            files=result.files_scanned,
        )
    )
    _print_skipped(result)


def _print_skipped(result: LintResult) -> None:
    """Files that were found but not read: say so, never drop them silently."""
    if not result.skipped:
        return

    def reason_text(reason: str, count: int) -> str:
        texts = {
            "binary": _("{count} binary", count=count),
            "large": _("{count} larger than max-file-size", count=count),
            "special": _("{count} not regular files", count=count),
            "unreadable": _("{count} unreadable", count=count),
        }
        return texts.get(reason, f"{count} {reason}")

    parts = ", ".join(reason_text(r, n) for r, n in sorted(result.skipped.items()))
    total = sum(result.skipped.values())
    console().print(_("Skipped {count} files ({reasons}).", count=total, reasons=parts))


def to_json(result: LintResult) -> dict[str, object]:
    return {"findings": [f.to_json() for f in result.findings]}


def write_json(data: object, stream: IO[str]) -> None:
    print_json(data, stream)


def render_rules(rules: Sequence[Rule]) -> None:
    from rich.table import Table

    table = Table(show_header=True, header_style="bold", box=None)
    table.add_column(_("rule"))
    table.add_column(_("severity"))
    table.add_column(_("default"))
    table.add_column(_("title"))
    for rule in rules:
        table.add_row(
            rule.id,
            severity_label(rule.severity),
            _("on") if rule.default else _("off"),
            rule.text("title"),
        )
    console().print(table)


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
