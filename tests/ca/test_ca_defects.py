"""Strict X.509 defects: the catalog, each rule, and Python 3.13's real verdict on loopback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import certfactory
import pytest
from cli_runner import run_cli
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from fixtures_env import require_client
from loopback import tls_server, write_chain

from tlsdoctor import i18n
from tlsdoctor._data import load_data
from tlsdoctor.cli.main import main
from tlsdoctor.core.x509 import defect_ids, describe, load_certificate_file, strict_defects

DATA = Path(__file__).resolve().parent / "data"


def test_catalog_entries_are_complete() -> None:
    entries = load_data("x509_defects.toml")["defect"]
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        for key in ("message", "message_ja", "fix", "fix_ja"):
            assert entry.get(key), f"{entry['id']} lacks {key}"
        assert entry["breaks"], entry["id"]
        assert entry["severity"] in ("error", "warning")


def test_a_compliant_chain_has_no_defects() -> None:
    root = certfactory.make_ca("Good Root")
    inter = certfactory.make_ca("Good Intermediate", issuer=root)
    leaf = certfactory.make_leaf("good.test", inter)
    assert [defect_ids(c.cert) for c in (root, inter, leaf)] == [[], [], []]
    assert describe(root.cert).role == "root"
    assert describe(inter.cert).role == "intermediate"
    assert describe(leaf.cert).role == "leaf"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: certfactory.make_ca("R", bc_critical=False), ["bc-not-critical"]),
        (lambda: certfactory.make_ca("R", key_usage=False), ["ku-missing"]),
        (lambda: certfactory.make_ca("R", cert_sign=False), ["ku-no-certsign"]),
        (lambda: certfactory.make_ca("R", ski=False), ["ski-missing"]),
        (lambda: certfactory.make_ca("R", with_bc=False), ["bc-missing"]),
        (
            lambda: certfactory.make_ca("I", issuer=certfactory.make_ca("P"), with_bc=False),
            ["bc-missing"],
        ),
        (lambda: certfactory.make_v1_root("Old v1 Root"), ["v1-ca"]),
        (
            lambda: certfactory.make_ca("R", eku=[ExtendedKeyUsageOID.CODE_SIGNING]),
            ["ca-eku-no-serverauth"],
        ),
        (
            lambda: certfactory.make_ca("R", key=rsa.generate_private_key(65537, 1024)),
            ["rsa-key-small"],
        ),
        (
            lambda: certfactory.make_ca("I", issuer=certfactory.make_ca("P"), aki=False),
            ["aki-missing"],
        ),
        (
            lambda: certfactory.make_leaf("x.test", certfactory.make_ca("P"), san=False),
            ["leaf-san-missing"],
        ),
        (
            lambda: certfactory.make_leaf("x.test", certfactory.make_ca("P"), san_critical=True),
            ["leaf-san-critical"],
        ),
    ],
)
def test_each_rule(make, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    issued = make()
    assert defect_ids(issued.cert) == expected
    defect = strict_defects(issued.cert)[0]
    assert defect.breaks and defect.fix and defect.message


def test_sha1_signed_intermediate_is_weak(tmp_path: Path, clean_env: dict[str, str]) -> None:
    openssl = require_client("openssl")  # cryptography refuses to sign with SHA-1 itself
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run(
            [openssl, *args], cwd=tmp_path, env=clean_env, check=True, capture_output=True
        )

    run("req", "-x509", *ec, "-keyout", "p.key", "-out", "p.pem", "-subj", "/CN=P", "-days", "2")
    run("req", *ec, "-keyout", "i.key", "-out", "i.csr", "-subj", "/CN=I")
    (tmp_path / "ext.cnf").write_text(
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    run(
        "x509",
        "-req",
        "-in",
        "i.csr",
        "-CA",
        "p.pem",
        "-CAkey",
        "p.key",
        "-sha1",
        "-days",
        "2",
        "-set_serial",
        "7",
        "-extfile",
        "ext.cnf",
        "-out",
        "i.pem",
    )
    (intermediate,) = load_certificate_file(tmp_path / "i.pem")
    assert defect_ids(intermediate) == ["weak-signature"]


def test_a_ca_without_basic_constraints_is_a_ca(tmp_path: Path) -> None:
    root = certfactory.make_ca("No BC Root", with_bc=False)
    info = describe(root.cert)
    assert (info.role, info.is_ca, info.basic_constraints_critical) == ("root", True, None)
    inter = certfactory.make_ca("No BC Inter", issuer=certfactory.make_ca("P"), with_bc=False)
    assert describe(inter.cert).role == "intermediate"
    # without keyCertSign either it is still no CA (a self-signed server certificate)
    plain = certfactory.make_ca("Plain", with_bc=False, key_usage=False)
    assert describe(plain.cert).role == "leaf"
    assert "bc-missing" not in defect_ids(plain.cert)


def test_defect_texts_are_japanese_under_ja() -> None:
    root = certfactory.make_ca("R", bc_critical=False)
    i18n.set_language("ja")
    try:
        defect = strict_defects(root.cert)[0]
    finally:
        i18n.set_language("en")
    assert "critical" in defect.message and "basicConstraints" in defect.message
    assert "IT 部門" in defect.fix


# ------------------------------------------------- Python 3.13 (VERIFY_X509_STRICT) on loopback

CLIENT = """
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10) as raw:
    try:
        ctx.wrap_socket(raw, server_hostname="strict.test").close()
        print("ok")
    except ssl.SSLCertVerificationError as err:
        print(err.verify_message)
