"""Lab fixtures: the loopback lab (local TLS sites + the real mitmproxy), from temp state dirs.

- ``lab``: one session-wide lab with the default profile (mitmproxy CA), intercepting
  site1.test, site2.test and bank.test, nothing bypassed. Do not stop it in a test.
- ``start_lab(**options)``: a factory for labs with other options (vendor=, ca_name=,
  ca_chain=, ca_intermediate_only=, ca_noncompliant=, bypass=[...], no_intercept=,
  proxy_auth="user:pass", handshake_delay_ms=, sites=N, ca_key="rsa"|"ec", lazy_upstream=,
  socks5=); every lab it starts is stopped when the test ends. Starting takes about a second.

Both give a :class:`tlsdoctor.lab.LabState`: ``proxy_url``, ``public_root``, ``inspection_ca``,
``inspection_intermediate``, ``intercepted``, ``bypassed``, ``special`` (kind -> name:
expired, wrong_host, self_signed, incomplete_chain, down, hang, plain), ``sites`` (name -> port),
``aia_url``, ``state_dir``, ``socks_url``/``socks_port`` ("socks5h://127.0.0.1:PORT" with
socks5=True, else None; ``authenticated_socks_url`` carries the --proxy-auth credentials), and
``client_env(base_env)`` which adds HTTPS_PROXY/https_proxy/
HTTP_PROXY/http_proxy (with the lab's credentials when it has --proxy-auth; pass
``with_auth=False`` to leave them out) and empties NO_PROXY/no_proxy::

    def test_curl(lab, clean_env):
        env = lab.client_env(clean_env)
        run(["curl", "--cacert", str(lab.inspection_ca), "https://site1.test/"], env=env)

A lab that cannot start fails the test with its logs; it never hangs (start times out).
The lab's processes end with the test process even when it is killed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures_env import in_ci

from tlsdoctor.lab.state import LabState

StartLab = Callable[..., LabState]


def _require_mitmproxy() -> None:
    if importlib.util.find_spec("mitmproxy") is None:
        message = "mitmproxy is not installed (pip install 'tlsdoctor[lab]')"
        if in_ci():
            pytest.fail(message + " (CI must have the lab extra)")
        pytest.skip(message)


def start_lab_in(state_dir: Path, **options: Any) -> LabState:
    """Start a lab in ``state_dir`` that ends with this process; fail loudly with its logs."""
    _require_mitmproxy()
    from tlsdoctor.lab.control import Lab, LabStartError

    try:
        return Lab.start(state_dir, exit_with_parent=True, **options)
    except LabStartError as err:
        pytest.fail(f"the lab did not start: {err}\n{err.log}", pytrace=False)


def stop_lab(state: LabState) -> None:
    from tlsdoctor.lab.control import Lab

    Lab.stop(state.state_dir)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabState]:
    """The default lab, shared by the whole session."""
    state = start_lab_in(tmp_path_factory.mktemp("lab"))
    yield state
    stop_lab(state)


def _lab_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartLab]:
    """Start labs on demand; stop every one of them when the owning fixture ends."""
    started: list[LabState] = []

    def factory(**options: Any) -> LabState:
        state = start_lab_in(tmp_path_factory.mktemp("lab"), **options)
        started.append(state)
        return state

    yield factory
    for state in started:
        stop_lab(state)


@pytest.fixture
def start_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartLab]:
    """Factory: ``start_lab(vendor="zscaler", bypass=["bank.test"])`` -> LabState."""
    yield from _lab_factory(tmp_path_factory)


@pytest.fixture(scope="module")
def start_lab_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartLab]:
    """Like ``start_lab``, but its labs live until the test module ends (share one per module)."""
    yield from _lab_factory(tmp_path_factory)
