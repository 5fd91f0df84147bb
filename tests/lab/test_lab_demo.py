"""`make demo` runs scripts/demo.sh: it must show the verdict and leave nothing running."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_env import require_client

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parent.parent.parent


def test_demo_detects_the_lab_and_stops_it(clean_env: dict[str, str], tmp_path: Path) -> None:
    pytest.importorskip("mitmproxy")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**clean_env, "TMPDIR": str(scratch)}
    result = subprocess.run(
        [require_client("bash"), str(ROOT / "scripts" / "demo.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Verdict: partial" in out
    assert "Zscaler" in out
    assert "unable to get local issuer certificate" in out
    assert "ok site1.test" in out
    assert "is stopped" in out
    assert "Traceback" not in out + result.stderr
    assert list(scratch.iterdir()) == []  # the temporary state dir is gone
    assert Path(sys.executable).parent.as_posix() in env["PATH"]
