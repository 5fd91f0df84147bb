"""Real output of this machine's clients (data/captured/, against the lab, the `$ command`
line and exit code left out) gives the right cause and tool through both matcher paths: every
line tried (a pasted message) and the prefilter (a big log)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_cli

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
        ("cafile_sclient", "openssl", "X509_load_cert_crl_file"),  # s_client -CAfile /missing
        ("cafile_pip", "pip", "invalid path"),  # pip --cert /missing: pip's vendored requests
        # Against a loopback server: OpenJDK 17 -Djavax.net.ssl.trustStore=<not a keystore>
        # (a wrong trustStorePassword prints the same), urllib3 PoolManager(ca_certs=/missing)
        ("cafile_java_store", "java", "problem accessing trust store"),
        ("cafile_urllib3", "python", "SSLError: [Errno 2] No such file or directory"),
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


@pytest.mark.parametrize("exhaustive", [True, False], ids=["every-line", "prefilter"])
@pytest.mark.parametrize("name", ["cafile_pyctx", "cafile_pyctx313"])  # 3.11; 3.13's ~~^^ marks
def test_pythons_create_default_context_with_a_missing_cafile(name: str, exhaustive: bool) -> None:
    """ssl.create_default_context(cafile=/missing) prints no path and no TLS word, only its
    source line and FileNotFoundError under it: the two tell it, with medium confidence (the
    same line in a listing, a diff or a test report is not an error: data/ordinary)."""
    (f,) = explain(name, exhaustive=exhaustive)
    assert (f.cause, f.tool, f.confidence) == ("ca_file_unreadable", "python", "medium")
    assert "load_verify_locations" in f.excerpt
    assert any("create_default_context" in step for step in f.fix)


def test_javas_unusable_trust_store_fix_names_the_store_options() -> None:
    (f,) = explain("cafile_java_store", exhaustive=True)
    assert any("trustStorePassword" in step and "keytool -list" in step for step in f.fix)


@pytest.mark.parametrize(
    ("name", "cause", "tool", "words"),
    [
        ("cafile_npm", "missing_intermediate", "npm", "npm config get cafile"),  # the lab
        ("cafile_java_missing", "inspection_untrusted_ca", "java", "trustStore does not exist"),
        ("cafile_pyenv_missing", "inspection_untrusted_ca", "python", "SSL_CERT_FILE names"),
    ],
)
def test_a_missing_ca_file_that_the_tool_ignores_silently(
    name: str, cause: str, tool: str, words: str
) -> None:
    """npm (a missing `cafile`), Java (a missing or unreadable -Djavax.net.ssl.trustStore:
    an empty store) and OpenSSL (a missing SSL_CERT_FILE) print nothing about the file: the
    output is the plain verification failure, and the fix for it says to check that path."""
    (f,) = explain(name, exhaustive=True)
    assert (f.cause, f.tool) == (cause, tool)
    if cause == "missing_intermediate":  # ambiguous: --probe settles it as inspection
        f = explain_as(name, "inspection_untrusted_ca")
    assert any(words in step for step in f.fix)


def explain_as(name: str, cause: str) -> Finding:
    """The finding with the cause --probe would settle on (its fix steps looked up again)."""
    from tlsdoctor.core.explain.findings import fix_steps

    (f,) = explain(name, exhaustive=True)
    f.cause, f.fix = cause, fix_steps(cause, f.tool, f.producer)
    return f


@pytest.mark.parametrize("exhaustive", [True, False], ids=["every-line", "prefilter"])
@pytest.mark.parametrize(
    ("name", "tool"),
    [
        ("mtls_curl", "curl"),
        ("mtls_node", "node"),
        ("mtls_python", "python"),
        ("mtls_java", "java"),
        ("mtls_sclient", "openssl"),
    ],
)
def test_a_server_requiring_a_client_certificate(name: str, tool: str, exhaustive: bool) -> None:
    """A loopback `openssl s_server -Verify 1` (TLS 1.3) and a client without a certificate of
    its own: alert 116, certificate_required. A TLS failure, not "nothing found", and not about
    trusting the server: the fix gives the tool its client certificate (or a proxy bypass)."""
    (f,) = explain(name, exhaustive=exhaustive)
    assert (f.cause, f.tool, f.confidence) == ("client_cert_required", tool, "high")
    assert "certificate" in f.excerpt.lower() and "required" in f.excerpt.lower()
    assert any("--cert" in step for step in f.fix)
    assert any("no-decrypt" in step for step in f.fix)


@pytest.mark.parametrize("exhaustive", [True, False], ids=["every-line", "prefilter"])
@pytest.mark.parametrize(
    ("name", "tool", "confidence", "words"),
    [
        # A loopback `openssl s_server -Verify 1 -verify_return_error -tls1_2`: the server
        # rejects the client certificate it was sent (alert 42 or 48)
        ("alert_curl_bad", "curl", "medium", "sslv3 alert bad certificate"),  # not yet valid
        ("alert_curl_unknown_ca", "curl", "medium", "tlsv1 alert unknown ca"),  # another CA
        ("alert_python_unknown_ca", "python", "medium", "TLSV1_ALERT_UNKNOWN_CA"),
        ("alert_wget_bad", "wget", "high", "Certificate is bad"),  # GnuTLS: the alert's name
        ("alert_git_bad", "git", "high", "gnutls_handshake() failed: Certificate is bad"),
    ],
)
def test_a_server_rejecting_the_client_certificate(
    name: str, tool: str, confidence: str, words: str, exhaustive: bool
) -> None:
    """'bad certificate' / 'unknown CA' received by a client: the server rejected the client
    certificate (mutual TLS). Not inspection: the fix is about the client certificate, and it
    says what the same words mean in a server's or proxy's log."""
    (f,) = explain(name, exhaustive=exhaustive)
    assert (f.cause, f.tool, f.confidence) == ("client_cert_rejected", tool, confidence)
    assert words in f.excerpt
    assert any("Acceptable client certificate CA names" in step for step in f.fix)
    assert not any("tlsdoctor ca export" in step for step in f.fix)


@pytest.mark.parametrize("exhaustive", [True, False], ids=["every-line", "prefilter"])
@pytest.mark.parametrize(
    ("name", "tool", "words"),
    [
        # Debian wget 1.21 and git 2.39 (GnuTLS) against s_server -Verify 1, no client
        # certificate: TLS 1.2 answers alert 40; TLS 1.3 (git) only 'A TLS fatal alert'
        ("alert_wget_handshake", "wget", "A TLS fatal alert has been received"),
        ("alert_git_handshake", "git", "gnutls_handshake() failed: Handshake failed"),
        ("alert_git_tls13", "git", "GnuTLS recv error (-12): A TLS fatal alert"),
    ],
)
def test_gnutls_fatal_alert_is_the_peer_refusing(
    name: str, tool: str, words: str, exhaustive: bool
) -> None:
    """GnuTLS's fatal alert: the other side refused the handshake. Not "nothing found" and not
    inspection (the alert alone does not show it): the fix says how to read the alert's name
    and what each kind means."""
    (f,) = explain(name, exhaustive=exhaustive)
    assert (f.cause, f.tool, f.confidence) == ("peer_alert", tool, "medium")
    assert words in f.excerpt
    assert any("alert's name" in step for step in f.fix)
    assert any("tlsdoctor detect" in step for step in f.fix)
    assert not any("tlsdoctor ca export" in step for step in f.fix)


def test_gnutls_alert_and_mtls_findings_in_japanese(clean_env: dict[str, str]) -> None:
    for name, words in [
        ("alert_wget_handshake", "アラートの名前"),
        ("alert_curl_unknown_ca", "クライアント証明書"),
    ]:
        path = str(CAPTURED / f"{name}.txt")
        proc = run_cli("--lang", "ja", "explain", "--file", path, env=clean_env)
        assert proc.returncode == 1, proc.stderr
        assert words in proc.stdout and "対処" in proc.stdout, proc.stdout


@pytest.mark.parametrize("exhaustive", [True, False], ids=["every-line", "prefilter"])
@pytest.mark.parametrize(
    ("name", "tool", "words"),
    [
        # A loopback `openssl s_server -Verify 1 -tls1_2`, no client certificate: alert 40
        ("refused_curl_tls12", "curl", "sslv3 alert handshake failure"),
        ("refused_python_tls12", "python", "SSLV3_ALERT_HANDSHAKE_FAILURE"),
        ("refused_java_tls12", "java", "Received fatal alert: handshake_failure"),
        # A TLS 1.3-only s_server, the client held to TLS 1.2 (Java -Djdk.tls.client.protocols,
        # node --tls-max-v1.2): alert 70
        ("refused_java_version", "java", "Received fatal alert: protocol_version"),
        ("refused_node_version", "node", "tlsv1 alert protocol version"),
    ],
)
def test_an_alert_the_server_sent_is_the_peer_refusing(
    name: str, tool: str, words: str, exhaustive: bool
) -> None:
    """OpenSSL's and Java's names of alerts 40 and 70 received: the server refused the
    handshake, as GnuTLS's 'Handshake failed' / 'Error in protocol version'. Java said nothing
    at all; the others gave 'not about trust' without the client certificate a TLS 1.2 server
    answers this way for. The fix names the client certificate and a client held to TLS 1.2."""
    (f,) = explain(name, exhaustive=exhaustive)
    assert (f.cause, f.tool, f.confidence) == ("peer_alert", tool, "medium")
    assert words in f.excerpt
    assert any("client certificate" in step and "--tls-max" in step for step in f.fix)
    assert not any("tlsdoctor ca export" in step for step in f.fix)
