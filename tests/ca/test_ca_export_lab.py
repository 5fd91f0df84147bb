"""`ca export` in the lab: from the chain, a fake OS store, anchor folders, agent files, AIA."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import certfactory
import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tlsdoctor.cli.main import main
from tlsdoctor.core import caexport
from tlsdoctor.core.x509 import describe, load_certificate_file, sha256_fingerprint
from tlsdoctor.lab.state import LabState

pytestmark = pytest.mark.lab
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def chain_lab(start_lab_module: Callable[..., LabState]) -> LabState:
    return start_lab_module(ca_chain=True)


@pytest.fixture(scope="module")
def inter_lab(start_lab_module: Callable[..., LabState]) -> LabState:
    return start_lab_module(ca_intermediate_only=True, bypass=["bank.test"])


def fp_of(path: Path) -> str:
    return sha256_fingerprint(load_certificate_file(path)[0])


def no_fetch(url: str, proxy: str | None, timeout: float) -> bytes:
    raise AssertionError(f"AIA must not be fetched here ({url})")


def export(lab: LabState, host: str, sysroot: Path, **kwargs: object) -> caexport.ExportResult:
    return caexport.export_from_host(
        host,
        proxy=lab.proxy_url,
        use_env_proxy=False,
        roots_path=str(lab.public_root),
        sysroot=sysroot,
        timeout=5.0,
        **kwargs,  # type: ignore[arg-type]
    )


def plant(root: Path, relative: str, data: bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def decoy_for(lab: LabState) -> bytes:
    """A certificate with the lab CA's exact subject but another key: a name match only."""
    real = load_certificate_file(lab.inspection_ca)[0]
    return certfactory.make_ca("decoy", subject=real.subject).pem


def test_root_from_the_presented_chain(chain_lab: LabState, tmp_path: Path) -> None:
    result = export(chain_lab, chain_lab.intercepted[0], tmp_path, fetch=no_fetch)
    assert (result.status, result.method, result.source) == ("found", "chain", "chain")
    assert [sha256_fingerprint(c) for c in result.roots] == [fp_of(chain_lab.inspection_ca)]
    assert describe(result.roots[0]).role == "root"


def test_intermediate_only_chain_resolved_via_aia(inter_lab: LabState, tmp_path: Path) -> None:
    result = export(inter_lab, inter_lab.intercepted[0], tmp_path / "empty")
    assert (result.status, result.method, result.source) == ("found", "aia", inter_lab.aia_url)
    assert [sha256_fingerprint(c) for c in result.roots] == [fp_of(inter_lab.inspection_ca)]
    assert inter_lab.inspection_intermediate is not None
    assert [sha256_fingerprint(c) for c in result.intermediates] == [
        fp_of(inter_lab.inspection_intermediate)
    ]


def test_fake_os_store_with_a_name_only_decoy(inter_lab: LabState, tmp_path: Path) -> None:
    bundle = decoy_for(inter_lab) + inter_lab.inspection_ca.read_bytes()
    store = plant(tmp_path, "etc/ssl/certs/ca-certificates.crt", bundle)
    result = export(inter_lab, inter_lab.intercepted[1], tmp_path, fetch=no_fetch)
    assert (result.status, result.method, result.source) == ("found", "os-store", str(store))
    assert [sha256_fingerprint(c) for c in result.roots] == [fp_of(inter_lab.inspection_ca)]


def test_anchor_folder_with_a_der_file(inter_lab: LabState, tmp_path: Path) -> None:
    der = load_certificate_file(inter_lab.inspection_ca)[0].public_bytes(serialization.Encoding.DER)
    anchor = plant(tmp_path, "etc/pki/ca-trust/source/anchors/corp.cer", der)
    result = export(inter_lab, inter_lab.intercepted[0], tmp_path, fetch=no_fetch)
    assert (result.status, result.method, result.source) == ("found", "os-store", str(anchor))


