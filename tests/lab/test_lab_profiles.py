"""What the interceptor presents: vendor names, chains, AIA, strict profiles, delays, scale."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from fixtures_env import require_client
from fixtures_lab import StartLab

from tlsdoctor._data import load_data
from tlsdoctor.lab.pki import name_from_pairs
from tlsdoctor.lab.state import LabState

pytestmark = pytest.mark.lab

HERE = Path(__file__).resolve().parent


def tunnel(state: LabState, host: str, timeout: float = 10.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", state.proxy_port), timeout=timeout)
    sock.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = sock.recv(4096)
        assert chunk, reply
        reply += chunk
    assert reply.startswith(b"HTTP/1.1 200"), reply
    return sock


def verified_peer(state: LabState, host: str, cafile: Path) -> dict[str, Any]:
    """Handshake through the lab's proxy, verifying against ``cafile``; the peer certificate."""
    context = ssl.create_default_context(cafile=str(cafile))
    with context.wrap_socket(tunnel(state, host), server_hostname=host) as tls:
        cert = tls.getpeercert()
    assert cert is not None
    return cert


def presented_chain(state: LabState, host: str) -> list[x509.Certificate]:
    """The certificates the proxy sends (openssl s_client -showcerts)."""
    openssl = require_client("openssl")
    result = subprocess.run(
        [
            openssl,
            "s_client",
            "-proxy",
            f"127.0.0.1:{state.proxy_port}",
            "-connect",
            f"{host}:443",
            "-servername",
            host,
            "-showcerts",
        ],
        input="",
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return (
        x509.load_pem_x509_certificates(result.stdout.encode()) if "BEGIN" in result.stdout else []
    )


def issuer_of(cert: dict[str, Any]) -> dict[str, str]:
    return {k: v for rdn in cert["issuer"] for k, v in rdn}


PROFILES = load_data("lab_profiles.toml")["profiles"]


@pytest.mark.parametrize("vendor", sorted(PROFILES))
def test_each_vendor_profile_re_signs_with_the_products_ca_name(
    start_lab: StartLab, vendor: str
) -> None:
    state = start_lab(vendor=vendor)
    expected = name_from_pairs(PROFILES[vendor]["root"])
    ca = x509.load_pem_x509_certificate(state.inspection_ca.read_bytes())
    assert ca.subject == expected
    assert ca.issuer == expected
    peer = verified_peer(state, "site2.test", state.inspection_ca)
    cn = expected.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert issuer_of(peer)["commonName"] == cn
    assert ("DNS", "site2.test") in peer["subjectAltName"]


def test_custom_ca_name(start_lab: StartLab) -> None:
    state = start_lab(ca_name="CN=Acme Inspection CA,O=Acme Corp,C=JP", ca_chain=True)
    assert state.vendor == "custom"
    assert state.ca_subject == "CN=Acme Inspection CA,O=Acme Corp,C=JP"
    chain = presented_chain(state, "site1.test")
    assert [c.subject.rfc4514_string() for c in chain[1:]] == [
        "CN=Acme Inspection CA Intermediate,O=Acme Corp,C=JP",
        "CN=Acme Inspection CA,O=Acme Corp,C=JP",
    ]


def test_default_sends_only_the_leaf(lab: LabState) -> None:
    chain = presented_chain(lab, "site1.test")
    assert len(chain) == 1
    assert chain[0].issuer.rfc4514_string() == "O=mitmproxy,CN=mitmproxy"


def test_ca_chain_sends_leaf_intermediate_and_root(start_lab: StartLab) -> None:
    state = start_lab(vendor="zscaler", ca_chain=True)
    chain = presented_chain(state, "bank.test")
    root = x509.load_pem_x509_certificate(state.inspection_ca.read_bytes())
    assert state.inspection_intermediate is not None
    inter = x509.load_pem_x509_certificate(state.inspection_intermediate.read_bytes())
    assert chain[1:] == [inter, root]
    assert inter.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == (
        "Zscaler Intermediate Root CA (zscalerthree.net) (t) "
    )


def test_intermediate_only_chain_has_an_aia_url_served_by_the_lab(start_lab: StartLab) -> None:
    state = start_lab(vendor="netskope", ca_intermediate_only=True)
    chain = presented_chain(state, "site1.test")
    assert len(chain) == 2
    inter = chain[1]
    aia = inter.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    url = aia[0].access_location.value
    assert url == state.aia_url
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=10) as r:
        fetched = x509.load_der_x509_certificate(r.read())
    root = x509.load_pem_x509_certificate(state.inspection_ca.read_bytes())
    assert fetched == root
    assert inter.issuer == root.subject
    assert verified_peer(state, "site1.test", state.inspection_ca)


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({}, "UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
        ({"ca_chain": True}, "SELF_SIGNED_CERT_IN_CHAIN"),
        ({"ca_intermediate_only": True, "ca_key": "ec"}, "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"),
    ],
)
def test_node_sees_the_error_each_chain_shape_gives(
    start_lab: StartLab, clean_env: dict[str, str], options: dict[str, bool], code: str
) -> None:
    node = require_client("node")
    state = start_lab(**options)
    script = [node, str(HERE / "node_connect.js"), state.proxy_url, "site1.test"]
    run = {"capture_output": True, "text": True, "timeout": 30, "check": False, "env": clean_env}
    assert subprocess.run(script, **run).stdout.strip() == code  # type: ignore[call-overload]
    trusted = subprocess.run([*script, str(state.inspection_ca)], **run)  # type: ignore[call-overload]
    assert trusted.stdout.strip() == "ok"


