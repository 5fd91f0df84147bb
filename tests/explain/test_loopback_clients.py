"""The failure modes the lab does not show, with every client of this machine: a server whose
certificate is not valid yet (the clock is behind), a server that requires a client certificate
(TLS 1.3: alert 116; TLS 1.2: handshake_failure) and a TLS 1.3-only server with the client held
to TLS 1.2 (where the client lets a user set that). Each client fails against a loopback
`openssl s_server`, and explain names the cause in English and Japanese (the lab's modes:
test_explain_lab_clients.py)."""

from __future__ import annotations

import datetime as dt
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from explain_clients import JAVA_CLASSES, PROGRAMS, available
from fixtures_env import clean_environment, require_client

from tlsdoctor._data import load_data
from tlsdoctor.core.explain import Finding, explain_text, probe_findings

pytestmark = pytest.mark.clients

CLIENTS = ("curl", "wget", "git", "openssl", "urllib", "requests", "pip", "node", "npm", "java")
TOOL = {"urllib": "python"}
NOW = dt.datetime.now(dt.timezone.utc)

# mode -> (the server's s_server options, the cause explain must name)
MODES = {
    "not_yet_valid": ([], "not_yet_valid"),
    "client_cert_tls13": (["-Verify", "1", "-verify_return_error"], "client_cert_required"),
    # A TLS 1.2 server answers a client without the certificate it requires with alert 40, as
    # it does when no version or cipher is in common: the text cannot tell them apart, and the
    # peer_alert fix names both.
    "client_cert_tls12": (["-Verify", "1", "-verify_return_error", "-tls1_2"], "peer_alert"),
    "tls13_only": (["-tls1_3"], "peer_alert"),
}
# Clients a user cannot hold to TLS 1.2 from the command line or the environment: git
# (http.sslVersion is a minimum), requests and pip (no option).
CANNOT_CAP_VERSION = {"git", "requests", "pip"}
EXPECTED_CAUSE = {
    # GnuTLS says the same for every verification failure: --probe settles it.
    ("git", "not_yet_valid"): "inspection_untrusted_ca",
    # GnuTLS over TLS 1.3 prints no alert name: 'A TLS fatal alert has been received'.
    ("git", "client_cert_tls13"): "peer_alert",
}
NEEDS_PROBE = {("git", "not_yet_valid")}
# wget (GnuTLS) against a TLS 1.3 server that requires a client certificate prints only
# 'Failed writing HTTP request: The specified session has been invalidated for some reason.',
# a line with no TLS word for the prefilter to find.
NOT_EXPLAINED = {("wget", "client_cert_tls13")}


@dataclass
class Run:
    client: str
    mode: str
    port: int
    returncode: int
    text: str
    ca: Path  # the CA the client trusts


