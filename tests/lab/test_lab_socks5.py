"""`lab start --socks5`: the same interceptor also listens as a SOCKS5 proxy (RFC 1928/1929)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runner import run_cli
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from fixtures_env import require_client
from fixtures_lab import StartLab
from lab_sockets import get_over_tls, listening_sockets

from tlsdoctor.lab.state import LabState

pytestmark = [pytest.mark.lab, pytest.mark.clients]

DELAY_MS = 200
USER, PASSWORD = "user@corp.com", "p#ss w"


@pytest.fixture(scope="module")
def socks_lab(start_lab_module: StartLab) -> LabState:
    return start_lab_module(socks5=True, bypass=["bank.test"], handshake_delay_ms=DELAY_MS)


@pytest.fixture(scope="module")
def auth_lab(start_lab_module: StartLab) -> LabState:
    return start_lab_module(socks5=True, proxy_auth=f"{USER}:{PASSWORD}", ca_key="ec")


def socks_port(state: LabState) -> int:
    assert state.socks_port is not None
    return state.socks_port


def curl(
    env: dict[str, str], proxy: str, cacert: Path, url: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    command = [require_client("curl"), "-sS", "--max-time", "10", "--proxy", proxy]
    return subprocess.run(
        [*command, "--cacert", str(cacert), *extra, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size and (chunk := sock.recv(size - len(data))):
        data += chunk
    return data


def greet(state: LabState, methods: bytes) -> tuple[socket.socket, bytes]:
    """Open a SOCKS5 session offering ``methods``; the proxy's method choice."""
    sock = socket.create_connection(("127.0.0.1", socks_port(state)), timeout=10)
    sock.sendall(bytes([5, len(methods)]) + methods)
    return sock, read_exactly(sock, 2)


def login(sock: socket.socket, user: str, password: str) -> bytes:
    """RFC 1929 username/password sub-negotiation: (version, status)."""
    raw_user, raw_password = user.encode(), password.encode()
    sock.sendall(bytes([1, len(raw_user)]) + raw_user + bytes([len(raw_password)]) + raw_password)
    return read_exactly(sock, 2)


def connect(sock: socket.socket, host: str, port: int = 443) -> bytes:
    """CONNECT by domain name (what socks5h clients send); the 10-byte reply."""
    name = host.encode()
    sock.sendall(bytes([5, 1, 0, 3, len(name)]) + name + port.to_bytes(2, "big"))
    return read_exactly(sock, 10)


def issued_by(leaf: x509.Certificate, ca_file: Path) -> bool:
    ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
    key = ca.public_key()
    if leaf.issuer != ca.subject:
        return False
    assert leaf.signature_hash_algorithm is not None
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(
            leaf.signature,
            leaf.tbs_certificate_bytes,
            padding.PKCS1v15(),
            leaf.signature_hash_algorithm,
        )
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(
            leaf.signature, leaf.tbs_certificate_bytes, ec.ECDSA(leaf.signature_hash_algorithm)
        )
    return True


def test_state_names_the_socks5_listener(socks_lab: LabState) -> None:
    assert socks_lab.socks_url == f"socks5h://127.0.0.1:{socks_lab.socks_port}"
    assert socks_lab.socks_port not in (None, socks_lab.proxy_port)
    assert socks_lab.proxy_url == f"http://127.0.0.1:{socks_lab.proxy_port}"
    assert socks_lab.options["socks5"] is True
    assert socks_lab.authenticated_socks_url == socks_lab.socks_url  # no --proxy-auth


def test_curl_through_socks5_sees_a_leaf_from_the_inspection_ca(
    socks_lab: LabState, clean_env: dict[str, str]
) -> None:
    assert socks_lab.socks_url is not None
    result = curl(
        clean_env,
        socks_lab.socks_url,
        socks_lab.inspection_ca,
        "https://site1.test/",
        "--write-out",
        "%{certs}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok site1.test\n")
    pem = result.stdout[result.stdout.index("-----BEGIN CERTIFICATE-----") :]
    leaf = x509.load_pem_x509_certificates(pem.encode())[0]
    assert issued_by(leaf, socks_lab.inspection_ca)


def test_curl_through_socks5_with_only_the_public_root_fails_verification(
    socks_lab: LabState, clean_env: dict[str, str]
) -> None:
    assert socks_lab.socks_url is not None
    result = curl(clean_env, socks_lab.socks_url, socks_lab.public_root, "https://site2.test/")
    assert result.returncode == 60, result.stderr
    assert "unable to get local issuer certificate" in result.stderr


