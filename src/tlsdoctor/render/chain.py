"""Human output of `tlsdoctor show`: the presented chain as a tree, root at the top."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tlsdoctor.i18n import N_, _

if TYPE_CHECKING:
    from rich.console import Console
    from rich.tree import Tree

    from tlsdoctor.core.show import ChainReport

ROLE_TEXT = {
    "root": N_("root: {name}"),
    "intermediate": N_("intermediate: {name}"),
    "leaf": N_("leaf: {name}"),
}


PIPE_WIDTH = 160  # a fingerprint line 4 certificates deep is about 125 columns


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def render_chain(report: ChainReport, console: Console) -> None:
    from rich.text import Text
    from rich.tree import Tree

    from tlsdoctor.core.probe import format_target

    title = Text(format_target(report.host, report.port), style="bold")
    if report.via_proxy:
        title.append("  " + _("via {proxy}", proxy=report.via_proxy), style="dim")
    if report.tls_version:
        title.append(f"  {report.tls_version}", style="dim")
    console.print(title)
    if report.error and not report.chain:
        console.print(Text(_("error: {message}", message=report.error), style="red"))
        return
    public = N_("trusted by the public roots: {value}")
    console.print(_trust_line(public, report.trusted_public, report.public_error))
    os_store = N_("trusted by the OS store: {value}")
    console.print(_trust_line(os_store, report.trusted_os, report.os_error))
    issued_for = N_("issued for {host}: {value}")
    console.print(_trust_line(issued_for, bool(report.hostname_valid), None, host=report.host))
    if report.product:
        console.print(Text(_("product: {product}", product=report.product), style="bold red"))
    tree: Tree | None = None
    node: Tree | None = None
    if report.anchor is not None:
        tree = Tree(_cert_label(report.anchor, len(report.certificates), from_store=True))
        _add_details(tree, report.anchor)
        node = tree
    for index in range(len(report.certificates) - 1, -1, -1):
        info = report.certificates[index]
        label = _cert_label(info, index, from_store=False)
        child = Tree(label) if node is None else node.add(label)
        _add_details(child, info)
        if tree is None:
            tree = child
        node = child
    if tree is not None:
        # Long names fold inside the tree; a pipe (80 columns to rich) gets room enough that a
        # fingerprint stays on one line, whole for grep and copy.
        if not console.is_terminal:
            console.width = max(console.width, PIPE_WIDTH)  # print(width=) cannot widen
        console.print(tree, soft_wrap=False)
    for finding in report.strict_findings:
        console.print(Text("• " + finding, style="yellow"))


def _trust_line(template: str, trusted: bool, error: str | None, **values: str) -> Any:
    """The translated ``template`` ("label: {value}") with the yes/no answer coloured."""
    answer = _yes_no(trusted)
    if not trusted and error:
        answer = _("no ({reason})", reason=error)
    return _with_value(template, answer, "green" if trusted else "red", **values)


def _with_value(template: str, value: str, value_style: str, **values: str) -> Any:
    """Text of the translated ``template`` with ``{value}`` styled apart from its label."""
    from rich.text import Text

    before, _sep, after = _(template, value="\x00", **values).partition("\x00")
    line = Text(before)
    line.append(value, style=value_style)
    line.append(after)
    return line


def _cert_label(info: Any, index: int, *, from_store: bool) -> Any:
    from rich.text import Text

    template = ROLE_TEXT.get(info.role, info.role + ": {name}")
    before, _sep, after = _(template, name="\x00").partition("\x00")
    label = Text(f"[{index}] ", style="dim")
    label.append(before, style="bold")
    label.append((info.subject or "-") + after)
    label.overflow = "fold"
    if from_store:
        label.append("  " + _("(not sent by the server: from the trust store)"), style="dim")
    return label


def _add_details(tree: Tree, info: Any) -> None:
    from rich.text import Text

    from tlsdoctor.core.x509 import format_fingerprint

    class _Folding:
        """Long names and fingerprints wrap inside the tree instead of being cut off."""

        @staticmethod
        def add(item: str | Text) -> None:
            text = Text(item) if isinstance(item, str) else item
            text.overflow = "fold"
            tree.add(text)

    node = _Folding()
    node.add(_("issuer: {name}", name=info.issuer))
    validity = Text(_("valid: {start} to {end}", start=info.not_before, end=info.not_after))
    if info.expired:
        validity.append("  " + _("EXPIRED"), style="bold red")
    if info.not_yet_valid:
        validity.append("  " + _("NOT YET VALID"), style="bold red")
    node.add(validity)
    if info.sans:
        node.add(_("SANs: {names}", names=", ".join(info.sans)))
    node.add(_("key: {type} {bits} bits", type=info.key_type, bits=info.key_bits))
    node.add(_("SHA-256: {fingerprint}", fingerprint=format_fingerprint(info.sha256)))
    node.add(_("SKI: {ski}", ski=info.ski or "-"))
    node.add(_("AKI: {aki}", aki=info.aki or "-"))
    if info.basic_constraints_critical is None:
        node.add(_("basicConstraints: absent"))
    else:
        node.add(
            _(
                "basicConstraints: CA={ca}, critical={critical}",
                ca=_yes_no(info.is_ca),
                critical=_yes_no(bool(info.basic_constraints_critical)),
            )
        )
    node.add(_("keyUsage: {usages}", usages=", ".join(info.key_usage) or "-"))