class Bench:
    """The CA the clients trust, a server certificate (valid, or valid only from next month),
    and the files the clients need: a Java truststore, a Node script."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        ca = trustme.CA()
        self.ca_pem = folder / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_pem))
        self.server_pem = folder / "server.pem"
        ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(
            str(self.server_pem)
        )
        self.future_pem = folder / "future.pem"
        future = ca.issue_cert(
            "127.0.0.1",
            not_before=NOW + dt.timedelta(days=30),
            not_after=NOW + dt.timedelta(days=120),
        )
        future.private_key_and_cert_chain_pem.write_to_path(str(self.future_pem))
        self.client_ca_pem = folder / "client-ca.pem"  # the CA the server wants client certs from
        trustme.CA().cert_pem.write_to_path(str(self.client_ca_pem))
        self.node_script = folder / "get.js"
        self.node_script.write_text(NODE_SCRIPT)
        self.truststore = folder / "trust.p12"
        if available("java"):
            subprocess.run(
                [
                    require_client("keytool"), "-importcert", "-noprompt", "-alias", "ca",
                    "-file", str(self.ca_pem), "-keystore", str(self.truststore),
                    "-storetype", "PKCS12", "-storepass", "changeit",
                ],
                check=True,
                capture_output=True,
            )  # fmt: skip


NODE_SCRIPT = r"""
const https = require('https'), fs = require('fs');
https.get(process.argv[2], {ca: fs.readFileSync(process.argv[3])}, (res) => {
  console.log(res.statusCode);
}).on('error', (e) => { console.error(e); process.exit(1); });
"""
URLLIB_SCRIPT = (
    "import ssl, sys, urllib.request; "
    "ctx = ssl.create_default_context(cafile=sys.argv[2]); {cap}"
    "urllib.request.urlopen(sys.argv[1], context=ctx, timeout=20)"
)
TLS12_ONLY = "ctx.maximum_version = ssl.TLSVersion.TLSv1_2; "


def command(client: str, port: int, bench: Bench, cap: bool) -> tuple[list[str], dict[str, str]]:
    """The command line a user would type, and the variables it needs (TLS 1.2 at most: cap)."""
    url, ca = f"https://127.0.0.1:{port}/", str(bench.ca_pem)
    if client == "curl":
        return ["curl", "-sS", "--cacert", ca, *(["--tls-max", "1.2"] * cap), url], {}
    if client == "wget":  # a GnuTLS priority string; --tries: a refused write is retried 20 times
        ciphers = ["--ciphers=NORMAL:-VERS-TLS1.3"] * cap
        return ["wget", "-O", "/dev/null", "--tries=2", f"--ca-certificate={ca}", *ciphers, url], {}
    if client == "git":
        return ["git", "-c", f"http.sslCAInfo={ca}", "ls-remote", url + "repo.git"], {}
    if client == "openssl":  # -ign_eof: over TLS 1.3 the server's alert comes after the
        version = ["-tls1_2"] * cap  # handshake, and s_client would leave at stdin's end first
        return ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", ca,
                "-verify_return_error", "-ign_eof", *version], {}  # fmt: skip
    if client == "urllib":
        script = URLLIB_SCRIPT.format(cap=TLS12_ONLY if cap else "")
        return [sys.executable, "-c", script, url, ca], {}
    if client == "requests":
        script = "import sys, requests; requests.get(sys.argv[1], timeout=20)"
        return [sys.executable, "-c", script, url], {"REQUESTS_CA_BUNDLE": ca}
    if client == "pip":
        return [
            sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "--retries",
            "0", "--timeout", "20", "-d", str(bench.folder / "dl"), "--cert", ca,
            "--index-url", url + "simple/", "tlsdoctor-nonexistent-package",
        ], {}  # fmt: skip
    if client == "node":
        return ["node", *(["--tls-max-v1.2"] * cap), str(bench.node_script), url, ca], {}
    if client == "npm":
        return [
            "npm", "view", "left-pad", f"--registry={url}", f"--cafile={ca}",
            "--fetch-retries=0", "--fetch-timeout=20000",
        ], ({"NODE_OPTIONS": "--tls-max-v1.2"} if cap else {})  # fmt: skip
    if client == "java":
        return [
            "java", *(["-Djdk.tls.client.protocols=TLSv1.2"] * cap),
            f"-Djavax.net.ssl.trustStore={bench.truststore}",
            "-Djavax.net.ssl.trustStorePassword=changeit", "-cp", str(JAVA_CLASSES), "Fetch", url,
        ], {}  # fmt: skip
    raise ValueError(client)


def cases() -> Iterator[tuple[str, str]]:
    for mode in MODES:
        for client in CLIENTS:
            if not (mode == "tls13_only" and client in CANNOT_CAP_VERSION):
                yield client, mode


def server(bench: Bench, mode: str) -> tuple[subprocess.Popen[str], int]:
    options, _cause = MODES[mode]
    cert = bench.future_pem if mode == "not_yet_valid" else bench.server_pem
    proc = subprocess.Popen(
        [
            require_client("openssl"), "s_server", "-accept", "127.0.0.1:0", "-www",
            "-cert", str(cert), "-CAfile", str(bench.client_ca_pem), *options,
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:  # "ACCEPT 127.0.0.1:PORT" once it listens
        if line.startswith("ACCEPT"):
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep it drained
            return proc, int(line.rsplit(":", 1)[1])
    raise AssertionError("s_server did not start")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], Run]]:
    """Every available client once per mode, four at a time."""
    folder = tmp_path_factory.mktemp("loopback-clients")
    bench = Bench(folder)
    env = clean_environment(folder / "home")
    servers = {mode: server(bench, mode) for mode in MODES}

    def one(job: tuple[str, str]) -> Run:
        client, mode = job
        port = servers[mode][1]
        cmd, extra = command(client, port, bench, cap=mode == "tls13_only")
        proc = subprocess.run(
            cmd,
            env={**env, **extra},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=folder,
        )
        shown = ["python" if cmd[0] == sys.executable else cmd[0], *cmd[1:]]
        text = f"$ {shlex.join(shown)}\n{proc.stdout}{proc.stderr}"
        return Run(client, mode, port, proc.returncode, text, bench.ca_pem)

    jobs = [job for job in cases() if available(job[0])]
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            yield {(r.client, r.mode): r for r in pool.map(one, jobs)}
    finally:
        for proc, _port in servers.values():
            proc.kill()
            proc.wait()


def title(cause: str, lang: str) -> str:
    entry = load_data("fixes.toml")["cause"][cause]
    return str(entry["title_ja" if lang == "ja" else "title"])


@pytest.mark.parametrize(("client", "mode"), list(cases()))
def test_client_error_is_explained(
    client: str, mode: str, runs: dict[tuple[str, str], Run], tmp_path: Path
) -> None:
    require_client(PROGRAMS.get(client, client))
    run = runs[(client, mode)]
    assert run.returncode != 0, f"{client} should fail on {mode}:\n{run.text}"
    findings = explain_text(run.text)
    if (client, mode) in NOT_EXPLAINED:
        assert findings == [], run.text  # when this fails, the gap is closed: move the case
        return
    assert len(findings) == 1, ([(f.cause, f.tool) for f in findings], run.text)
    (finding,) = findings
    assert finding.tool == TOOL.get(client, client), run.text
    expected = MODES[mode][1]
    from_text = EXPECTED_CAUSE.get((client, mode), expected)
    assert finding.cause == from_text, run.text
    if (client, mode) in NEEDS_PROBE:
        _probe_settles(finding, run, expected)
    else:
        _in_both_languages(run, from_text, tmp_path)


def _probe_settles(finding: Finding, run: Run, expected: str) -> None:
    """The text alone is not conclusive (never "high"); the probe reads the server's chain,
    against the CA the client trusts."""
    assert finding.confidence != "high" and finding.ambiguous, run.text
    assert ("127.0.0.1", run.port) in finding.hosts, finding.hosts
    probe_findings(
        [finding], proxy=None, use_env_proxy=False, roots_path=str(run.ca), timeout=5, deadline=15
    )
    assert finding.cause == expected, f"probe said: {finding.probe}\n{run.text}"


def _in_both_languages(run: Run, cause: str, tmp_path: Path) -> None:
    log = tmp_path / "error.log"
    log.write_text(run.text)
    env = clean_environment(tmp_path / "home")
    env["COLUMNS"] = "1000"  # one line per title
    for lang in ("en", "ja"):
        proc = subprocess.run(
            [sys.executable, "-m", "tlsdoctor", "--lang", lang, "explain", "--file", str(log)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1, proc.stderr
        assert title(cause, lang) in proc.stdout, proc.stdout
