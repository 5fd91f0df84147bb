"""Real tools read back what setup wrote, and really connect afterwards (loopback only)."""

from __future__ import annotations

import http.server
import os
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_env import require_client
from setup_helpers import Certs, snapshot

from tlsdoctor.core import changes
from tlsdoctor.core.tools import plan_setup, python

pytestmark = pytest.mark.clients


def run(
    argv: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def no_truststore_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)


@pytest.fixture
def https_url(certs: Certs) -> Iterator[str]:
    """A loopback HTTPS server whose certificate the test CA signed (nothing else trusts it)."""
    leaf = certs.authority.issue_cert("127.0.0.1", "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(context)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"hello from the inspected site\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_git_npm_pip_read_back_what_setup_wrote(
    isolated_process_env: dict[str, str],
    clean_env: dict[str, str],
    certs: Certs,
    no_truststore_shortcut: None,
) -> None:
    git = require_client("git")
    npm = require_client("npm")
    changes.apply(plan_setup(["git", "npm", "pip"], certs.bundle, certs.ca), changes.Journal())
    bundle = str(certs.bundle)
    got = run([git, "config", "--global", "--get", "http.sslCAInfo"], clean_env)
    assert got.stdout.strip() == bundle
    got = run([npm, "config", "get", "cafile"], clean_env)
    assert got.stdout.strip() == bundle
    # pip ignores user config while PIP_CONFIG_FILE is os.devnull; --user reads only the user file
    env = {k: v for k, v in clean_env.items() if k != "PIP_CONFIG_FILE"}
    got = run([str(Path(os.sys.executable)), "-m", "pip", "config", "--user", "list"], env)
    assert f"global.cert='{bundle}'" in got.stdout, got.stdout + got.stderr
    changes.undo(changes.Journal())
    assert run([git, "config", "--global", "--get", "http.sslCAInfo"], clean_env).stdout == ""
    assert run([npm, "config", "get", "cafile"], clean_env).stdout.strip() in ("null", "")


def test_curl_and_wget_connect_only_while_set_up(
    isolated_process_env: dict[str, str], clean_env: dict[str, str], certs: Certs, https_url: str
) -> None:
    curl = require_client("curl")
    wget = require_client("wget")
    home = Path(clean_env["HOME"])
    (home / ".wgetrc").touch()  # a user who already has an (empty) wgetrc
    before = snapshot(home, skip=(".local",))

    def fetch() -> tuple[int, int]:
        c = run([curl, "-sS", "-o", "/dev/null", https_url], clean_env, 30)
        w = run([wget, "-q", "-O", "/dev/null", "--tries=1", https_url], clean_env, 30)
        return c.returncode, w.returncode

    assert fetch() == (60, 5)  # unknown issuer for both
    changes.apply(plan_setup(["curl", "wget"], certs.bundle, certs.ca), changes.Journal())
    assert fetch() == (0, 0)
    assert changes.undo(changes.Journal()).ok
    assert fetch() == (60, 5)
    assert snapshot(home, skip=(".local",)) == before


def test_node_trusts_the_ca_through_the_shell_block(
    isolated_process_env: dict[str, str], clean_env: dict[str, str], certs: Certs, https_url: str
) -> None:
    require_client("node")
    changes.apply(plan_setup(["node"], certs.bundle, certs.ca), changes.Journal())
    script = (
        "require('https').get(process.argv[1], r => { console.log(r.statusCode); })"
        ".on('error', e => { console.log(e.code); process.exit(1); })"
    )
    env = {**clean_env, "SHELL": "/bin/bash"}
    got = run(["bash", "-c", '. "$HOME/.bashrc"; node -e "$0" "$1"', script, https_url], env)
    assert got.stdout.strip() == "200", got.stdout + got.stderr
    bare = run(["node", "-e", script, https_url], env)  # without the block: refused
    assert bare.stdout.strip() == "UNABLE_TO_VERIFY_LEAF_SIGNATURE"


def test_java_user_truststore_holds_the_jdk_roots_and_the_ca(
    isolated_process_env: dict[str, str], clean_env: dict[str, str], certs: Certs, https_url: str
) -> None:
    keytool = require_client("keytool")
    require_client("java")
    plan = plan_setup(["java"], certs.bundle, certs.ca)
    changes.apply(plan, changes.Journal())
    store = Path(clean_env["XDG_DATA_HOME"]) / "tlsdoctor/java/truststore.p12"
    listing = run([keytool, "-list", "-keystore", str(store), "-storepass", "changeit"], clean_env)
    assert "tlsdoctor-inspection-ca" in listing.stdout
    entries = [ln for ln in listing.stdout.splitlines() if "trustedCertEntry" in ln]
    assert len(entries) > 50  # the JDK's public roots are still there
    assert plan_setup(["java"], certs.bundle, certs.ca).is_empty()  # idempotent
    source = Path(clean_env["HOME"]) / "Fetch.java"
    source.write_text(
        "public class Fetch { public static void main(String[] a) throws Exception {"
        " var c = (javax.net.ssl.HttpsURLConnection) new java.net.URL(a[0]).openConnection();"
        " System.out.println(c.getResponseCode()); } }"
    )
    env = {**clean_env, "SHELL": "/bin/bash"}
    got = run(["bash", "-c", '. "$HOME/.bashrc"; java "$0" "$1"', str(source), https_url], env)
    assert got.stdout.strip() == "200", got.stdout + got.stderr


def test_aws_and_gcloud_read_back_what_setup_wrote(
    isolated_process_env: dict[str, str], clean_env: dict[str, str], certs: Certs
) -> None:
    aws = require_optional("aws")
    gcloud = require_optional("gcloud")
    changes.apply(plan_setup(["aws", "gcloud"], certs.bundle, certs.ca), changes.Journal())
    env = {**clean_env, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"}
    # both CLIs start slowly: run them side by side
    procs = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for argv in (
            [aws, "configure", "get", "ca_bundle"],
            [gcloud, "config", "get", "core/custom_ca_certs_file"],
        )
    ]
    outputs = [p.communicate(timeout=90)[0].strip() for p in procs]
    assert outputs == [str(certs.bundle), str(certs.bundle)]


def require_optional(name: str) -> str:
    """Tools the issue does not require on every machine: skip (also in CI) when missing."""
    import shutil

    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed")
    return path


def test_java_tool_options_work_with_a_space_and_quotes_in_the_path(
    clean_env: dict[str, str], certs: Certs, https_url: str
) -> None:
    """The JVM splits JAVA_TOOL_OPTIONS on whitespace and stops at an unmatched quote: a
    truststore under "/home/John O'Brien" must still reach it as one option."""
    require_client("keytool")
    require_client("java")
    data = Path(clean_env["HOME"]) / 'John O\'Brien "x"' / "share"
    env = {**clean_env, "XDG_DATA_HOME": str(data), "SHELL": "/bin/bash"}
    journal = changes.Journal(Path(clean_env["XDG_STATE_HOME"]) / "journal")
    changes.apply(plan_setup(["java"], certs.bundle, certs.ca, environ=env), journal)
    store = data / "tlsdoctor/java/truststore.p12"
    assert store.is_file()
    source = Path(clean_env["HOME"]) / "Fetch.java"
    source.write_text(
        "public class Fetch { public static void main(String[] a) throws Exception {"
        ' System.out.println(System.getProperty("javax.net.ssl.trustStore"));'
        " var c = (javax.net.ssl.HttpsURLConnection) new java.net.URL(a[0]).openConnection();"
        " System.out.println(c.getResponseCode()); } }"
    )
    script = '. "$HOME/.bashrc"; . "$HOME/.bashrc"; echo "$JAVA_TOOL_OPTIONS"; java "$0" "$1"'
    got = run(["bash", "-c", script, str(source), https_url], env)
    lines = got.stdout.splitlines()
    assert lines[-2:] == [str(store), "200"], got.stdout + got.stderr
    assert lines[0].count("trustStore=") == 1  # sourcing twice appends once
