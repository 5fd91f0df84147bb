"""Root sets and OpenSSL path validation (the verdict clients reach), strict findings apart."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import certfactory
import certifi
import pytest
from cli_runner import run_cli
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID
from detect_world import World, make_ca, make_leaf, make_name, write_pem

from tlsdoctor.core.trust import RootStore, mozilla_roots, os_roots, verify
from tlsdoctor.core.trust.linux import LINUX_BUNDLES
from tlsdoctor.core.trust.verify import hostname_matches, strict_findings, verify_chain
from tlsdoctor.errors import UsageError


def test_mozilla_roots_come_from_certifi() -> None:
    store = mozilla_roots()
    assert store.source == certifi.where()
    assert len(store) > 100
    assert all(c.subject == c.issuer for c in store.certificates[:20])


def test_roots_file_replaces_the_public_set(world: World) -> None:
    store = mozilla_roots(world.public_pem())
    assert store.certificates == (world.public_root.cert,)
    assert store.contains(world.public_root.cert)
    assert not store.contains(world.public_issuing.cert)
    assert store.by_subject(world.public_root.cert.subject) == [world.public_root.cert]


def test_unreadable_or_empty_roots_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the roots file"):
        mozilla_roots(tmp_path / "missing.pem")
    empty = tmp_path / "empty.pem"
    empty.write_text("not a certificate\n")
    with pytest.raises(UsageError, match=r"empty\.pem: this is plain text without a certificate"):
        mozilla_roots(empty)  # in the words of `ca check` and `bundle --roots`


def test_a_damaged_block_in_a_roots_file_is_refused_naming_it(
    world: World, clean_env: dict[str, str]
) -> None:
    """As `ca check` and `bundle --roots` do: skipping it would silently drop a root the user
    meant to trust (a distribution's own bundle is read tolerantly, see below)."""
    other = make_ca(make_name("Other Root CA", "Other PKI"))
    good = write_pem(world.tmp / "good.pem", other.cert).read_bytes()
    body = good.split(b"\n")
    body[1] = b"A" * len(body[1])  # valid base64, not a certificate
    roots = world.tmp / "roots.pem"
    roots.write_bytes(b"\n".join(body) + world.public_pem().read_bytes() + good)
    with pytest.raises(UsageError) as caught:
        mozilla_roots(roots)
    assert str(caught.value) == (
        f"{roots}: certificate 1 of 3 is damaged: its PEM block does not hold a valid certificate"
    )
    done = run_cli("detect", "--no-proxy", "--roots", str(roots), "127.0.0.1:1", env=clean_env)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"tlsdoctor: error: {caught.value}\n"


@pytest.mark.parametrize("relative", LINUX_BUNDLES)
def test_os_roots_read_each_distribution_layout(
    world: World, tmp_path: Path, relative: str
) -> None:
    sysroot = tmp_path / "sysroot"
    path = sysroot / relative
    path.parent.mkdir(parents=True)
    write_pem(path, world.public_root.cert)
    store = os_roots(sysroot)
    assert store.source == str(path)
    assert store.certificates == (world.public_root.cert,)


def test_os_roots_follow_tlsdoctor_sysroot(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path))
    assert os_roots().certificates == ()
    bundle = tmp_path / "etc/pki/tls/certs/ca-bundle.crt"
    bundle.parent.mkdir(parents=True)
    # a damaged block in a distribution bundle must not hide the others
    bundle.write_bytes(
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        + write_pem(tmp_path / "x.pem", world.public_root.cert).read_bytes()
    )
    assert os_roots().certificates == (world.public_root.cert,)


def test_a_complete_chain_is_trusted_with_its_anchor(world: World) -> None:
    leaf, _ = make_leaf(world.public_issuing, "site.test")
    result = verify_chain([*leaf, world.public_issuing.cert], world.public_store)
    assert result.trusted
    assert result.error is None
    assert result.anchor == world.public_root.cert
    assert result.path == (leaf[0], world.public_issuing.cert, world.public_root.cert)


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("missing_intermediate", 20, "unable to get local issuer certificate"),
        ("self_signed_leaf", 18, "self-signed certificate"),
        ("untrusted_root_in_chain", 19, "self-signed certificate in certificate chain"),
        ("expired", 10, "certificate has expired"),
    ],
)
def test_openssl_error_codes_and_texts(world: World, case: str, code: int, message: str) -> None:
    other = make_ca(make_name("Other Root"))
    chains = {
        "missing_intermediate": make_leaf(world.public_issuing, "a.test")[0],
        "self_signed_leaf": make_leaf(world.public_issuing, "a.test", self_signed=True)[0],
        "untrusted_root_in_chain": [*make_leaf(other, "a.test")[0], other.cert],
        "expired": [
            *make_leaf(world.public_issuing, "a.test", expired=True)[0],
            world.public_issuing.cert,
        ],
    }
    result = verify_chain(chains[case], world.public_store)
    assert (result.trusted, result.error_code, result.error) == (False, code, message)


