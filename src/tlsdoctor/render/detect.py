"""Human output of `tlsdoctor detect`: the verdict, a table of evidence, the summary lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.x509.oid import NameOID

from tlsdoctor.i18n import N_, _

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from tlsdoctor.core.detect import DetectReport, HostEvidence

VERDICT_TEXT = {
    "clean": N_("clean: no TLS inspection seen"),
    "intercepted": N_("intercepted: HTTPS is re-signed by an inspection CA"),
    "partial": N_("partial: some hosts are re-signed, others pass untouched"),
    "inconclusive": N_("inconclusive: could not tell whether TLS is inspected"),
}
VERDICT_STYLE = {
    "clean": "bold green",
    "intercepted": "bold red",
    "partial": "bold yellow",
    "inconclusive": "bold magenta",
}
STATUS_TEXT = {
    "clean": N_("clean"),
    "intercepted": N_("intercepted"),
    "error": N_("error"),
}
STATUS_STYLE = {"clean": "green", "intercepted": "red", "error": "yellow"}


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def short_issuer(ev: HostEvidence) -> str:
    if not ev.chain:
        return "-"
    names = ev.chain[0].issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names:
        return str(names[0].value)
    return ev.issuer or "-"


def render_report(report: DetectReport, console: Console) -> None:
    from rich.table import Table
    from rich.text import Text

    headline = Text(_("Verdict: "), style="bold")
    headline.append(_(VERDICT_TEXT[report.verdict]), style=VERDICT_STYLE[report.verdict])
    console.print(headline)
    headers = [
        _("Host"),
        _("Status"),
        _("Issuer"),
        _("Product"),
        _("Public roots"),
        _("OS store"),
        _("Details"),
    ]
    rows = [_row(ev) for ev in report.hosts]
    # Columns with nothing to say (e.g. no handshake at all) only take width away from Details.
    keep = [i for i in range(len(headers)) if i < 2 or any(_plain(r[i]) != "-" for r in rows)]
    table = Table(show_header=True, header_style="bold", expand=False)
    for i in keep:
        table.add_column(headers[i], overflow="fold")
    for row in rows:
        table.add_row(*(row[i] for i in keep))
    console.print(table)
    for ca in report.inspection_cas:
        console.print(Text(_("Inspection CA: {subject}", subject=ca.subject), style="bold"))
        if ca.sha256:
            from tlsdoctor.core.x509 import format_fingerprint

            console.print(
                "  " + _("SHA-256: {fingerprint}", fingerprint=format_fingerprint(ca.sha256))
            )
        console.print("  " + _("in the OS trust store: {answer}", answer=_yes_no(ca.in_os_store)))
    for line in report.summary:
        console.print(Text("• " + line))


def _plain(cell: str | Text) -> str:
    return str(getattr(cell, "plain", cell))


def _row(ev: HostEvidence) -> list[str | Text]:
    from rich.text import Text

    details = ev.error or ""
    if ev.strict_findings:
        details = "; ".join([d for d in (details, *ev.strict_findings) if d])
    return [
        ev.label,
        Text(_(STATUS_TEXT[ev.status]), style=STATUS_STYLE[ev.status]),
        short_issuer(ev),
        ev.product or "-",
        _yes_no(ev.trusted_public) if ev.chain else "-",
        _yes_no(ev.trusted_os) if ev.chain else "-",
        details or "-",
    ]
