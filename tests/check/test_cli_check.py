"""`tlsdoctor check` as a user runs it: table, Japanese, --json, --source, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from check_sites import Site
from fixtures_env import require_client

pytestmark = pytest.mark.clients


def tlsdoctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["tlsdoctor", *args], env=env, capture_output=True, text=True, timeout=90, check=False
    )


def test_json_rows_and_exit_code(tls_site: Site, clean_env: dict[str, str]) -> None:
    require_client("curl")
    done = tlsdoctor(
        clean_env, "check", tls_site.url, "--proxy", tls_site.proxy_url,
        "--clients", "curl,python-ssl", "--json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is False
    assert report["urls"] == [tls_site.url]
    assert report["proxy"] == tls_site.proxy_url
    # Rows in the order the clients were asked for.
    assert [(r["client"], r["status"]) for r in report["results"]] == [
        ("curl", "tls-error"),
        ("python-ssl", "tls-error"),
    ]
    curl = report["results"][0]
    assert curl["exit_code"] == 60
    assert "unable to get local issuer certificate" in curl["headline"]
    # explained by the explain engine
    assert curl["finding"]["cause"] == "inspection_untrusted_ca"
    assert curl["finding"]["tool"] == "curl"
    assert curl["finding"]["fix"]
    assert report["summary"] == {"tls-error": 2}


def test_source_loads_a_profile_and_the_clients_pass(
    tls_site: Site, clean_env: dict[str, str], tmp_path: Path
) -> None:
    require_client("curl")
    profile = tmp_path / "profile.sh"
    profile.write_text(
        f'export SSL_CERT_FILE="{tls_site.ca_pem}"\nexport CURL_CA_BUNDLE="{tls_site.ca_pem}"\n'
        'echo "this line must not reach the JSON"\n'
    )
    done = tlsdoctor(
        clean_env, "check", tls_site.url, "--proxy", tls_site.proxy_url,
        "--clients", "curl,python-ssl", "--source", str(profile), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert report["environment"] == str(profile)
    assert {r["status"] for r in report["results"]} == {"ok"}


def test_human_output_in_english_and_japanese(tls_site: Site, clean_env: dict[str, str]) -> None:
    require_client("curl")
    args = ["check", tls_site.url, "--proxy", tls_site.proxy_url, "--clients", "curl"]
    english = tlsdoctor(clean_env, *args)
    assert english.returncode == 1
    assert "TLS failure" in english.stdout
    assert "1 of 1 checks failed." in english.stdout
    assert "SSL certificate problem: unable to get local issuer certificate" in english.stdout
    assert "cause: The certificate was issued by a CA this tool does not trust" in english.stdout
    japanese = tlsdoctor(clean_env, "--lang", "ja", *args)
    assert japanese.returncode == 1
    assert "TLS エラー" in japanese.stdout
    assert "1 件中 1 件の確認が失敗しました。" in japanese.stdout
    assert "原因：" in japanese.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["http://example.com/"], "not an HTTPS URL"),
        (["--clients", "netscape", "https://x.test/"], "unknown client: netscape"),
        (["--clients", ",", "https://x.test/"], "--clients needs at least one client name"),
        (["--timeout", "0", "https://x.test/"], "--timeout must be a positive number"),
        (["--timeout", "nan", "https://x.test/"], "--timeout must be a positive number"),
        (["--timeout", "inf", "https://x.test/"], "--timeout must be a positive number"),
        (
            ["--source", "/nonexistent/profile", "https://x.test/"],
            "tlsdoctor: error: --source file not found: /nonexistent/profile",
        ),
        (["--source", "/", "https://x.test/"], "tlsdoctor: error: cannot read /"),
        (["not", "a", "url"], "not an HTTPS URL: not"),
        (["https://bad host/"], "not an HTTPS URL"),
        (["--proxy", "notaurl", "https://x.test/"], "not a proxy URL: notaurl"),
        (["--proxy", "socks5://127.0.0.1:1080", "https://x.test/"], "not a proxy URL"),
    ],
)
def test_bad_input_is_a_usage_error(
    clean_env: dict[str, str], args: list[str], message: str
) -> None:
    done = tlsdoctor(clean_env, "check", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)),
            "it is binary data, not a shell script of settings",
            id="program",
        ),
        pytest.param(
            "export A=1\n".encode("utf-16"),
            "it is UTF-16 text, which bash cannot read (save it as UTF-8)",
            id="utf-16",
        ),
    ],
)
def test_source_refuses_a_file_bash_cannot_source(
    clean_env: dict[str, str], tmp_path: Path, content: bytes, message: str
) -> None:
    """bash fails on these and check went on with this shell's environment, as if sourced."""
    profile = tmp_path / "profile"
    profile.write_bytes(content)
    done = tlsdoctor(clean_env, "check", "--source", str(profile), "https://x.test/")
    assert done.returncode == 2, done.stdout
    assert done.stderr == f"tlsdoctor: error: cannot source {profile}: {message}\n"


