"""`tlsdoctor fix --no-proxy`: probes (and clients) ignore the proxy environment variables."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from cli_runner import run_cli


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_fix_no_proxy_probes_directly_and_fails_cleanly(clean_env: dict[str, str]) -> None:
    env = dict(clean_env, HTTPS_PROXY=f"http://127.0.0.1:{closed_port()}")
    host = f"127.0.0.1:{closed_port()}"
    args = ["fix", "--host", host, "--timeout", "2"]
    through_env = run_cli(*args, "--json", env=env)
    assert through_env.returncode == 3, through_env.stderr
    assert json.loads(through_env.stdout)["detect"]["hosts"][0]["error_kind"] == "proxy"

    direct = run_cli(*args, "--no-proxy", "--json", env=env)
    assert direct.returncode == 3, direct.stderr  # inconclusive: nothing reachable
    report = json.loads(direct.stdout)["detect"]
    assert report["verdict"] == "inconclusive"
    assert report["hosts"][0]["error_kind"] == "refused"
    assert report["hosts"][0]["via_proxy"] is None

    human = run_cli(*args, "--no-proxy", env=env)
    assert human.returncode == 3
    assert "No host could be reached: cannot tell what to fix." in human.stdout
    assert "Traceback" not in human.stdout + human.stderr


def test_fix_proxy_and_no_proxy_are_exclusive(clean_env: dict[str, str]) -> None:
    done = run_cli("fix", "--proxy", "http://127.0.0.1:3128", "--no-proxy", env=clean_env)
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr
    assert "Traceback" not in done.stderr


def test_fix_says_open_a_new_shell_only_when_a_profile_was_written() -> None:
    """The closing advice matches what was written: a run that left every shell profile alone
    (one on a read-only file system, or already set up) has no variables to pick up."""
    from rich.console import Console

    from tlsdoctor.cli.fix import FixOutcome
    from tlsdoctor.core.changes import ApplyResult, Change
    from tlsdoctor.render import check as show

    advice = "Open a new shell (or source your profile) to pick up the variables."

    def closing(*tools: str) -> str:
        written = [Change(Path(f"/x/{t}"), None, b"x", "", t) for t in tools]
        out = Console(record=True, width=200)
        show.done(out, FixOutcome(apply_result=ApplyResult("run", written)), "tlsdoctor undo")
        return out.export_text()

    assert advice not in closing("bundle", "npm")
    assert advice in closing("bundle", "shell")


def test_fix_reads_the_ca_file_once(tmp_path: Path) -> None:
    """--ca is read when the arguments are checked, and those certificates are the ones fix
    trusts: the file changing (or going) while detect probes cannot matter."""
    import trustme

    from tlsdoctor.cli import fix
    from tlsdoctor.cli.main import build_parser

    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(trustme.CA().cert_pem.bytes())
    args = build_parser("fix").parse_args(["fix", "--ca", str(ca_file), "--host", "a.test"])
    settings = fix.settings_from(args)
    ca_file.unlink()
    certs, source, _shown = fix.find_cas(None, args.ca, settings, None)  # type: ignore[arg-type]
    assert len(certs) == 1 and certs == settings.ca_certs and source == str(ca_file)
