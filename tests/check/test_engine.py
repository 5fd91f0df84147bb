"""The clients engine against a loopback site: every client fails without the CA, passes with it."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from check_sites import Site
from fixtures_env import require_client

from tlsdoctor.core import clients

pytestmark = pytest.mark.clients

PROGRAM_CLIENTS = {
    "pip": "pip",
    "node": "node",
    "npm": "npm",
    "curl": "curl",
    "wget": "wget",
    "git": "git",
    "openssl": "openssl",
    "java": "java",
}
PYTHON_CLIENTS = ["python-ssl", "urllib", "requests", "httpx"]
# Clients whose request ends in an HTTP-level error on a plain site once TLS works.
HANDSHAKE_ONLY = {"pip", "git"}


def wanted_clients() -> list[str]:
    for program in PROGRAM_CLIENTS.values():
        require_client(program)
    return [*PYTHON_CLIENTS, *PROGRAM_CLIENTS]


def trusting_env(env: dict[str, str], ca: Path, home: Path) -> dict[str, str]:
    """What a user would set so that each client trusts ca: env vars, .wgetrc, a Java store."""
    truststore = home / "truststore.p12"
    subprocess.run(
        [
            "keytool",
            "-importcert",
            "-noprompt",
            "-alias",
            "check",
            "-file",
            str(ca),
            "-keystore",
            str(truststore),
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit",
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    (home / ".wgetrc").write_text(f"ca_certificate = {ca}\n")
    out = dict(env)
    out.update(
        SSL_CERT_FILE=str(ca),
        REQUESTS_CA_BUNDLE=str(ca),
        NODE_EXTRA_CA_CERTS=str(ca),
        GIT_SSL_CAINFO=str(ca),
        CURL_CA_BUNDLE=str(ca),
        PIP_CERT=str(ca),
        npm_config_cafile=str(ca),
        JAVA_TOOL_OPTIONS=(
            f"-Djavax.net.ssl.trustStore={truststore} -Djavax.net.ssl.trustStorePassword=changeit"
        ),
    )
    return out


def test_every_client_fails_without_the_ca_and_passes_with_it(
    tls_site: Site, clean_env: dict[str, str], sandbox_home: Path
) -> None:
    names = wanted_clients()
    (sandbox_home / ".wgetrc").touch()  # a user who already has an (empty) wgetrc
    before = clients.run_checks([tls_site.url], names, env=clean_env, proxy=tls_site.proxy_url)
    assert [r.client for r in before] == names
    wrong = {r.client: (r.status, r.headline) for r in before if r.status != "tls-error"}
    assert not wrong, wrong
    assert all(not r.ok and r.headline for r in before)

    env = trusting_env(clean_env, tls_site.ca_pem, sandbox_home)
    after = clients.run_checks([tls_site.url], names, env=env, proxy=tls_site.proxy_url)
    expected = {n: "handshake-ok" if n in HANDSHAKE_ONLY else "ok" for n in names}
    assert {r.client: r.status for r in after} == expected, [
        (r.client, r.detail) for r in after if not r.ok
    ]
    assert all(r.version for r in after)


def test_the_proxy_comes_from_the_environment(tls_site: Site, clean_env: dict[str, str]) -> None:
    require_client("openssl")
    require_client("curl")
    env = dict(clean_env, https_proxy=tls_site.proxy_url)
    results = clients.run_checks([tls_site.url], ["openssl", "curl"], env=env, versions=False)
    by_client = {r.client: r for r in results}
    port = tls_site.proxy_url.rsplit(":", 1)[1]
    # openssl does not read proxy variables: the engine passes it on the command line.
    assert by_client["openssl"].command[-2:] == ["-proxy", f"127.0.0.1:{port}"]
    assert "-proxy" not in by_client["curl"].command
    # Both reached the site (through the proxy, the only way to resolve site1.test).
    assert {r.client: r.status for r in results} == {"openssl": "tls-error", "curl": "tls-error"}


def test_no_proxy_reaches_nothing(tls_site: Site, clean_env: dict[str, str]) -> None:
    require_client("curl")
    [result] = clients.run_checks([tls_site.url], ["curl"], env=clean_env, versions=False)
    assert result.status == "error" and not result.ok
    assert "resolve" in result.headline.lower()


def test_unknown_and_missing_clients(clean_env: dict[str, str]) -> None:
    with pytest.raises(clients.UnknownClientError) as err:
        clients.run_checks(["https://site1.test/"], ["curl", "netscape"], env=clean_env)
    assert err.value.names == ["netscape"]
    empty_path = dict(clean_env, PATH="/nonexistent")
    [row] = clients.run_checks(["https://site1.test/"], ["curl"], env=empty_path)
    assert (row.status, row.ok) == ("missing", False)
    assert "curl" not in clients.available_clients(empty_path)
    assert "python-ssl" in clients.available_clients(empty_path)


@pytest.mark.parametrize("url", ["http://example.com/", "ftp://x", "https://", "https://h:99999/"])
def test_only_https_urls(url: str) -> None:
    with pytest.raises(ValueError):
        clients.normalize_url(url)


def test_urls_are_normalized() -> None:
    assert clients.normalize_url("example.com") == "https://example.com/"
    assert clients.normalize_url("https://h:8443/x?y=1") == "https://h:8443/x?y=1"


def test_a_hanging_client_is_killed_at_the_timeout(tmp_path: Path) -> None:
    started = time.monotonic()
    code, _ = clients._run(["sleep", "30"], {"PATH": "/usr/bin:/bin"}, 1.0, str(tmp_path))
    assert code is None
    assert time.monotonic() - started < 10


def spec(client_id: str) -> clients.ClientSpec:
    return next(s for s in clients.client_specs() if s.id == client_id)


PIP_TLS = (
    "Could not fetch URL https://x/p/: There was a problem confirming the ssl certificate: "
    "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in "
    "certificate chain (_ssl.c:1006) - skipping\n"
    "ERROR: Could not find a version that satisfies the requirement p (from versions: none)\n"
)


@pytest.mark.parametrize(
    ("client", "code", "output", "status"),
    [
        ("pip", 1, PIP_TLS, "tls-error"),
        # pip says "no version" after a refused connection too: only urllib3's response log counts
        ("pip", 1, "ERROR: Could not find a version that satisfies the requirement p", "error"),
        (
            "pip",
            1,
            'https://h:443 "GET /p/ HTTP/1.1" 404 0\nERROR: Could not find a version that '
            "satisfies the requirement p",
            "handshake-ok",
        ),
        (
            "git",
            128,
            "fatal: https://h/info/refs not valid: is this a git repository?",
            "handshake-ok",
        ),
        (
            "git",
            128,
            "fatal: unable to access 'https://h/': server certificate verification failed. "
            "CAfile: none CRLfile: none",
            "tls-error",
        ),
        ("git", 128, "fatal: unable to access 'https://h/': Could not resolve host: h", "error"),
        ("wget", 8, "ERROR 404: Not Found.", "handshake-ok"),
        ("wget", 5, "ERROR: The certificate of 'h' is not trusted.", "tls-error"),
        (
            "npm",
            1,
            "npm error code E404\nnpm error 404 Not Found - GET https://h/-/ping",
            "handshake-ok",
        ),
        ("npm", 1, "npm error code SELF_SIGNED_CERT_IN_CHAIN", "tls-error"),
        (
            "java",
            1,
            "javax.net.ssl.SSLHandshakeException: PKIX path building failed: x",
            "tls-error",
        ),
        ("curl", 7, "curl: (7) Failed to connect to 127.0.0.1 port 9: Connection refused", "error"),
        ("curl", None, "", "timeout"),
        ("curl", 56, "curl: (56) CONNECT tunnel failed, response 407", "error"),
        (
            "wget",
            8,
            "Proxy tunneling failed: Proxy Authentication Required"
            "Unable to establish SSL connection.",
            "error",
        ),
        ("java", 1, "Proxy tunneling failed: HTTP 407 Proxy Authentication Required", "error"),
        (
            "aws",
            255,
            "SSL validation failed for https://h/ [SSL: CERTIFICATE_VERIFY_FAILED]",
            "tls-error",
        ),
        (
            "aws",
            254,
            "An error occurred (404) when calling the ListBuckets operation",
            "handshake-ok",
        ),
        (
            "kubectl",
            1,
            "Unable to connect to the server: tls: failed to verify certificate: "
            "x509: certificate signed by unknown authority",
            "tls-error",
        ),
        (
            "kubectl",
            1,
            "Error from server (NotFound): the server could not find the requested resource",
            "handshake-ok",
        ),
    ],
)
def test_classify(client: str, code: int | None, output: str, status: str) -> None:
    assert clients.classify(spec(client), code, output) == status


def test_no_client_turns_verification_off() -> None:
    insecure = ("-k", "--insecure", "--no-check-certificate", "strict-ssl", "verify=False")
    for s in clients.client_specs():
        words = [*s.argv, *s.proxy_argv, *s.env]
        assert not [w for w in words if any(bad in w for bad in insecure)], s.id
        assert "NODE_TLS_REJECT_UNAUTHORIZED" not in s.env
    scripts = Path(clients._scripts_dir())
    for script in scripts.iterdir():
        text = script.read_text()
        assert "rejectUnauthorized" not in text
        assert "CERT_NONE" not in text and "verify=False" not in text
        assert "TrustManager" not in text and "HostnameVerifier" not in text


def test_stdin_reaches_the_client(tmp_path: Path) -> None:
    code, out = clients._run(["cat"], {"PATH": "/usr/bin:/bin"}, 10.0, str(tmp_path), "probe\n")
    assert (code, out) == (0, "probe\n")
    uv = spec("uv")
    assert uv.stdin == "tlsdoctor-check-probe\n" and "-" in uv.argv


@pytest.mark.lab
def test_a_proxy_with_basic_authentication(
    start_lab: object, clean_env: dict[str, str], sandbox_home: Path
) -> None:
    """Every client reaches the TLS handshake through a proxy that wants a password."""
    for program in ("curl", "node", "openssl", "java", "git", "wget"):
        require_client(program)
    lab = start_lab(proxy_auth="checker:s3cret")  # type: ignore[operator]
    (sandbox_home / ".wgetrc").touch()
    names = ["python-ssl", "requests", "curl", "node", "openssl", "java", "git", "wget"]
    results = clients.run_checks(
        [lab.url(lab.intercepted[0])], names, env=clean_env,
        proxy=lab.authenticated_proxy_url, versions=False,
    )  # fmt: skip
    assert {r.client: r.status for r in results} == dict.fromkeys(names, "tls-error"), [
        (r.client, r.headline) for r in results
    ]
    for result in results:  # the password never shows on a command line or in a report
        assert not any("s3cret" in arg for arg in result.command)
        assert "s3cret" not in str(result.to_dict())
        assert result.proxy == clients.redact_proxy(lab.authenticated_proxy_url)
        assert result.proxy and result.proxy.startswith("http://checker:***@127.0.0.1:")
    # Without the password the proxy refuses the tunnel: "failed (not TLS)" for every client.
    refused = clients.run_checks(
        [lab.url(lab.intercepted[0])], names, env=clean_env, proxy=lab.proxy_url, versions=False
    )
    assert {r.client: r.status for r in refused} == dict.fromkeys(names, "error"), [
        (r.client, r.headline) for r in refused
    ]
