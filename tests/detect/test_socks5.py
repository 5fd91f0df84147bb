"""Probing through a SOCKS5 proxy: the codec (core/socks5.py) and the real thing, the lab's
mitmproxy listening in SOCKS5 mode (`lab start --socks5`), which re-signs as it does over CONNECT.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from cli_runner import run_cli
from cryptography import x509

from tlsdoctor.core import socks5
from tlsdoctor.core.detect import detect
from tlsdoctor.core.probe import Target, probe, probe_many
from tlsdoctor.core.trust import RootStore
from tlsdoctor.lab.state import LabState

NO_OS_ROOTS = RootStore("os", None, ())
CREDENTIALS = "probe-user:s3cret pass"


# ------------------------------------------------------------------------------------ codec


def test_greeting_offers_user_password_only_with_credentials() -> None:
    assert socks5.greeting(False) == b"\x05\x01\x00"
    assert socks5.greeting(True) == b"\x05\x02\x00\x02"


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (b"\x05\x00", socks5.NO_AUTHENTICATION),
        (b"\x05\x02", socks5.USER_PASSWORD),
        (b"\x05\xff", socks5.NoAcceptableMethod),
        (b"\x05\x01", socks5.NoAcceptableMethod),  # GSSAPI: not spoken here
        (b"\x04\x00", socks5.NotSocks5),
        (b"\x05", socks5.NotSocks5),
    ],
)
def test_chosen_method(answer: bytes, outcome: int | type[Exception]) -> None:
    if isinstance(outcome, int):
        assert socks5.chosen_method(answer) == outcome
    else:
        with pytest.raises(outcome):
            socks5.chosen_method(answer)


def test_credentials_follow_rfc_1929() -> None:
    assert socks5.credentials("ユーザー", "pw") == b"\x01\x0c" + "ユーザー".encode() + b"\x02pw"
    assert socks5.credentials("u", "") == b"\x01\x01u\x00"
    with pytest.raises(ValueError):
        socks5.credentials("u" * 256, "pw")
    socks5.check_credentials_answer(b"\x01\x00")
    with pytest.raises(socks5.CredentialsRejected):
        socks5.check_credentials_answer(b"\x01\x01")
    with pytest.raises(socks5.NotSocks5):
        socks5.check_credentials_answer(b"\x05\x00")


@pytest.mark.parametrize(
    ("host", "request_bytes"),
    [
        ("127.0.0.1", b"\x05\x01\x00\x01\x7f\x00\x00\x01\x01\xbb"),
        ("::1", b"\x05\x01\x00\x04" + bytes(15) + b"\x01\x01\xbb"),
        ("site1.test", b"\x05\x01\x00\x03\x0asite1.test\x01\xbb"),
        ("xn--bcher-kva.test", b"\x05\x01\x00\x03\x12xn--bcher-kva.test\x01\xbb"),
    ],
)
def test_connect_request(host: str, request_bytes: bytes) -> None:
    assert socks5.connect_request(host, 443) == request_bytes


def test_connect_request_refuses_names_longer_than_255_bytes() -> None:
    with pytest.raises(ValueError):
        socks5.connect_request("a" * 256, 443)


@pytest.mark.parametrize(
    ("head", "length"),
    [
        (b"\x05\x00\x00\x01\x7f", 10),
        (b"\x05\x00\x00\x04\x00", 22),
        (b"\x05\x00\x00\x03\x09", 16),
    ],
)
def test_reply_length_follows_the_address_type(head: bytes, length: int) -> None:
    assert socks5.reply_length(head) == length
    socks5.check_connect_reply(head)


def test_a_failed_connect_reply_carries_its_code() -> None:
    with pytest.raises(socks5.ConnectFailed) as caught:
        socks5.check_connect_reply(b"\x05\x04\x00\x01\x00")
    assert caught.value.code == 4
    with pytest.raises(socks5.NotSocks5):
        socks5.reply_length(b"\x05\x00\x00\x07\x00")


# ------------------------------------------------------------------------------ the real lab

lab_only = pytest.mark.lab


@pytest.fixture(scope="module")
def socks_lab(start_lab_module: object) -> LabState:
    state: LabState = start_lab_module(socks5=True, vendor="zscaler")  # type: ignore[operator]
    assert state.socks_url is not None
    return state


@pytest.fixture(scope="module")
def socks_lab_with_auth(start_lab_module: object) -> LabState:
    state: LabState = start_lab_module(socks5=True, proxy_auth=CREDENTIALS)  # type: ignore[operator]
    assert state.socks_url is not None
    return state


def with_credentials(url: str, user_info: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user_info}@{rest}"


@lab_only
def test_detect_through_socks5h_sees_the_inspection(socks_lab: LabState) -> None:
    report = detect(
        socks_lab.hosts,
        proxy=socks_lab.socks_url,
        use_env_proxy=False,
        roots_path=str(socks_lab.public_root),
        os_store=NO_OS_ROOTS,
        timeout=3,
        deadline=8,
    )
    assert report.verdict == "intercepted"
    assert report.products == ["Zscaler"]
    assert [h.via_proxy for h in report.hosts] == [socks_lab.socks_url] * len(socks_lab.hosts)
    assert report.inspection_cas[0].subject == socks_lab_inspection_subject(socks_lab)


def socks_lab_inspection_subject(state: LabState) -> str:
    ca = x509.load_pem_x509_certificate(state.inspection_ca.read_bytes())
    return ca.subject.rfc4514_string()


@lab_only
def test_socks5_looks_the_name_up_here_and_socks5h_lets_the_proxy(socks_lab: LabState) -> None:
    local = socks_lab.socks_url.replace("socks5h://", "socks5://")  # type: ignore[union-attr]
    lab_name = probe("site1.test", 443, proxy=local, use_env_proxy=False, timeout=3)
    assert lab_name.error_kind == "dns"
    assert lab_name.error is not None and "socks5h://" in lab_name.error
    # An address needs no lookup: the proxy gets it as it is. Without a server name the lab
    # passes the connection through, so the site's own chain (the lab's public root) comes back.
    site = socks_lab.sites["site1.test"]
    by_address = probe("127.0.0.1", site, proxy=local, use_env_proxy=False, timeout=3)
    assert by_address.ok, by_address.error
    assert by_address.via_proxy == local
    public = x509.load_pem_x509_certificate(socks_lab.public_root.read_bytes())
    assert by_address.chain[0].issuer == public.subject


@lab_only
def test_a_name_the_proxy_will_not_reach_is_a_host_problem(socks_lab: LabState) -> None:
    result = probe("not-a-lab-name.test", 443, proxy=socks_lab.socks_url, use_env_proxy=False)
    assert (result.error_kind, result.error) == (
        "refused",
        "the proxy could not reach the host: SOCKS5 reply 4 (host unreachable)",
    )


@lab_only
def test_all_proxy_socks5h_from_the_environment(
    socks_lab: LabState, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", socks_lab.socks_url or "")
    [result] = probe_many([Target("site2.test", 443)], timeout=3)
    assert result.ok, result.error
    assert result.via_proxy == socks_lab.socks_url


@lab_only
def test_an_http_proxy_given_as_socks5_is_named(socks_lab: LabState) -> None:
    as_socks = socks_lab.proxy_url.replace("http://", "socks5h://")
    result = probe("site1.test", 443, proxy=as_socks, use_env_proxy=False, timeout=1)
    assert result.error_kind == "proxy"
    # mitmproxy's HTTP listener waits for a request line that never comes
    assert result.error == (
        f"the proxy {as_socks} did not answer the SOCKS5 greeting in time: is it a SOCKS5 proxy?"
    )


@lab_only
def test_a_socks5_proxy_given_as_http_is_named(socks_lab: LabState) -> None:
    as_http = socks_lab.socks_url.replace("socks5h://", "http://")  # type: ignore[union-attr]
    result = probe("site1.test", 443, proxy=as_http, use_env_proxy=False, timeout=3)
    assert result.error_kind == "proxy"
    assert not result.ok


@lab_only
def test_socks5_credentials(socks_lab_with_auth: LabState) -> None:
    url = socks_lab_with_auth.socks_url or ""
    without = probe("site1.test", 443, proxy=url, use_env_proxy=False, timeout=3)
    assert (without.error_kind, without.error) == (
        "proxy_auth",
        "the SOCKS5 proxy requires a user name and password (give them in the URL: "
        "socks5h://USER:PASSWORD@HOST:PORT)",
    )
    wrong = probe(
        "site1.test", 443, proxy=with_credentials(url, "probe-user:nope"), use_env_proxy=False
    )
    assert (wrong.error_kind, wrong.error) == (
        "proxy_auth",
        "the SOCKS5 proxy rejected the user name or password",
    )
    right = with_credentials(url, "probe-user:s3cret%20pass")
    result = probe("site1.test", 443, proxy=right, use_env_proxy=False, timeout=3)
    assert result.ok, result.error
    assert result.via_proxy == url  # never the credentials


def detect_json(state: LabState, env: dict[str, str], *hosts: str, lang: str = "en") -> Any:
    """`tlsdoctor --lang LANG detect --json HOST...` through the lab's SOCKS5 listener, parsed."""
    done = run_cli(
        "--lang",
        lang,
        "detect",
        "--json",
        "--proxy",
        state.socks_url or "",
        "--roots",
        str(state.public_root),
        *hosts,
        env=env,
    )
    return json.loads(done.stdout)


