"""Real output of this machine's clients (data/captured/, against the lab, the `$ command`
line and exit code left out) gives the right cause and tool through both matcher paths: every
line tried (a pasted message) and the prefilter (a big log)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tlsdoctor.core.explain import Finding, Matcher

CAPTURED = Path(__file__).parent / "data" / "captured"


def explain(name: str, *, exhaustive: bool) -> list[Finding]:
    matcher = Matcher(exhaustive=exhaustive)
    matcher.feed((CAPTURED / f"{name}.txt").read_bytes())
    return matcher.close()


@pytest.mark.parametrize("exhaustive", [True, False], ids=["every-line", "prefilter"])
@pytest.mark.parametrize(
    ("name", "tool"),
    [("wget_plain", "wget"), ("git_plain", "git")],
)
def test_gnutls_tls_to_a_plain_http_port(name: str, tool: str, exhaustive: bool) -> None:
    """Debian's wget and git (GnuTLS) to a plain-HTTP port: "An unexpected TLS packet was
    received", OpenSSL's "wrong version number": the scheme, port or proxy URL is wrong."""
    (f,) = explain(name, exhaustive=exhaustive)
    assert (f.cause, f.tool) == ("unknown", tool)
    assert "An unexpected TLS packet was received" in f.excerpt
    assert any("proxy URL" in step for step in f.fix)