"""


CASES = {
    "compliant": ({}, {}, "ok", []),
    "bc-not-critical": (
        {"bc_critical": False},
        {},
        "Basic Constraints of CA cert not marked critical",
        ["bc-not-critical"],
    ),
    "ku-missing": (
        {"key_usage": False},
        {},
        "CA cert does not include key usage extension",
        ["ku-missing"],
    ),
    "ski-missing": ({"ski": False}, {}, "Missing Subject Key Identifier", ["ski-missing"]),
    "bc-missing": ({"with_bc": False}, {}, "invalid CA certificate", ["bc-missing"]),
    "aki-missing": ({}, {"aki": False}, "Missing Authority Key Identifier", ["aki-missing"]),
}


def find_python313() -> str | None:
    """The real 3.13 interpreter (pyenv's shim refuses to run outside a pyenv-selected dir)."""
    root = Path(os.environ.get("PYENV_ROOT", "~/.pyenv")).expanduser()
    for candidate in sorted(root.glob("versions/3.13*/bin/python3.13")):
        return str(candidate)
    found = shutil.which("python3.13")
    return found if found and ".pyenv/shims" not in found else None


@pytest.mark.parametrize("case", sorted(CASES))
def test_python313_rejects_exactly_what_the_catalog_says(
    case: str, tmp_path: Path, clean_env: dict[str, str]
) -> None:
    python313 = find_python313()
    if python313 is None:
        pytest.skip("python3.13 is not installed")
    root_opts, leaf_opts, verdict, expected = CASES[case]
    root = certfactory.make_ca("Strict Test Root", **root_opts)
    leaf = certfactory.make_leaf("strict.test", root, **leaf_opts)
    assert defect_ids(root.cert) + defect_ids(leaf.cert) == expected
    (tmp_path / "ca.pem").write_bytes(root.pem)
    chain, key = write_chain(tmp_path / "server", leaf, with_parents=False)
    with tls_server(chain, key) as port:
        done = subprocess.run(
            [python313, "-c", CLIENT, str(tmp_path / "ca.pem"), str(port)],
            capture_output=True,
            text=True,
            env=clean_env,
            timeout=60,
        )
        assert done.stdout.strip() == verdict, done.stderr
        # The lenient default of this interpreter (3.11) accepts the same chain.
        ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            ctx.wrap_socket(raw, server_hostname="strict.test").close()


# --------------------------------------------------------------------------- ca check CLI


def test_ca_check_reports_the_zscaler_like_root(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(DATA / "inspection-root.pem")
    assert main(["ca", "check", path, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (cert,) = report["certificates"]
    assert cert["role"] == "root" and cert["is_ca"] and cert["key_type"] == "RSA"
    assert cert["key_bits"] == 2048
    assert [d["id"] for d in cert["defects"]] == ["bc-not-critical"]
    assert "Python 3.13+ (ssl default context)" in cert["defects"][0]["breaks"]
    assert main(["ca", "check", path]) == 1
    human = capsys.readouterr().out
    assert "kind: root CA (self-signed)" in human
    assert "[bc-not-critical]" in human and "what to do: Ask IT" in human
    assert main(["--lang", "ja", "ca", "check", path]) == 1
    ja = capsys.readouterr().out
    assert "種類：ルート CA（自己署名）" in ja and "対処：IT 部門に" in ja
    assert "影響するツール：Python 3.13 以降（ssl の既定コンテキスト）" in ja
    assert main(["--lang", "ja", "ca", "check", path, "--json"]) == 1
    (cert,) = json.loads(capsys.readouterr().out)["certificates"]
    assert "Python 3.13+ (ssl default context)" in cert["defects"][0]["breaks"]


def test_ca_check_clean_root_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "good.crt"
    path.write_bytes(certfactory.make_ca("Clean Root").der)
    assert main(["ca", "check", str(path)]) == 0
    assert "no problem found" in capsys.readouterr().out


def test_ca_check_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    root = certfactory.make_ca("Stdin Root")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(root.pem)))
    assert main(["ca", "check", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("standard input: 1 certificate\n") and "Stdin Root" in out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\x00\x01 noise")))
    assert main(["ca", "check", "--json", "-"]) == 2
    captured = capsys.readouterr()
    # as detect and lint do with --json: nothing on stdout, one error line on stderr
    assert captured.out == ""
    assert captured.err.startswith("tlsdoctor: error: standard input: ")


def test_ca_check_warns_about_a_private_key_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = certfactory.make_ca("Key Beside Root")
    path = tmp_path / "with-key.pem"
    path.write_bytes(root.key_pem() + root.pem)
    assert main(["ca", "check", "--json", str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["private_key"], report["ok"]) == (True, False)
    assert report["certificates"][0]["defects"] == []
    assert main(["ca", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "warning: this file also holds a private key: do not share or commit it" in out
    path.write_bytes(root.pem)
    assert main(["ca", "check", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["private_key"] is False


def _key_and_root() -> bytes:
    root = certfactory.make_ca("Piped Key Root")
    return root.key_pem() + root.pem


def test_ca_check_reads_dev_stdin_once_and_sees_the_key(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    done = run_cli(
        "ca", "check", "--json", "/dev/stdin", env=clean_env, stdin=_key_and_root().decode()
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["private_key"], report["ok"]) == (True, False)
    assert len(report["certificates"]) == 1


def test_ca_check_reads_a_named_pipe_once(tmp_path: Path, clean_env: dict[str, str]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(
        [sys.executable, "-m", "tlsdoctor", "ca", "check", "--json", str(fifo)],
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    fifo.write_bytes(_key_and_root())  # blocks until the reader opens the pipe
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 1, err
    assert json.loads(out)["private_key"] is True


def test_every_defect_lists_the_tools_it_breaks_in_japanese_too() -> None:
    from tlsdoctor._data import load_data

    for entry in load_data("x509_defects.toml")["defect"]:
        assert len(entry["breaks_ja"]) == len(entry["breaks"]), entry["id"]
