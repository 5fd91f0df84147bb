"""openssl s_client against a loopback s_server that sends only its leaf, signed by a CA named
like Zscaler's: the issuer row of the chain block (several lines after the verify error) names
the product, and s_client's closing "Verification error" is the same failure, not another."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_env import clean_environment, require_client
from loopback import leaf_under, write_chain

from tlsdoctor.core.explain import explain_text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s_server(tmp_path: Path) -> Iterator[int]:
    openssl = require_client("openssl")
    _root, leaf = leaf_under("Zscaler Root CA", "localhost")
    chain, key = write_chain(tmp_path / "server", leaf)
    port = free_port()
    server = subprocess.Popen(
        [
            openssl, "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(chain),
            "-key", str(key), "-quiet",
        ],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=clean_environment(tmp_path / "home"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("flags", [[], ["-verify_return_error"], ["-showcerts"]])
def test_s_client_leaf_only_names_the_issuer(
    s_server: int, flags: list[str], tmp_path: Path
) -> None:
    proc = subprocess.run(
        [
            "openssl", "s_client", "-connect", f"127.0.0.1:{s_server}",
            "-servername", "localhost", *flags,
        ],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=30, env=clean_environment(tmp_path / "home"), check=False,
    )  # fmt: skip
    assert "i:O = Zscaler Inc., CN = Zscaler Root CA" in proc.stdout, proc.stdout
    findings = explain_text(proc.stdout)
    assert len(findings) == 1, [(f.cause, f.line, f.excerpt) for f in findings]
    (finding,) = findings
    assert (finding.cause, finding.tool) == ("inspection_untrusted_ca", "openssl")
    assert finding.issuer == "O = Zscaler Inc., CN = Zscaler Root CA"
    assert finding.product == "Zscaler"
