"""Which hits are one error and which are several: nearby lines of different causes stay
apart, repeats are counted, one error printed over several lines stays one occurrence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fixtures_env import clean_environment, require_client
from loopback import leaf_under, tls_server, write_chain

from tlsdoctor.core.explain import explain_text

EXPIRED = "curl: (60) SSL certificate problem: certificate has expired"
IN_CHAIN = "curl: (60) SSL certificate problem: self-signed certificate in certificate chain"
NAME = "curl: (60) SSL: no alternative certificate subject name matches target host name 'a'"


def test_different_causes_on_adjacent_lines_are_separate_findings() -> None:
    findings = explain_text(f"{EXPIRED}\n{IN_CHAIN}\n{NAME}\n")
    got = [(f.cause, f.tool, f.line, f.count) for f in findings]
    assert got == [
        ("expired", "curl", 1, 1),
        ("inspection_untrusted_ca", "curl", 2, 1),
        ("hostname_mismatch", "curl", 3, 1),
    ]
    assert findings[1].signature == "openssl-19-self-signed-in-chain"


def test_identical_consecutive_lines_are_counted() -> None:
    (f,) = explain_text(f"{EXPIRED}\n" * 5)
    assert (f.cause, f.tool, f.line, f.count) == ("expired", "curl", 1, 5)


def test_repeated_bare_error_names_are_counted() -> None:
    """No prefilter anchor in them: the lines after a hit are not taken as its context."""
    (f,) = explain_text("UNABLE_TO_VERIFY_LEAF_SIGNATURE\n" * 5)
    assert (f.cause, f.count) == ("missing_intermediate", 5)


def test_timestamped_repeats_are_counted() -> None:
    text = "".join(f"2026-11-25T03:00:0{i}Z {IN_CHAIN}\n" for i in range(4))
    (f,) = explain_text(text)
    assert (f.cause, f.count) == ("inspection_untrusted_ca", 4)


def test_a_generic_line_next_to_a_specific_one_is_one_error() -> None:
    """s_client: the verify callback's reason, then the error queue's generic line."""
    text = (
        "verify error:num=62:hostname mismatch\n"
        "40F7:error:0A000086:SSL routines:tls_post_process_server_certificate:"
        "certificate verify failed:../ssl/statem/statem_clnt.c:1889:\n"
    )
    (f,) = explain_text(text)
    assert (f.cause, f.count) == ("hostname_mismatch", 1)


def test_pip_retries_are_counted(tmp_path: Path) -> None:
    """The real pip, five retries against a loopback server signed by a CA it does not trust:
    one error, counted once per retry (pip's closing "Could not fetch URL" folds into the last,
    as a traceback's chained exceptions do)."""
    _root, leaf = leaf_under("Zscaler Root CA")
    chain, key = write_chain(tmp_path / "server", leaf)
    other, _ = leaf_under("Some Other Root")
    trusted = tmp_path / "trusted.pem"
    trusted.write_bytes(other.pem)
    env = clean_environment(tmp_path / "home")
    with tls_server(chain, key) as port:
        proc = subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir",
                "--retries", "5", "--timeout", "10", "-d", str(tmp_path / "dl"),
                "--cert", str(trusted), "--index-url", f"https://127.0.0.1:{port}/simple/",
                "tlsdoctor-nonexistent-package",
            ],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
            check=False,
        )  # fmt: skip
    output = proc.stdout
    assert proc.returncode != 0
    assert output.count("Retrying (Retry(total=") == 5, output
    (f,) = explain_text(output)
    assert (f.cause, f.tool, f.count) == ("inspection_untrusted_ca", "pip", 5), output


def test_two_curl_failures_of_one_cause_are_two_occurrences(tmp_path: Path) -> None:
    """The real curl against two loopback servers signed by CAs it does not trust: one sends the
    leaf alone ("unable to get local issuer certificate"), one the root too ("self-signed
    certificate in certificate chain"). One cause, two failures: curl prints "curl: (60)" once
    per failure, so the second is not folded into the first as a continuation."""
    curl = require_client("curl")
    env = clean_environment(tmp_path / "home")
    _root, alone = leaf_under("Zscaler Root CA")
    root, with_root = leaf_under("Netskope Root CA")
    alone_chain, alone_key = write_chain(tmp_path / "alone", alone)
    full_chain, full_key = write_chain(tmp_path / "full", with_root)
    full_chain.write_bytes(full_chain.read_bytes() + root.pem)
    output = ""
    with tls_server(alone_chain, alone_key) as port1, tls_server(full_chain, full_key) as port2:
        for port in (port1, port2):
            proc = subprocess.run(
                [curl, "-sS", "-o", "/dev/null", f"https://127.0.0.1:{port}/"],
                env=env, capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
            assert proc.returncode == 60, proc.stderr
            output += proc.stderr
    assert "unable to get local issuer certificate" in output
    assert "self-signed certificate in certificate chain" in output
    (f,) = explain_text(output)
    assert (f.cause, f.tool, f.count) == ("inspection_untrusted_ca", "curl", 2), output


def test_pip_retries_through_a_proxy_asking_for_credentials_are_counted() -> None:
    """Real pip through the lab's proxy with --proxy-auth and no credentials: five retries of
    one 407. The first ones name no tool around them, the last sits next to pip's summary;
    each is still one failure (the retry is counted when it folds into pip's finding)."""
    text = (Path(__file__).parent / "data" / "captured" / "p407_pip.txt").read_text()
    assert text.count("Retrying (Retry(total=") == 5
    (f,) = explain_text(text)
    assert (f.cause, f.tool, f.count) == ("proxy_auth", "pip", 5)
