"""`tlsdoctor show HOST --lab [DIR]`: proxy and public root from the running lab."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_cli
from fixtures_lab import StartLab

pytestmark = pytest.mark.lab


def test_show_lab_names_the_inspection_ca_and_uses_the_lab_public_root(
    start_lab: StartLab, clean_env: dict[str, str], tmp_path: Path
) -> None:
    state = start_lab(vendor="zscaler", bypass=["bank.test"])
    # A proxy in the environment must not be used: --lab means the lab's proxy.
    env = dict(
        clean_env,
        HTTPS_PROXY="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        TLSDOCTOR_SYSROOT=str(tmp_path / "empty-sysroot"),
    )
    done = run_cli("show", "site1.test", "--lab", str(state.state_dir), "--json", env=env)
    assert done.returncode == 1, done.stderr  # re-signed: not trusted by the (lab) public root
    data = json.loads(done.stdout)
    assert data["error"] is None
    assert data["via_proxy"]
    assert data["product"] == "Zscaler"
    assert data["trusted_public"] is False
    assert data["chain"][0]["issuer"] == state.ca_subject
    assert data["chain"][0]["sans"][0] == "DNS:site1.test"
    # The bypassed site shows its real chain, trusted: the lab public root is the root set.
    bank = run_cli("show", "bank.test", f"--lab={state.state_dir}", "--json", env=env)
    assert bank.returncode == 0, bank.stderr
    bank_data = json.loads(bank.stdout)
    assert bank_data["trusted_public"] is True
    assert bank_data["product"] is None
    assert bank_data["chain"][0]["issuer"] == "CN=tlsdoctor Lab Public Root CA,O=tlsdoctor lab"


def test_show_lab_without_a_running_lab_is_a_usage_error(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    done = run_cli("show", "site1.test", "--lab", str(tmp_path / "none"), env=clean_env)
    assert done.returncode == 2
    assert done.stderr.startswith("tlsdoctor: error: no lab is running")
    assert "Traceback" not in done.stderr


def test_show_into_a_pipe_keeps_each_fingerprint_on_one_line(
    start_lab: StartLab, clean_env: dict[str, str]
) -> None:
    """A pipe is 80 columns to rich: the tree folds names there, never a fingerprint."""
    import re

    state = start_lab(vendor="netskope", ca_chain=True)
    done = run_cli("show", "site1.test", f"--lab={state.state_dir}", env=clean_env)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stdout.splitlines() if "SHA-256:" in line]
    assert len(lines) == 3  # leaf, intermediate, root
    for line in lines:
        assert re.search(r"SHA-256: ([0-9A-F]{2}:){31}[0-9A-F]{2}$", line), done.stdout
