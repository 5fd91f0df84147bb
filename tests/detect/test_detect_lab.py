"""detect / show against the real lab: mitmproxy re-signing local TLS sites on loopback."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from cli_runner import run_cli
from cryptography import x509

from tlsdoctor.core.detect import DetectReport, detect
from tlsdoctor.core.show import show
from tlsdoctor.core.trust import RootStore, fingerprint
from tlsdoctor.core.x509 import format_fingerprint
from tlsdoctor.lab.state import LabState
from tlsdoctor.render.text import display_width

pytestmark = pytest.mark.lab

NO_OS_ROOTS = RootStore("os", None, ())


def lab_detect(state: LabState, hosts: list[str] | None = None, **kw: object) -> DetectReport:
    options: dict[str, object] = {
        "proxy": state.authenticated_proxy_url,
        "use_env_proxy": False,
        "roots_path": str(state.public_root),
        "os_store": NO_OS_ROOTS,
        "timeout": 3,
        "deadline": 8,
    }
    options.update(kw)
    return detect(hosts or state.hosts, **options)  # type: ignore[arg-type]


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_default_lab_is_mitmproxy(lab: LabState) -> None:
    report = lab_detect(lab)
    assert report.verdict == "intercepted"
    assert report.products == ["mitmproxy"]
    assert [h.status for h in report.hosts] == ["intercepted"] * 3
    assert all(h.product == "mitmproxy" for h in report.hosts)
    [ca] = report.inspection_cas
    assert ca.subject == "O=mitmproxy,CN=mitmproxy"
    assert ca.sha256 is None  # mitmproxy sends the leaf only and our OS store is empty
    assert report.summary[0] == "one issuer, mitmproxy, re-signs 3 unrelated hosts"


@pytest.mark.parametrize(
    ("vendor", "product"),
    [
        # zscaler, netskope and fortigate are named in the tests below (one lab each)
        ("umbrella", "Cisco Umbrella"),
        ("paloalto", "Palo Alto Networks (Forward Trust CA)"),
    ],
)
def test_each_vendor_profile_is_named(start_lab: object, vendor: str, product: str) -> None:
    state = start_lab(vendor=vendor)  # type: ignore[operator]
    report = lab_detect(state)
    assert report.verdict == "intercepted"
    assert report.products == [product]
    assert {h.product for h in report.hosts} == {product}


def test_admin_named_ca(start_lab: object) -> None:
    state = start_lab(ca_name="CN=ACME Corp Inspection CA,O=ACME Corp")  # type: ignore[operator]
    report = lab_detect(state)
    assert report.verdict == "intercepted"
    assert report.products == ["unknown (admin-named CA)"]
    assert report.inspection_cas[0].name == "ACME Corp Inspection CA"


def test_chain_with_root_gives_the_exact_inspection_ca(start_lab: object) -> None:
    state = start_lab(vendor="zscaler", ca_chain=True)  # type: ignore[operator]
    report = lab_detect(state)
    assert report.verdict == "intercepted"
    assert report.products == ["Zscaler"]
    [ca] = report.inspection_cas
    root = cert(state.inspection_ca)
    assert ca.certificate == root
    assert ca.sha256 == fingerprint(root)
    assert state.inspection_intermediate is not None
    assert ca.presented == [cert(state.inspection_intermediate)]
    assert report.hosts[0].root == root.subject.rfc4514_string()


def test_partial_with_a_bypassed_host_and_os_trust(start_lab: object) -> None:
    state = start_lab(vendor="netskope", bypass=["bank.test"])  # type: ignore[operator]
    os_store = RootStore("os", "test", (cert(state.inspection_ca),))
    report = lab_detect(state, os_store=os_store)
    assert report.verdict == "partial"
    assert report.products == ["Netskope"]
    assert {h.host: h.status for h in report.hosts} == {
        "site1.test": "intercepted",
        "site2.test": "intercepted",
        "bank.test": "clean",
    }
    [ca] = report.inspection_cas
    assert ca.in_os_store and ca.certificate == cert(state.inspection_ca)
    assert report.hosts[0].trusted_os and not report.hosts[0].trusted_public
    assert (
        "your OS trusts it, so browsers work; tools with their own roots "
        "(Python certifi, Node, Java) will fail"
    ) in report.summary
    assert (
        "not inspected: bank.test (a bypass list). A CA file that replaces the default roots "
        "must hold the public roots too (a combined bundle), never the inspection CA alone"
    ) in report.summary


def test_clean_path_through_the_same_proxy(start_lab: object) -> None:
    state = start_lab(no_intercept=True)  # type: ignore[operator]
    report = lab_detect(state)
    assert report.verdict == "clean"
    assert report.exit_code == 0
    assert all(h.trusted_public and h.via_proxy for h in report.hosts)


def test_proxy_authentication_required(start_lab: object) -> None:
    state = start_lab(proxy_auth="user:secret")  # type: ignore[operator]
    denied = lab_detect(state, proxy=state.proxy_url)
    assert denied.verdict == "inconclusive"
    assert {h.error_kind for h in denied.hosts} == {"proxy_auth"}
    assert {h.error for h in denied.hosts} == {"proxy authentication required (HTTP 407)"}
    allowed = lab_detect(state)
    assert allowed.verdict == "intercepted"


def test_down_hanging_and_plain_hosts(lab: LabState) -> None:
    special = lab.special
    started = time.monotonic()
    report = lab_detect(
        lab, [special["down"], special["hang"], special["plain"]], timeout=1.0, deadline=3
    )
    assert time.monotonic() - started < 3.5
    kinds = {h.host: (h.status, h.error_kind) for h in report.hosts}
    assert kinds == {
        special["down"]: ("error", "refused"),
        special["hang"]: ("error", "timeout"),
        special["plain"]: ("error", "not_tls"),
    }
    assert report.verdict == "inconclusive"


def test_a_deadline_shorter_than_one_handshake_is_blamed_on_the_deadline(
    start_lab: object, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """Every handshake takes 500 ms: a 0.3 s --deadline cuts them all short. That is the run's
    limit, not the hosts' or the proxy's fault; a 0.3 s --timeout keeps its own message."""
    state = start_lab(handshake_delay_ms=500)  # type: ignore[operator]
    env = dict(clean_env, TLSDOCTOR_SYSROOT=str(tmp_path / "empty-sysroot"))
    lab_args = ["detect", "--lab", str(state.state_dir)]
    done = run_cli(*lab_args, "--deadline", "0.3", "--json", env=env)
    assert done.returncode == 3, done.stderr
    data = json.loads(done.stdout)
    cut = "the total deadline (--deadline 0.3 s) ran out during the TLS handshake"
    assert {(h["error_kind"], h["error"]) for h in data["hosts"]} == {("deadline", cut)}
    assert data["summary"] == [
        "no host could be checked: no TLS handshake completed",
        "the total deadline (--deadline) ran out before these hosts answered: site1.test, "
        "site2.test, bank.test; a larger --deadline gives them more time",
    ]
    japanese = run_cli("--lang", "ja", *lab_args, "--deadline", "0.3", env=env)
    cut_ja = "TLS ハンドシェイク中に全体の制限時間（--deadline 0.3 秒）を超えました"
    assert cut_ja in japanese.stdout
    assert "--deadline を大きくすると" in japanese.stdout
    own = run_cli(*lab_args, "--timeout", "0.3", "--json", env=env)
    data = json.loads(own.stdout)
    assert {(h["error_kind"], h["error"]) for h in data["hosts"]} == {
        ("timeout", "timed out during the TLS handshake")
    }
    assert data["summary"][-1].startswith("the proxy answered but could not reach these hosts")


def test_server_problems_are_not_interception(lab: LabState) -> None:
    special = lab.special
    names = [special["expired"], special["self_signed"], special["wrong_host"]]
    report = lab_detect(lab, names)
    by_host = {h.host: h for h in report.hosts}
    assert by_host[special["expired"]].error == (
        "not trusted by the public roots: certificate has expired"
    )
    assert by_host[special["self_signed"]].error == (
        "self-signed server certificate: self-signed certificate"
    )
    wrong = by_host[special["wrong_host"]]
    assert (wrong.status, wrong.error_kind) == ("clean", "hostname")
    assert report.products == []


def test_a_look_alike_passed_through_is_not_called_a_bypass_list(
    lab: LabState, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """wronghost.test is not re-signed (the proxy passes it through) but fails on its own name:
    it is named apart from the bypass list, whose advice (a combined bundle) cannot help it."""
    wrong = lab.special["wrong_host"]
    report = lab_detect(lab, ["site1.test", wrong])
    assert report.verdict == "partial"
    assert [h.status for h in report.hosts] == ["intercepted", "clean"]
    assert not [line for line in report.summary if line.startswith("not inspected")]
    assert (
        "not re-signed, but failing on a certificate problem of their own (see the details): "
        f"{wrong}"
    ) in report.summary
    env = dict(clean_env, TLSDOCTOR_SYSROOT=str(tmp_path / "empty-sysroot"))
    japanese = run_cli(
        "--lang", "ja", "detect", "--lab", str(lab.state_dir), "site1.test", wrong, env=env
    )
    assert japanese.returncode == 1, japanese.stderr
    assert japanese.stdout.startswith("判定：一部インスペクションあり（")
    assert f"{wrong}  なし\n" in japanese.stdout
    assert "除外リスト" not in japanese.stdout and "傍受" not in japanese.stdout
    assert f"ホスト自身の証明書に問題があるホスト：{wrong}（詳細を参照）" in japanese.stdout


def test_show_describes_the_re_signed_chain(start_lab: object) -> None:
    state = start_lab(vendor="fortigate", ca_chain=True)  # type: ignore[operator]
    report = show(
        "site1.test",
        proxy=state.proxy_url,
        use_env_proxy=False,
        roots_path=str(state.public_root),
        os_store=NO_OS_ROOTS,
    )
    assert report.product == "FortiGate"
    assert (report.trusted_public, report.trusted_os) == (False, False)
    assert report.public_error == "self-signed certificate in certificate chain"
    roles = [c.role for c in report.certificates]
    assert roles == ["leaf", "intermediate", "root"]
    assert report.certificates[0].sans[0] == "DNS:site1.test"
    assert report.certificates[2].sha256 == fingerprint(cert(state.inspection_ca))
    assert report.pem().count("BEGIN CERTIFICATE") == 3


def test_cli_detect_lab_json_and_human(
    lab: LabState, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(clean_env, TLSDOCTOR_SYSROOT=str(tmp_path / "empty-sysroot"))
    done = run_cli("detect", "--lab", str(lab.state_dir), "--json", env=env)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["verdict"] == "intercepted"
    assert data["products"] == ["mitmproxy"]
    assert [h["host"] for h in data["hosts"]] == lab.hosts
    assert done.stderr == ""
    human = run_cli("detect", "--lab", str(lab.state_dir), env=env)
    assert human.returncode == 1
    assert human.stdout.startswith("Verdict: intercepted: HTTPS is re-signed by an inspection CA")
    assert "one issuer, mitmproxy, re-signs 3 unrelated hosts" in human.stdout
    assert "\x1b[" not in human.stdout  # no colours when not a terminal
    japanese = run_cli("--lang", "ja", "detect", "--lab", str(lab.state_dir), env=env)
    assert japanese.stdout.startswith(
        "判定：インスペクションあり（HTTPS がインスペクション CA で再署名されています）\n"
    )
    assert "site1.test  インスペクションあり\n" in japanese.stdout
    assert "  公開ルートで信頼：いいえ\n" in japanese.stdout
    summary = "1 つの発行者 mitmproxy が、互いに無関係な 3 個のホストを再署名しています"
    assert summary in japanese.stdout
    assert "傍受" not in japanese.stdout and "：\n" not in japanese.stdout


def test_cli_detect_layouts_and_verbose_evidence(
    lab: LabState, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(clean_env, TLSDOCTOR_SYSROOT=str(tmp_path / "empty-sysroot"))
    data = json.loads(run_cli("detect", "--lab", str(lab.state_dir), "--json", env=env).stdout)
    # Not a terminal: 80 columns, one block per host, nothing broken inside a word.
    blocks = run_cli("detect", "--lab", str(lab.state_dir), "-v", env=env).stdout
    for host in data["hosts"]:
        assert f"\n{host['host']}  intercepted\n  issuer: mitmproxy\n" in blocks
        # the whole evidence, exactly (":ab:" in a fingerprint must stay as it is)
        assert f"  root: {host['root']}\n" in blocks
        assert f"  leaf SHA-256: {format_fingerprint(host['sha256'])}\n" in blocks
    wide = run_cli("detect", "--lab", str(lab.state_dir), env=dict(env, COLUMNS="160")).stdout
    assert "┃ Host " in wide
    for host in data["hosts"]:
        assert f"│ {host['host']} " in wide


@pytest.mark.parametrize("columns", [110, 130])
def test_the_table_breaks_japanese_details_between_words(
    lab: LabState, clean_env: dict[str, str], tmp_path: Path, columns: int
) -> None:
    """rich breaks only at spaces: a Japanese run glued to an English word was folded at the
    column's edge ("wronghost.t" / "est", "：sel" / "f-signed")."""
    special = lab.special
    hosts = [lab.hosts[0], special["expired"], special["wrong_host"], special["self_signed"]]
    env = dict(clean_env, TLSDOCTOR_SYSROOT=str(tmp_path / "empty"), COLUMNS=str(columns))
    done = run_cli("--lang", "ja", "detect", *hosts, f"--lab={lab.state_dir}", env=env)
    table = [line for line in done.stdout.splitlines() if line[:1] in "┏┃┡│└"]
    assert table, done.stdout
    assert max(display_width(line) for line in table) <= columns
    cells = [cell.strip() for line in table for cell in line[1:-1].split("│")]
    words = {word for cell in cells for word in cell.split()}
    for whole in ("wronghost.test", "selfsigned.test", "certificate", "self-signed"):
        assert whole in words or any(word.startswith(whole) for word in words), whole
    for word in words:  # every piece of English in a cell is a whole word of the message
        for english in re.findall(r"[A-Za-z][A-Za-z0-9.-]*", word):
            assert english in _DETAIL_WORDS, (english, done.stdout)


_DETAIL_WORDS = {
    *[
        "tlsdoctor",
        "Lab",
        "Public",
        "Root",
        "CA",
        "OS",
        "certificate",
        "has",
        "expired",
        "self-signed",
        "mitmproxy",
    ],
    "site1.test",
    "wronghost.test",
    "selfsigned.test",
    "expired.test",
}


def test_cli_show_pem_and_json(lab: LabState, clean_env: dict[str, str]) -> None:
    args = ["--proxy", lab.proxy_url, "--roots", str(lab.public_root)]
    pem = run_cli("show", "site2.test", "--pem", *args, env=clean_env)
    assert pem.returncode == 1  # not trusted by the public set
    certs = x509.load_pem_x509_certificates(pem.stdout.encode())
    assert certs[0].issuer.rfc4514_string() == "O=mitmproxy,CN=mitmproxy"
    data = json.loads(run_cli("show", "site2.test", "--json", *args, env=clean_env).stdout)
    assert data["product"] == "mitmproxy"
    assert data["chain"][0]["sans"][0] == "DNS:site2.test"
    tree = run_cli("show", "site2.test", *args, env=clean_env)
    assert "product: mitmproxy" in tree.stdout
    assert "SHA-256:" in tree.stdout