def test_netskope_agent_file(inter_lab: LabState, tmp_path: Path) -> None:
    path = plant(
        tmp_path, "opt/netskope/stagent/data/nscacert.pem", inter_lab.inspection_ca.read_bytes()
    )
    result = export(inter_lab, inter_lab.intercepted[0], tmp_path, fetch=no_fetch)
    assert (result.status, result.method) == ("found", "agent-file")
    assert result.source == f"Netskope: {path}"


def test_nothing_found_names_what_to_ask_it_for(inter_lab: LabState, tmp_path: Path) -> None:
    plant(tmp_path, "etc/ssl/certs/ca-certificates.crt", decoy_for(inter_lab))
    decoy_der = x509.load_pem_x509_certificate(decoy_for(inter_lab)).public_bytes(
        serialization.Encoding.DER
    )
    result = export(
        inter_lab, inter_lab.intercepted[0], tmp_path, fetch=lambda url, proxy, t: decoy_der
    )
    assert result.status == "not-found" and result.roots == []
    assert any("did not sign" in note for note in result.notes)
    assert result.ask_it is not None
    intermediate = load_certificate_file(inter_lab.inspection_intermediate)[0]  # type: ignore[arg-type]
    info = describe(intermediate)
    message = result.ask_it.message()
    assert f"issuer name {info.issuer}" in message
    assert f"authority key identifier {info.aki}" in message
    assert info.aki and info.sha256[:2].upper() in message


def test_bypassed_host_is_not_intercepted(inter_lab: LabState, tmp_path: Path) -> None:
    result = export(inter_lab, inter_lab.bypassed[0], tmp_path, fetch=no_fetch)
    assert result.status == "not-intercepted" and result.roots == []
    assert result.public_root == describe(load_certificate_file(inter_lab.public_root)[0]).subject


def test_cli_export_json_and_file(
    inter_lab: LabState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path / "empty"))
    out = tmp_path / "ca.pem"
    args = ["ca", "export", "--lab", str(inter_lab.state_dir), "--out", str(out)]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "found" and report["method"] == "aia"
    assert report["roots"][0]["sha256"] == fp_of(inter_lab.inspection_ca)
    assert fp_of(out) == fp_of(inter_lab.inspection_ca)
    assert main(["--lang", "ja", *args]) == 0
    ja = capsys.readouterr().out
    assert "AIA の caIssuers URL" in ja and "に書き出しました" in ja
    host = ["--host", inter_lab.bypassed[0]]
    assert main(["ca", "export", "--lab", str(inter_lab.state_dir), *host]) == 1
    assert "is not intercepted" in capsys.readouterr().err


def test_cli_export_to_stdout_in_a_real_process(
    inter_lab: LabState, tmp_path: Path, clean_env: dict[str, str]
) -> None:
    env = {**clean_env, "TLSDOCTOR_SYSROOT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", "ca", "export", "--lab", str(inter_lab.state_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == inter_lab.inspection_ca.read_text()
    assert "Found the inspection root CA of site1.test" in done.stderr


def test_export_all_lists_only_what_the_organisation_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corp = certfactory.make_ca("Corp Inspection Root")
    public = Path(certifi.where()).read_bytes()
    plant(tmp_path, "etc/ssl/certs/ca-certificates.crt", public + corp.pem)
    plant(tmp_path, "usr/local/share/ca-certificates/corp-copy.crt", corp.pem)
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path))
    out = tmp_path / "org.pem"
    assert main(["ca", "export", "--all", "--out", str(out)]) == 0
    assert [sha256_fingerprint(c) for c in load_certificate_file(out)] == [
        sha256_fingerprint(corp.cert)
    ]
    assert "Corp Inspection Root" in capsys.readouterr().out


