"""probe / probe_many against real TLS servers and a CONNECT proxy on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from detect_world import (
    CannedAnswer,
    ConnectProxy,
    HangServer,
    PlainHTTPServer,
    World,
    make_ca,
    make_leaf,
    make_name,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from tlsdoctor.core.probe import (
    ProbeResult,
    Target,
    bypasses_proxy,
    parse_proxy,
    parse_target,
    probe,
    probe_many,
    proxy_from_environment,
)
from tlsdoctor.core.trust import fingerprint
from tlsdoctor.errors import UsageError


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_direct_probe_reads_the_presented_chain_and_sends_no_application_data(
    world: World,
) -> None:
    server = world.public_site("localhost")
    result = probe("localhost", server.port, use_env_proxy=False, timeout=5)
    assert result.error is None and result.error_kind is None
    assert [fingerprint(c) for c in result.chain] == [
        fingerprint(result.chain[0]),
        fingerprint(world.public_issuing.cert),
    ]
    assert result.chain[0].subject == make_name("localhost")
    assert server.sni == ["localhost"]
    time.sleep(0.2)
    assert server.received == [b""]  # only close_notify: no request was ever sent
    assert result.via_proxy is None


def test_every_probe_reads_the_whole_chain_again(world: World) -> None:
    # The probes share one OpenSSL context: a resumed session would present no certificate.
    server = world.public_site("localhost")
    results = [probe("localhost", server.port, use_env_proxy=False) for _ in range(3)]
    results += probe_many([("localhost", server.port)] * 3, use_env_proxy=False)
    assert [len(r.chain) for r in results] == [2] * 6


def test_ip_literals_send_no_sni(world: World) -> None:
    server = world.public_site("127.0.0.1")
    result = probe("127.0.0.1", server.port, use_env_proxy=False)
    assert result.ok
    assert server.sni == [None]


def test_ipv6_loopback_direct(world: World) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support in this Python")
    chain, key = make_leaf(world.public_issuing, "::1")
    try:
        server = world.serve(chain, key, family=socket.AF_INET6, host="::1")
    except OSError as err:
        pytest.skip(f"no IPv6 loopback here: {err}")
    target = parse_target(f"[::1]:{server.port}")
    assert target == Target("::1", server.port)
    result = probe(target.host, target.port, use_env_proxy=False)
    assert result.error is None
    assert fingerprint(result.chain[0]) == fingerprint(chain[0])


def test_refused_and_unresolvable() -> None:
    refused = probe("127.0.0.1", closed_port(), use_env_proxy=False)
    assert (refused.error_kind, refused.error) == ("refused", "connection refused")
    unknown = probe("no-such-host.invalid", 443, use_env_proxy=False, timeout=3)
    assert unknown.error_kind == "dns"
    assert unknown.chain == []


def test_a_server_that_never_answers_is_bounded_by_the_timeout(world: World) -> None:
    server = world.add(HangServer())
    started = time.monotonic()
    result = probe("127.0.0.1", server.port, use_env_proxy=False, timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert result.error_kind == "timeout"
    assert result.error == "timed out during the TLS handshake"


def test_a_plain_http_port_is_not_tls(world: World) -> None:
    server = world.add(PlainHTTPServer())
    result = probe("127.0.0.1", server.port, use_env_proxy=False)
    assert result.error_kind == "not_tls"
    assert result.error == "not a TLS server: it answered in plain HTTP (HTTP/1.1 400 Bad Request)"


def test_through_a_connect_proxy_with_idn_name(world: World) -> None:
    server = world.public_site("xn--bcher-kva.test")
    proxy = world.add(ConnectProxy({"xn--bcher-kva.test": server.port}))
    assert isinstance(proxy, ConnectProxy)
    result = probe("bücher.test", 443, proxy=proxy.url, use_env_proxy=False)
    assert result.error is None
    assert result.via_proxy == proxy.url
    assert proxy.requests[0].startswith("CONNECT xn--bcher-kva.test:443 HTTP/1.1\r\n")
    assert server.sni == ["xn--bcher-kva.test"]


def test_proxy_authentication(world: World) -> None:
    server = world.public_site("site.test")
    proxy = world.add(ConnectProxy({"site.test": server.port}, auth="user:p@ss"))
    assert isinstance(proxy, ConnectProxy)
    denied = probe("site.test", 443, proxy=proxy.url)
    assert denied.error_kind == "proxy_auth"
    assert denied.error == "proxy authentication required (HTTP 407)"
    wrong = probe("site.test", 443, proxy=proxy.url.replace("//", "//user:wrong@"))
    assert (wrong.error_kind, wrong.error) == (
        "proxy_auth",
        "the proxy rejected the credentials (HTTP 407)",
    )
    allowed = probe("site.test", 443, proxy=proxy.url.replace("//", "//user:p%40ss@"))
    assert allowed.error is None and len(allowed.chain) == 2
    assert allowed.via_proxy == proxy.url  # credentials never shown


def test_a_proxy_answer_in_pieces_is_read_whole(world: World) -> None:
    server = world.public_site("site.test")
    proxy = world.add(ConnectProxy({"site.test": server.port}))
    assert isinstance(proxy, ConnectProxy)
    proxy.answer_in_pieces = True
    result = probe("site.test", 443, proxy=proxy.url, use_env_proxy=False)
    assert result.error is None and len(result.chain) == 2
    assert server.sni == ["site.test"]


@pytest.mark.parametrize("in_pieces", [False, True])
def test_bytes_right_after_the_proxy_answer_belong_to_the_tunnel(
    world: World, in_pieces: bool
) -> None:
    server = world.public_site("site.test")
    proxy = world.add(ConnectProxy({"site.test": server.port}))
    assert isinstance(proxy, ConnectProxy)
    proxy.answer_in_pieces = in_pieces
    proxy.after_answer = b"<html>blocked by policy</html>"
    result = probe("site.test", 443, proxy=proxy.url, use_env_proxy=False)
    assert (result.error_kind, result.error) == (
        "not_tls",
        "not a TLS server: the answer is not a TLS record",
    )


def test_unreachable_proxy_and_refused_tunnel(world: World) -> None:
    port = closed_port()
    result = probe("site.test", 443, proxy=f"http://127.0.0.1:{port}")
    assert result.error_kind == "proxy"
    assert result.error == f"cannot reach the proxy 127.0.0.1:{port}: connection refused"
    proxy = world.add(ConnectProxy({}))
    assert isinstance(proxy, ConnectProxy)
    unreachable_host = probe("elsewhere.test", 443, proxy=proxy.url)
    assert (unreachable_host.error_kind, unreachable_host.error) == (
        "refused",
        "the proxy could not reach the host: HTTP/1.1 502 Bad Gateway",
    )
    proxy.forbid = True
    forbidden = probe("elsewhere.test", 443, proxy=proxy.url)
    assert (forbidden.error_kind, forbidden.error) == (
        "proxy",
        "the proxy refused the tunnel: HTTP/1.1 403 Forbidden",
    )


_TLS_ALERT = b"\x15\x03\x01\x00\x02\x02\x46"  # what a TLS server answers "CONNECT ..." with


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            _TLS_ALERT,
            "{proxy} answered in TLS: it is not an http:// proxy (an https:// proxy, which "
            "tlsdoctor cannot use, or a web server?)",
        ),
        (
            b"SSH-2.0-OpenSSH_9.2\r\n",
            "{proxy} is not an HTTP proxy: its answer does not start with HTTP/ "
            "(SSH-2.0-OpenSSH_9.2)",
        ),
        (
            b"<html>\r\n\r\n",
            "{proxy} is not an HTTP proxy: its answer does not start with HTTP/ (<html>)",
        ),
        (
            b"\x05\xff",  # a SOCKS5 server: no acceptable method
            "{proxy} answers as a SOCKS5 proxy does, not as an HTTP proxy: give it as "
            "socks5h://{address}",
        ),
        (
            b"\x05\xff\x00",
            "{proxy} is not an HTTP proxy: its answer does not start with HTTP/ (binary data)",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\n"
            b"<html>hi</html>",
            "the proxy answered the CONNECT request with a page of its own (HTTP/1.1 200 OK) "
            "instead of a tunnel: a login or block page, or not a proxy at all",
        ),
    ],
)
def test_an_address_that_is_not_an_http_proxy_says_so(
    world: World, answer: bytes, error: str
) -> None:
    # curl: "wrong version number", "CONNECT tunnel failed, response 0", "Proxy CONNECT aborted"
    fake = world.add(CannedAnswer(answer))
    assert isinstance(fake, CannedAnswer)
    result = probe("site.test", 443, proxy=fake.url, timeout=5)
    assert (result.error_kind, result.error) == (
        "proxy",
        error.format(proxy=fake.url, address=fake.url.removeprefix("http://")),
    )


def test_a_proxy_variable_tlsdoctor_cannot_use_is_named(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks4a://127.0.0.1:1080")
    result = probe("site.test", 443, timeout=1)
    assert (result.error_kind, result.error) == (
        "proxy",
        "ALL_PROXY names a socks4a:// proxy, and tlsdoctor speaks to http:// (CONNECT) and "
        "socks5:// or socks5h:// proxies: give one with --proxy, or use --no-proxy",
    )
    monkeypatch.setenv("https_proxy", "http://u:secret@[::1")
    result = probe("site.test", 443, timeout=1)
    assert result.error == "https_proxy is not a valid proxy URL: http://***@[::1"


def test_environment_proxy_and_no_proxy(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    server = world.public_site("site.test")
    proxy = world.add(ConnectProxy({"site.test": server.port}))
    assert isinstance(proxy, ConnectProxy)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    assert probe("site.test", 443).via_proxy == proxy.url
    # bypassing the proxy means a direct connection: nothing listens on 443 for site.test
    assert probe("site.test", 443, use_env_proxy=False).via_proxy is None
    monkeypatch.setenv("NO_PROXY", "*.test,site.test:443")  # curl, Python, git: no bypass
    assert probe("site.test", 443).via_proxy == proxy.url
    monkeypatch.setenv("NO_PROXY", ".test")
    assert probe("site.test", 443, timeout=1).via_proxy is None
    monkeypatch.setenv("https_proxy", "")  # set but empty: no proxy, HTTPS_PROXY not read
    monkeypatch.delenv("NO_PROXY")
    assert probe("site.test", 443, timeout=1).via_proxy is None
    assert len(proxy.requests) == 2


@pytest.mark.parametrize(
    ("host", "no_proxy", "bypass"),
    [
        ("a.example.com", "example.com", True),
        ("a.example.com", ".example.com", True),
        ("example.com", ".example.com", True),
        ("badexample.com", "example.com", False),
        ("anything", "*", True),
        ("10.1.2.3", "10.0.0.0/8", True),
        ("10.1.2.3", "192.168.0.0/16", False),
        ("a.example.com", "example.com:8443", False),
        ("a.example.com", "foo, example.com", True),
        ("a.example.com", "", False),
        ("xn--bcher-kva.test", "bücher.test", True),
        ("bücher.test", "bücher.test", True),
        ("bücher.test", ".xn--bcher-kva.test", True),
        ("a.bücher.test", "bücher.test", True),
        # What curl 7.88, requests 2.34, urllib (3.11), wget 1.21 and git 2.39 do (most of them;
        # docs/detect.md): '*' only alone, no '*.' wildcards, no ports, case and spaces ignored.
        ("a.example.com", "foo.com,*", False),
        ("a.example.com", " * ", False),
        ("a.example.com", "*.example.com", False),
        ("example.com", "*.example.com", False),
        ("example.com", "example.com:443", False),
        ("10.1.2.3", "10.1.2.3:443", False),
        ("10.1.2.3", "10.1.2.3", True),
        ("a.example.com", " foo.com , EXAMPLE.COM ", True),
        ("example.com", "example.com.", False),
        ("::1", "::1", True),
        ("::1", "[::1]", True),
        ("ample.com", "example.com", False),
    ],
)
def test_no_proxy_rules(host: str, no_proxy: str, bypass: bool) -> None:
    assert bypasses_proxy(host, 443, no_proxy) is bypass


def test_environment_variable_precedence() -> None:
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1", "ALL_PROXY": "x"}
    assert proxy_from_environment("h", 443, env) == "http://lower:1"
    # https_proxy set but empty turns the https proxy off (requests, urllib, git), not "use
    # HTTPS_PROXY"; all_proxy still applies, as for requests
    off = {"https_proxy": "", "HTTPS_PROXY": "http://u:1"}
    assert proxy_from_environment("h", 443, off) is None
    both = {"https_proxy": " ", "HTTPS_PROXY": "http://u:1", "ALL_PROXY": "http://all:3"}
    assert proxy_from_environment("h", 443, both) == "http://all:3"
    assert proxy_from_environment("h", 443, {"all_proxy": "", "ALL_PROXY": "http://all:3"}) is None
    assert proxy_from_environment("h", 443, {"HTTPS_PROXY": "", "ALL_PROXY": "http://a:3"}) == (
        "http://a:3"
    )
    assert proxy_from_environment("h", 443, {"ALL_PROXY": "http://all:3"}) == "http://all:3"
    assert proxy_from_environment("h", 443, {"NO_PROXY": "*", "HTTPS_PROXY": "http://p:1"}) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.com", Target("example.com", 443)),
        ("example.com:8443", Target("example.com", 8443)),
        ("[::1]:8443", Target("::1", 8443)),
        ("[::1]", Target("::1", 443)),
        ("::1", Target("::1", 443)),
        ("127.0.0.1:1", Target("127.0.0.1", 1)),
        ("https://example.com:444/path?q", Target("example.com", 444)),
        ("bücher.de", Target("bücher.de", 443)),
        # as curl and urllib read them: an empty port in a URL is the default, %25 is "%"
        ("https://example.com:/x", Target("example.com", 443)),
        ("https://[fe80::1%25eth0]:8443/", Target("fe80::1%eth0", 8443)),
        ("[fe80::1%25eth0]", Target("fe80::1%eth0", 443)),
        ("fe80::1%25eth0", Target("fe80::1%eth0", 443)),
        ("fe80::1%eth0", Target("fe80::1%eth0", 443)),
        ("[fe80::1%eth0]:1", Target("fe80::1%eth0", 1)),
    ],
)
def test_parse_target(text: str, expected: Target) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        *("", "a b", "host:0", "host:65536", "host:http", "[::1", "[nothost]:1", ":443", "ftp://x"),
        *("host:²", "host:٤٤٣", "[::1]:４４３", "https://[::1", "https://host:²/", "host:+443"),
        *("-x", "--json", "www.-bad.example", "-x:443"),
    ],
)
def test_parse_target_rejects_garbage(text: str) -> None:
    with pytest.raises(UsageError):
        parse_target(text)


def test_parse_proxy() -> None:
    proxy = parse_proxy("http://us%3Aer:pa%40ss@127.0.0.1:3128")
    assert (proxy.host, proxy.port, proxy.username, proxy.password) == (
        "127.0.0.1",
        3128,
        "us:er",
        "pa@ss",
    )
    assert parse_proxy("proxy.corp:8080").display == "http://proxy.corp:8080"
    socks = parse_proxy("SOCKS5H://u:p@[::1]")
    assert (socks.scheme, socks.host, socks.port, socks.display) == (
        "socks5h",
        "::1",
        1080,
        "socks5h://[::1]:1080",
    )
    assert socks.authorization() is None  # SOCKS5 sends credentials in its own exchange
    assert parse_proxy("socks5://127.0.0.1:9050").is_socks
    for unsupported in ("https://127.0.0.1:3128", "socks4://127.0.0.1:1080", "ftp://x"):
        with pytest.raises(UsageError):
            parse_proxy(unsupported)
    with pytest.raises(UsageError) as caught:
        parse_proxy(f"socks5h://{'u' * 256}:secret@127.0.0.1:1080")
    assert "255 bytes" in str(caught.value) and "secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://alice:s3cr3t@127.0.0.1:99999", "http://***@127.0.0.1:99999"),
        ("http://alice:s3cr3t@127.0.0.1:abc", "http://***@127.0.0.1:abc"),
        ("alice:s3cr3t@[::1", "***@[::1"),
        ("http://[::1", "http://[::1"),
    ],
)
def test_a_broken_proxy_url_is_a_usage_error_that_hides_the_password(url: str, shown: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_proxy(url)
    assert str(caught.value) == f"not a valid proxy URL: {shown}"
    result = probe("site.test", 443, proxy=url)
    assert (result.error_kind, result.error) == ("proxy", f"not a valid proxy URL: {shown}")


def test_a_bug_in_a_probe_worker_surfaces_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from tlsdoctor.core import probe as probe_module

    def broken(*_args: object) -> ProbeResult:
        raise RuntimeError("bug")

    monkeypatch.setattr(probe_module, "_probe_target", broken)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="bug"):
        probe_many(["a.test", "b.test"], deadline=20)
    assert time.monotonic() - started < 5  # not after the 20 s deadline


def test_probe_many_keeps_order_and_honours_the_total_deadline(world: World) -> None:
    good = world.public_site("localhost")
    hangs = [world.add(HangServer()) for _ in range(4)]
    targets = [Target("localhost", good.port)] + [Target("127.0.0.1", h.port) for h in hangs]
    seen: list[str] = []
    started = time.monotonic()
    results = probe_many(
        targets,
        use_env_proxy=False,
        timeout=10,
        deadline=0.8,
        progress=lambda r: seen.append(r.host),
    )
    assert time.monotonic() - started < 2.0
    assert [r.port for r in results] == [t.port for t in targets]
    assert results[0].ok
    # Cut short by the run's deadline, not by their own timeout: said so, where they were stuck.
    assert {r.error_kind for r in results[1:]} == {"deadline"}
    assert {r.error for r in results[1:]} == {
        "the total deadline (--deadline 0.8 s) ran out during the TLS handshake"
    }
    assert len(seen) == 5


def test_a_host_timeout_shorter_than_the_deadline_keeps_its_own_message(world: World) -> None:
    hang = world.add(HangServer())
    [result] = probe_many(
        [Target("127.0.0.1", hang.port)], use_env_proxy=False, timeout=0.3, deadline=10
    )
    assert (result.error_kind, result.error) == ("timeout", "timed out during the TLS handshake")
    alone = probe("127.0.0.1", hang.port, use_env_proxy=False, timeout=0.3)  # no deadline at all
    assert (alone.error_kind, alone.error) == ("timeout", "timed out during the TLS handshake")


def test_probe_with_a_deadline_shorter_than_its_timeout_blames_the_deadline(world: World) -> None:
    hang = world.add(HangServer())
    cut = probe("127.0.0.1", hang.port, use_env_proxy=False, timeout=30, deadline=0.3)
    assert (cut.error_kind, cut.error) == (
        "deadline",
        "the total deadline (--deadline 0.3 s) ran out during the TLS handshake",
    )
    with pytest.raises(UsageError, match=r"^deadline must be a positive number"):
        probe("127.0.0.1", hang.port, deadline=0)


def test_an_inspection_ca_chain_is_read_even_though_nothing_trusts_it(world: World) -> None:
    inspection = make_ca(make_name("Zscaler Root CA", "Zscaler Inc."))
    server = world.signed_by(inspection, "localhost", send_root=True)
    result = probe("localhost", server.port, use_env_proxy=False)
    assert [c.subject for c in result.chain] == [make_name("localhost"), inspection.cert.subject]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_parse_target_never_fails_with_anything_but_a_usage_error(text: str) -> None:
    try:
        target = parse_target(text)
    except UsageError:
        return
    assert 0 < target.port < 65536
    assert target.host


def test_an_unencodable_name_is_a_dns_error_not_an_exception() -> None:
    result = probe("a..b\u0000", 443, use_env_proxy=False, timeout=1)
    assert result.error_kind == "dns"


def test_probe_many_works_inside_a_running_event_loop(world: World) -> None:
    # Notebooks and async applications call the library with a loop already running.
    import asyncio

    server = world.public_site("localhost")

    async def from_async_code() -> list[ProbeResult]:
        return probe_many([Target("localhost", server.port)], use_env_proxy=False, timeout=5)

    results = asyncio.run(from_async_code())
    assert results[0].ok, results[0].error
    assert results[0].chain[0].subject == make_name("localhost")


def test_a_resolver_that_never_answers_does_not_hold_the_run_past_its_deadline(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A name lookup cannot be cancelled; it must not keep detect (or the process) waiting.
    import threading

    good = world.public_site("localhost")
    release = threading.Event()
    real_getaddrinfo = socket.getaddrinfo

    def stuck(host: str, *args: object, **kwargs: object) -> object:
        if host == "stuck.test":
            release.wait(30)
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    started = time.monotonic()
    try:
        results = probe_many(
            [Target("127.0.0.1", good.port), Target("stuck.test", 443)],
            use_env_proxy=False,
            timeout=10,
            deadline=0.8,
        )
    finally:
        release.set()
    assert time.monotonic() - started < 2.0
    assert results[0].ok
    assert results[1].error_kind == "deadline"
    assert results[1].error == "the total deadline (--deadline 0.8 s) ran out while connecting"


def test_a_lookup_that_fails_after_its_waiter_gave_up_logs_nothing() -> None:
    """--timeout ran out before the name lookup failed: no "exception was never retrieved"."""
    import asyncio
    import contextlib
    import gc

    from tlsdoctor.core.probe import _Resolver

    reported: list[dict[str, object]] = []

    async def give_up_then_fail() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, c: reported.append(c))
        resolver = _Resolver()
        answer = resolver.lookup("a..b", 443)  # getaddrinfo fails (empty label), no network
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0):  # as _probe_target's per-host timeout does
                await asyncio.shield(answer)
        while not answer.done():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)  # the done-callbacks run
        del answer
        resolver.pending.clear()
        gc.collect()  # an unretrieved exception is reported when its future is collected

    asyncio.run(give_up_then_fail())
    assert reported == []


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda t: t.detect("site1.test"), TypeError, "not one string: 'site1.test'"),
        (lambda t: t.probe_many("abc"), TypeError, "not one string: 'abc'"),
        (lambda t: t.detect([1]), TypeError, r"a target is a 'HOST\[:PORT\]' string"),
        (lambda t: t.probe_many([("a.test",)]), TypeError, r"not \('a.test',\)"),
        (lambda t: t.probe(None), TypeError, "host must be a string, not NoneType"),
        (lambda t: t.show(443), TypeError, "host must be a string, not int"),
        (lambda t: t.probe("a.test", "443"), TypeError, "port must be an int, not str"),
        (lambda t: t.show("a.test", 0), UsageError, r"not a valid port in a.test:0"),
        (lambda t: t.probe("::1", 70000), UsageError, r"not a valid port in \[::1\]:70000"),
        (lambda t: t.probe_many([("a.test", 65536)]), UsageError, "not a valid port"),
        (lambda t: t.detect(["a.test"], timeout=None), TypeError, "timeout must be a number"),
        (lambda t: t.detect(["a.test"], timeout="1"), TypeError, "timeout must be a number"),
        (lambda t: t.probe_many(["a.test"], deadline=True), TypeError, "deadline must be a"),
        (lambda t: t.probe("a.test", timeout=None), TypeError, "not NoneType"),
        (lambda t: t.show("a.test", timeout="5"), TypeError, "timeout must be a number"),
        (
            lambda t: t.detect(["a.test"], deadline=0),
            UsageError,
            "^deadline must be a positive number of seconds, not 0$",
        ),
        (lambda t: t.detect(["a.test"], timeout=-1.5), UsageError, "not -1.5$"),
        (lambda t: t.probe_many(["a.test"], timeout=float("nan")), UsageError, "not nan$"),
        (lambda t: t.probe("a.test", timeout=float("inf")), UsageError, "not inf$"),
    ],
)
def test_library_calls_with_wrong_arguments_say_which_one(
    call: Callable[[Any], object], error: type[Exception], message: str
) -> None:
    """Not an AttributeError from deep inside, and never a probe of 'a', 'b', 'c'."""
    import tlsdoctor

    with pytest.raises(error, match=message):
        call(tlsdoctor)
