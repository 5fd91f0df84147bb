"""--lazy-upstream: CONNECT answered, leaf minted from SNI, the site verified once data flows."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from cli_runner import run_cli
from cryptography import x509
from fixtures_lab import StartLab
from lab_sockets import get_over_tls

from tlsdoctor.lab.state import LabState, read_state

pytestmark = pytest.mark.lab


def connect_reply(state: LabState, host: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", state.proxy_port), timeout=10)
    sock.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    if not reply.startswith(b"HTTP/1.1 200"):  # read the refusal's body (keep-alive)
        head, _, body = reply.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.lower().split(b"\r\n")
            if line.startswith(b"content-length:")
        )
        while len(body) < length and (chunk := sock.recv(4096)):
            body += chunk
        reply = head + b"\r\n\r\n" + body
    return sock, reply


def get_through(state: LabState, host: str, cafile: Path) -> tuple[x509.Certificate, bytes]:
    """GET / through the proxy, verifying the proxy's leaf against ``cafile``."""
    sock, reply = connect_reply(state, host)
    assert reply.startswith(b"HTTP/1.1 200"), reply
    return get_over_tls(sock, host, cafile)


def test_lazy_upstream_mints_from_sni_and_still_reaches_the_site(start_lab: StartLab) -> None:
    state = start_lab(lazy_upstream=True, ca_key="ec")
    assert state.options["lazy_upstream"] is True
    leaf, answer = get_through(state, "site2.test", state.inspection_ca)
    root = x509.load_pem_x509_certificate(state.inspection_ca.read_bytes())
    assert leaf.issuer == root.subject
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    # Minted from the SNI alone: no site address (eager mode adds the 127.0.0.1 it connected to).
    assert sans.get_values_for_type(x509.DNSName) == ["site2.test"]
    assert sans.get_values_for_type(x509.IPAddress) == []
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert answer.endswith(b"\r\n\r\nok site2.test\n")


def test_lazy_upstream_refuses_non_lab_names_at_connect(start_lab: StartLab) -> None:
    state = start_lab(lazy_upstream=True)
    sock, reply = connect_reply(state, "example.com")
    sock.close()
    assert reply.startswith(b"HTTP/1.1 502"), reply
    assert b"not a lab name" in reply


def test_lazy_upstream_still_verifies_the_site(start_lab: StartLab) -> None:
    state = start_lab(lazy_upstream=True)
    # No upstream connection has been made yet (lazy): make the file mitmproxy verifies the
    # sites against name a root that did not issue them. The first data must then fail upstream.
    state.public_root.write_bytes(state.inspection_ca.read_bytes())
    _leaf, answer = get_through(state, "site1.test", state.inspection_ca)
    assert answer.startswith(b"HTTP/1.1 502"), answer
    assert b"ok site1.test" not in answer


def test_cli_lazy_upstream_reaches_mitmproxy(tmp_path: Path, clean_env: dict[str, str]) -> None:
    env = {**clean_env, "TLSDOCTOR_LAB_DIR": str(tmp_path / "cli-lab")}
    started = run_cli("lab", "start", "--lazy-upstream", env=env)
    try:
        assert started.returncode == 0, started.stderr
        state = read_state(tmp_path / "cli-lab")
        assert state.options["lazy_upstream"] is True
        # Lazy: CONNECT to the closed down.test port is answered (eager mode answers 502).
        sock, reply = connect_reply(state, state.special["down"])
        sock.close()
        assert reply.startswith(b"HTTP/1.1 200"), reply
        misplaced = run_cli("lab", "status", "--lazy-upstream", env=env)
        assert misplaced.returncode == 2
        assert "--lazy-upstream only applies to 'lab start'" in misplaced.stderr
    finally:
        stopped = run_cli("lab", "stop", env=env)
    assert stopped.returncode == 0, stopped.stderr


def test_eager_default_refuses_a_closed_site_at_connect(lab: LabState) -> None:
    assert lab.options["lazy_upstream"] is False
    sock, reply = connect_reply(lab, lab.special["down"])
    sock.close()
    assert reply.startswith(b"HTTP/1.1 502"), reply
