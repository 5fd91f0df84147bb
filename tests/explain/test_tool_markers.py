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


# `openssl s_client -CAfile /missing` (OpenSSL 1.1.1, from a public OKD log): only the error
# queue, in the openssl command's "<thread id>:error:<code>:..." form; it never connected.
S_CLIENT_11_CAFILE = (
    "139802263131968:error:02001002:system library:fopen:No such file or directory:"
    "crypto/bio/bss_file.c:69:fopen('/tmp/ca.pem','r')\n"
    "139802263131968:error:2006D080:BIO routines:BIO_new_file:no such file:"
    "crypto/bio/bss_file.c:76:\n"
    "139802263131968:error:0B084002:x509 certificate routines:X509_load_cert_crl_file:"
    "system lib:crypto/x509/by_file.c:199:\n"
)


def test_the_openssl_commands_error_queue_names_openssl() -> None:
    (f,) = explain_text(S_CLIENT_11_CAFILE)
    assert (f.cause, f.tool) == ("ca_file_unreadable", "openssl")
    assert any("-CAfile" in step and "fopen" in step for step in f.fix)


def test_a_programs_own_marker_beats_the_error_queue_form() -> None:
    """A program that prints OpenSSL's queue under its own error (curl, here) keeps its name."""
    text = "curl: (77) error setting certificate file: /tmp/ca.pem\n" + S_CLIENT_11_CAFILE
    (f,) = explain_text(text)
    assert (f.cause, f.tool) == ("ca_file_unreadable", "curl")
