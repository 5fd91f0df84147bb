"""`tlsdoctor detect` / `show` as a user runs them: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runner import run_cli, run_in_terminal


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
        *(
            (
                [command, option, value, "127.0.0.1:1"],
                "tlsdoctor: error: --timeout and --deadline must be positive numbers of seconds\n",
            )
            for command in ("detect", "show")
            for option in ("--timeout", "--deadline")
            for value in ("0", "-1", "nan", "inf")
        ),
        (
            ["ca", "export", "--host", "127.0.0.1:1", "--deadline", "nan"],
            "tlsdoctor: error: --timeout and --deadline must be positive numbers of seconds\n",
        ),
        (
            ["explain", "--probe", "--timeout", "NaN", "hostname mismatch"],
            "tlsdoctor: error: --timeout and --deadline must be positive numbers of seconds\n",
        ),
        (
            ["detect", "--proxy", "socks4://127.0.0.1:1", "127.0.0.1:1"],
            "tlsdoctor: error: unsupported proxy scheme 'socks4': tlsdoctor speaks to http:// "
            "(CONNECT) and socks5:// or socks5h:// proxies (give one with --proxy, or use "
            "--no-proxy)\n",
        ),
        *(
            (
                [*command, "--proxy", ""],
                "tlsdoctor: error: --proxy needs a URL (it is empty); "
                "use --no-proxy to connect directly\n",
            )
            for command in (["detect", "127.0.0.1:1"], ["show", "127.0.0.1:1"], ["ca", "export"])
        ),
        (["show", "[::1"], "tlsdoctor: error: not a HOST[:PORT]: [::1\n"),
        (["show", "https://[::1"], "tlsdoctor: error: not a HOST[:PORT]: https://[::1\n"),
        (
            ["detect", "site1.test:²", "--no-proxy"],
            "tlsdoctor: error: not a valid port in site1.test:² (use 1-65535)\n",
        ),
        (
            ["ca", "export", "--host", "x:٤٤٣", "--no-proxy"],
            "tlsdoctor: error: not a valid port in x:٤٤٣ (use 1-65535)\n",
        ),
    ],
)
def test_bad_input_is_a_usage_error(
    clean_env: dict[str, str], args: list[str], message: str
) -> None:
    done = run_cli(*args, env=clean_env)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["detect", "--roots", "/nonexistent/roots.pem", "127.0.0.1:1"],
            "ルート証明書ファイル /nonexistent/roots.pem を読めません："
            "ファイルまたはフォルダーがありません\n",
        ),
        (
            ["detect", "--proxy", "https://127.0.0.1:1", "127.0.0.1:1"],
            "'https' のプロキシには対応していません。tlsdoctor が使えるのは http://（CONNECT）と "
            "socks5:// / socks5h:// のプロキシです（--proxy で指定するか、--no-proxy を"
            "使ってください）\n",
        ),
    ],
)
def test_bad_input_is_a_usage_error_in_japanese(
    clean_env: dict[str, str], args: list[str], message: str
) -> None:
    """The OS's reason in Japanese too (not strerror's English), and no colon between clauses."""
    done = run_cli("--lang", "ja", *args, env=clean_env)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "tlsdoctor: エラー：" + message)


def test_detect_lab_without_a_running_lab(clean_env: dict[str, str], tmp_path: Path) -> None:
    done = run_cli("detect", "--lab", str(tmp_path / "nolab"), env=clean_env)
    assert done.returncode == 2
    assert done.stderr.startswith("tlsdoctor: error: no lab is running")


@pytest.mark.parametrize(("host", "shown"), [("127.0.0.1", "127.0.0.1"), ("[::1]", "[::1]")])
def test_show_unreachable_host(clean_env: dict[str, str], host: str, shown: str) -> None:
    port = closed_port()
    done = run_cli("show", f"{host}:{port}", "--no-proxy", env=clean_env)
    assert done.returncode == 3
    assert done.stdout.startswith(f"{shown}:{port}\n"), done.stdout
    assert "error: " in done.stdout


def test_progress_on_a_terminal_only(clean_env: dict[str, str]) -> None:
    from detect_world import HangServer

    server = HangServer()
    try:
        args = ["detect", "--no-proxy", "--timeout", "1.5", f"127.0.0.1:{server.port}"]
        on_terminal = run_in_terminal(args, clean_env)
        piped = run_cli(*args, env=clean_env)
    finally:
        server.close()
    assert "probing 1 host" in on_terminal and "host(s)" not in on_terminal
    assert "probing" not in piped.stdout + piped.stderr
    assert piped.returncode == 3


def test_colours_on_a_terminal_and_off_with_no_color(clean_env: dict[str, str]) -> None:
    args = ["detect", "--no-proxy", "--timeout", "1", f"127.0.0.1:{closed_port()}"]
    env = {k: v for k, v in clean_env.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    coloured = run_in_terminal(args, env)
    assert "inconclusive" in coloured
    assert "\x1b[" in coloured
    plain = run_in_terminal(args, dict(env, NO_COLOR="1"))
    assert "inconclusive" in plain
    assert "\x1b[1m" not in plain and "\x1b[35m" not in plain


def test_the_console_prints_fingerprints_as_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    from tlsdoctor.render.console import console

    console().print("SHA-256: 55:AB:82:AB:C9")  # rich would turn ":AB:" into an emoji
    assert capsys.readouterr().out == "SHA-256: 55:AB:82:AB:C9\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["detect", "--lab", "/nonexistent", "--no-proxy"], "--no-proxy and --lab"),
        (["show", "x.test", "--lab", "/nonexistent", "--no-proxy"], "--no-proxy and --lab"),
        (["ca", "export", "--lab", "/nonexistent", "--no-proxy"], "--no-proxy and --lab"),
        (["detect", "x.test", "--roots", ""], "--roots needs a file name"),
        (["show", "x.test", "--roots", ""], "--roots needs a file name"),
        (["ca", "export", "--host", ""], "--host needs HOST[:PORT]"),
        (["ca", "export", "--all", "--host", "x.test"], "--all cannot be combined"),
        (["ca", "export", "--all", "--lab", "/nonexistent"], "--all cannot be combined"),
        (["ca", "export", "--all", "--proxy", "http://127.0.0.1:9"], "--all cannot be combined"),
    ],
)
def test_options_that_would_be_ignored_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tlsdoctor.cli.main import main

    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("tlsdoctor: error: " + message), captured.err
    assert len(captured.err.splitlines()) == 1


def test_show_honours_the_deadline_and_names_it(clean_env: dict[str, str]) -> None:
    """A --deadline shorter than --timeout ends the probe: show blames the deadline, as detect
    does (it said "timed out", as if the host's own --timeout had run out)."""
    from detect_world import HangServer

    server = HangServer()
    show = ["show", f"127.0.0.1:{server.port}", "--no-proxy", "--timeout", "30"]
    try:
        started = time.monotonic()
        done = run_cli(*show, "--deadline", "0.5", env=clean_env)
        took = time.monotonic() - started
        data = json.loads(run_cli(*show, "--deadline", "0.5", "--json", env=clean_env).stdout)
        japanese = run_cli("--lang", "ja", *show, "--deadline", "0.5", env=clean_env)
        own = json.loads(
            run_cli(*show[:-1], "0.5", "--deadline", "30", "--json", env=clean_env).stdout
        )
    finally:
        server.close()
    cut = "the total deadline (--deadline 0.5 s) ran out during the TLS handshake"
    assert done.returncode == 3, done.stderr
    assert f"error: {cut}" in done.stdout
    assert took < 10
    assert (data["error_kind"], data["error"]) == ("deadline", cut)
    cut_ja = "TLS ハンドシェイク中に全体の制限時間（--deadline 0.5 秒）を超えました"
    assert cut_ja in japanese.stdout
    # The host's own --timeout, shorter than the deadline, keeps its own words.
    assert (own["error_kind"], own["error"]) == ("timeout", "timed out during the TLS handshake")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
@pytest.mark.parametrize("command", ["detect", "show"])
def test_a_roots_file_that_is_a_pipe_or_a_device_is_one_line(
    tmp_path: Path, clean_env: dict[str, str], command: str
) -> None:
    """A named pipe nobody writes to hung the run (read_bytes waits for a writer); /dev/zero
    would be read until memory runs out."""
    fifo = tmp_path / "roots.pem"
    os.mkfifo(fifo)
    cases = {
        str(fifo): f"tlsdoctor: error: {fifo}: empty file\n",
        "/dev/zero": "tlsdoctor: error: cannot read the roots file /dev/zero: it is not a file\n",
    }
    for roots, message in cases.items():
        argv = [sys.executable, "-m", "tlsdoctor", command, "127.0.0.1:1", "--no-proxy"]
        done = subprocess.run(
            [*argv, "--roots", roots], env=clean_env, capture_output=True, text=True, timeout=30
        )
        assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


@pytest.mark.parametrize("command", ["detect", "show"])
def test_roots_from_process_substitution_are_read_once(
    tmp_path: Path, clean_env: dict[str, str], command: str
) -> None:
    """`--roots <(cat roots.pem)`: the command checks the file, then loads it to probe; a pipe
    gives its bytes once, so the second read found it empty (exit 2, "empty file")."""
    import trustme

    roots = tmp_path / "roots.pem"
    trustme.CA().cert_pem.write_to_path(str(roots))
    line = (
        f"{shlex.quote(sys.executable)} -m tlsdoctor {command} 127.0.0.1:{closed_port()} "
        f"--no-proxy --json --roots <(cat {shlex.quote(str(roots))})"
    )
    done = subprocess.run(
        ["bash", "-c", line], env=clean_env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stderr
    assert "refused" in done.stdout
