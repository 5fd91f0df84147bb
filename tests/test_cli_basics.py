"""The CLI shell: version, help, language selection, errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import UNWRITABLE_STDOUT, run_cli, run_cli_redirected

from tlsdoctor import __version__, i18n
from tlsdoctor.cli.main import COMMANDS, main


def test_version_from_module_and_script(clean_env: dict[str, str]) -> None:
    proc = run_cli("--version", env=clean_env)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"tlsdoctor {__version__}"
    script = subprocess.run(
        ["tlsdoctor", "--version"], capture_output=True, text=True, env=clean_env, timeout=60
    )
    assert script.stdout.strip() == f"tlsdoctor {__version__}"


def test_help_lists_every_command(clean_env: dict[str, str]) -> None:
    proc = run_cli("--help", env=clean_env)
    assert proc.returncode == 0
    for name in COMMANDS:
        assert name in proc.stdout


def test_help_in_japanese(clean_env: dict[str, str]) -> None:
    env = dict(clean_env, LANG="ja_JP.UTF-8")
    proc = run_cli("--help", env=env)
    assert "使い方" in proc.stdout
    assert "コマンド" in proc.stdout
    by_flag = run_cli("--lang", "ja", "--help", env=clean_env)
    assert "使い方" in by_flag.stdout


def test_unknown_command_is_a_usage_error_without_traceback(clean_env: dict[str, str]) -> None:
    proc = run_cli("no-such-command", env=clean_env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "invalid choice" in proc.stderr


def test_unknown_language(clean_env: dict[str, str]) -> None:
    proc = run_cli("--lang", "xx", "--help", env=clean_env)
    assert proc.returncode == 2
    assert "unknown language" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja"),
        ({"LANGUAGE": "en:ja", "LANG": "ja_JP.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_language_from_environment(environ: dict[str, str], expected: str) -> None:
    assert i18n.language_from_environment(environ) == expected


def test_no_arguments_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "COMMAND" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_work_after_a_subcommand_too(
    clean_env: dict[str, str], tmp_path: Path, where: str
) -> None:
    broken = tmp_path / "ca.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\n")
    options = ["--lang", "ja", "--no-color"]
    argv = [*options, "ca", "check", str(broken)]
    if where == "after":
        argv = ["ca", "check", *options, str(broken)]
    proc = run_cli(*argv, env=clean_env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("tlsdoctor: エラー："), proc.stderr
    assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------- standard output that fails


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    import certfactory

    path = tmp_path / "ca.pem"
    path.write_bytes(certfactory.make_ca("Output Root").pem)
    return path


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_reader_that_closed_the_pipe_ends_quietly_with_0(
    clean_env: dict[str, str], ca_file: Path, json_flag: list[str]
) -> None:
    """`tlsdoctor ... | head -1`: rich's own handler exited with 1, the plain writes with 70."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tlsdoctor", "ca", "check", *json_flag, str(ca_file)],
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the child writes anything: its first write meets EPIPE
    err = proc.stderr.read().decode()
    assert (proc.wait(timeout=60), err) == (0, "")


@pytest.mark.parametrize(
    ("redirect", "reason"),
    UNWRITABLE_STDOUT,
)
@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_standard_output_that_cannot_be_written_is_one_line(
    clean_env: dict[str, str], ca_file: Path, redirect: str, reason: str, json_flag: list[str]
) -> None:
    if redirect == ">/dev/full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    done = run_cli_redirected(redirect, "ca", "check", *json_flag, str(ca_file), env=clean_env)
    assert (done.returncode, done.stderr) == (
        2,
        f"tlsdoctor: error: cannot write to standard output: {reason}\n",
    )


def test_a_host_after_bare_lab_is_named_as_read_for_the_state_folder(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", "detect", "--lab", "expired.test"],
        cwd=tmp_path,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "--lab took 'expired.test' as the lab's state folder" in proc.stderr, proc.stderr
    assert "--lab=STATE_DIR" in proc.stderr
    assert "Traceback" not in proc.stderr
