"""--probe picks the host:port the failing client used and tries the next host when one fails."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest
from cli_runner import run_cli
from fixtures_env import clean_environment, require_client
from loopback import leaf_under, tls_server, write_chain

from tlsdoctor.core.explain import explain_text, probe_findings


@pytest.fixture
def zscaler_server(tmp_path: Path) -> tuple[Path, Path]:
    """A leaf for localhost signed by a root named like Zscaler's, which nobody here trusts."""
    _root, leaf = leaf_under("Zscaler Root CA", "localhost")
    return write_chain(tmp_path / "server", leaf)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_wget_quoted_name_takes_the_port_of_its_url(
    zscaler_server: tuple[Path, Path], tmp_path: Path
) -> None:
    require_client("wget")
    with tls_server(*zscaler_server) as port:
        proc = subprocess.run(
            ["wget", "-O", "/dev/null", "--tries=1", f"https://localhost:{port}/"],
            env=clean_environment(tmp_path / "home"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode != 0
        (finding,) = explain_text(proc.stdout)
        assert (finding.tool, finding.cause) == ("wget", "inspection_untrusted_ca")
        assert finding.hosts[0] == ("localhost", port), proc.stdout
        probe_findings([finding], use_env_proxy=False, timeout=5, deadline=20)
    assert finding.probe is not None and f"localhost:{port}" in finding.probe, finding.probe
    assert (finding.cause, finding.product) == ("inspection_untrusted_ca", "Zscaler")


def test_a_host_that_cannot_be_reached_gives_way_to_the_next(
    zscaler_server: tuple[Path, Path],
) -> None:
    dead = closed_port()
    with tls_server(*zscaler_server) as port:
        text = (
            f"$ curl https://127.0.0.1:{dead}/ https://localhost:{port}/\n"
            "curl: (60) SSL certificate problem: unable to get local issuer certificate\n"
        )
        (finding,) = explain_text(text)
        assert finding.hosts[:2] == [("127.0.0.1", dead), ("localhost", port)]
        probe_findings([finding], use_env_proxy=False, timeout=5, deadline=20)
    assert finding.probe is not None and f"localhost:{port}" in finding.probe, finding.probe
    assert (finding.cause, finding.confidence, finding.product) == (
        "inspection_untrusted_ca",
        "high",
        "Zscaler",
    )


def test_run_probe_settles_the_cause_from_the_commands_url(
    zscaler_server: tuple[Path, Path], tmp_path: Path
) -> None:
    """curl names no host in its message: `run --probe` probes the URL it was given."""
    require_client("curl")
    env = clean_environment(tmp_path / "home")
    env["COLUMNS"] = "200"
    with tls_server(*zscaler_server) as port:
        proc = run_cli(
            "run", "--probe", "--no-proxy", "--", "curl", "-sS", f"https://localhost:{port}/",
            env=env,
        )  # fmt: skip
    assert proc.returncode == 60, proc.stderr
    assert "curl: (60)" in proc.stderr
    assert f"localhost:{port} is re-signed by Zscaler" in proc.stderr, proc.stderr
    assert "--probe to tell them apart" not in proc.stderr


def test_run_probe_rejects_bad_network_options_before_running(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    proc = run_cli(
        "run", "--probe", "--timeout", "0", "--", "touch", str(marker),
        env=clean_environment(tmp_path / "home"),
    )  # fmt: skip
    assert proc.returncode == 2
    assert "--timeout and --deadline must be positive" in proc.stderr
    assert not marker.exists()


def test_probe_shows_the_admin_named_ca_product_in_the_readers_language(tmp_path: Path) -> None:
    """A CA the OS trusts and no vendor row names: people read the product in their language,
    --json keeps the English constant."""
    root, leaf = leaf_under("ACME Corp Inspection CA", "localhost")
    bundle = tmp_path / "sysroot" / "etc" / "ssl" / "certs" / "ca-certificates.crt"
    bundle.parent.mkdir(parents=True)
    bundle.write_bytes(root.pem)
    env = {**clean_environment(tmp_path / "home"), "TLSDOCTOR_SYSROOT": str(bundle.parents[3])}
    env["COLUMNS"] = "200"
    with tls_server(*write_chain(tmp_path / "server", leaf)) as port:
        text = (
            f"$ curl https://localhost:{port}/\n"
            "curl: (60) SSL certificate problem: unable to get local issuer certificate\n"
        )
        ja = run_cli("explain", "--probe", "--no-proxy", "--lang", "ja", text, env=env)
        data = run_cli("explain", "--probe", "--no-proxy", "--json", "--lang", "ja", text, env=env)
    assert ja.returncode == 1, ja.stderr
    assert "unknown (admin-named CA)" not in ja.stdout, ja.stdout
    assert ja.stdout.count("不明（管理者が命名した CA）") == 2, ja.stdout  # probe line, product
    (finding,) = json.loads(data.stdout)["findings"]
    assert finding["product"] == "unknown (admin-named CA)"


def test_a_probe_that_corrects_the_cause_reads_as_one_sentence(
    zscaler_server: tuple[Path, Path], tmp_path: Path
) -> None:
    """The message alone says self-signed, the probe sees Zscaler: the probe line keeps the old
    guess in brackets, with no stray space after the Japanese full stop."""
    env = {**clean_environment(tmp_path / "home"), "COLUMNS": "300"}
    with tls_server(*zscaler_server) as port:
        text = (
            f"$ curl https://localhost:{port}/\n"
            "curl: (60) SSL certificate problem: self signed certificate\n"
        )
        en = run_cli("explain", "--probe", "--no-proxy", text, env=env)
        ja = run_cli("explain", "--probe", "--no-proxy", "--lang", "ja", text, env=env)
    assert "Zscaler Inc.). (the message alone suggested: The server presents a self-signed" in (
        en.stdout
    ), en.stdout
    assert "（CN=Zscaler Root CA,O=Zscaler Inc.）。（メッセージだけからの推定：" in ja.stdout, (
        ja.stdout
    )