def _python313() -> str | None:
    for candidate in ("python3.13", str(Path.home() / ".pyenv/versions/3.13.0/bin/python3.13")):
        path = shutil.which(candidate)
        if path:
            check = subprocess.run(
                [path, "-c", "import ssl; print(hasattr(ssl, 'VERIFY_X509_STRICT'))"],
                capture_output=True,
                text=True,
                check=False,
            )
            if check.returncode == 0:
                return path
    return None


STRICT_CLIENT = """
import ssl, sys, urllib.request
ca, url, proxy = sys.argv[1:4]
context = ssl.create_default_context(cafile=ca)
assert context.verify_flags & ssl.VERIFY_X509_STRICT
handlers = [
    urllib.request.ProxyHandler({"https": proxy}),
    urllib.request.HTTPSHandler(context=context),
]
try:
    body = urllib.request.build_opener(*handlers).open(url, timeout=10).read()
    print(body.decode().strip())
except Exception as err:
    print(err)
"""


@pytest.mark.parametrize(
    ("noncompliant", "expected"),
    [(False, "ok site1.test"), (True, "Basic Constraints of CA cert not marked critical")],
)
def test_python_313_strict_accepts_the_lab_but_not_a_noncompliant_ca(
    start_lab: StartLab, clean_env: dict[str, str], noncompliant: bool, expected: str
) -> None:
    python = _python313()
    if python is None:
        pytest.skip("python3.13 is not installed")
    state = start_lab(ca_noncompliant=noncompliant, bypass=["bank.test"])
    run = [python, "-c", STRICT_CLIENT]
    intercepted = subprocess.run(
        [*run, str(state.inspection_ca), "https://site1.test/", state.proxy_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env,
    )
    assert expected in intercepted.stdout, intercepted.stdout + intercepted.stderr
    # The lab's public sites always satisfy the strict profile.
    public = subprocess.run(
        [*run, str(state.public_root), "https://bank.test/", state.proxy_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=clean_env,
    )
    assert public.stdout.strip() == "ok bank.test"


def test_no_intercept_is_a_clean_path_through_the_same_proxy(start_lab: StartLab) -> None:
    state = start_lab(no_intercept=True)
    assert state.intercepted == []
    assert state.bypassed == ["site1.test", "site2.test", "bank.test"]
    for host in state.bypassed:
        peer = verified_peer(state, host, state.public_root)
        assert issuer_of(peer)["commonName"] == "tlsdoctor Lab Public Root CA"


def test_handshake_delay_applies_to_concurrent_handshakes_at_once(start_lab: StartLab) -> None:
    delay = 0.4
    state = start_lab(handshake_delay_ms=int(delay * 1000), sites=8)
    hosts = [h for h in state.intercepted if h.startswith("site0")]
    assert len(hosts) == 8

    def one(host: str) -> float:
        started = time.monotonic()
        verified_peer(state, host, state.inspection_ca)
        return time.monotonic() - started

    single = one("site1.test")
    assert single >= delay
    started = time.monotonic()
    with ThreadPoolExecutor(len(hosts)) as pool:
        times = list(pool.map(one, hosts))
    total = time.monotonic() - started
    assert min(times) >= delay
    assert total < delay * len(hosts) / 2  # overlapped, not 8 x 0.4 s in a row


def test_extra_sites_for_the_benchmark(start_lab: StartLab, clean_env: dict[str, str]) -> None:
    started = time.monotonic()
    state = start_lab(sites=50)
    elapsed = time.monotonic() - started
    assert len(state.intercepted) == 53
    assert state.intercepted[3] == "site01.test"
    assert state.intercepted[-1] == "site50.test"
    assert len(set(state.sites.values())) == len(state.sites)
    peer = verified_peer(state, "site50.test", state.inspection_ca)
    assert ("DNS", "site50.test") in peer["subjectAltName"]
    assert elapsed < 10, f"a 50-site lab took {elapsed:.1f} s to start"


def test_incomplete_chain_sends_only_the_leaf_whose_aia_points_to_the_missing_issuer(
    lab: LabState,
) -> None:
    chain = presented_chain(lab, lab.special["incomplete_chain"])
    assert len(chain) == 1
    leaf = chain[0]
    aia = leaf.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    url = aia[0].access_location.value
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=10) as r:
        issuer = x509.load_der_x509_certificate(r.read())
    root = x509.load_pem_x509_certificate(lab.public_root.read_bytes())
    assert leaf.issuer == issuer.subject
    assert issuer.issuer == root.subject
    leaf.verify_directly_issued_by(issuer)
    issuer.verify_directly_issued_by(root)


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("expired", "expired"),
        ("wrong_host", "wrong_host"),
        ("self_signed", "self_signed"),
    ],
)
def test_look_alike_certificates_have_exactly_their_defect(
    lab: LabState, kind: str, check: str
) -> None:
    name = lab.special[kind]
    chain = presented_chain(lab, name)
    assert len(chain) == 1
    leaf = chain[0]
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    root = x509.load_pem_x509_certificate(lab.public_root.read_bytes())
    now = time.time()
    expired = leaf.not_valid_after_utc.timestamp() < now
    assert expired == (check == "expired")
    assert (name in sans.get_values_for_type(x509.DNSName)) == (check != "wrong_host")
    assert (leaf.issuer == leaf.subject) == (check == "self_signed")
    if check != "self_signed":
        leaf.verify_directly_issued_by(root)
