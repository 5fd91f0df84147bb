"""Logs saved as UTF-16 (Windows PowerShell 5.1 writes `cmd > log.txt` as UTF-16LE, with or
without a BOM depending on the cmdlet) are read like UTF-8 logs: from a file and standard input.

data/captured/pip_site1.txt is real pip output against the lab."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_env import clean_environment

from tlsdoctor.core.explain import explain_stream

CAPTURED = Path(__file__).parent / "data" / "captured"
ENCODINGS = {
    "utf-16-le-bom": lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "utf-16-le-no-bom": lambda t: t.encode("utf-16-le"),
    "utf-16-be-no-bom": lambda t: t.encode("utf-16-be"),
}


def windows_log() -> str:
    return (CAPTURED / "pip_site1.txt").read_text(encoding="utf-8").replace("\n", "\r\n")


def explain_json(args: list[str], home: Path, stdin: bytes | None = None) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", "explain", "--json", *args],
        input=stdin,
        capture_output=True,
        env=clean_environment(home),
        timeout=60,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data: dict[str, object] = json.loads(proc.stdout)
    return data


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_utf16_log_file_and_stdin(encoding: str, tmp_path: Path) -> None:
    raw = ENCODINGS[encoding](windows_log())
    log = tmp_path / "build.log"
    log.write_bytes(raw)
    for data in (
        explain_json(["--file", str(log)], tmp_path / "home"),
        explain_json(["-"], tmp_path / "home", stdin=raw),
    ):
        (finding,) = data["findings"]  # type: ignore[misc]
        assert (finding["cause"], finding["tool"]) == ("inspection_untrusted_ca", "pip")
        assert finding["excerpt"].startswith("Could not fetch URL https://site1.test/")


@pytest.mark.parametrize("block_size", [1, 3, 4096])
def test_utf16_stream_split_anywhere(block_size: int, tmp_path: Path) -> None:
    """A code unit or the BOM split between reads is still one character."""
    log = tmp_path / "build.log"
    log.write_bytes(ENCODINGS["utf-16-le-no-bom"](windows_log()))
    with log.open("rb") as stream:
        (finding,) = explain_stream(stream, block_size=block_size)
    assert (finding.cause, finding.tool) == ("inspection_untrusted_ca", "pip")
