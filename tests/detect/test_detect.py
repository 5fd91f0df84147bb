"""detect() on loopback worlds we build: verdicts, products, inspection CAs, summaries, JSON."""

from __future__ import annotations

import json
import socket

import pytest
from detect_world import ConnectProxy, World, make_ca, make_name
from hypothesis import given, settings
from hypothesis import strategies as st

from tlsdoctor.core.detect import DetectReport, detect
from tlsdoctor.core.trust import RootStore, fingerprint

NO_OS_ROOTS = RootStore("os", None, ())
HOSTS = ["alpha.test", "beta.test", "gamma.test"]


def run_detect(world: World, routes: dict[str, int], **kw: object) -> DetectReport:
    proxy = world.add(ConnectProxy(routes))
    assert isinstance(proxy, ConnectProxy)
    options: dict[str, object] = {
        "proxy": proxy.url,
        "use_env_proxy": False,
        "roots_path": str(world.public_pem()),
        "os_store": NO_OS_ROOTS,
        "timeout": 3,
        "deadline": 6,
    }
    options.update(kw)
    hosts = list(options.pop("hosts", routes))  # type: ignore[call-overload]
    return detect(hosts, **options)  # type: ignore[arg-type]


def test_clean(world: World) -> None:
    routes = {h: world.public_site(h).port for h in HOSTS}
    report = run_detect(world, routes)
    assert report.verdict == "clean"
    assert report.exit_code == 0
    assert report.products == [] and report.inspection_cas == []
    assert [h.status for h in report.hosts] == ["clean"] * 3
    assert all(h.trusted_public and not h.trusted_os for h in report.hosts)
    assert report.summary == [
        "every reachable host presents a chain the public roots trust: no TLS inspection seen"
    ]


def test_known_product_with_the_root_in_the_chain(world: World) -> None:
    root = make_ca(make_name("Zscaler Root CA", "Zscaler Inc."))
    inter = make_ca(
        make_name("Zscaler Intermediate Root CA (zscalerthree.net) (t)", "Zscaler Inc."), root
    )
    routes = {h: world.signed_by(inter, h, send_root=True).port for h in HOSTS}
    report = run_detect(world, routes)
    assert report.verdict == "intercepted"
    assert report.exit_code == 1
    assert report.products == ["Zscaler"]
    [ca] = report.inspection_cas
    assert ca.certificate == root.cert
    assert ca.sha256 == fingerprint(root.cert)
    assert ca.subject == "O=Zscaler Inc.,CN=Zscaler Root CA"
    assert ca.in_os_store is False
    assert ca.presented == [inter.cert]
    assert ca.hosts == HOSTS
    assert report.summary[:3] == [
        "one issuer, Zscaler Root CA, re-signs 3 unrelated hosts",
        "product: Zscaler",
        "your OS does not trust it either: browsers and tools will show certificate errors "
        "until the inspection CA is installed",
    ]


def test_admin_named_ca_is_named_by_structure(world: World) -> None:
    admin = make_ca(make_name("ACME Corp Inspection CA", "ACME Corp"))
    routes = {h: world.signed_by(admin, h).port for h in HOSTS[:2]}
    report = run_detect(world, routes)
    assert report.verdict == "intercepted"
    assert report.products == ["unknown (admin-named CA)"]
    assert [h.product for h in report.hosts] == ["unknown (admin-named CA)"] * 2
    [ca] = report.inspection_cas
    assert (ca.sha256, ca.certificate) == (None, None)  # neither sent nor in the OS store
    assert ca.subject == "O=ACME Corp,CN=ACME Corp Inspection CA"


def test_one_unknown_issuer_on_one_host_is_not_called_interception(world: World) -> None:
    admin = make_ca(make_name("Internal Server CA", "ACME Corp"))
    routes = {"intranet.test": world.signed_by(admin, "intranet.test").port}
    report = run_detect(world, routes)
    assert report.verdict == "inconclusive"
    assert report.exit_code == 3
    [host] = report.hosts
    assert (host.status, host.product, host.error_kind) == ("error", None, "untrusted")
    assert host.error == "not trusted by the public roots: unable to get local issuer certificate"


