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


@pytest.mark.parametrize("exhaustive", [True, False], ids=["every-line", "prefilter"])
@pytest.mark.parametrize(
    ("name", "tool", "words"),
    [
        ("cafile_wget", "wget", "Failed to open cert"),  # --ca-certificate=/missing (GnuTLS)
        ("cafile_sclient", "unknown", "X509_load_cert_crl_file"),  # s_client -CAfile /missing
        ("cafile_pip", "pip", "invalid path"),  # pip --cert /missing: pip's vendored requests
    ],
)
def test_a_missing_ca_file_is_the_cause(name: str, tool: str, words: str, exhaustive: bool) -> None:
    """The tool never got to check the server: the CA file it was told to use is missing; the
    "not trusted" that wget prints next is its consequence, not a second problem."""
    (f,) = explain(name, exhaustive=exhaustive)
    assert (f.cause, f.tool, f.confidence) == ("ca_file_unreadable", tool, "high")
    assert words in f.excerpt


def test_pips_missing_ca_file_fix_names_pips_settings() -> None:
    (f,) = explain("cafile_pip", exhaustive=True)
    assert any("PIP_CERT" in step for step in f.fix)
    assert any("pip.conf" in step for step in f.fix)
