"""Human output of `tlsdoctor detect`: the verdict, a table of evidence, the summary lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.x509.oid import NameOID

from tlsdoctor.i18n import N_, _

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.measure import Measurement
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


def _issuer_cell(ev: HostEvidence) -> str | Text:
    """The issuing CA, and the root the chain ends in when that is another certificate."""
    from rich.text import Text

    issuer = short_issuer(ev)
    if not ev.chain or not ev.root_short or ev.root == ev.issuer:
        return issuer
    cell = Text(issuer)
    cell.append("\n" + _("root: {name}", name=ev.root_short), style="dim")
    return cell


def render_report(report: DetectReport, console: Console, *, verbose: bool = False) -> None:
    from rich.text import Text

    headline = Text(_("Verdict: "), style="bold")
    headline.append(_(VERDICT_TEXT[report.verdict]), style=VERDICT_STYLE[report.verdict])
    console.print(headline)
    rows = [_row(ev) for ev in report.hosts]
    if console.width < TABLE_MIN_WIDTH:
        _print_blocks(report, rows, console)
    else:
        _print_table(rows, console)
    if verbose:
        _print_evidence(report, console)
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


HEADERS = (
    N_("Host"),
    N_("Status"),
    N_("Issuer"),
    N_("Product"),
    N_("Public roots"),
    N_("OS store"),
    N_("Details"),
)
FACTS = {  # the same columns as lines of a block
    2: N_("issuer: {value}"),
    3: N_("product: {value}"),
    4: N_("trusted by the public roots: {value}"),
    5: N_("trusted by the OS store: {value}"),
    6: N_("details: {value}"),
}
TABLE_MIN_WIDTH = 110  # below this (and in pipes: 80 columns) one block per host reads better


def _print_table(rows: list[list[str | Text]], console: Console) -> None:
    from rich.table import Table

    # Columns with nothing to say (e.g. no handshake at all) only take width away from Details.
    keep = [i for i in range(len(HEADERS)) if i < 2 or any(_plain(r[i]) != "-" for r in rows)]
    columns = [[WordWrapped(_(HEADERS[i]))] + [WordWrapped(r[i]) for r in rows] for i in keep]
    # Names and statuses never break; the other columns break between words, and the widest
    # gives way first. (rich narrows every wrapping column alike, below its longest word.)
    widths = _fit_widths(columns, fixed=[i < 2 for i in keep], width=console.width)
    table = Table(show_header=True, header_style="bold", expand=False)
    for index, cells in enumerate(columns):
        width = widths[index] if widths else None
        table.add_column(cells[0], no_wrap=keep[index] < 2, overflow="fold", width=width)
    for row in zip(*(cells[1:] for cells in columns), strict=True):
        table.add_row(*row)
    console.print(table)


def _fit_widths(
    columns: list[list[WordWrapped]], fixed: list[bool], width: int
) -> list[int] | None:
    """Column widths that fit ``width`` without breaking a word, the widest narrowed first;
    None when even the longest words do not fit (rich folds them then)."""
    room = width - (len(columns) + 1) - 2 * len(columns)  # borders, and padding of 1 each side
    longest = [max(cell.widths()[1] for cell in cells) for cells in columns]
    word = [
        size if keep else max(cell.widths()[0] for cell in cells)
        for size, keep, cells in zip(longest, fixed, columns, strict=True)
    ]
    widths = list(longest)
    while sum(widths) > room:
        narrower = [i for i, size in enumerate(widths) if size > word[i]]
        if not narrower:
            return None
        widest = max(narrower, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


class WordWrapped:
    """A cell that breaks at spaces and between Japanese characters, never inside an English word.

    rich breaks only at spaces: "サーバー証明書が自己署名です：self-signed certificate" is one
    word to it, folded at the column's edge ("：sel" / "f-signed"). Only a token wider than the
    column (a fingerprint) is still folded.
    """

    def __init__(self, cell: str | Text) -> None:
        from rich.text import Text

        self.text = cell if isinstance(cell, Text) else Text(cell)

    def widths(self) -> tuple[int, int]:
        """The longest unbreakable piece and the longest line, in columns."""
        from tlsdoctor.render.text import display_width, wrap

        lines = self.text.plain.split("\n")
        widest = max(display_width(line) for line in lines)
        unit = max((display_width(u) for line in lines for u in wrap(line, 1)), default=1)
        return max(1, unit), max(1, widest)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement(*self.widths()).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.no_wrap:
            yield self.text
            return
        wrapped = self.text.copy()
        offsets = _break_offsets(wrapped.plain, max(1, options.max_width))
        lines = wrapped.divide(offsets)
        for line in lines:
            line.rstrip()
        wrapped = wrapped.blank_copy("\n").join(lines)
        wrapped.overflow = "fold"
        yield wrapped


def _break_offsets(plain: str, width: int) -> list[int]:
    """Where each line of ``plain`` starts and render.text.wrap breaks it, as offsets."""
    from tlsdoctor.render.text import break_offsets

    offsets: list[int] = []
    start = 0
    for line in plain.split("\n"):
        if start:
            offsets.append(start)
        offsets.extend(start + offset for offset in break_offsets(line, width))
        start += len(line) + 1
    return offsets


def _print_blocks(report: DetectReport, rows: list[list[str | Text]], console: Console) -> None:
    """host: status, then one indented line per fact that is there."""
    from rich.text import Text

    for ev, row in zip(report.hosts, rows, strict=True):
        head = Text(ev.label + "  ", style="bold")
        head.append(row[1])
        console.print(head)
        for index in FACTS:
            if _plain(row[index]) != "-":
                value = _plain(row[index]).replace("\n", "; ")
                console.print(Text("  " + _(FACTS[index], value=value)))


def _print_evidence(report: DetectReport, console: Console) -> None:
    """Per host: the full names and the leaf's SHA-256, what --json also carries."""
    from rich.text import Text

    from tlsdoctor.core.x509 import format_fingerprint

    for ev in report.hosts:
        if not ev.chain:
            continue
        console.print(Text(ev.label, style="bold"))
        console.print("  " + _("issuer: {name}", name=ev.issuer or "-"))
        console.print("  " + _("root: {name}", name=ev.root or "-"))
        if ev.sha256:
            console.print(
                "  " + _("leaf SHA-256: {fingerprint}", fingerprint=format_fingerprint(ev.sha256))
            )


def _plain(cell: str | Text) -> str:
    return str(getattr(cell, "plain", cell))


def _row(ev: HostEvidence) -> list[str | Text]:
    from rich.text import Text

    from tlsdoctor.core.vendors import product_text

    details = ev.error or ""
    if ev.strict_findings:
        details = "; ".join([d for d in (details, *ev.strict_findings) if d])
    return [
        ev.label,
        Text(_(STATUS_TEXT[ev.status]), style=STATUS_STYLE[ev.status]),
        _issuer_cell(ev),
        product_text(ev.product) if ev.product else "-",
        _yes_no(ev.trusted_public) if ev.chain else "-",
        _yes_no(ev.trusted_os) if ev.chain else "-",
        details or "-",
    ]
