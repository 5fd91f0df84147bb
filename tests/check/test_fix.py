"""`tlsdoctor fix` in the lab with HOME in a temp dir: the guided path, confirmation, undo."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from fixtures_env import require_client

from tlsdoctor.lab.state import LabState

pytestmark = [pytest.mark.lab, pytest.mark.clients]

CHECK_CLIENTS = "python-ssl,requests,curl,node,git"
# tlsdoctor's journal and backups, and npm's cache (the check runs npm): never user files.
OWN = (".local/state/tlsdoctor/", ".npm/")


def tlsdoctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["tlsdoctor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def user_files(home: Path) -> dict[str, str]:
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not str(p.relative_to(home)).startswith(OWN)
    }


@pytest.fixture(scope="module")
def fix_lab(start_lab_module: object) -> LabState:
    state: LabState = start_lab_module(bypass=["bank.test"])  # type: ignore[operator]
    return state


@pytest.fixture
def user_env(clean_env: dict[str, str], sandbox_home: Path) -> dict[str, str]:
    env = dict(clean_env)
    env.pop("PIP_CONFIG_FILE")  # pip reads the user config that fix writes
    (sandbox_home / ".wgetrc").touch()  # a user who already has an (empty) wgetrc
    return env


def test_fix_yes_detects_exports_bundles_applies_checks_and_undo_restores(
    fix_lab: LabState, user_env: dict[str, str], sandbox_home: Path
) -> None:
    for program in ("curl", "node", "git", "keytool"):
        require_client(program)
    before = user_files(sandbox_home)
    done = tlsdoctor(
        user_env, "fix", "--lab", str(fix_lab.state_dir), "--yes", "--json",
        "--clients", CHECK_CLIENTS,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["detect"]["verdict"] == "partial"  # bank.test is bypassed
    subjects = [c["subject"] for c in report["ca"]["certificates"]]
    assert subjects == ["O=mitmproxy,CN=mitmproxy"]  # the lab's public root is no inspection CA
    assert report["ca"]["source"].startswith("agent-file: ")  # found by signature, not trusted
    assert Path(report["bundle"]["path"]).is_file()
    assert report["bundle"]["warnings"] == []
    ca_only = Path(report["bundle"]["ca_path"]).read_text(encoding="ascii")
    assert ca_only.count("BEGIN CERTIFICATE") == 2  # plus the lab's stand-in for Mozilla's roots
    assert report["applied"] is True
    written = {c["path"] for c in report["apply"]["written"]}
    assert str(sandbox_home / ".bashrc") in written
    assert report["bundle"]["path"] in written  # the bundle, too, is journaled: undo removes it
    check = report["check"]
    assert check["ok"] is True
    hosts = {r["url"] for r in check["results"]}
    assert hosts == {fix_lab.url(h) for h in fix_lab.hosts}  # intercepted and bypassed
    assert {r["client"] for r in check["results"]} == set(CHECK_CLIENTS.split(","))
    assert report["undo"] == "tlsdoctor undo --last"
    # the progress went to stderr, the JSON alone to stdout
    assert "Applying" in done.stderr

    undone = tlsdoctor(user_env, "undo", "--last")
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert user_files(sandbox_home) == before


def test_fix_without_a_terminal_or_yes_changes_no_setting(
    fix_lab: LabState, user_env: dict[str, str], sandbox_home: Path
) -> None:
    before = user_files(sandbox_home)
    done = tlsdoctor(user_env, "--lang", "ja", "fix", "--lab", str(fix_lab.state_dir))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "確認を求める端末がないため、ツールの設定は変更していません。" in done.stdout
    assert "インスペクション CA を探しています" in done.stdout
    assert "O=mitmproxy,CN=mitmproxy" in done.stdout
    assert "SHA-256 フィンガープリント：" in done.stdout  # labelled as in show and ca check
    # where the CA came from, in words (not the method code 'agent-file: ')
    assert "入手元：インスペクションエージェントのファイル（" in done.stdout
    assert "agent-file" not in done.stdout
    assert user_files(sandbox_home) == before  # not even the bundle was written


def test_fix_bad_input(user_env: dict[str, str], tmp_path: Path) -> None:
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("hello\n")
    for value in ("0", "nan", "inf"):
        done = tlsdoctor(user_env, "fix", "--timeout", value)
        assert done.returncode == 2 and "--timeout" in done.stderr
    done = tlsdoctor(user_env, "fix", "--lab", str(tmp_path / "nolab"))
    assert done.returncode == 2 and "no lab is running" in done.stderr
    assert "Traceback" not in done.stderr


def test_fix_asks_on_a_terminal_and_a_no_changes_nothing(
    fix_lab: LabState, user_env: dict[str, str], sandbox_home: Path
) -> None:
    import os
    import pty

    before = user_files(sandbox_home)
    controller, terminal = pty.openpty()
    try:
        os.write(controller, b"n\n")
        done = subprocess.run(
            ["tlsdoctor", "fix", "--lab", str(fix_lab.state_dir)],
            env=user_env,
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Apply these changes? [y/N]" in done.stdout
    assert "No tool setting was changed (not confirmed)." in done.stdout
    assert user_files(sandbox_home) == before


def test_fix_json_names_the_source_of_a_presented_root_as_a_code(
    start_lab_module: object, user_env: dict[str, str]
) -> None:
    chain_lab: LabState = start_lab_module(ca_chain=True)  # type: ignore[operator]
    done = tlsdoctor(user_env, "--lang", "ja", "fix", "--lab", str(chain_lab.state_dir), "--json")
    assert done.returncode == 1, done.stdout + done.stderr  # no --yes: nothing applied
    report = json.loads(done.stdout)
    assert report["applied"] is False
    assert report["ca"]["source"] == "detect"  # the same in every language
    assert [c["subject"] for c in report["ca"]["certificates"]] == ["O=mitmproxy,CN=mitmproxy"]
