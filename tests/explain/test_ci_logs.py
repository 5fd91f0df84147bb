"""Logs as CI systems keep them: colour codes and timestamp prefixes are read past (tool
markers anchored at the start of a line still see it) and kept out of excerpts and output.

The texts in data/captured/ are real output of this machine's clients against the lab."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_cli
from fixtures_env import clean_environment

from tlsdoctor.core.explain import explain_text

CAPTURED = Path(__file__).parent / "data" / "captured"
STAMPS = {
    "github": "2026-11-25T09:16:43.1234567Z ",  # GitHub Actions, Azure Pipelines
    "gitlab": "2026-11-25T09:16:43.155870Z 00O ",  # GitLab CI with timestamps on
    "jenkins": "[2026-11-25T09:16:43.123Z] ",  # Jenkins timestamper
    "logging": "2026-11-25 09:16:43,123 ",  # Python logging, many log4j layouts
}


def captured(name: str) -> str:
    return (CAPTURED / f"{name}.txt").read_text(encoding="utf-8")


def stamped(text: str, stamp: str) -> str:
    return "".join(stamp + line for line in text.splitlines(keepends=True))


def test_coloured_npm_output_is_npms() -> None:
    (f,) = explain_text(captured("npmcolor_site1"))
    assert (f.cause, f.tool) == ("missing_intermediate", "npm")
    assert "\x1b" not in f.excerpt
    assert f.excerpt.startswith("npm error")


@pytest.mark.parametrize("stamp", list(STAMPS.values()), ids=list(STAMPS))
@pytest.mark.parametrize(
    ("name", "cause"),
    [("npm_site1", "missing_intermediate"), ("p407_npm", "proxy_auth")],
)
def test_timestamped_lines_keep_their_tool(name: str, cause: str, stamp: str) -> None:
    (f,) = explain_text(stamped(captured(name), stamp))
    assert (f.cause, f.tool) == (cause, "npm")
    assert f.excerpt.startswith("npm error"), f.excerpt


def test_coloured_and_timestamped_log_through_the_cli(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    log.write_text(stamped(captured("npmcolor_site1"), STAMPS["github"]), encoding="utf-8")
    env = clean_environment(tmp_path / "home")
    text = run_cli("explain", "--file", str(log), env=env)
    data = run_cli("explain", "--json", "--file", str(log), env=env)
    assert text.returncode == data.returncode == 1, text.stderr
    assert "\x1b" not in text.stdout
    assert "2026-11-25T09:16:43" not in text.stdout
    (finding,) = json.loads(data.stdout)["findings"]
    assert finding["tool"] == "npm"
    assert finding["excerpt"].startswith("npm error code UNABLE_TO_VERIFY_LEAF_SIGNATURE")
