"""Issue 5, "Done means", end to end in the real lab with HOME in a temp dir:

every available client FAILS `check` before; `bundle` + `setup --apply`; `check` (with the
environment of the shell profile block setup wrote, loaded with --source) shows every client
PASSING for the intercepted AND the bypassed sites; `undo` puts every touched file back
byte-identical (the sandbox is hashed before and after); the clients fail again.

Lab stand-in (documented in docs/check.md): the lab's "public" root plays a Mozilla root. The
bundle's public part is certifi + that root; and since Node and Java carry their public roots
built in (which cannot hold the lab's), the lab root is also given to the CA-only file, the one
add-style settings (NODE_EXTRA_CA_CERTS, the Java truststore) receive.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import certifi
import pytest
from fixtures_env import require_client

from tlsdoctor.lab.state import LabState

pytestmark = [pytest.mark.lab, pytest.mark.clients]

PROGRAMS = ("pip", "node", "npm", "curl", "wget", "git", "openssl", "java", "keytool")
# What tlsdoctor keeps for itself (bundle, journal) and what clients cache: not setup's edits.
OWN_OR_CACHE = (".local/share/tlsdoctor/", ".local/state/tlsdoctor/", ".npm/", ".cache/")


def tlsdoctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["tlsdoctor", *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def snapshot(home: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under the sandbox HOME."""
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def rows(done: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    report = json.loads(done.stdout)
    results: list[dict[str, object]] = report["results"]
    return results


@pytest.fixture(scope="module")
def bypass_lab(start_lab_module: object) -> LabState:
    state: LabState = start_lab_module(bypass=["bank.test"])  # type: ignore[operator]
    return state


def test_check_fails_then_setup_makes_every_client_pass_and_undo_restores(
    bypass_lab: LabState, clean_env: dict[str, str], sandbox_home: Path, tmp_path: Path
) -> None:
    for program in PROGRAMS:
        require_client(program)
    lab = bypass_lab
    assert lab.intercepted and lab.bypassed
    env = dict(clean_env)
    # pip must read the user config file setup writes (the sandbox sets PIP_CONFIG_FILE=devnull).
    env.pop("PIP_CONFIG_FILE")
    # A user who already has an (empty) wgetrc: setup edits it, undo must restore it exactly.
    (sandbox_home / ".wgetrc").touch()
    lab_dir = str(lab.state_dir)
    urls = [lab.url(h) for h in lab.hosts]

    # 1. before: every available client fails, on intercepted and bypassed sites alike
    before = tlsdoctor(env, "check", "--lab", lab_dir, "--json", "--timeout", "60")
    assert before.returncode == 1, before.stderr
    before_rows = rows(before)
    clients = sorted({str(r["client"]) for r in before_rows})
    assert len(clients) >= 12, clients
    assert {str(r["url"]) for r in before_rows} == set(urls)
    not_failing = [(r["client"], r["url"], r["status"]) for r in before_rows if r["ok"]]
    assert not not_failing
    assert {r["status"] for r in before_rows} == {"tls-error"}, [
        (r["client"], r["headline"]) for r in before_rows if r["status"] != "tls-error"
    ]

    # 2. the bundle: public roots (certifi + the lab's public root) + the lab's CA
    roots = tmp_path / "roots.pem"
    roots.write_bytes(Path(certifi.where()).read_bytes() + lab.public_root.read_bytes())
    built = tlsdoctor(
        env, "bundle", "--roots", str(roots), "--ca", str(lab.inspection_ca),
        "--ca", str(lab.public_root), "--json",
    )  # fmt: skip
    assert built.returncode in (0, 1), built.stderr  # 1: warnings (a CA already public)

    # 3. setup --apply, with the sandbox hashed first
    hashes_before = snapshot(sandbox_home)
    applied = tlsdoctor(env, "setup", "--apply", "--json")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    written = [Path(c["path"]) for c in json.loads(applied.stdout)["result"]["written"]]
    touched = {str(p.relative_to(sandbox_home)) for p in written}
    assert {".bashrc", ".gitconfig", ".curlrc", ".wgetrc", ".npmrc"} <= touched
    profile = sandbox_home / ".bashrc"

    # 4. after: the same clients pass everywhere, with the profile block's variables loaded
    after = tlsdoctor(
        env, "check", "--lab", lab_dir, "--source", str(profile), "--json", "--timeout", "60"
    )
    after_rows = rows(after)
    failing = [(r["client"], r["url"], r["headline"]) for r in after_rows if not r["ok"]]
    assert not failing
    assert after.returncode == 0
    assert sorted({str(r["client"]) for r in after_rows}) == clients
    assert {(r["client"], r["url"]) for r in after_rows} == {(c, u) for c in clients for u in urls}

    # 5. undo: every file setup touched is back, byte for byte; nothing else changed
    undone = tlsdoctor(env, "undo", "--json")
    assert undone.returncode == 0, undone.stdout + undone.stderr
    hashes_after = snapshot(sandbox_home)
    ours = [p for p in hashes_after if p.startswith(OWN_OR_CACHE)]
    assert {p: h for p, h in hashes_after.items() if p not in ours} == {
        p: h for p, h in hashes_before.items() if not p.startswith(OWN_OR_CACHE)
    }
    for path in touched:
        assert hashes_after.get(path) == hashes_before.get(path), path

    # 6. and the clients fail again (a quick pair)
    assert not profile.exists()  # setup created it, undo removed it
    again = tlsdoctor(env, "check", "--lab", lab_dir, "--json", "--clients", "curl,python-ssl")
    assert again.returncode == 1
    assert {r["status"] for r in rows(again)} == {"tls-error"}
