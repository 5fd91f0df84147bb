"""End to end: after `eval "$(tlsdoctor env)"` in a real bash, real clients trust the lab.

Before the eval every client fails verification on the intercepted sites AND on the bypassed site
(signed by the lab's own "public" root, which this machine does not trust); after it, every
client reaches all of them with verification on. The bundle is built with
``--roots <lab public root> --ca <lab CA>``, as a user's would be with certifi + the real CA.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures_env import require_client

from tlsdoctor.lab.state import LabState

pytestmark = [pytest.mark.lab, pytest.mark.clients]

NODE_CONNECT = Path(__file__).resolve().parents[1] / "lab" / "node_connect.js"

PYTHON_CLIENTS = r"""
import sys, urllib.request
import requests
for host in sys.argv[1:]:
    url = f"https://{host}/"
    try:
        requests.get(url, timeout=10).raise_for_status()
        print("requests", host, "ok", "-")
    except Exception as err:
        print("requests", host, "fail", type(err).__name__)
    try:
        urllib.request.urlopen(url, timeout=10).read()
        print("urllib", host, "ok", "-")
    except Exception as err:
        reason = getattr(err, "reason", err)
        print("urllib", host, "fail", type(reason).__name__)
"""

SCRIPT = r"""
set -u
probe() {
  phase=$1
  for host in $HOSTS; do
    url="https://$host/"
    if curl -sS -o /dev/null --max-time 10 "$url" 2>/dev/null; then r="ok -"; else r="fail $?"; fi
    echo "$phase curl $host $r"
    if wget -q -O /dev/null -T 10 -t 1 -e use_proxy=on "$url" 2>/dev/null; then r="ok -"
    else r="fail $?"; fi
    echo "$phase wget $host $r"
    out=$(git ls-remote "$url" 2>&1)
    if echo "$out" | grep -qi "certificate"; then r="fail certificate"
    elif echo "$out" | grep -q "not valid: is this a git repository"; then r="ok -"
    else r="fail other"; fi
    echo "$phase git $host $r"
    out=$(node "$NODE_CONNECT" "$https_proxy" "$host" 2>&1)
    if [ "$out" = "ok" ]; then r="ok -"; else r="fail $out"; fi
    echo "$phase node $host $r"
  done
  "$PYTHON" -c "$PYTHON_CLIENTS" $HOSTS | sed "s/^/$phase /"
}
tlsdoctor bundle --ca "$LAB_CA" --roots "$LAB_PUBLIC_ROOT" >/dev/null || exit 9
probe before
eval "$(tlsdoctor env --shell bash)" || exit 8
probe after
echo "vars SSL_CERT_FILE=$SSL_CERT_FILE NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS"
"""

CLIENTS = ("curl", "wget", "git", "node", "requests", "urllib")
# How each client says "certificate verification failed" (so a failure is the right one).
VERIFY_FAILURE = {
    "curl": {"60"},
    "wget": {"5"},
    "git": {"certificate"},
    "node": {
        "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        "SELF_SIGNED_CERT_IN_CHAIN",
        "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    },
    "requests": {"SSLError"},
    "urllib": {"SSLCertVerificationError"},
}


@pytest.fixture(scope="module")
def bypass_lab(start_lab_module: Callable[..., LabState]) -> LabState:
    return start_lab_module(bypass=["bank.test"])


def test_eval_env_makes_every_real_client_trust_the_lab(
    bypass_lab: LabState, clean_env: dict[str, str], sandbox_home: Path
) -> None:
    for client in ("bash", "curl", "wget", "git", "node"):
        require_client(client)
    # wget reads the sandbox's ~/.wgetrc: a user's own wgetrc, here with nothing about CAs.
    (sandbox_home / ".wgetrc").write_text("tries = 1\n")
    hosts = [*bypass_lab.intercepted, *bypass_lab.bypassed]
    assert bypass_lab.bypassed == ["bank.test"] and len(hosts) >= 3
    env = bypass_lab.client_env(clean_env)
    env.update(
        HOSTS=" ".join(hosts),
        LAB_CA=str(bypass_lab.inspection_ca),
        LAB_PUBLIC_ROOT=str(bypass_lab.public_root),
        NODE_CONNECT=str(NODE_CONNECT),
        PYTHON=sys.executable,
        PYTHON_CLIENTS=PYTHON_CLIENTS,
    )
    done = subprocess.run(
        ["bash", "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results: dict[tuple[str, str, str], tuple[str, str]] = {}
    for line in done.stdout.splitlines():
        parts = line.split(" ", 4)
        if parts[0] in ("before", "after"):
            phase, client, host, status, detail = parts
            results[(phase, client, host)] = (status, detail)
    for client in CLIENTS:
        for host in hosts:
            status, detail = results[("before", client, host)]
            assert status == "fail", (client, host, "worked before the eval")
            assert detail in VERIFY_FAILURE[client], (client, host, detail)
            assert results[("after", client, host)] == ("ok", "-"), (client, host, done.stdout)
    data_dir = sandbox_home / ".local" / "share" / "tlsdoctor"
    assert (
        f"vars SSL_CERT_FILE={data_dir / 'bundle.pem'} "
        f"NODE_EXTRA_CA_CERTS={data_dir / 'inspection-ca.pem'}"
    ) in done.stdout