def test_curl_reads_all_proxy_with_socks5h(socks_lab: LabState, clean_env: dict[str, str]) -> None:
    assert socks_lab.socks_url is not None
    env = {**clean_env, "ALL_PROXY": socks_lab.socks_url}
    result = subprocess.run(
        [
            require_client("curl"),
            "-sS",
            "--cacert",
            str(socks_lab.inspection_ca),
            "https://site2.test/",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok site2.test\n"


def test_a_bypassed_site_passes_through_socks5_untouched(
    socks_lab: LabState, clean_env: dict[str, str]
) -> None:
    assert socks_lab.socks_url is not None
    result = curl(clean_env, socks_lab.socks_url, socks_lab.public_root, "https://bank.test/")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok bank.test\n"


def test_socks5_handshakes_are_delayed_like_connect_ones(socks_lab: LabState) -> None:
    sock, method = greet(socks_lab, b"\x00")
    assert method == b"\x05\x00"
    assert connect(sock, "site1.test")[:2] == b"\x05\x00"
    began = time.monotonic()
    leaf, answer = get_over_tls(sock, "site1.test", socks_lab.inspection_ca)
    assert time.monotonic() - began >= DELAY_MS / 1000
    assert issued_by(leaf, socks_lab.inspection_ca)
    assert answer.endswith(b"\r\n\r\nok site1.test\n"), answer


def test_socks5_refuses_a_name_outside_the_lab_with_host_unreachable(
    socks_lab: LabState,
) -> None:
    sock, method = greet(socks_lab, b"\x00")
    with sock:
        assert method == b"\x05\x00"
        reply = connect(sock, "example.com")
    assert reply[:2] == b"\x05\x04"  # host unreachable: the lab never leaves loopback


def test_socks5_without_credentials_is_refused_when_the_lab_has_proxy_auth(
    auth_lab: LabState,
) -> None:
    sock, method = greet(auth_lab, b"\x00")
    sock.close()
    assert method == b"\x05\xff"  # no acceptable method: the lab asks for username/password


def test_socks5_with_a_wrong_password_is_refused(auth_lab: LabState) -> None:
    sock, method = greet(auth_lab, b"\x00\x02")
    with sock:
        assert method == b"\x05\x02"
        status = login(sock, USER, "wrong")
    assert status[:1] == b"\x01"
    assert status[1:] not in (b"", b"\x00")


def test_socks5_with_the_right_credentials_reaches_the_site(auth_lab: LabState) -> None:
    sock, method = greet(auth_lab, b"\x00\x02")
    assert method == b"\x05\x02"
    assert login(sock, USER, PASSWORD) == b"\x01\x00"
    assert connect(sock, "site2.test")[:2] == b"\x05\x00"
    leaf, answer = get_over_tls(sock, "site2.test", auth_lab.inspection_ca)
    assert issued_by(leaf, auth_lab.inspection_ca)
    assert answer.endswith(b"\r\n\r\nok site2.test\n"), answer


def test_curl_logs_in_with_the_authenticated_socks_url(
    auth_lab: LabState, clean_env: dict[str, str]
) -> None:
    url = auth_lab.authenticated_socks_url
    assert url == f"socks5h://user%40corp.com:p%23ss%20w@127.0.0.1:{auth_lab.socks_port}"
    result = curl(clean_env, url, auth_lab.inspection_ca, "https://site1.test/")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok site1.test\n"
    assert auth_lab.socks_url is not None
    refused = curl(clean_env, auth_lab.socks_url, auth_lab.inspection_ca, "https://site1.test/")
    assert refused.returncode != 0


def test_socks5_with_no_intercept_passes_everything_through(
    start_lab: StartLab, clean_env: dict[str, str]
) -> None:
    state = start_lab(socks5=True, no_intercept=True)
    assert state.socks_url is not None
    result = curl(clean_env, state.socks_url, state.public_root, "https://site1.test/")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok site1.test\n"


def test_socks5_with_lazy_upstream_mints_for_lab_names_only(start_lab: StartLab) -> None:
    state = start_lab(socks5=True, lazy_upstream=True, ca_key="ec")
    sock, _method = greet(state, b"\x00")
    assert connect(sock, "site2.test")[:2] == b"\x05\x00"
    leaf, answer = get_over_tls(sock, "site2.test", state.inspection_ca)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.IPAddress) == []  # minted from the SNI alone: lazy
    assert answer.endswith(b"\r\n\r\nok site2.test\n"), answer
    # Lazy answers before reaching anything, so a non-lab name gets a tunnel, but no leaf.
    sock, _method = greet(state, b"\x00")
    assert connect(sock, "example.com")[:2] == b"\x05\x00"
    with pytest.raises(OSError):  # ssl.SSLError is an OSError
        get_over_tls(sock, "example.com", state.inspection_ca)


def test_a_lab_without_socks5_listens_on_one_proxy_port(lab: LabState) -> None:
    assert lab.socks_url is None
    assert lab.socks_port is None
    assert lab.authenticated_socks_url is None
    assert lab.options["socks5"] is False
    ready = json.loads((lab.state_dir / "proxy.json").read_text())
    assert set(ready) == {"port", "pid"}
    if sys.platform.startswith("linux"):
        assert proxy_listening_ports(lab) == [lab.proxy_port]


def test_a_socks5_lab_listens_on_two_proxy_ports(socks_lab: LabState) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc")
    assert proxy_listening_ports(socks_lab) == sorted([socks_lab.proxy_port, socks_port(socks_lab)])


def proxy_listening_ports(state: LabState) -> list[int]:
    """Ports the proxy process listens on (127.0.0.1 only), from /proc."""
    listening = listening_sockets()
    (proxy,) = [p for p in state.processes if p.role == "proxy"]
    found = []
    for fd in Path(f"/proc/{proxy.pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:[") and target[8:-1] in listening:
            host, port = listening[target[8:-1]]
            assert host == "0100007F"  # 127.0.0.1
            found.append(port)
    return sorted(found)


def test_lab_status_json_shows_the_socks_url(
    socks_lab: LabState, lab: LabState, clean_env: dict[str, str]
) -> None:
    status = run_cli(
        "lab", "status", "--json", "--state-dir", str(socks_lab.state_dir), env=clean_env
    )
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["socks_url"] == socks_lab.socks_url
    assert data["socks_port"] == socks_lab.socks_port
    assert data["proxy_url"] == socks_lab.proxy_url
    plain = run_cli("lab", "status", "--json", "--state-dir", str(lab.state_dir), env=clean_env)
    assert json.loads(plain.stdout)["socks_url"] is None


def test_lab_status_tells_how_to_use_socks5(socks_lab: LabState, clean_env: dict[str, str]) -> None:
    where = ("--state-dir", str(socks_lab.state_dir))
    english = run_cli("lab", "status", *where, env=clean_env)
    assert english.returncode == 0, english.stderr
    assert re.search(rf"\n  SOCKS5 proxy: +{socks_lab.socks_url}\n", english.stdout)
    assert f"ALL_PROXY={socks_lab.socks_url} or curl --proxy" in english.stdout
    japanese = run_cli("--lang", "ja", "lab", "status", *where, env=clean_env)
    assert re.search(rf"\n  SOCKS5 プロキシ： +{socks_lab.socks_url}\n", japanese.stdout)
    assert f"ALL_PROXY={socks_lab.socks_url}、または curl --proxy" in japanese.stdout


def test_cli_start_socks5_prints_a_curl_line_that_works(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    env = {**clean_env, "TLSDOCTOR_LAB_DIR": str(tmp_path / "cli-lab")}
    started = run_cli("lab", "start", "--socks5", "--proxy-auth", f"{USER}:{PASSWORD}", env=env)
    try:
        assert started.returncode == 0, started.stderr
        lines = [line.strip() for line in started.stdout.splitlines()]
        command = next(line for line in lines if line.startswith("curl --proxy socks5h://"))
        assert "user%40corp.com:p%23ss%20w@127.0.0.1:" in command
        result = subprocess.run(
            ["sh", "-c", command], env=env, capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == "ok site1.test\n"
        assert "PRIVATE KEY" not in started.stdout
        status = json.loads(run_cli("lab", "status", "--json", env=env).stdout)
        assert status["socks_url"].startswith("socks5h://127.0.0.1:")
        misplaced = run_cli("lab", "status", "--socks5", env=env)
        assert misplaced.returncode == 2
        assert "--socks5 only applies to 'lab start'" in misplaced.stderr
    finally:
        stopped = run_cli("lab", "stop", env=env)
    assert stopped.returncode == 0, stopped.stderr


def test_a_state_file_from_before_socks5_still_loads(lab: LabState) -> None:
    data = lab.to_json()
    del data["socks_url"], data["socks_port"]
    old = LabState.from_json(data, lab.state_dir)
    assert old.socks_url is None
    assert old.socks_port is None
    assert old.proxy_url == lab.proxy_url
    assert old.authenticated_proxy_url == lab.proxy_url
