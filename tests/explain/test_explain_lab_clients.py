"""Real clients, real errors: every client of this machine fails against the lab in each case,
and explain names the cause from the text, or, where the text is the same for several causes,
--probe settles it by looking at the chain the host presents."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from explain_clients import CLIENTS, PROGRAMS, Run, Workbench, available, run_client
from fixtures_env import clean_environment, require_client

from tlsdoctor.core.explain import Finding, explain_text, probe_findings
from tlsdoctor.lab.state import LabState

pytestmark = [pytest.mark.lab, pytest.mark.clients]

EXPECTED = {
    "intercepted": "inspection_untrusted_ca",  # proxy re-signs, sends its leaf (mitmproxy CA)
    "chain_root": "inspection_untrusted_ca",  # proxy sends leaf + intermediate + its root
    "expired": "expired",
    "wrong_host": "hostname_mismatch",
    "self_signed": "self_signed_leaf",
    "incomplete_chain": "missing_intermediate",
}
TOOL = {
    "curl": "curl",
    "wget": "wget",
    "git": "git",
    "openssl": "openssl",
    "urllib": "python",
    "requests": "requests",
    "pip": "pip",
    "node": "node",
    "npm": "npm",
    "java": "java",
}
# The text cannot tell these apart: Debian's git (GnuTLS) says "server certificate verification
# failed" for everything; Java's PKIX message is one for every unknown issuer; GnuTLS wget and
# most OpenSSL clients say "unknown issuer" for a missing intermediate; Node reports mitmproxy's
# leaf-only chain like a server that forgot its intermediate. explain says so (not "high"), and
# --probe gives the cause.
NEEDS_PROBE = {
    *(("git", case) for case in ("intercepted", "chain_root", "expired", "self_signed")),
    ("git", "incomplete_chain"),
    ("wget", "self_signed"),
    ("java", "self_signed"),
    ("node", "intercepted"),
    ("npm", "intercepted"),
    *((client, "incomplete_chain") for client in ("curl", "wget", "openssl", "urllib")),
    *((client, "incomplete_chain") for client in ("requests", "pip", "java")),
}


class Labs:
    def __init__(self, plain: LabState, chain: LabState) -> None:
        self.plain = plain
        self.chain = chain

    def for_case(self, case: str) -> tuple[LabState, str]:
        if case == "chain_root":
            return self.chain, self.chain.intercepted[0]
        if case == "intercepted":
            return self.plain, self.plain.intercepted[0]
        return self.plain, self.plain.special[case]


@pytest.fixture(scope="module")
def labs(lab: LabState, start_lab_module: Callable[..., LabState]) -> Labs:
    return Labs(lab, start_lab_module(ca_chain=True))


@pytest.fixture(scope="module")
def runs(labs: Labs, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Run]:
    """Every available client once per case, four at a time (about 20 s in all)."""
    folder = tmp_path_factory.mktemp("explain-clients")
    env = clean_environment(folder / "home")
    benches = {
        name: Workbench(folder / name, Path(state.public_root), java=available("java"))
        for name, state in (("plain", labs.plain), ("chain", labs.chain))
    }
    jobs = []
    for case in EXPECTED:
        state, host = labs.for_case(case)
        bench = benches["chain" if case == "chain_root" else "plain"]
        for client in CLIENTS:
            if available(client):
                jobs.append((client, case, host, state, bench))

    def one(job: tuple[str, str, str, LabState, Workbench]) -> Run:
        client, case, host, state, bench = job
        return run_client(client, case, host, state, bench, state.client_env(env), sys.executable)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return {(r.client, r.case): r for r in pool.map(one, jobs)}


def main_finding(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [(f.cause, f.tool, f.line) for f in findings]
    return findings[0]


@pytest.mark.parametrize("case", list(EXPECTED))
@pytest.mark.parametrize("client", CLIENTS)
def test_client_error_is_explained(
    client: str, case: str, runs: dict[tuple[str, str], Run], labs: Labs
) -> None:
    require_client(PROGRAMS.get(client, client))
    run = runs[(client, case)]
    assert run.returncode != 0, f"{client} should fail on {case}:\n{run.text}"
    finding = main_finding(explain_text(run.text))
    assert finding.tool == TOOL[client], run.text
    expected = EXPECTED[case]
    if (client, case) not in NEEDS_PROBE:
        assert finding.cause == expected, run.text
        return
    # The text alone is not conclusive: never "high", and the reader is told to probe.
    assert finding.confidence != "high", run.text
    assert finding.ambiguous or finding.cause != expected
    state, host = labs.for_case(case)
    assert (host, 443) in finding.hosts, finding.hosts
    probe_findings(
        [finding],
        proxy=state.proxy_url,
        use_env_proxy=False,
        roots_path=str(state.public_root),
        timeout=5,
        deadline=15,
    )
    assert finding.cause == expected, f"probe said: {finding.probe}\n{run.text}"
    assert finding.confidence == "high"
    assert finding.probe


def test_probe_through_the_cli(runs: dict[tuple[str, str], Run], labs: Labs) -> None:
    """git's GnuTLS message on a server without its intermediate: the CLI probe names it."""
    require_client("git")
    run = runs[("git", "incomplete_chain")]
    state, _host = labs.for_case("incomplete_chain")
    proc = subprocess.run(
        [
            sys.executable, "-m", "tlsdoctor", "explain", "--json", "--probe",
            "--proxy", state.proxy_url, "--roots", str(state.public_root), run.text,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_environment(Path(state.state_dir) / "cli-home"),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["cause"] == "missing_intermediate"
    assert finding["tool"] == "git"
    assert finding["confidence"] == "high"


def test_run_keeps_output_and_exit_code_and_explains(labs: Labs, tmp_path: Path) -> None:
    require_client("curl")
    state, host = labs.for_case("intercepted")
    env = state.client_env(clean_environment(tmp_path / "home"))
    cmd = ["curl", "-sS", "--cacert", str(state.public_root), state.url(host)]
    direct = subprocess.run(cmd, env=env, capture_output=True, timeout=30)
    wrapped = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", "run", "--", *cmd],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert wrapped.returncode == direct.returncode == 60
    assert wrapped.stdout == direct.stdout
    assert wrapped.stderr.startswith(direct.stderr)
    explanation = wrapped.stderr[len(direct.stderr) :].decode()
    assert "does not trust" in explanation
    assert "CURL_CA_BUNDLE" in explanation


def test_python_313_strict_rejects_a_noncompliant_inspection_ca(
    start_lab_module: Callable[..., LabState], tmp_path: Path
) -> None:
    """Python 3.13 trusts the inspection CA and still fails: VERIFY_X509_STRICT."""
    python313 = _python313()
    state = start_lab_module(ca_noncompliant=True)
    env = state.client_env(clean_environment(tmp_path / "home"))
    script = (
        "import ssl, sys, urllib.request; "
        "ctx = ssl.create_default_context(cafile=sys.argv[2]); "
        "urllib.request.urlopen(sys.argv[1], context=ctx, timeout=20)"
    )
    url = state.url(state.intercepted[0])
    proc = subprocess.run(
        [python313, "-c", script, url, str(state.inspection_ca)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    finding = main_finding(explain_text(proc.stderr))
    assert finding.cause == "strict_x509_noncompliant_ca", proc.stderr
    assert finding.tool == "python"
    assert any("VERIFY_X509_STRICT" in step for step in finding.fix)


def _python313() -> str:
    import shutil

    for candidate in [
        shutil.which("python3.13"),
        *Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"),
    ]:
        if (
            candidate
            and subprocess.run([str(candidate), "-c", ""], capture_output=True).returncode == 0
        ):
            return str(candidate)
    return require_client("python3.13")