@lab_only
def test_cli_detect_json_through_socks5h(socks_lab: LabState, clean_env: dict[str, str]) -> None:
    report = detect_json(socks_lab, clean_env, "site1.test", "site2.test")
    assert report["verdict"] == "intercepted"
    assert report["products"] == ["Zscaler"]
    assert {h["status"] for h in report["hosts"]} == {"intercepted"}
    assert {h["via_proxy"] for h in report["hosts"]} == {socks_lab.socks_url}


@lab_only
def test_cli_socks_errors_in_japanese(socks_lab: LabState, clean_env: dict[str, str]) -> None:
    [host] = detect_json(socks_lab, clean_env, "not-a-lab-name.test", lang="ja")["hosts"]
    assert host["error"] == (
        "プロキシがホストに到達できませんでした：SOCKS5 の応答コード 4（ホストに到達できない）"
    )


# ------------------------------------------------------------- servers that are not SOCKS5


class OneAnswer:
    """A loopback server that answers the first bytes of each connection with ``answer``, then
    ends its side and reads until the client closes (so the answer is never reset away)."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.received: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"socks5h://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with client, contextlib.suppress(OSError):  # the client may reset: it is done
                self.received.append(client.recv(512))
                client.sendall(self.answer)
                client.shutdown(socket.SHUT_WR)
                while client.recv(512):
                    pass


@pytest.fixture
def answering() -> Iterator[list[OneAnswer]]:
    servers: list[OneAnswer] = []
    yield servers
    for server in servers:
        server.listener.close()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
            "{url} answers in HTTP, as an HTTP proxy does: give it as http://{address}",
        ),
        (
            b"SSH-2.0-OpenSSH_9.2\r\n",
            "{url} is not a SOCKS5 proxy: its answer does not start as SOCKS5 does "
            "(SSH-2.0-OpenSSH_9.2)",
        ),
        (b"", "{url} closed the connection during the SOCKS5 exchange"),
        (b"\x05\x00", "{url} closed the connection during the SOCKS5 exchange"),
        (
            b"\x05\x00\x05\x02\x00\x01\x00\x00\x00\x00\x00\x00",  # the ruleset says no
            "the proxy refused the tunnel: SOCKS5 reply 2 (connection not allowed by ruleset)",
        ),
        (
            b"\x05\x00\x05\x63\x00\x01\x00\x00\x00\x00\x00\x00",
            "the proxy refused the tunnel: SOCKS5 reply 99 (unknown code)",
        ),
        (
            b"\x05\x02",  # user name/password, which was not offered
            "the SOCKS5 proxy requires a user name and password (give them in the URL: "
            "socks5h://USER:PASSWORD@HOST:PORT)",
        ),
    ],
)
def test_answers_that_end_the_socks5_exchange(
    answering: list[OneAnswer], answer: bytes, error: str
) -> None:
    server = OneAnswer(answer)
    answering.append(server)
    result = probe("site.test", 443, proxy=server.url, use_env_proxy=False, timeout=3)
    expected = error.format(url=server.url, address=server.url.removeprefix("socks5h://"))
    assert result.error == expected
    assert result.error_kind == ("proxy_auth" if "requires" in expected else "proxy")
    assert server.received[0] == b"\x05\x01\x00"  # the greeting, no authentication offered


def test_a_host_the_socks5_proxy_cannot_reach_is_the_host_s_problem(
    answering: list[OneAnswer],
) -> None:
    server = OneAnswer(b"\x05\x00\x05\x06\x00\x03\x01x\x00\x00")  # TTL expired
    answering.append(server)
    result = probe("site.test", 443, proxy=server.url, use_env_proxy=False, timeout=3)
    assert (result.error_kind, result.error) == (
        "timeout",
        "the proxy could not reach the host: SOCKS5 reply 6 (TTL expired)",
    )
