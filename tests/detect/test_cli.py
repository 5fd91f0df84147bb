"""`tlsdoctor detect` / `show` as a user runs them: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tlsdoctor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_network_says_inconclusive_without_a_traceback(clean_env: dict[str, str]) -> None:
    # The default public hosts, but the only way out is a proxy on a closed loopback port.
    env = dict(clean_env, HTTPS_PROXY=f"http://127.0.0.1:{closed_port()}")
    done = run_cli("detect", "--timeout", "2", "--deadline", "4", env=env)
    assert done.returncode == 3
    assert done.stdout.startswith("Verdict: inconclusive: could not tell whether TLS is inspected")
    assert "no host could be checked: no TLS handshake completed" in done.stdout
    assert "the proxy cannot be reached or refuses tunnels" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    data = json.loads(run_cli("detect", "--json", "--timeout", "2", env=env).stdout)
    assert data["verdict"] == "inconclusive"
    assert {h["error_kind"] for h in data["hosts"]} == {"proxy"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["detect", "not a host"], "tlsdoctor: error: not a HOST[:PORT]: not a host\n"),
        (
            ["detect", "example.com:99999"],
            "tlsdoctor: error: not a valid port in example.com:99999 (use 1-65535)\n",
        ),
        (
            ["detect", "--roots", "/nonexistent/roots.pem", "127.0.0.1:1"],
            "tlsdoctor: error: cannot read the roots file /nonexistent/roots.pem: "
            "No such file or directory\n",
        ),
        (
            ["detect", "--timeout", "0", "127.0.0.1:1"],
            "tlsdoctor: error: --timeout and --deadline must be positive numbers of seconds\n",
        ),
        (
            ["detect", "--proxy", "socks5://127.0.0.1:1", "127.0.0.1:1"],
            "tlsdoctor: error: unsupported proxy scheme 'socks5': "
            "only http:// CONNECT proxies are supported\n",
        ),
        (["show", "[::1"], "tlsdoctor: error: not a HOST[:PORT]: [::1\n"),
    ],
)
def test_bad_input_is_a_usage_error(
    clean_env: dict[str, str], args: list[str], message: str
) -> None:
    done = run_cli(*args, env=clean_env)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


def test_detect_lab_without_a_running_lab(clean_env: dict[str, str], tmp_path: Path) -> None:
    done = run_cli("detect", "--lab", str(tmp_path / "nolab"), env=clean_env)
    assert done.returncode == 2
    assert done.stderr.startswith("tlsdoctor: error: no lab is running")


def test_show_unreachable_host(clean_env: dict[str, str]) -> None:
    done = run_cli("show", f"127.0.0.1:{closed_port()}", "--no-proxy", env=clean_env)
    assert done.returncode == 3
    assert "error: connection refused" in done.stdout
