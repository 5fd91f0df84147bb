"""Run the real clients of this machine against the lab and capture what they print.

Each client trusts the lab's "public" root only, goes through the lab proxy, and fetches one
site: an intercepted one (re-signed by the inspection CA) or one of the look-alike sites that
pass the proxy untouched (expired, wrong host, self-signed, incomplete chain). The captured text
is what a user would paste: the command line, then the output.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tlsdoctor.lab.state import LabState

CLIENTS = ("curl", "wget", "git", "openssl", "urllib", "requests", "pip", "node", "npm", "java")
PROGRAMS = {"urllib": "python", "requests": "python", "pip": "python"}
TIMEOUT = 60

NODE_SCRIPT = r"""
const http = require('http'), tls = require('tls'), fs = require('fs');
const [host, proxyHost, proxyPort, caFile] = process.argv.slice(2);
const req = http.request(
  {host: proxyHost, port: +proxyPort, method: 'CONNECT', path: host + ':443'});
console.error('GET https://' + host + '/');
req.on('connect', (res, socket) => {
  if (res.statusCode !== 200) { console.error('proxy said ' + res.statusCode); process.exit(2); }
  const s = tls.connect({socket, servername: host, ca: fs.readFileSync(caFile)}, () => {
    console.log('connected'); s.end();
  });
  s.on('error', (e) => { console.error(e); process.exit(1); });
});
req.on('error', (e) => { console.error(e); process.exit(3); });
req.end();
"""

# Fetch.java and its class compiled with `javac --release 8` (a JRE has no javac).
JAVA_CLASSES = Path(__file__).parent / "data" / "java"

URLLIB_SCRIPT = (
    "import ssl, sys, urllib.request; "
    "ctx = ssl.create_default_context(cafile=sys.argv[2]); "
    "urllib.request.urlopen(sys.argv[1], context=ctx, timeout=20)"
)
REQUESTS_SCRIPT = "import sys, requests; requests.get(sys.argv[1], timeout=20)"


@dataclass
class Run:
    client: str
    case: str
    host: str
    returncode: int
    text: str  # "$ command" + output, as a user would paste it


class Workbench:
    """Files the clients need (the node script, a Java truststore with the lab's root)."""

    def __init__(self, folder: Path, trust_pem: Path, java: bool) -> None:
        self.folder = folder
        self.trust_pem = trust_pem
        folder.mkdir(parents=True, exist_ok=True)
        self.node_script = folder / "connect.js"
        self.node_script.write_text(NODE_SCRIPT)
        self.truststore = folder / "trust.p12"
        if java:
            subprocess.run(
                [
                    "keytool", "-importcert", "-noprompt", "-alias", "labroot",
                    "-file", str(trust_pem), "-keystore", str(self.truststore),
                    "-storetype", "PKCS12", "-storepass", "changeit",
                ],
                check=True,
                capture_output=True,
            )  # fmt: skip


def command(client: str, url: str, lab: LabState, bench: Workbench, python: str) -> list[str]:
    host = urlsplit(url).hostname or ""
    root = str(bench.trust_pem)
    proxy = urlsplit(lab.proxy_url)
    if client == "curl":
        return ["curl", "-sS", "--cacert", root, url]
    if client == "wget":
        return ["wget", "-O", "/dev/null", "-e", "use_proxy=on", f"--ca-certificate={root}", url]
    if client == "git":
        return ["git", "-c", f"http.sslCAInfo={root}", "ls-remote", url + "repo.git"]
    if client == "openssl":
        return [
            "openssl", "s_client", "-connect", f"{host}:443", "-servername", host,
            "-proxy", f"{proxy.hostname}:{proxy.port}", "-CAfile", root,
            "-verify_return_error", "-verify_hostname", host,
        ]  # fmt: skip
    if client == "urllib":
        return [python, "-c", URLLIB_SCRIPT, url, root]
    if client == "requests":
        return [python, "-c", REQUESTS_SCRIPT, url]
    if client == "pip":
        return [
            python, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "--retries", "0",
            "--timeout", "20", "-d", str(bench.folder / "dl"), "--cert", root,
            "--index-url", url + "simple/", "tlsdoctor-nonexistent-package",
        ]  # fmt: skip
    if client == "node":
        return ["node", str(bench.node_script), host, str(proxy.hostname), str(proxy.port), root]
    if client == "npm":
        return [
            "npm", "view", "left-pad", f"--registry={url}", f"--cafile={root}",
            f"--https-proxy={lab.proxy_url}", "--fetch-retries=0", "--fetch-timeout=20000",
        ]  # fmt: skip
    if client == "java":
        return [
            "java", f"-Dhttps.proxyHost={proxy.hostname}", f"-Dhttps.proxyPort={proxy.port}",
            f"-Djavax.net.ssl.trustStore={bench.truststore}",
            "-Djavax.net.ssl.trustStorePassword=changeit", "-cp", str(JAVA_CLASSES),
            "Fetch", url,
        ]  # fmt: skip
    raise ValueError(client)


def run_client(
    client: str,
    case: str,
    host: str,
    lab: LabState,
    bench: Workbench,
    env: Mapping[str, str],
    python: str,
) -> Run:
    cmd = command(client, lab.url(host), lab, bench, python)
    run_env = dict(env)
    if client == "requests":
        run_env["REQUESTS_CA_BUNDLE"] = str(bench.trust_pem)
    proc = subprocess.run(
        cmd,
        env=run_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=bench.folder,
    )
    shown = [Path(cmd[0]).name if cmd[0] == python else cmd[0], *cmd[1:]]
    text = f"$ {shlex.join(shown)}\n{proc.stdout}{proc.stderr}"
    return Run(client, case, host, proc.returncode, text)


def available(client: str) -> bool:
    return shutil.which(PROGRAMS.get(client, client)) is not None