def test_export_all_tells_former_public_roots_from_organisation_roots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """TrustCor and AffirmTrust were in Mozilla's set (Debian 2023 still ships them), not in
    the installed certifi: public roots, not what the organisation added."""
    corp = certfactory.make_ca("Corp Inspection Root")
    former = (DATA / "former-public-roots.pem").read_bytes()
    former_fps = sorted(
        sha256_fingerprint(c) for c in load_certificate_file(DATA / "former-public-roots.pem")
    )
    public = Path(certifi.where()).read_bytes()
    plant(tmp_path, "etc/ssl/certs/ca-certificates.crt", public + former + corp.pem)
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path))
    out = tmp_path / "org.pem"
    assert main(["ca", "export", "--all", "--json", "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [r["sha256"] for r in report["roots"]] == [sha256_fingerprint(corp.cert)]
    assert sorted(r["sha256"] for r in report["other_public_roots"]) == former_fps
    assert [sha256_fingerprint(c) for c in load_certificate_file(out)] == [
        sha256_fingerprint(corp.cert)
    ]
    assert main(["ca", "export", "--all", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2 more trusted roots are public (no longer in, or not yet in, the installed" in text
    assert "TrustCor RootCert CA-1" in text


def test_without_host_the_first_intercepted_host_is_used(
    inter_lab: LabState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("tlsdoctor.core.detect.DEFAULT_HOSTS", tuple(inter_lab.hosts))
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path / "empty"))
    net = ["--proxy", inter_lab.proxy_url, "--roots", str(inter_lab.public_root)]
    assert main(["ca", "export", *net, "--out", str(tmp_path / "ca.pem")]) == 0
    out = capsys.readouterr().out
    assert f"Found the inspection root CA of {inter_lab.intercepted[0]}" in out
    assert fp_of(tmp_path / "ca.pem") == fp_of(inter_lab.inspection_ca)
    # bundle without --ca does the same (through the environment's proxy)
    monkeypatch.setenv("HTTPS_PROXY", inter_lab.proxy_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    bundle_path = tmp_path / "b.pem"
    args = ["bundle", "--roots", str(inter_lab.public_root), "--out", str(bundle_path), "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert [c["sha256"] for c in report["cas"]] == [fp_of(inter_lab.inspection_ca)]


def test_cli_fake_os_store_through_tlsdoctor_sysroot(
    inter_lab: LabState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The Linux reader pointed at a temp tree: the CA is in the distribution bundle there."""
    store = plant(
        tmp_path,
        "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        Path(certifi.where()).read_bytes() + inter_lab.inspection_ca.read_bytes(),
    )
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path))
    args = ["ca", "export", "--lab", str(inter_lab.state_dir), "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["method"], report["source"]) == ("os-store", str(store))
    assert report["roots"][0]["sha256"] == fp_of(inter_lab.inspection_ca)
    assert "Intermediate" in report["intermediates"][0]["subject"]


@pytest.fixture(scope="module")
def other_chain_lab(start_lab_module: Callable[..., LabState]) -> LabState:
    return start_lab_module(ca_chain=True)


def test_bundle_check_host_compares_with_the_ca_presented_now(
    chain_lab: LabState,
    other_chain_lab: LabState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The bundle holds lab A's CA; through lab B's proxy the host presents another CA."""
    assert fp_of(chain_lab.inspection_ca) != fp_of(other_chain_lab.inspection_ca)
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path / "empty"))
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    bundle_path = tmp_path / "b.pem"
    built = ["bundle", "--ca", str(chain_lab.inspection_ca), "--out", str(bundle_path)]
    assert main([*built, "--roots", str(chain_lab.public_root)]) == 0
    capsys.readouterr()
    for lab, expected in ((chain_lab, []), (other_chain_lab, ["ca-rotated"])):
        monkeypatch.setenv("HTTPS_PROXY", lab.proxy_url)
        host = lab.intercepted[0]
        args = ["bundle", "--check", "--json", "--out", str(bundle_path), "--host", host]
        code = main([*args, "--roots", str(lab.public_root)])
        report = json.loads(capsys.readouterr().out)
        assert [f["id"] for f in report["findings"]] == expected
        assert code == (1 if expected else 0)


def test_cli_export_lab_without_interception_follows_the_lab_host(
    start_lab_module: Callable[..., LabState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Not detect's public default hosts through the lab's proxy: the lab's own first host."""
    clean_lab = start_lab_module(no_intercept=True)
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path / "empty"))
    assert main(["ca", "export", "--lab", str(clean_lab.state_dir), "--json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert (report["status"], report["host"]) == ("not-intercepted", clean_lab.hosts[0])
    assert "looking for an intercepted host" not in captured.err
