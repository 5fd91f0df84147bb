"""What the matcher reports: one Finding per distinct failure, its notes and its fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tlsdoctor.core.explain.signatures import catalog
from tlsdoctor.i18n import N_, _, localized

AMBIGUOUS_NOTE = N_(
    "This message reads the same for an inspection proxy, a self-signed or expired "
    "certificate and a server that forgot its intermediate: run with --probe to tell them apart."
)
CLOCK_NOTE = N_(
    "Several hosts report expired certificates: check this machine's clock before anything else."
)
INSECURE_NOTE = N_(
    "{what} was tried: it switches certificate checks off for every host, so anyone on the "
    "network path can read and change the traffic, and the error returns as soon as it is "
    "removed. Use the fix above instead and remove it."
)


@dataclass
class Finding:
    """One distinct TLS failure found in the text (same cause, tool and issuer), with a count."""

    cause: str
    tool: str
    line: int  # 1-based line of its first occurrence
    excerpt: str
    issuer: str | None
    product: str | None
    count: int
    fix: list[str]
    confidence: str
    # Not part of the JSON schema: for the human output and for --probe.
    signature: str = ""
    producer: str = ""
    ambiguous: bool = False
    hosts: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    probe: str | None = None  # what --probe found, already translated

    @property
    def title(self) -> str:
        entry = catalog().causes.get(self.cause, {})
        return str(localized(entry, "title") or self.cause)

    @property
    def explanation(self) -> str:
        entry = catalog().causes.get(self.cause, {})
        return str(localized(entry, "explain") or "")

    def to_json(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "tool": self.tool,
            "line": self.line,
            "excerpt": self.excerpt,
            "issuer": self.issuer,
            "product": self.product,
            "count": self.count,
            "fix": list(self.fix),
            "confidence": self.confidence,
        }


def note_switch_offs(findings: list[Finding], attempts: Iterable[str]) -> None:
    """The verification switch-offs seen (``--trusted-host``, ``curl -k``...) are said once,
    after the last finding's fix, not under every problem."""
    if findings:
        findings[-1].notes.extend(dict.fromkeys(_(INSECURE_NOTE, what=what) for what in attempts))


def fix_steps(cause: str, tool: str, producer: str = "") -> list[str]:
    """The fix for ``cause`` in ``tool``'s terms (current language), least blast radius first."""
    keys = [f"{tool}@{producer}", tool, producer, "*"] if producer else [tool, "*"]
    entries = [f for f in catalog().fixes if f.get("cause") == cause]
    for key in keys:
        for entry in entries:
            if key in entry.get("tools", []):
                return [str(step) for step in localized(entry, "fix") or []]
    return []