def test_os_store_root_marks_interception_and_is_exported(world: World) -> None:
    admin = make_ca(make_name("Corp Root", "Corp"))
    routes = {"one.test": world.signed_by(admin, "one.test").port}
    report = run_detect(world, routes, os_store=RootStore("os", "/x", (admin.cert,)))
    assert report.verdict == "intercepted"
    [host] = report.hosts
    assert (host.trusted_public, host.trusted_os) == (False, True)
    [ca] = report.inspection_cas
    assert ca.in_os_store and ca.certificate == admin.cert
    assert (
        "your OS trusts it, so browsers work; tools with their own roots "
        "(Python certifi, Node, Java) will fail"
    ) in report.summary


def test_partial_when_some_hosts_are_bypassed(world: World) -> None:
    root = make_ca(make_name("FortiGate CA", "Fortinet"))
    routes = {
        "alpha.test": world.signed_by(root, "alpha.test").port,
        "beta.test": world.signed_by(root, "beta.test").port,
        "bank.test": world.public_site("bank.test").port,
    }
    report = run_detect(world, routes)
    assert report.verdict == "partial"
    assert report.products == ["FortiGate"]
    assert {h.host: h.status for h in report.hosts} == {
        "alpha.test": "intercepted",
        "beta.test": "intercepted",
        "bank.test": "clean",
    }


def test_strict_defects_of_the_inspection_ca_are_reported(world: World) -> None:
    lax = make_ca(make_name("mitmproxy", "mitmproxy"), critical_bc=False)
    routes = {h: world.signed_by(lax, h, send_root=True).port for h in HOSTS[:2]}
    report = run_detect(world, routes)
    assert report.verdict == "intercepted"
    for host in report.hosts:
        assert host.strict_findings[0] == (
            "Python 3.13+ (VERIFY_X509_STRICT) rejects this chain: "
            "Basic Constraints of CA cert not marked critical"
        )


def test_no_network_is_inconclusive(world: World) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    report = detect(
        None,  # the default public hosts: never contacted, the proxy is a closed port
        proxy=f"http://127.0.0.1:{port}",
        os_store=NO_OS_ROOTS,
        timeout=2,
        deadline=4,
    )
    assert report.verdict == "inconclusive"
    assert len(report.hosts) == 8
    assert {h.error_kind for h in report.hosts} == {"proxy"}
    assert report.summary[0] == "no host could be checked: no TLS handshake completed"


def test_proxy_authentication_is_not_a_tls_problem(world: World) -> None:
    server = world.public_site("alpha.test")
    proxy = world.add(ConnectProxy({"alpha.test": server.port}, auth="u:p"))
    assert isinstance(proxy, ConnectProxy)
    report = detect(
        ["alpha.test"], proxy=proxy.url, roots_path=str(world.public_pem()), os_store=NO_OS_ROOTS
    )
    assert report.verdict == "inconclusive"
    assert report.hosts[0].error_kind == "proxy_auth"
    assert report.summary[-1].startswith("the proxy requires authentication (HTTP 407)")
    ok = detect(
        ["alpha.test"],
        proxy=proxy.url.replace("//", "//u:p@"),
        roots_path=str(world.public_pem()),
        os_store=NO_OS_ROOTS,
    )
    assert ok.verdict == "clean"


def test_json_has_the_documented_schema(world: World) -> None:
    root = make_ca(make_name("Cisco Umbrella Root CA", "Cisco"))
    routes = {h: world.signed_by(root, h, send_root=True).port for h in HOSTS[:2]}
    routes["down.test"] = 1
    data = run_detect(world, routes).to_json()
    assert list(data) == [
        "verdict",
        "products",
        "inspection_cas",
        "hosts",
        "summary",
        "public_roots",
        "os_roots",
    ]
    assert data["verdict"] == "intercepted"
    assert data["products"] == ["Cisco Umbrella"]
    assert data["inspection_cas"] == [
        {
            "subject": "O=Cisco,CN=Cisco Umbrella Root CA",
            "sha256": fingerprint(root.cert),
            "in_os_store": False,
            "product": "Cisco Umbrella",
            "hosts": ["alpha.test", "beta.test"],
        }
    ]
    first, _, down = data["hosts"]
    assert {k: first[k] for k in list(first)[:8]} == {
        "host": "alpha.test",
        "port": 443,
        "status": "intercepted",
        "issuer": "O=Cisco,CN=Cisco Umbrella Root CA",
        "product": "Cisco Umbrella",
        "trusted_public": False,
        "trusted_os": False,
        "error": None,
    }
    assert (down["status"], down["issuer"], down["error_kind"]) == ("error", None, "refused")
    assert down["error"] == "the proxy could not reach the host: HTTP/1.1 502 Bad Gateway"