def test_list_clients(clean_env: dict[str, str]) -> None:
    done = tlsdoctor(clean_env, "check", "--list", "--json")
    assert done.returncode == 0
    rows = {r["client"]: r for r in json.loads(done.stdout)["clients"]}
    assert rows["python-ssl"]["installed"] is True
    assert {"curl", "git", "node", "java", "openssl", "pip", "npm", "wget"} <= set(rows)


def test_list_aligns_japanese_columns_by_display_width(clean_env: dict[str, str]) -> None:
    """インストール済み and 未インストール differ in characters, not only in columns: the third
    column starts at the same terminal column on every row."""
    from rich.cells import cell_len

    done = tlsdoctor(clean_env, "--lang", "ja", "check", "--list")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    marks = ("インストール済み", "未インストール")
    starts = set()
    for row in rows:
        mark = next(m for m in marks if m in row)
        head, _sep, rest = row.partition(mark)
        starts.add(cell_len(head + mark) + len(rest) - len(rest.lstrip(" ")))
    assert len(starts) == 1, rows


def test_bad_input_is_rejected_before_any_name_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse
    import socket

    from tlsdoctor.cli import check
    from tlsdoctor.errors import UsageError

    looked_up: list[object] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: looked_up.append(a) or [])
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    for argv in (["not", "a", "url"], ["--proxy", "notaurl", "example.org"]):
        with pytest.raises(UsageError):
            check.run(parser.parse_args(argv))
    assert looked_up == []


def test_doctor_with_a_missing_ca_is_a_usage_error(clean_env: dict[str, str]) -> None:
    done = tlsdoctor(clean_env, "doctor", "--ca", "/nonexistent/ca.pem")
    assert done.returncode == 2 and "/nonexistent/ca.pem: file not found" in done.stderr


def test_fix_checks_its_arguments_before_probing(clean_env: dict[str, str], tmp_path) -> None:
    done = tlsdoctor(
        clean_env, "fix", "--ca", "/nonexistent/ca.pem", "--lab", str(tmp_path / "no-lab")
    )
    assert done.returncode == 2 and "--ca file not found" in done.stderr, done.stderr
    not_a_ca = tmp_path / "ca.pem"
    not_a_ca.write_text("hello\n")
    for args in (["--lab", str(tmp_path / "no-lab")], ["--no-proxy", "--host", "127.0.0.1:1"]):
        done = tlsdoctor(clean_env, "fix", "--ca", str(not_a_ca), *args)
        assert done.returncode == 2 and done.stdout == "", done.stdout
        assert done.stderr == (
            f"tlsdoctor: error: {not_a_ca}: this is plain text without a certificate in it\n"
        )


def test_setup_block_not_loaded_in_this_shell_is_said_first(
    tls_site: Site, clean_env: dict[str, str]
) -> None:
    from tlsdoctor.core.tools import shell

    require_client("curl")
    home = Path(clean_env["HOME"])
    pairs = [("SSL_CERT_FILE", str(tls_site.ca_pem)), ("CURL_CA_BUNDLE", str(tls_site.ca_pem))]
    (home / ".bashrc").write_text("alias ll='ls -l'\n" + shell.render_block("bash", pairs))
    args = ["check", tls_site.url, "--proxy", tls_site.proxy_url, "--clients", "curl"]
    done = tlsdoctor(clean_env, *args)
    assert done.returncode == 1
    first = done.stdout.strip().splitlines()[0]
    assert "open a new shell, or run with --source" in first and "SSL_CERT_FILE" in first
    assert "fix:" not in done.stdout  # no advice to set up what is already set up
    report = json.loads(tlsdoctor(clean_env, *args, "--json").stdout)
    assert report["profile_not_loaded"]["missing"] == ["SSL_CERT_FILE", "CURL_CA_BUNDLE"]
    # with the block's variables in the environment there is nothing to say
    loaded = {**clean_env, "SSL_CERT_FILE": str(tls_site.ca_pem)}
    loaded["CURL_CA_BUNDLE"] = str(tls_site.ca_pem)
    report = json.loads(tlsdoctor(loaded, *args, "--json").stdout)
    assert report["profile_not_loaded"] is None and report["ok"] is True