def test_strict_profile_defects_are_separate_findings() -> None:
    lax = make_ca(make_name("Lax Inspection CA", "Example Corp"), critical_bc=False)
    chain, _ = make_leaf(lax, "site.test")
    store = RootStore("inspection", None, (lax.cert,))
    assert verify_chain(chain, store).trusted  # OpenSSL clients accept it...
    strict = verify_chain(chain, store, strict=True)
    assert not strict.trusted  # ...Python 3.13's VERIFY_X509_STRICT does not
    assert strict.error == "Basic Constraints of CA cert not marked critical"
    findings = strict_findings(chain, store, hostname="site.test")
    assert [f.profile for f in findings] == ["openssl-x509-strict", "webpki"]
    assert findings[0].message == (
        "Python 3.13+ (VERIFY_X509_STRICT) rejects this chain: "
        "Basic Constraints of CA cert not marked critical"
    )


def test_a_compliant_chain_has_no_strict_findings(world: World) -> None:
    chain, _ = make_leaf(world.public_issuing, "site.test")
    presented = [*chain, world.public_issuing.cert]
    assert strict_findings(presented, world.public_store, hostname="site.test") == []


@pytest.mark.parametrize(
    ("sans", "host", "ok"),
    [
        (("site.test",), "site.test", True),
        (("site.test",), "SITE.test.", True),
        (("*.example.test",), "a.example.test", True),
        (("*.example.test",), "a.b.example.test", False),
        (("*.example.test",), "example.test", False),
        (("127.0.0.1",), "127.0.0.1", True),
        (("site.test",), "other.test", False),
    ],
)
def test_hostname_matching(world: World, sans: tuple[str, ...], host: str, ok: bool) -> None:
    chain, _ = make_leaf(world.public_issuing, *sans)
    assert hostname_matches(chain[0], host) is ok


def test_a_leaf_not_meant_for_tls_servers_is_rejected_as_clients_do(world: World) -> None:
    leaf = certfactory.make_leaf(
        "client.test",
        world.public_issuing,
        subject=make_name("client.test"),
        eku=[ExtendedKeyUsageOID.CLIENT_AUTH],
        bc=False,
        ski=False,
        aki=False,
        not_after=certfactory.NOW + dt.timedelta(days=30),
    ).cert
    result = verify_chain([leaf, world.public_issuing.cert], world.public_store)
    assert (result.trusted, result.error_code, result.error) == (
        False,
        26,
        "unsuitable certificate purpose",
    )


def _chains_to_compare(world: World) -> dict[str, tuple[list[Any], RootStore, dict[str, bool]]]:
    other = make_ca(make_name("Other Root"))
    lax = make_ca(make_name("Lax Inspection CA", "Example Corp"), critical_bc=False)
    issuing = world.public_issuing
    leaf = make_leaf(issuing, "a.test")[0]
    client_only = certfactory.make_leaf(
        "client.test",
        issuing,
        subject=make_name("client.test"),
        eku=[ExtendedKeyUsageOID.CLIENT_AUTH],
        not_after=certfactory.NOW + dt.timedelta(days=30),
    ).cert
    public, plain, strict = world.public_store, {}, {"strict": True, "partial": True}
    lax_store = RootStore("inspection", None, (lax.cert,))
    root = world.public_root.cert
    twice = RootStore(
        "twice", None, (root, x509.load_der_x509_certificate(root.public_bytes(Encoding.DER)))
    )
    return {
        "complete": ([*leaf, issuing.cert], public, plain),
        "root presented too": ([*leaf, issuing.cert, world.public_root.cert], public, plain),
        "missing intermediate": (leaf, public, plain),
        "self-signed leaf": (make_leaf(issuing, "a.test", self_signed=True)[0], public, plain),
        "untrusted root in chain": ([*make_leaf(other, "a.test")[0], other.cert], public, plain),
        "expired": ([*make_leaf(issuing, "a.test", expired=True)[0], issuing.cert], public, plain),
        "wrong purpose": ([client_only, issuing.cert], public, plain),
        "lax CA": (make_leaf(lax, "a.test")[0], lax_store, plain),
        "lax CA, strict": (make_leaf(lax, "a.test")[0], lax_store, strict),
        "intermediate as anchor": (leaf, RootStore("i", None, (issuing.cert,)), strict),
        "a bundle holding its root twice": ([*leaf, issuing.cert], twice, plain),
    }


def test_the_native_verification_decides_as_pyopenssl_does(world: World) -> None:
    """verify_chain calls X509_verify_cert itself (pyOpenSSL's wrapper costs 80x the check);
    pyOpenSSL's public API stays the fallback: both give the same result for every outcome,
    also when the verified path holds certificates the store does not know by address."""
    assert verify._native_calls() is not None  # this pyOpenSSL exposes what the fast path needs
    outcomes = set()
    for name, (chain, roots, flags) in _chains_to_compare(world).items():
        store = verify._x509_store(
            roots, strict=flags.get("strict", False), partial=flags.get("partial", False)
        )
        native = verify._verify_natively(chain, store)
        assert native == verify._verify_with_pyopenssl(chain, store), name
        unknown = dataclasses.replace(store, by_address={})
        assert verify._verify_natively(chain, unknown) == native, name
        assert (
            verify_chain(
                chain,
                roots,
                strict=flags.get("strict", False),
                partial_chain=flags.get("partial", False),
            )
            == native
        )
        outcomes.add((native.trusted, native.error_code))
    assert outcomes == {
        (True, None),
        (False, 20),
        (False, 18),
        (False, 19),
        (False, 10),
        (False, 26),
        (False, 89),  # basicConstraints of a CA not critical (X509_STRICT)
    }
