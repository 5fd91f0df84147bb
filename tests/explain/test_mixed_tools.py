"""Output of several tools in one log (a CI job, a script under `run`): each tool's error is its
own finding, with its own tool, cause, excerpt and fix, however close the lines are.

The texts in data/captured/ are real output of this machine's clients against the lab (see
explain_clients.py; the `$ command` line and exit code left out), as a CI log shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tlsdoctor.core.explain import explain_text

CAPTURED = Path(__file__).parent / "data" / "captured"


def captured(name: str) -> str:
    return (CAPTURED / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (
            "wget_site1",
            "java_expired",
            [
                ("inspection_untrusted_ca", "wget", "known issuer"),
                ("expired", "java", "CertificateExpiredException"),
            ],
        ),
        (
            "wget_site1",
            "curl_wronghost",
            [
                ("inspection_untrusted_ca", "wget", "known issuer"),
                ("hostname_mismatch", "curl", "curl: (60)"),
            ],
        ),
        (
            "git_site1",
            "pip_expired",
            [
                ("inspection_untrusted_ca", "git", "fatal: unable to access"),
                ("expired", "pip", "Could not fetch URL"),
            ],
        ),
        (
            "cafile_git",
            "cafile_npm",
            [
                ("ca_file_unreadable", "git", "fatal: unable to access"),
                # npm ignores a missing cafile without a word: its output is the plain
                # verification failure (test_captured_rows: its fix says to check the path)
                ("missing_intermediate", "npm", "npm error code"),
            ],
        ),
    ],
)
def test_adjacent_errors_of_two_tools_stay_apart(
    first: str, second: str, expected: list[tuple[str, str, str]]
) -> None:
    findings = explain_text(captured(first) + captured(second))
    got = [(f.cause, f.tool) for f in findings]
    assert got == [(cause, tool) for cause, tool, _ in expected]
    for finding, (_, _, words) in zip(findings, expected, strict=True):
        assert words in finding.excerpt


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        # git's own TLS error, then a curl run: curl is what git is built on, but "curl: (60)"
        # is printed by the curl program only, so it is neither git's line nor git's failure
        (
            "git_site1",
            [("inspection_untrusted_ca", "git", 1), ("inspection_untrusted_ca", "curl", 1)],
        ),
        # git failed for another reason (DNS): its marker does not make curl's error git's
        ("git_noresolve", [("inspection_untrusted_ca", "curl", 1)]),
    ],
)
def test_curl_run_after_git_stays_curls(first: str, expected: list[tuple[str, str, int]]) -> None:
    text = captured(first) + "+ curl -sS https://site1.test/\n" + captured("curl_site1")
    findings = explain_text(text)
    assert [(f.cause, f.tool, f.count) for f in findings] == expected
    assert findings[-1].excerpt.startswith("curl: (60)")
    assert any("CURL_CA_BUNDLE" in step for step in findings[-1].fix)


def test_git_error_next_to_npm_gets_gits_fix() -> None:
    git, npm = explain_text(captured("git_site1") + "npm error code CERT_HAS_EXPIRED\n")
    assert (git.tool, npm.tool, npm.cause) == ("git", "npm", "expired")
    assert any("http.sslCAInfo" in step for step in git.fix)
    assert not any("npm" in step for step in git.fix)


def test_java_not_yet_valid_is_one_clock_finding() -> None:
    """Java says "validity check failed" for expired and not yet valid alike; the trace's
    CertificateNotYetValidException settles it (a real JDK 17 run, leaf valid from next month)."""
    (f,) = explain_text(captured("fut_java"))
    assert (f.cause, f.tool, f.confidence) == ("not_yet_valid", "java", "high")
    assert "NotBefore" in f.excerpt


def test_java_expired_trace_is_sure() -> None:
    (f,) = explain_text(captured("java_expired"))
    assert (f.cause, f.tool, f.confidence) == ("expired", "java", "high")


def test_java_top_line_alone_is_not_sure_which_date() -> None:
    """Maven and Gradle print only the top line: expired or not yet valid, so not "high"."""
    top = captured("fut_java").splitlines()[0]
    (f,) = explain_text(top)
    assert (f.tool, f.confidence, f.ambiguous) == ("java", "medium", True)
