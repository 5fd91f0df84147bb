"""Per-user locations, following XDG on Linux and the usual places on macOS and Windows.

Everything honours HOME and the XDG variables so tests and users can aim it at a sandbox.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

APP = "tlsdoctor"
# os.open flags for reading a path the user named without waiting on it: a named pipe nobody
# writes to opens at once instead of hanging in open(), and a terminal never becomes ours.
READ_WITHOUT_WAITING = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def home(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    value = env.get("HOME") or env.get("USERPROFILE")
    return Path(value) if value else Path.home()


def _xdg(var: str, default: str, environ: Mapping[str, str] | None) -> Path:
    env = os.environ if environ is None else environ
    value = env.get(var)
    if value and os.path.isabs(value):
        return Path(value) / APP
    return home(environ) / default / APP


def data_dir(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> Path:
    """Where tlsdoctor keeps what it makes for the user (the combined bundle, the CA)."""
    env = os.environ if environ is None else environ
    if platform == "darwin":
        return home(env) / "Library" / "Application Support" / APP
    if platform == "win32":
        base = env.get("LOCALAPPDATA") or str(home(env) / "AppData" / "Local")
        return Path(base) / APP
    return _xdg("XDG_DATA_HOME", ".local/share", env)


def state_dir(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> Path:
    """Where tlsdoctor keeps its journal and the lab's run state."""
    env = os.environ if environ is None else environ
    if platform in ("darwin", "win32"):
        return data_dir(env, platform) / "state"
    return _xdg("XDG_STATE_HOME", ".local/state", env)


def config_home(environ: Mapping[str, str] | None = None) -> Path:
    """The XDG config home itself (not tlsdoctor's folder): tools such as pip and git use it."""
    env = os.environ if environ is None else environ
    value = env.get("XDG_CONFIG_HOME")
    return Path(value) if value and os.path.isabs(value) else home(env) / ".config"
