"""A controlled environment for anything that runs clients or writes user config.

This machine is configured like a user's: it exports SSL_CERT_FILE, REQUESTS_CA_BUNDLE,
NODE_EXTRA_CA_CERTS, PIP_CERT, GIT_SSL_CAINFO... and has pip/npm config files that pin a CA
file. Tests must not inherit any of that, or they test the machine instead of tlsdoctor.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Every variable that changes which CAs a client trusts, whether it verifies, or how it
# reaches the network. Stripped from every environment a test hands to a client.
TRUST_AND_PROXY_VARS = (
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "NODE_USE_SYSTEM_CA",
    "NODE_OPTIONS",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "AWS_CA_BUNDLE",
    "GIT_SSL_CAINFO",
    "GIT_SSL_CAPATH",
    "GIT_SSL_NO_VERIFY",
    "PIP_CERT",
    "PIP_CONFIG_FILE",
    "PIP_TRUSTED_HOST",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "UV_SYSTEM_CERTS",
    "UV_NATIVE_TLS",
    "CONDA_SSL_VERIFY",
    "REQUESTS_CA_BUNDLE",
    "CARGO_HTTP_CAINFO",
    "DENO_CERT",
    "DENO_TLS_CA_STORE",
    "HTTPLIB2_CA_CERTS",
    "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
    "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE",
    "NIX_SSL_CERT_FILE",
    "PYTHONHTTPSVERIFY",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "CURL_HOME",
    "WGETRC",
    "SYSTEMWGETRC",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
    "NPM_CONFIG_USERCONFIG",
    "npm_config_userconfig",
    "NPM_CONFIG_GLOBALCONFIG",
    "npm_config_globalconfig",
    "npm_config_cafile",
    "NPM_CONFIG_CAFILE",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
    "NO_COLOR",
)

# Clients the issues name. In CI a missing one is a failure, elsewhere a skip with the reason.
KNOWN_CLIENTS = ("curl", "wget", "git", "openssl", "node", "npm", "java", "keytool")


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def require_client(name: str) -> str:
    """Path of a real client program; fails in CI (never a silent skip) when it is missing."""
    path = shutil.which(name)
    if path:
        return path
    message = f"client {name!r} is not installed on this machine"
    if in_ci():
        pytest.fail(message + " (CI must have every client)")
    pytest.skip(message)
    raise AssertionError("unreachable")


def clean_environment(home: Path) -> dict[str, str]:
    """An environment with no inherited trust, proxy or tool configuration, HOME in a sandbox."""
    env = {k: v for k, v in os.environ.items() if k not in TRUST_AND_PROXY_VARS}
    home.mkdir(parents=True, exist_ok=True)
    config = home / ".config"
    config.mkdir(exist_ok=True)
    npmrc = home / ".npmrc"
    npmrc.touch()
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),
        LANG="C.UTF-8",
        XDG_CONFIG_HOME=str(config),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        # pip: os.devnull means "load no config file at all" (not /etc/pip.conf either).
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        # git: no system or user config but the sandbox's own.
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_TERMINAL_PROMPT="0",
        # npm: the sandbox's user config, and no global config from the machine.
        npm_config_userconfig=str(npmrc),
        npm_config_globalconfig=str(home / ".npmrc-global"),
        npm_config_cache=str(home / ".npm"),
        npm_config_update_notifier="false",
        npm_config_fund="false",
        npm_config_audit="false",
        CURL_HOME=str(home),
        # wget reads $HOME/.wgetrc when it exists (WGETRC is stripped: wget refuses a WGETRC
        # naming a missing file, and setup must be able to create ~/.wgetrc itself).
        NO_COLOR="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    # The interpreter running the tests (and its scripts, such as tlsdoctor) comes first.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@pytest.fixture
def sandbox_home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def clean_env(sandbox_home: Path) -> dict[str, str]:
    """Environment for subprocesses: nothing from this machine's CA or proxy settings."""
    return clean_environment(sandbox_home)


@pytest.fixture
def isolated_process_env(
    monkeypatch: pytest.MonkeyPatch, sandbox_home: Path
) -> Iterator[dict[str, str]]:
    """The same controlled environment applied to this test process (for in-process calls)."""
    env = clean_environment(sandbox_home)
    for key in TRUST_AND_PROXY_VARS:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env
