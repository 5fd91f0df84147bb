"""Run `python -m tlsdoctor` in a child process, as a user runs it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys


def run_cli(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tlsdoctor", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# How each shell redirection of stdout fails to write, as tlsdoctor reports it.
UNWRITABLE_STDOUT = [(">/dev/full", "No space left on device"), (">&-", "Bad file descriptor")]


def run_cli_redirected(
    redirect: str, *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``tlsdoctor ARGS`` with its stdout redirected by ``sh`` (``>/dev/full``, ``>&-``)."""
    command = [sys.executable, "-m", "tlsdoctor", *args]
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run with stdout and stderr on a pseudo-terminal; return everything it printed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tlsdoctor", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")
