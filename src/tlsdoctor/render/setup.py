"""Human and JSON output for `setup`, `undo` and `doctor`."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tlsdoctor.i18n import N_, _, _n, join_list
from tlsdoctor.render.console import print_wrapped

if TYPE_CHECKING:
    from rich.console import Console

    from tlsdoctor.core.changes import ApplyResult, Change, Plan, RestoreOutcome, UndoResult
    from tlsdoctor.core.doctor import DoctorFinding

NOTE_LABELS = {
    "info": N_("note"),
    "skipped": N_("nothing to do"),
    "manual": N_("by hand"),
    "warning": N_("warning"),
}
NOTE_STYLES = {"info": "cyan", "skipped": "dim", "manual": "yellow", "warning": "bold red"}

RESTORE_LABELS = {
    "restored": N_("restored"),
    "removed": N_("removed (setup had created it)"),
    "already-original": N_("already original"),
    "kept-both": N_("changed by someone else since setup: kept, original written beside it"),
    "kept-created": N_("created by setup, then changed by someone else: kept"),
    "backup-missing": N_("backup missing: not restored"),
    "kept-referenced": N_("created by setup, kept: a file undo kept still points at it"),
}
SEVERITY_LABELS = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _esc(text: object) -> str:
    from rich.markup import escape

    return escape(str(text))


def command_line(argv: Sequence[str]) -> str:
    return shlex.join(argv)


def _change_action(change: Change) -> str:
    """What happens to the file, in parentheses (Japanese uses full-width ones)."""
    if change.new is None:
        return _("(remove)")
    return _("(create)") if change.old is None else _("(modify)")


# ------------------------------------------------------------------ setup


def plan_to_json(plan: Plan, *, bundle: Path, ca: Path, applied: bool) -> dict[str, Any]:
    data = plan.to_json()
    return {
        "bundle": str(bundle),
        "ca": str(ca),
        "apply": applied,
        **data,
        "system_warning": _(SYSTEM_WARNING) if plan.commands else None,
    }


SYSTEM_WARNING = N_(
    "These commands change the OS trust store: every program and every user on this machine "
    "will trust the inspection CA. They need administrator rights."
)


def print_plan(console: Console, plan: Plan, *, applying: bool) -> None:
    if plan.changes:
        n = len(plan.changes)
        console.print(
            _n("[bold]1 change to make:[/bold]", "[bold]{count} changes to make:[/bold]", n)
            if not applying
            else _n("[bold]Making 1 change:[/bold]", "[bold]Making {count} changes:[/bold]", n)
        )
    for change in plan.changes:
        console.print(
            f"  [bold]{_esc(change.tool)}[/bold]  {_esc(change.path)}  "
            f"[dim]{_esc(_change_action(change))}[/dim]"
        )
        if change.setting:
            old = change.old_value if change.old_value is not None else _("(not set)")
            console.print(
                "      "
                + _(
                    "{setting}: {old} -> {new}",
                    setting=_esc(change.setting),
                    old=f"[red]{_esc(old)}[/red]",
                    new=f"[green]{_esc(change.new_value)}[/green]",
                )
            )
        elif not change.removes:
            console.print(f"      {_esc(change.description)}")
        for removal in change.removes:
            console.print(f"      [green]{_esc(removal)}[/green]")
        if change.preview:
            for line in change.preview.splitlines():
                # a file's lines, as they will be written: never broken (copied as they are)
                console.print(f"      [dim]|[/dim] {_esc(line)}", soft_wrap=True)
    if plan.commands:
        console.print()
        console.print(f"[bold red]{_esc(_(SYSTEM_WARNING))}[/bold red]")
        console.print(_("[bold]Commands, exactly as they will run:[/bold]"))
        for command in plan.commands:
            console.print(f"  $ {_esc(command_line(command.argv))}")
            for undo_argv in command.undo:
                console.print("    " + _("undo: {command}", command=_esc(command_line(undo_argv))))
    notes = [n for n in plan.notes if n.kind != "skipped"]
    skipped = [n for n in plan.notes if n.kind == "skipped"]
    if notes:
        console.print()
    for note in notes:
        style = NOTE_STYLES.get(note.kind, "")
        label = _(NOTE_LABELS.get(note.kind, note.kind))
        print_wrapped(
            console,
            f"  [{style}]{_esc(label)}[/{style}] ",
            _("{tool}: {text}", tool=_esc(note.tool), text=_esc(note.text)),
            markup=True,
        )
    if skipped:
        console.print(
            "[dim]"
            + _esc(
                _("nothing to do for: {tools}", tools=join_list(sorted({n.tool for n in skipped})))
            )
            + "[/dim]"
        )
    if plan.is_empty() and any(n.kind in ("manual", "warning") for n in notes):
        console.print(_("Nothing to change here, but the notes above need your attention."))
    elif plan.is_empty():
        console.print(_("[green]Everything is already set up: nothing to change.[/green]"))
    elif not applying:
        console.print()
        console.print(_("Nothing was written. Run again with --apply to make these changes."))


def print_apply(console: Console, result: ApplyResult) -> None:
    if result.run_id is None:
        return
    console.print()
    console.print(
        _n(
            "[green]Wrote 1 file[/green] (journal run {run}). "
            "Its original is backed up; 'tlsdoctor undo' puts it back.",
            "[green]Wrote {count} files[/green] (journal run {run}). "
            "Each original is backed up; 'tlsdoctor undo' puts everything back.",
            len(result.written),
            run=result.run_id,
        )
    )
    for change in result.changed_since_plan:
        console.print(
            "[yellow]"
            + _esc(_("{path} changed while planning: left untouched", path=str(change.path)))
            + "[/yellow]"
        )
    for outcome in result.commands:
        status = _("ok") if outcome.returncode == 0 else _("failed")
        console.print(f"  $ {_esc(command_line(outcome.command.argv))}  [{_esc(status)}]")


def apply_to_json(result: ApplyResult) -> dict[str, Any]:
    return result.to_json()


# ------------------------------------------------------------------ undo


def restore_label(outcome: RestoreOutcome) -> str:
    return _(RESTORE_LABELS.get(outcome.status, outcome.status))


def print_undo(console: Console, result: UndoResult) -> None:
    if not result.runs:
        console.print(_("Nothing to undo: the journal has no changes left."))
        return
    console.print(
        _n(
            "[bold]Undid 1 setup run:[/bold] {runs}",
            "[bold]Undid {count} setup runs:[/bold] {runs}",
            len(result.runs),
            runs=join_list(result.runs),
        )
    )
    for outcome in result.files:
        style = "yellow" if outcome.conflict else "green"
        console.print(f"  [{style}]{_esc(restore_label(outcome))}[/{style}]  {_esc(outcome.path)}")
        if outcome.insecure_back:
            console.print(
                "      [bold red]"
                + _esc(
                    _(
                        "verification is off again in this file: {settings} is back (undo "
                        "restores the original byte for byte; 'tlsdoctor setup' removes it again)",
                        settings=", ".join(outcome.insecure_back),
                    )
                )
                + "[/bold red]"
            )
        if outcome.conflict and outcome.description:
            console.print(
                "      "
                + _esc(_("setup's change, to revert by hand: {change}", change=outcome.description))
            )
        if outcome.referenced_by:
            console.print(
                "      "
                + _esc(
                    _(
                        "{path} was kept above and still names this file; remove both "
                        "by hand once you have merged it",
                        path=str(outcome.referenced_by),
                    )
                )
            )
        if outcome.beside:
            console.print(
                "      "
                + _esc(
                    _(
                        "original written to {path}; compare and merge by hand",
                        path=str(outcome.beside),
                    )
                )
            )
    for command in result.commands:
        status = _("ok") if command.returncode == 0 else _("failed")
        console.print(f"  $ {_esc(command_line(command.command.argv))}  [{_esc(status)}]")


# ------------------------------------------------------------------ doctor


def doctor_to_json(findings: Sequence[DoctorFinding]) -> dict[str, Any]:
    return {
        "findings": [f.to_json() for f in findings],
        "counts": {
            sev: sum(1 for f in findings if f.severity == sev)
            for sev in ("error", "warning", "info")
        },
    }


def print_doctor(console: Console, findings: Sequence[DoctorFinding]) -> None:
    if not findings:
        console.print(_("[green]No problems found[/green] in the CA variables and tool configs."))
        return
    for finding in findings:
        style = SEVERITY_STYLES.get(finding.severity, "")
        label = _(SEVERITY_LABELS.get(finding.severity, finding.severity))
        console.print(
            f"[{style}]{_esc(label)}[/{style}] [dim]{_esc(finding.id)}[/dim]  "
            f"{_esc(finding.subject)}"
        )
        console.print(f"    {_esc(finding.message)}")
        console.print("    " + _esc(_("fix: {fix}", fix=finding.fix)))