@pytest.mark.parametrize("lang", ["ja"])
def test_summaries_are_translated(world: World, lang: str) -> None:
    from tlsdoctor import i18n

    routes = {h: world.public_site(h).port for h in HOSTS[:1]}
    i18n.set_language(lang)
    try:
        report = run_detect(world, routes)
    finally:
        i18n.set_language("en")
    assert report.summary == [
        "到達できたすべてのホストが公開ルートで信頼されるチェーンを提示しました。"
        "TLS インスペクションは見られません"
    ]


def test_two_names_of_one_company_signed_by_its_private_ca_are_not_interception(
    world: World,
) -> None:
    private = make_ca(make_name("Corp Internal CA", "Corp"))
    routes = {h: world.signed_by(private, h).port for h in ("a.corp.test", "b.corp.test")}
    report = run_detect(world, routes)
    assert report.verdict == "inconclusive"
    assert [h.status for h in report.hosts] == ["error", "error"]


@pytest.mark.parametrize(
    ("host", "owner_name"),
    [
        ("www.example.com", "example.com"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("site1.test", "site1.test"),
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
    ],
)
def test_owner(host: str, owner_name: str) -> None:
    from tlsdoctor.core.detect import owner

    assert owner(host) == owner_name


def test_show_checks_the_host_name_as_detect_does(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from tlsdoctor.cli.main import main

    port = world.public_site("otherhost.test").port
    proxy = world.add(ConnectProxy({"wronghost.test": port, "otherhost.test": port}))
    assert isinstance(proxy, ConnectProxy)
    args = ["--proxy", proxy.url, "--roots", str(world.public_pem())]
    assert main(["show", "wronghost.test", "--json", *args]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["trusted_public"], data["hostname_valid"]) == (True, False)
    assert data["hostname_error"] == "the certificate is not valid for wronghost.test"
    assert main(["show", "wronghost.test", *args]) == 1
    assert "issued for wronghost.test: no\n" in capsys.readouterr().out
    assert main(["show", "otherhost.test", "--json", *args]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["hostname_valid"], data["hostname_error"]) == (True, None)


def test_json_keeps_the_product_in_english_under_japanese(world: World) -> None:
    import io

    from rich.console import Console

    from tlsdoctor import i18n
    from tlsdoctor.render.detect import render_report

    admin = make_ca(make_name("ACME Corp Inspection CA", "ACME Corp"))
    routes = {h: world.signed_by(admin, h).port for h in HOSTS}
    out = io.StringIO()
    i18n.set_language("ja")
    try:
        data = run_detect(world, routes).to_json()
        render_report(run_detect(world, routes), Console(file=out, width=200))
    finally:
        i18n.set_language("en")
    unknown = "unknown (admin-named CA)"
    assert data["products"] == [unknown]
    assert [h["product"] for h in data["hosts"]] == [unknown] * 3
    assert data["inspection_cas"][0]["product"] == unknown
    assert unknown not in out.getvalue()  # people read it in their language
    assert out.getvalue().count("不明（管理者が命名した CA）") == 4  # three rows, one summary line


def test_one_host_written_several_ways_is_probed_once(world: World) -> None:
    root = make_ca(make_name("Zscaler Root CA", "Zscaler Inc."))
    port = world.signed_by(root, "alpha.test", send_root=True).port
    spellings = ["alpha.test", "alpha.test:443", "ALPHA.TEST", "alpha.test.", "Alpha.Test.:443"]
    report = run_detect(world, {"alpha.test": port}, hosts=spellings)
    assert [h.label for h in report.hosts] == ["alpha.test"]
    assert report.inspection_cas[0].hosts == ["alpha.test"]
    assert report.summary[0] == "Zscaler Root CA re-signs alpha.test"


def test_unique_targets_keeps_the_first_spelling_and_other_ports() -> None:
    from tlsdoctor.core.probe import Target, parse_target, unique_targets

    written = [
        "B.test",
        "b.test:443",
        "b.test:8443",
        "::1",
        "[0:0::1]:443",
        "bücher.test",
        "BÜCHER.test",
    ]
    assert unique_targets(parse_target(t) for t in written) == [
        Target("B.test", 443),
        Target("b.test", 8443),
        Target("::1", 443),
        Target("bücher.test", 443),
    ]


def test_show_and_detect_in_japanese_use_one_colon_and_translate_the_verdict(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from rich.console import Console

    from tlsdoctor import i18n
    from tlsdoctor.cli.main import main
    from tlsdoctor.render.detect import render_report

    port = world.public_site("otherhost.test").port
    proxy = world.add(ConnectProxy({"wronghost.test": port}))
    assert isinstance(proxy, ConnectProxy)
    args = ["--proxy", proxy.url, "--roots", str(world.public_pem())]
    assert main(["--lang", "ja", "show", "wronghost.test", *args]) == 1
    shown = capsys.readouterr().out
    assert "公開ルートで信頼：はい\n" in shown and "wronghost.test 向けに発行：いいえ\n" in shown
    assert "[0] リーフ：" in shown and "発行者：" in shown
    assert "basicConstraints（基本制約）：" in shown
    assert not [line for line in shown.splitlines() if ": " in line], shown
    out = io.StringIO()
    i18n.set_language("ja")
    try:
        routes = {h: world.public_site(h).port for h in HOSTS[:1]}
        render_report(run_detect(world, routes), Console(file=out, width=200))
    finally:
        i18n.set_language("en")
    shown = out.getvalue()
    assert shown.startswith("判定：インスペクションなし（TLS インスペクションは見られません）\n")
    assert "傍受" not in shown


def test_clean_with_failing_hosts_says_how_many_were_not_checked(world: World) -> None:
    routes = {
        "alpha.test": world.public_site("alpha.test").port,
        "expired.test": world.public_site("expired.test", expired=True).port,
    }
    report = run_detect(world, routes, hosts=[*routes, "down.test"])
    assert report.verdict == "clean"
    assert report.summary[:3] == [
        "no TLS inspection seen on 1 of the 3 hosts (chains the public roots trust); "
        "2 could not be checked or have certificate problems of their own (below)",
        "chains the public roots do not trust, with no sign of re-signing: expired.test",
        "could not be checked: down.test",
    ]


def test_proxy_answers_are_not_a_reason_to_use_a_proxy(world: World) -> None:
    report = run_detect(world, {}, hosts=["down.test", "gone.test"])
    assert report.verdict == "inconclusive"
    assert [h.error_kind for h in report.hosts] == ["refused", "refused"]
    assert report.summary == [
        "no host could be checked: no TLS handshake completed",
        "the proxy answered but could not reach these hosts (see the details): they may be "
        "down, or blocked by the proxy",
    ]


def test_a_root_that_can_be_fetched_points_to_ca_export(world: World) -> None:
    import certfactory

    root = make_ca(make_name("Palo Alto Forward Trust Root", "Corp"))
    inter = certfactory.make_ca(
        make_name("Forward Trust CA", "Corp"), issuer=root, aia_url="http://127.0.0.1:9/r.crt"
    )
    routes = {h: world.signed_by(inter, h).port for h in HOSTS[:2]}
    report = run_detect(world, routes)
    assert report.verdict == "intercepted"
    assert report.summary[-1] == (
        "the proxy does not send its root and the OS store does not hold it, but its "
        "certificate says where to fetch it: run 'tlsdoctor ca export' (it checks the "
        "signature), or ask IT for the CA certificate"
    )


_WORDS = st.sampled_from(
    ["self-signed", "wronghost.test", "CA", "証明書", "は", "有効", "：", "。"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_WORDS, st.booleans()), min_size=1, max_size=12), st.integers(2, 30))
def test_a_wrapped_cell_keeps_every_word_whole_that_fits(
    pieces: list[tuple[str, bool]], width: int
) -> None:
    """Table cells break at spaces and between Japanese characters: an English word is cut only
    when it is wider than the column itself (then folded, e.g. a fingerprint)."""
    import io

    from rich.console import Console
    from rich.text import Text

    from tlsdoctor.render.detect import WordWrapped
    from tlsdoctor.render.text import display_width

    # English words end at a space or at a Japanese character: two glued are one word.
    glued = [(w, spaced or w.isascii()) for w, spaced in pieces]
    text = "".join(word + (" " if spaced else "") for word, spaced in glued).strip()
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(WordWrapped(Text(text)))
    lines = out.getvalue().splitlines()
    assert all(display_width(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())  # nothing lost or added
    for word in ("self-signed", "wronghost.test"):
        if word in text and len(word) <= width:
            assert text.count(word) == sum(line.count(word) for line in lines), lines
