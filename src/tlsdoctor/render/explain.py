"""Human output of `explain` and `run`: one block per finding, cause, evidence, fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tlsdoctor.i18n import _
from tlsdoctor.render.console import print_wrapped

if TYPE_CHECKING:
    from rich.console import Console

    from tlsdoctor.core.explain import Finding

_CONFIDENCE_STYLE = {"high": "bold green", "medium": "yellow", "low": "dim"}


def confidence_label(confidence: str) -> str:
    labels = {
        "high": _("high confidence"),
        "medium": _("medium confidence"),
        "low": _("low confidence"),
    }
    return labels.get(confidence, confidence)


def render_findings(
    out: Console, findings: Sequence[Finding], insecure: Sequence[str] = ()
) -> None:
    if not findings:
        out.print(_("No TLS or certificate failure found in this text."))
        for what in insecure:
            out.print(
                _(
                    "Note: {what} was tried. It switches certificate checks off; "
                    "trust the inspection CA instead (tlsdoctor fix).",
                    what=what,
                ),
                markup=False,
            )
        return
    if len(findings) > 1:
        out.print(_("{n} distinct TLS problems found.", n=len(findings)))
        out.print()
    for number, finding in enumerate(findings, start=1):
        _render_one(out, number, finding)


def _render_one(out: Console, number: int, f: Finding) -> None:
    from rich.text import Text

    from tlsdoctor.core.vendors import product_text

    title = Text(f.title, style="bold")
    title.append(f"  [{confidence_label(f.confidence)}]", style=_CONFIDENCE_STYLE.get(f.confidence))
    print_wrapped(out, Text(f"{number}. ", style="bold"), title)
    facts = [_("tool: {tool}", tool=f.tool), _("line {line}", line=f.line)]
    if f.count > 1:
        facts.append(_("seen {count} times", count=f.count))
    out.print("   " + "  ·  ".join(facts), markup=False, highlight=False)
    if f.issuer:
        issuer = _("issuer: {issuer}", issuer=f.issuer)
        if f.product:
            product = product_text(f.product)
            issuer += "  " + _("(product: {product})", product=product)
        out.print("   " + issuer, markup=False)
    out.print(Text("   > " + f.excerpt, style="dim"))
    if f.probe:
        out.print("   " + _("Probe: {result}", result=f.probe), markup=False)
    if f.explanation:
        out.print("   " + f.explanation, markup=False)
    if f.fix:
        out.print("   " + _("Fix:"), style="bold")
        for step_number, step in enumerate(f.fix, start=1):  # later lines under the step
            print_wrapped(out, f"     {step_number}. ", step)
    for note in f.notes:
        out.print("   " + _("Note: {note}", note=note), markup=False)
    out.print()


def findings_json(
    findings: Sequence[Finding], insecure: Sequence[dict[str, str]] = ()
) -> dict[str, object]:
    return {"findings": [f.to_json() for f in findings], "insecure": list(insecure)}
