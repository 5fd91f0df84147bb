"""Human and JSON output for `tlsdoctor check` (and the check step of `tlsdoctor fix`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tlsdoctor.i18n import N_, _

if TYPE_CHECKING:
    from rich.console import Console

    from tlsdoctor.core.clients import ClientResult

STATUS_LABELS: dict[str, str] = {
    "ok": N_("ok"),
    "handshake-ok": N_("ok (TLS verified; HTTP-level error)"),
    "tls-error": N_("TLS failure"),
    "error": N_("failed (not TLS)"),
    "timeout": N_("timed out"),
    "missing": N_("not installed"),
    "verification-off": N_("verification switched off (not run)"),
}
STATUS_STYLES = {
    "ok": "green",
    "handshake-ok": "green",
    "tls-error": "red",
    "error": "yellow",
    "timeout": "yellow",
    "missing": "dim",
    "verification-off": "bold red",
}


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def explanation(result: ClientResult) -> tuple[str | None, list[str]]:
    """(cause title, fix lines) from the explain engine's finding, when there is one."""
    finding = result.finding
    if finding is None:
        return None, []
    title = getattr(finding, "title", None) or getattr(finding, "cause", None)
    fixes = getattr(finding, "fix", None) or []
    if isinstance(fixes, str):
        fixes = [fixes]
    return (str(title) if title else None), [str(f) for f in fixes]


