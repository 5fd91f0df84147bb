"""Markers that name the tool when the error line itself is a library's (rustls, OpenSSL)."""

from __future__ import annotations

from tlsdoctor.core.explain import explain_text


def test_node_tls_reject_unauthorized_names_node() -> None:
    """Someone switched Node's checks off in another shell; the error line is OpenSSL's."""
    text = (
        "$ export NODE_TLS_REJECT_UNAUTHORIZED=0\n"
        "$ node app.js\n"
        "Error: self-signed certificate in certificate chain\n"
    )
    (f,) = explain_text(text)
    assert (f.cause, f.tool) == ("inspection_untrusted_ca", "node")
    assert any("NODE_EXTRA_CA_CERTS" in step for step in f.fix)
    assert any("NODE_TLS_REJECT_UNAUTHORIZED" in note for note in f.notes)


def test_a_runtimes_own_marker_beats_a_pasted_node_variable() -> None:
    text = (
        "$ export NODE_TLS_REJECT_UNAUTHORIZED=0\n"
        "requests.exceptions.SSLError: HTTPSConnectionPool(host='pypi.org', port=443): Max "
        "retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: "
        "CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in "
        "certificate chain (_ssl.c:1006)')))\n"
    )
    (f,) = explain_text(text)
    assert f.tool == "requests"
