"""The root search on its own: deep chains, public issuers, decoys and AIA answers."""

from __future__ import annotations

import certfactory
import pytest
from cryptography.hazmat.primitives import serialization

from tlsdoctor.core.caexport import Candidate, chain_top, find_root
from tlsdoctor.core.x509 import format_fingerprint, sha256_fingerprint

ROOT = certfactory.make_ca("Deep Root")
INTER1 = certfactory.make_ca("Deep Intermediate 1", issuer=ROOT, aia_url="http://aia.test/root.crt")
INTER2 = certfactory.make_ca("Deep Intermediate 2", issuer=INTER1, aia_url="http://aia.test/i1.crt")
LEAF = certfactory.make_leaf("deep.test", INTER2)
PUBLIC = certfactory.make_ca("Some Public Root")


def fp(cert: object) -> str:
    return sha256_fingerprint(cert)  # type: ignore[arg-type]


def served(table: dict[str, bytes]):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def fetch(url: str, proxy: str | None, timeout: float) -> bytes:
        calls.append(url)
        return table[url]

    fetch.calls = calls  # type: ignore[attr-defined]
    return fetch


def test_chain_top_follows_signatures_not_order() -> None:
    top, path = chain_top([LEAF.cert, ROOT.cert, INTER1.cert, INTER2.cert])
    assert fp(top) == fp(ROOT.cert)
    assert [fp(c) for c in path] == [fp(INTER2.cert), fp(INTER1.cert), fp(ROOT.cert)]


def test_three_deep_chain_climbs_through_os_store_then_agent_file() -> None:
    candidates = [
        Candidate(INTER1.cert, "os-store", "store"),
        Candidate(ROOT.cert, "agent-file", "Netskope: nscacert.pem"),
    ]
    result = find_root(
        [LEAF.cert, INTER2.cert], public=[PUBLIC.cert], candidates=candidates, fetch=served({})
    )
    assert (result.status, result.method, result.source) == (
        "found",
        "agent-file",
        "Netskope: nscacert.pem",
    )
    assert [fp(c) for c in result.roots] == [fp(ROOT.cert)]
    assert [fp(c) for c in result.intermediates] == [fp(INTER2.cert), fp(INTER1.cert)]


def test_aia_twice_to_reach_the_root() -> None:
    der = serialization.Encoding.DER
    fetch = served(
        {
            "http://aia.test/i1.crt": INTER1.cert.public_bytes(der),
            "http://aia.test/root.crt": ROOT.cert.public_bytes(der),
        }
    )
    result = find_root([LEAF.cert, INTER2.cert], public=[], candidates=[], fetch=fetch)
    assert (result.status, result.method, result.source) == (
        "found",
        "aia",
        "http://aia.test/root.crt",
    )
    assert fetch.calls == ["http://aia.test/i1.crt", "http://aia.test/root.crt"]  # type: ignore[attr-defined]
    advice = [n for n in result.notes if "confirm its SHA-256 fingerprint" in n]
    assert advice == [
        "this root was downloaded from the AIA URL: before trusting it, confirm its SHA-256 "
        f"fingerprint {format_fingerprint(fp(ROOT.cert))} with your IT department"
    ]


def test_https_aia_is_never_fetched() -> None:
    inter = certfactory.make_ca("TLS AIA", issuer=ROOT, aia_url="https://aia.test/root.crt")
    leaf = certfactory.make_leaf("x.test", inter)
    fetch = served({})
    result = find_root([leaf.cert, inter.cert], public=[], fetch=fetch)
    assert result.status == "not-found" and fetch.calls == []  # type: ignore[attr-defined]
    assert any("only plain http://" in note for note in result.notes)


def test_name_match_without_signature_is_ignored() -> None:
    decoy = certfactory.make_ca("decoy", subject=ROOT.cert.subject)
    result = find_root(
        [LEAF.cert, INTER2.cert, INTER1.cert],
        public=[],
        candidates=[Candidate(decoy.cert, "os-store", "store")],
        use_aia=False,
    )
    assert result.status == "not-found" and result.roots == []
    assert result.ask_it is not None
    assert result.ask_it.issuer == "CN=Deep Root,O=tlsdoctor tests"
    (note,) = result.notes  # the user is told why the same-name certificate was not used
    assert note.startswith("store holds a certificate named CN=Deep Root,O=tlsdoctor tests")
    assert "but its key did not sign CN=Deep Intermediate 1" in note


