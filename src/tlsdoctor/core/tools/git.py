"""git: ``http.sslCAInfo`` in the global config, edited by git itself on a scratch copy."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from tlsdoctor.core.changes import Plan
from tlsdoctor.core.tools import _edit
from tlsdoctor.core.tools._base import Context, edit_file, edit_line, not_installed

SETTING = "http.sslCAInfo"


def global_config_path(ctx: Context) -> Path:
    """The file ``git config --global`` writes to."""
    explicit = ctx.env_path("GIT_CONFIG_GLOBAL")
    if explicit:
        return explicit
    dotfile = ctx.home / ".gitconfig"
    xdg = ctx.config_home / "git" / "config"
    if not dotfile.exists() and xdg.exists():
        return xdg
    return dotfile


def _git_edit(ctx: Context, program: str, value: str, text: str) -> tuple[str, str | None]:
    """Let git make the edit (it knows its own syntax) on a copy in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="tlsdoctor-git-") as scratch:
        copy = Path(scratch) / "config"
        copy.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        env = {k: v for k, v in ctx.environ.items() if not k.startswith("GIT_CONFIG")}
        base = [program, "config", "--file", str(copy)]
        got = subprocess.run(
            [*base, "--get", SETTING], env=env, capture_output=True, text=True, check=False
        )
        old = got.stdout.strip() or None if got.returncode == 0 else None
        if old == value:
            return text, old
        done = subprocess.run(
            [*base, SETTING, value], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ValueError(done.stderr.strip() or "git config failed")
        return copy.read_bytes().decode("utf-8", errors="surrogateescape"), old


def plan_git(ctx: Context) -> Plan:
    program = ctx.which("git")
    path = global_config_path(ctx)
    if not program and not ctx.explicit:
        return not_installed("git")
    bundle = str(ctx.bundle)
    if program:
        return edit_file(
            ctx,
            "git",
            path,
            SETTING,
            bundle,
            lambda text: _git_edit(ctx, program, bundle, text),
            insecure_file="gitconfig",
        )
    return edit_line(
        ctx,
        "git",
        path,
        SETTING,
        bundle,
        section="http",
        key_pattern=_edit.ini_key("sslCAInfo"),
        line=f"\tsslCAInfo = {bundle}",
        parse_value=_edit.quoted,
        case_insensitive_section=True,
        insecure_file="gitconfig",
    )