def check_json(
    results: Sequence[ClientResult],
    urls: Sequence[str],
    proxy: str | None,
    env_source: str | None = None,
    *,
    profile: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    from tlsdoctor.core.clients import summarize

    return {
        "urls": list(urls),
        "proxy": proxy,
        "environment": env_source or "current",
        "profile_not_loaded": dict(profile) if profile else None,
        "ok": bool(results) and all(r.ok for r in results),
        "summary": summarize(results),
        "results": [_row(r) for r in results],
    }


def _row(result: ClientResult) -> dict[str, Any]:
    row = result.to_dict()
    probed = getattr(result.finding, "probe", None)
    if probed and isinstance(row.get("finding"), dict):
        row["finding"]["probe"] = probed
    return row


def render_check(
    results: Sequence[ClientResult],
    urls: Sequence[str],
    proxy: str | None,
    out: Console,
    *,
    verbose: bool = False,
    profile_not_loaded: Mapping[str, Any] | None = None,
) -> None:
    """One block per URL, one line per client, and the explanation under each failure.

    A list rather than a table: error lines stay whole (greppable, copyable) at any width.
    When setup's profile block is not loaded in this shell, that comes first and the per-row
    fixes (which would suggest setting up what is already set up) are left out.
    """
    from rich.text import Text

    if profile_not_loaded:
        out.print(
            Text(
                _(
                    "tlsdoctor's block in {profile} sets {names}, but this shell does not have "
                    "them: open a new shell, or run with --source {profile}",
                    profile=str(profile_not_loaded["profile"]),
                    names=", ".join(profile_not_loaded["missing"]),
                ),
                style="bold yellow",
            )
        )

    if proxy:
        out.print(_("through the proxy {proxy}", proxy=proxy))
    width = max((len(r.client) for r in results), default=8) + 2
    for url in urls:
        out.print()
        out.print(Text(_("Checking {urls}", urls=url), style="bold"))
        for result in (r for r in results if r.url == url):
            mark = "✓" if result.ok else ("·" if result.status == "missing" else "✗")
            line = Text(f"  {mark} ")
            line.append(result.client.ljust(width))
            line.append(status_label(result.status), style=STATUS_STYLES.get(result.status, ""))
            if result.ok and result.version and verbose:
                line.append(f"  ({result.version})", style="dim")
            out.print(line)
            for detail in _details(result, verbose, fixes=not profile_not_loaded):
                out.print(Text("      " + detail))
    out.print()
    out.print(summary_line(results))


def _details(result: ClientResult, verbose: bool, *, fixes: bool = True) -> list[str]:
    if result.status == "missing":
        return []
    lines: list[str] = []
    if result.ok:
        if result.status == "handshake-ok" and verbose:
            lines.append(_short(result.headline))
        return lines
    if result.status == "timeout":
        lines.append(_("no answer within {seconds:.0f} s", seconds=result.duration))
    elif result.headline:
        lines.append(_short(result.headline))
    cause, advice = explanation(result)
    if cause:
        lines.append(_("cause: {cause}", cause=cause))
    probed = getattr(result.finding, "probe", None)
    if probed:
        lines.append(_("probe: {text}", text=str(probed)))
    if not fixes:
        advice = []
    for fix in advice if verbose else advice[:1]:
        lines.append(_("fix: {fix}", fix=fix))
    if verbose and result.version:
        lines.append(result.version)
    return lines


def _short(line: str, limit: int = 240) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"


def summary_line(results: Sequence[ClientResult]) -> str:
    passed = sum(1 for r in results if r.ok)
    failed = len(results) - passed
    if not results:
        return _("No client could be run.")
    if all(r.status == "missing" for r in results):
        return _("No client could be run: none of them is installed.")
    if failed == 0:
        return _("All {count} checks passed.", count=passed)
    return _("{failed} of {count} checks failed.", failed=failed, count=len(results))


# ------------------------------------------------------------------------------- fix
# The steps of `tlsdoctor fix`, printed as they happen (to stderr when --json is on).


def step(out: Console, number: int, title: str) -> None:
    from rich.text import Text

    out.print()
    out.print(Text(f"{number}. {title}", style="bold"))


def line(out: Console, text: str, style: str = "") -> None:
    from rich.text import Text

    out.print(Text("   " + text, style=style))


VERDICT_LABELS = {
    "clean": N_("no inspection found"),
    "intercepted": N_("TLS is inspected"),
    "partial": N_("TLS is inspected for some hosts"),
    "inconclusive": N_("inconclusive (no host reachable)"),
}


def verdict_label(verdict: str) -> str:
    """detect's verdict code ("clean", "inconclusive", ...) as a user reads it."""
    return _(VERDICT_LABELS[verdict]) if verdict in VERDICT_LABELS else verdict


def detect_summary(out: Console, report: Any) -> None:
    label = verdict_label(str(getattr(report, "verdict", "")))
    line(out, _("verdict: {verdict}", verdict=label), "bold")
    for text in getattr(report, "summary", [])[:6]:
        line(out, str(text))


def cas(out: Console, certificates: Sequence[Any], source: str) -> None:
    from tlsdoctor.core.x509 import describe, format_fingerprint, sha256_fingerprint

    for cert in certificates:
        line(out, describe(cert).subject, "bold")
        line(out, _("SHA-256: {value}", value=format_fingerprint(sha256_fingerprint(cert))))
    line(out, _("from: {source}", source=source), "dim")


def bundle(out: Console, result: Any) -> None:
    line(
        out,
        _(
            "{path}: {count} certificates ({public} public roots)",
            path=str(result.path),
            count=result.count,
            public=result.public_count,
        ),
    )
    line(out, _("CA only (for add-style settings): {path}", path=str(result.ca_path)))
    for warning in result.warnings:
        line(out, _("warning: {text}", text=warning), "yellow")


def plan(out: Console, the_plan: Any) -> None:
    """Each file with its setting, old -> new; OS commands exactly as they would run."""
    for change in the_plan.changes:
        action = _("create") if change.creates else _("change")
        line(out, f"[{change.tool}] {action} {change.path}")
        if change.setting:
            old = change.old_value if change.old_value is not None else _("(not set)")
            line(out, f"    {change.setting}: {old} -> {change.new_value}", "dim")
        elif change.description and not change.removes:
            line(out, "    " + str(change.description), "dim")
        for removal in change.removes:
            line(out, "    " + str(removal), "green")
    for command in the_plan.commands:
        line(out, f"[{command.tool}] $ " + " ".join(command.argv))
    for note in the_plan.notes:
        if note.kind in ("warning", "manual"):
            text = str(note.text).replace("\n", "\n" + " " * (len(note.tool) + 6))
            line(out, f"[{note.tool}] {text}", "yellow")


def applied(out: Console, result: Any) -> None:
    line(out, _("{count} files written.", count=len(result.written)), "green")
    for change in result.changed_since_plan:
        line(
            out,
            _("not written, changed since the plan was made: {path}", path=str(change.path)),
            "yellow",
        )
    for outcome in result.commands:
        if outcome.returncode != 0:
            line(
                out,
                _(
                    "command failed ({code}): {argv}",
                    code=outcome.returncode,
                    argv=" ".join(outcome.command.argv),
                ),
                "red",
            )


def check(
    out: Console, results: Sequence[ClientResult], urls: Sequence[str], proxy: str | None
) -> None:
    render_check(results, urls, proxy, out)


def done(out: Console, outcome: Any, undo_command: str) -> None:
    step(out, 7, _("Done"))
    if outcome.apply_result is not None:
        for change in outcome.apply_result.written:
            line(out, f"[{change.tool}] {change.path}")
    line(out, _("To undo every change: {command}", command=undo_command), "bold")
    written = outcome.apply_result.written if outcome.apply_result is not None else []
    if any(change.tool == "shell" for change in written):  # a profile was written
        line(out, _("Open a new shell (or source your profile) to pick up the variables."))