def test_public_chain_is_not_inspection() -> None:
    inter = certfactory.make_ca("Public Intermediate", issuer=PUBLIC)
    leaf = certfactory.make_leaf("public.test", inter)
    result = find_root([leaf.cert, inter.cert], public=[PUBLIC.cert], use_aia=False)
    assert result.status == "not-intercepted"
    assert result.public_root == "CN=Some Public Root,O=tlsdoctor tests"


def test_self_signed_server_has_no_ca() -> None:
    key = certfactory.ec_key()
    selfie = certfactory.make_ca("selfie.test", key=key, with_bc=False, key_usage=False)
    result = find_root([selfie.cert], public=[])
    assert result.status == "self-signed-server"


@pytest.mark.parametrize("chain", [[], None])
def test_no_chain(chain: list | None) -> None:  # type: ignore[type-arg]
    assert find_root(chain or [], public=[]).status == "no-chain"


def test_public_roots_history_is_well_formed() -> None:
    import re

    import certifi

    from tlsdoctor._data import load_data
    from tlsdoctor.core.x509 import parse_pem_tolerant

    entries = load_data("public_roots_history.toml")["root"]
    fps = [e["sha256"] for e in entries]
    assert len(fps) == len(set(fps)) and len(fps) > 150
    assert all(re.fullmatch(r"[0-9a-f]{64}", e["sha256"]) and e["seen_in"] for e in entries)
    with open(certifi.where(), "rb") as handle:
        installed = {fp(c) for c in parse_pem_tolerant(handle.read())}
    assert len(set(fps) - installed) > 20  # the list knows more than the installed certifi


def test_export_json_without_an_intercepted_host_still_prints_a_document(
    isolated_process_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json
    import socket

    from tlsdoctor.cli.main import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setattr("tlsdoctor.core.detect.DEFAULT_HOSTS", (closed,))
    assert main(["ca", "export", "--json", "--no-proxy", "--timeout", "2"]) == 3
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert (data["status"], data["verdict"], data["host"], data["roots"]) == (
        "no-intercepted-host",
        "inconclusive",
        None,
        [],
    )
    message = "no intercepted host found among the default hosts (verdict: inconclusive)"
    assert data["error"].startswith(message)
    assert message in captured.err


@pytest.mark.parametrize(
    ("host", "port", "shown"),
    [("127.0.0.1", 1, "127.0.0.1:1"), ("::1", 8443, "[::1]:8443"), ("a.test", 443, "a.test")],
)
def test_export_messages_name_the_port_as_detect_does(host: str, port: int, shown: str) -> None:
    import io

    from rich.console import Console

    from tlsdoctor.core.caexport import ExportResult
    from tlsdoctor.render.ca import render_export

    out = io.StringIO()
    result = ExportResult(status="no-chain", host=host, port=port, error="refused")
    render_export(Console(file=out, width=200), result, None)
    assert out.getvalue() == f"{shown}: no certificate chain (refused)\n"


def test_no_intercepted_host_names_the_verdict_in_japanese(
    isolated_process_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ca export and bundle say detect's verdict in the user's language ('判定：inconclusive'
    reached Japanese users)."""
    import socket

    from tlsdoctor.cli.main import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setattr("tlsdoctor.core.detect.DEFAULT_HOSTS", (closed,))
    assert main(["--lang", "ja", "ca", "export", "--no-proxy", "--timeout", "2"]) == 3
    err = capsys.readouterr().err
    assert "（判定：判定不能）" in err and "inconclusive" not in err
    assert main(["--lang", "ja", "bundle"]) == 3  # as ca export
    err = capsys.readouterr().err
    assert "（判定：判定不能）" in err and "inconclusive" not in err


@pytest.mark.parametrize("command", ["ca", "bundle"])
def test_no_intercepted_host_names_the_verdict_in_the_users_language(command: str) -> None:
    """One table serves 'ca export' and 'bundle': each verdict is translated with its sentence,
    and each command names its own way out."""
    from tlsdoctor import i18n
    from tlsdoctor.core.caexport import no_intercepted_host_message

    way_out = "--host HOST" if command == "ca" else "--ca FILE"
    i18n.set_language("ja")
    try:
        said = {v: no_intercepted_host_message(command, v) for v in ("clean", "inconclusive")}
        other = no_intercepted_host_message(command, "something-new")
    finally:
        i18n.set_language("en")
    assert "インスペクションなし" in said["clean"] and "判定不能" in said["inconclusive"]
    assert all(way_out in text and "verdict" not in text for text in said.values())
    assert "something-new" in other and way_out in other
    english = no_intercepted_host_message(command, "clean")
    assert "(verdict: clean)" in english and way_out in english
