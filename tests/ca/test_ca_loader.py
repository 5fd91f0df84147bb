"""The certificate loader: every format users hand over, and a clear one-line error otherwise."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import certfactory
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlsdoctor.cli.main import main
from tlsdoctor.core.trust import macos
from tlsdoctor.core.x509 import (
    MAX_INPUT_BYTES,
    format_fingerprint,
    load_certificate_file,
    load_certificates,
    parse_pem_tolerant,
    sha256_fingerprint,
    to_pem,
)
from tlsdoctor.errors import InputError

DATA = Path(__file__).resolve().parent / "data"
MALFORMED = DATA / "malformed"
EXPECTED: dict[str, str] = json.loads((MALFORMED / "EXPECTED.json").read_text(encoding="utf-8"))

ROOT = certfactory.make_ca("Loader Root")
INTER = certfactory.make_ca("Loader Intermediate", issuer=ROOT)


def fingerprints(certs: list) -> list[str]:
    return [sha256_fingerprint(c) for c in certs]


WANT = [sha256_fingerprint(ROOT.cert)]
PAIR = [sha256_fingerprint(INTER.cert), sha256_fingerprint(ROOT.cert)]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ROOT.pem, id="pem"),
        pytest.param(ROOT.pem.replace(b"\n", b"\r\n"), id="pem-crlf"),
        pytest.param(b"\xef\xbb\xbf" + ROOT.pem, id="pem-utf8-bom"),
        pytest.param(
            b"Subject: Loader Root\nIssued by IT\n\n" + ROOT.pem + b"\nthanks!\n", id="text-around"
        ),
        pytest.param(ROOT.pem.rstrip(b"\n"), id="no-trailing-newline"),
        pytest.param(b"\n".join(b"    " + ln for ln in ROOT.pem.splitlines()), id="indented-yaml"),
        pytest.param(json.dumps({"ca": ROOT.pem.decode()}).encode(), id="json-escaped-newlines"),
        pytest.param(ROOT.der, id="der"),
        pytest.param(base64.b64encode(ROOT.der), id="base64-one-line"),
        pytest.param(base64.encodebytes(ROOT.der), id="base64-wrapped"),
        pytest.param(ROOT.pem.decode().encode("utf-16"), id="utf16-bom"),
        pytest.param(ROOT.pem.decode().encode("utf-16-le"), id="utf16-le-no-bom"),
        pytest.param(ROOT.pem.decode().replace("\n", "\r\n").encode("utf-16-be"), id="utf16-be"),
        pytest.param(
            ROOT.pem.replace(b"CERTIFICATE", b"TRUSTED CERTIFICATE"), id="openssl-trusted-label"
        ),
        pytest.param(
            pkcs12.serialize_key_and_certificates(
                None, None, None, [ROOT.cert], serialization.NoEncryption()
            ),
            id="pkcs12-no-password",
        ),
    ],
)
def test_every_common_format_loads_the_same_certificate(data: bytes) -> None:
    assert fingerprints(load_certificates(data)) == WANT


def test_pkcs7_in_pem_and_der_keeps_every_certificate() -> None:
    pem = pkcs7.serialize_certificates([INTER.cert, ROOT.cert], serialization.Encoding.PEM)
    der = pkcs7.serialize_certificates([INTER.cert, ROOT.cert], serialization.Encoding.DER)
    assert sorted(fingerprints(load_certificates(pem))) == sorted(PAIR)
    assert sorted(fingerprints(load_certificates(der))) == sorted(PAIR)


def test_pkcs7_wrapped_in_a_certificate_label() -> None:
    der = pkcs7.serialize_certificates([INTER.cert, ROOT.cert], serialization.Encoding.DER)
    body = base64.encodebytes(der).decode()
    text = f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n"
    assert sorted(fingerprints(load_certificates(text.encode()))) == sorted(PAIR)


def test_concatenated_der_and_pem_bundles_keep_order() -> None:
    assert fingerprints(load_certificates(INTER.der + ROOT.der)) == PAIR
    assert fingerprints(load_certificates(INTER.pem + b"# comment\n" + ROOT.pem)) == PAIR


def test_concatenated_der_whose_last_byte_looks_like_padding() -> None:
    """A DER certificate after another one ends with any byte, 0x00 or "\\n" too: the loader
    stripped those from the end as padding, cutting the certificate (a test failed about one run
    in 64)."""
    root = next(
        ca for ca in (certfactory.make_ca("Pad") for _ in range(2000)) if ca.der[-1] in b"\x00\n"
    )
    assert fingerprints(load_certificates(INTER.der + root.der)) == [
        sha256_fingerprint(INTER.cert),
        sha256_fingerprint(root.cert),
    ]


def test_canonical_pem_and_fingerprint_formats() -> None:
    messy = ROOT.pem.replace(b"\n", b"\r\n")
    canonical = to_pem(load_certificates(messy))
    assert canonical.encode() == ROOT.pem
    fp = sha256_fingerprint(ROOT.cert)
    assert len(fp) == 64 and fp == fp.lower() and ":" not in fp
    assert format_fingerprint(fp) == ":".join(fp[i : i + 2] for i in range(0, 64, 2)).upper()


def test_the_corpus_is_large_enough() -> None:
    files = [p for p in MALFORMED.iterdir() if p.name != "EXPECTED.json"]
    assert len(files) >= 30
    assert sorted(p.name for p in files) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_gives_one_clear_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = MALFORMED / name
    with pytest.raises(InputError) as caught:
        load_certificate_file(path)
    assert str(caught.value) == f"{path}: {EXPECTED[name]}"
    code = main(["ca", "check", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.splitlines() == [f"tlsdoctor: error: {path}: {EXPECTED[name]}"]


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pem"
    with huge.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: nothing is really written
    with pytest.raises(InputError, match=r"file too large \(16\.0 MB\)"):
        load_certificate_file(huge)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_that_never_ends_is_refused_after_the_cap(
    device: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # devices and pipes report a size of 0: only a bounded read keeps the cap
    with pytest.raises(InputError, match=r"file too large \(16\.0 MB\)"):
        load_certificate_file(device)
    assert main(["ca", "check", device]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"tlsdoctor: error: {device}: file too large (16.0 MB) for a certificate or bundle"
    ]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_certificate_file(tmp_path / "nope.pem")
    with pytest.raises(InputError, match="this is a directory"):
        load_certificate_file(tmp_path)


def test_japanese_error_from_a_real_process(clean_env: dict[str, str]) -> None:
    path = MALFORMED / "private_key_pkcs8.pem"
    done = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", "--lang", "ja", "ca", "check", str(path)],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"tlsdoctor: エラー：{path} の読み込み：これは秘密鍵で、証明書ではありません"
    ]
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _loads_or_clean_error(data: bytes) -> None:
    try:
        certs = load_certificates(data)
    except InputError as err:
        text = str(err)
        assert text and "\n" not in text and "Traceback" not in text
    else:
        assert certs


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes(data: bytes) -> None:
    _loads_or_clean_error(data)


@FUZZ
@given(st.text(max_size=512))
def test_fuzz_random_text(text: str) -> None:
    _loads_or_clean_error(text.encode("utf-8"))
    _loads_or_clean_error(("-----BEGIN CERTIFICATE-----\n" + text).encode("utf-8"))


def _committed_bases() -> list[bytes]:
    """Fixed inputs (committed files), so that CI's derandomized run is the same every time;
    the EC chain made at import adds fresh keys and dates when run locally."""
    root_pem = (DATA / "inspection-root.pem").read_bytes()
    root_der = load_certificates(root_pem)[0].public_bytes(serialization.Encoding.DER)
    return [root_pem, root_der, (DATA / "former-public-roots.pem").read_bytes()]


FUZZ_BASES = _committed_bases() + ([] if os.environ.get("CI") else [ROOT.der, INTER.pem + ROOT.pem])


@FUZZ
@given(
    st.sampled_from(FUZZ_BASES),
    st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=8),
    st.integers(0, 4000),
)
def test_fuzz_mutated_certificates(base: bytes, flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(base)
    for where, value in flips:
        data[where % len(data)] = value
    _loads_or_clean_error(bytes(data))
    _loads_or_clean_error(bytes(data[: cut % (len(data) + 1)]))


def _with_version_byte(der: bytes, value: int) -> bytes:
    version_field = b"\xa0\x03\x02\x01\x02"  # [0] EXPLICIT INTEGER 2 (v3)
    where = der.index(version_field) + len(version_field) - 1
    return der[:where] + bytes([value]) + der[where + 1 :]


@pytest.mark.parametrize("container", ["der", "pem"])
def test_an_unknown_x509_version_is_a_clean_input_error(container: str) -> None:
    # cryptography raises InvalidVersion (not a ValueError) for it; hypothesis found this once.
    der = _with_version_byte(ROOT.der, 1)
    data = der if container == "der" else to_pem_block(der)
    with pytest.raises(InputError) as caught:
        load_certificates(data)
    assert "\n" not in str(caught.value)
    assert fingerprints(parse_pem_tolerant(to_pem_block(der) + ROOT.pem)) == fingerprints(
        [ROOT.cert]
    )


def to_pem_block(der: bytes) -> bytes:
    body = base64.encodebytes(der).decode("ascii")
    return f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n".encode("ascii")


@FUZZ
@given(st.binary(max_size=1024) | st.text(max_size=512))
def test_fuzz_machine_output_parsers_never_raise(data: bytes | str) -> None:
    parse_pem_tolerant(data)
    macos.parse_trust_settings(data if isinstance(data, str) else data.decode("latin-1"))
