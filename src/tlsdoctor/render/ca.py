"""Human output for `ca export`, `ca check`, `bundle` and `env --explain` (plain lines, no markup:
certificate names are attacker-controlled text and must not be read as rich markup)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tlsdoctor.i18n import N_, _, _n, join_list

if TYPE_CHECKING:
    from rich.console import Console

    from tlsdoctor.core.bundle import BundleFinding, BundleResult
    from tlsdoctor.core.caexport import Candidate, ExportResult
    from tlsdoctor.core.x509 import Certificate, CertInfo, Defect


# How the root was found (ExportResult.method), as a user reads it.
METHOD_LABELS = {
    "chain": N_("the chain the host presents"),
    "os-store": N_("the OS trust store"),
    "agent-file": N_("an inspection agent's file"),
    "aia": N_("the AIA caIssuers URL (plain HTTP, signature verified)"),
}
# The same with where exactly (ExportResult.source); "chain" has no other source.
_METHOD_WITH_SOURCE = {
    "os-store": N_("the OS trust store: {source}"),
    "agent-file": N_("an inspection agent's file: {source}"),
    "aia": N_("the AIA caIssuers URL {source} (plain HTTP, signature verified)"),
}


def method_label(method: str | None) -> str:
    label = METHOD_LABELS.get(method or "")
    return _(label) if label else method or ""


def method_with_source(method: str | None, source: str | None) -> str:
    """Where a root came from, in one phrase: 'the OS trust store: /etc/ssl/certs'."""
    template = _METHOD_WITH_SOURCE.get(method or "")
    if template and source:
        return _(template, source=source)
    return method_label(method)


def _out(con: Console, text: str = "", style: str | None = None) -> None:
    con.print(text, markup=False, highlight=False, style=style, soft_wrap=True)


def _role(info: CertInfo) -> str:
    return {
        "root": _("root CA (self-signed)"),
        "intermediate": _("intermediate CA"),
        "leaf": _("not a CA (server or client certificate)"),
    }[info.role]


def render_cert(con: Console, info: CertInfo, defects: Sequence[Defect], *, title: str) -> None:
    from tlsdoctor.core.x509 import breaks_text, format_fingerprint

    _out(con, title, style="bold")
    _out(con, "  " + _("subject: {value}", value=info.subject))
    _out(con, "  " + _("issuer: {value}", value=info.issuer))
    _out(con, "  " + _("kind: {value}", value=_role(info)))
    _out(con, "  " + _("valid: {start} to {end}", start=info.not_before, end=info.not_after))
    if info.expired:
        _out(con, "  " + _("EXPIRED"), style="red")
    elif info.not_yet_valid:
        _out(con, "  " + _("NOT YET VALID"), style="red")
    _out(con, "  " + _("key: {type} {bits} bits", type=info.key_type, bits=info.key_bits))
    _out(con, "  " + _("signature: {value}", value=info.signature_algorithm))
    _out(con, "  " + _("SHA-256: {value}", value=format_fingerprint(info.sha256)))
    if not defects:
        _out(con, "  " + _("strict X.509 checks (Python 3.13+, rustls/webpki): no problem found"))
        return
    _out(con, "  " + _("strict X.509 problems:"), style="yellow")
    for defect in defects:
        _out(con, f"  - [{defect.id}] {defect.message}", style="yellow")
        _out(con, "    " + _("breaks: {tools}", tools=join_list(breaks_text(defect))))
        _out(con, "    " + _("what to do: {fix}", fix=defect.fix))


def render_check(
    con: Console, source: str, certs: Sequence[Certificate], *, warnings: Sequence[str] = ()
) -> None:
    from tlsdoctor.core.x509 import describe, strict_defects

    _out(
        con,
        _n("{source}: 1 certificate", "{source}: {count} certificates", len(certs), source=source),
    )
    for warning in warnings:
        _out(con, _("warning: {text}", text=warning), style="red")
    for index, cert in enumerate(certs, start=1):
        _out(con)
        render_cert(
            con,
            describe(cert),
            strict_defects(cert),
            title=_("certificate {index} of {total}", index=index, total=len(certs)),
        )


def render_export(con: Console, result: ExportResult, out_path: str | None) -> None:
    from tlsdoctor.core.x509 import describe, strict_defects

    where = _host_label(result.host, result.port)
    if result.status == "found":
        method = method_label(result.method)
        _out(
            con,
            _("Found the inspection root CA of {host} via {method}.", host=where, method=method),
        )
        if result.source:
            _out(con, _("source: {source}", source=result.source))
        for cert in result.roots:
            render_cert(con, describe(cert), strict_defects(cert), title=_("root CA"))
        for cert in result.intermediates:
            _out(con, _("intermediate on the way: {subject}", subject=describe(cert).subject))
        if out_path:
            _out(con, _("written to {path}", path=out_path), style="green")
    elif result.status == "not-intercepted":
        _out(
            con,
            _(
                "{host} is not intercepted: its chain ends at the public root {root}. "
                "Nothing to export.",
                host=where,
                root=result.public_root or "?",
            ),
        )
    elif result.status == "self-signed-server":
        _out(
            con,
            _("{host}: the server's own certificate is self-signed; there is no CA.", host=where),
        )
    elif result.status == "no-chain":
        _out(
            con, _("{host}: no certificate chain ({error})", host=where, error=result.error or "?")
        )
    else:
        _out(con, _("Could not find the root CA behind {host}.", host=where), style="yellow")
        if result.ask_it is not None:
            _out(con, result.ask_it.message())
    for note in result.notes:
        _out(con, _("note: {text}", text=note))


def render_all(
    con: Console,
    found: Sequence[Candidate],
    out_path: str | None,
    *,
    other_public: Sequence[Candidate] = (),
) -> None:
    from tlsdoctor.core.x509 import describe, format_fingerprint

    if not found:
        _out(con, _("No organisation-added root found: every trusted root is in the public set."))
    else:
        _out(
            con,
            _n(
                "1 root trusted here is not in the public set:",
                "{count} roots trusted here are not in the public set:",
                len(found),
            ),
        )
    for cand in found:
        info = describe(cand.certificate)
        _out(con, f"- {info.subject}")
        _out(con, "  " + _("SHA-256: {value}", value=format_fingerprint(info.sha256)))
        _out(con, "  " + _("source: {source}", source=cand.source))
    if other_public:
        _out(con)
        _out(
            con,
            _n(
                "1 more trusted root is public (no longer in, or not yet in, the installed "
                "Mozilla set), not added by the organisation; not exported:",
                "{count} more trusted roots are public (no longer in, or not yet in, the "
                "installed Mozilla set), not added by the organisation; not exported:",
                len(other_public),
            ),
        )
        for cand in other_public:
            _out(con, f"- {describe(cand.certificate).subject}")
    if found and out_path:
        _out(con, _("written to {path}", path=out_path), style="green")


def render_bundle(con: Console, result: BundleResult) -> None:
    from tlsdoctor.core.x509 import describe

    _out(
        con,
        _n(
            "Wrote {path}: {public} public roots + 1 inspection CA.",
            "Wrote {path}: {public} public roots + {count} inspection CAs.",
            len(result.cas),
            path=str(result.path),
            public=result.public_count,
        ),
        style="green",
    )
    _out(con, _("public roots from: {source}", source=result.roots_source))
    for cert in result.cas:
        _out(con, "  " + _("inspection CA: {subject}", subject=describe(cert).subject))
    _out(con, _("CA-only file (for NODE_EXTRA_CA_CERTS): {path}", path=str(result.ca_path)))
    for warning in result.warnings:
        _out(con, _("warning: {text}", text=warning), style="yellow")
    _out(con, _next_step(result))


def _next_step(result: BundleResult) -> str:
    """env reads the default bundle by itself; any other path has to be named."""
    import shlex

    from tlsdoctor.core.bundle import default_bundle_path

    if result.path == default_bundle_path():
        return _('Next: eval "$(tlsdoctor env)" (this shell only), then tlsdoctor check.')
    return _(
        'Next: eval "$(tlsdoctor env --bundle {path})" (this shell only), then tlsdoctor check.',
        path=shlex.quote(str(result.path)),
    )


def render_findings(con: Console, path: str, findings: Sequence[BundleFinding]) -> None:
    if not findings:
        _out(con, _("{path} is up to date.", path=path), style="green")
        return
    for finding in findings:
        style = "red" if finding.severity == "error" else "yellow"
        _out(con, f"[{finding.id}] {finding.message}", style=style)


def _explain_cells(row: dict[str, str]) -> tuple[str, str]:
    semantics = _("replaces defaults") if row["semantics"] == "replace" else _("adds")
    gets = {
        "bundle": _("full bundle"),
        "ca": _("CA only"),
        "wgetrc": _("a wgetrc pointing at the full bundle"),
    }.get(row["wants"], row["wants"])
    return semantics, gets


def render_explain(con: Console, rows: Sequence[dict[str, str]]) -> None:
    """A table on a terminal; piped, one untruncated block per variable (a table squeezed to
    80 columns would cut the columns that matter)."""
    if not con.is_terminal:
        for row in rows:
            semantics, gets = _explain_cells(row)
            _out(con, row["name"])
            _out(con, "  " + _("read by: {value}", value=row["tools"]))
            _out(con, "  " + _("semantics: {value}", value=semantics))
            _out(con, "  " + _("gets: {value}", value=gets))
            if row["note"]:
                _out(con, "  " + _("note: {text}", text=row["note"]))
            _out(con)
        return
    from rich.table import Table

    table = Table(show_lines=False, highlight=False)
    table.add_column(_("variable"), no_wrap=True)
    # fold, not the default ellipsis: Japanese has no spaces to wrap at, and a cut note loses
    # what it says
    for header in (_("read by"), _("semantics"), _("gets"), _("note")):
        table.add_column(header, overflow="fold")
    for row in rows:
        semantics, gets = _explain_cells(row)
        table.add_row(row["name"], row["tools"], semantics, gets, row["note"])
    con.print(table, markup=False)


def _host_label(host: str | None, port: int) -> str:
    """As detect labels hosts: brackets around IPv6, the port only when it is not 443."""
    if host is None:
        return "?"
    shown = f"[{host}]" if ":" in host else host
    return shown if port == 443 else f"{shown}:{port}"