def test_a_profile_that_is_a_named_pipe_is_not_read(tmp_path: Path) -> None:
    """A FIFO as ~/.bashrc blocked check before any client ran; it is skipped like no file."""
    import os

    from tlsdoctor.cli.check import profile_not_loaded

    os.mkfifo(tmp_path / ".bashrc")
    assert profile_not_loaded({"HOME": str(tmp_path)}) is None


def test_nodes_ambiguous_leaf_error_is_settled_by_the_probe(
    tls_site: Site, clean_env: dict[str, str]
) -> None:
    require_client("node")
    done = tlsdoctor(
        clean_env, "check", tls_site.url, "--proxy", tls_site.proxy_url,
        "--clients", "node", "--json",
    )  # fmt: skip
    (row,) = json.loads(done.stdout)["results"]
    assert "UNABLE_TO_VERIFY_LEAF_SIGNATURE" in row["detail"] + row["headline"], row
    # the message alone says "missing intermediate"; the probe sees a CA no public root vouches for
    assert row["finding"]["cause"] == "inspection_untrusted_ca", row["finding"]
    assert "no public root vouches for" in row["finding"]["probe"]


def test_a_client_with_verification_switched_off_is_never_ok(
    tls_site: Site, clean_env: dict[str, str]
) -> None:
    """An untrusted site: curl with .curlrc insecure and git with GIT_SSL_NO_VERIFY=0 would
    'pass'; check reports them as switched off (exit 1), without running them."""
    require_client("curl")
    require_client("git")
    home = Path(clean_env["HOME"])
    (home / ".curlrc").write_text("insecure\n")
    env = {**clean_env, "GIT_SSL_NO_VERIFY": "0"}  # tlsdoctor: ignore[TLS106] (the case under test)
    done = tlsdoctor(
        env, "check", tls_site.url, "--proxy", tls_site.proxy_url,
        "--clients", "curl,git,python-ssl", "--json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    rows = {r["client"]: r for r in report["results"]}
    assert [(c, r["status"], r["ok"]) for c, r in rows.items()] == [
        ("curl", "verification-off", False),
        ("git", "verification-off", False),
        ("python-ssl", "tls-error", False),
    ]
    assert rows["curl"]["command"] == [] and "curlrc" in rows["curl"]["headline"]
    assert "GIT_SSL_NO_VERIFY" in rows["git"]["headline"]
    assert "tlsdoctor setup git" in rows["git"]["finding"]["fix"][0]
    human = tlsdoctor(env, "check", tls_site.url, "--proxy", tls_site.proxy_url, "--clients", "git")
    assert human.returncode == 1
    assert "✗ git" in human.stdout and "verification switched off" in human.stdout


def test_no_client_could_run_is_inconclusive(tls_site: Site, clean_env: dict[str, str]) -> None:
    env = {**clean_env, "PATH": "/nonexistent"}
    args = ["check", tls_site.url, "--proxy", tls_site.proxy_url, "--clients", "curl,git"]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("tlsdoctor")), *args],
        env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    assert "No client could be run: none of them is installed." in done.stdout


def test_fix_json_on_a_terminal_gives_the_true_reason_for_not_applying(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--json never asks, also on a terminal: the reason must not say 'no terminal'."""
    import argparse
    import pty

    from tlsdoctor.cli import fix
    from tlsdoctor.render.console import console

    controller, terminal = pty.openpty()
    with open(terminal) as tty_stdin, open(controller, "rb", buffering=0):
        monkeypatch.setattr("sys.stdin", tty_stdin)
        outcome = fix.FixOutcome()
        args = argparse.Namespace(yes=False, json=True)
        assert fix._may_apply(args, outcome, console(stderr=True)) is False
    assert outcome.not_applied_reason is not None
    assert "--json does not ask for confirmation" in outcome.not_applied_reason
    assert "no terminal" not in outcome.not_applied_reason
