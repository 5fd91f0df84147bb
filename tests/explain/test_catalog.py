"""The catalogs are data: well-formed rows, sources, both languages, and fixes that never
switch verification off."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tlsdoctor._data import load_data
from tlsdoctor.core import explain as ex
from tlsdoctor.core.explain import CAUSES, catalog, fix_steps

# Advice that switches verification off (or revocation checks), in any fix text.
FORBIDDEN = [
    r"verify\s*=\s*false",
    r"(?<![\w-])-k(?![\w-])",
    r"--insecure",
    r"strict-ssl[\s=]+false",
    r"NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*0",
    r"--trusted-host(?! when)",
    r"sslverify[\s=]+false",
    r"GIT_SSL_NO_VERIFY",
    r"--no-check-certificate",
    r"--no-verify-ssl",
    r"SkipCertificateCheck",
    r"InsecureSkipVerify",
    r"CERT_NONE",
    r"--allow-insecure-host",
    r"ssl_verify\s+false",
    r"--ssl-no-revoke",
    r"unsafely-ignore",
    r"check-revoke\s*=\s*false",
    r"schannelCheckRevoke\s+false",
]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_signature_rows_are_complete() -> None:
    data = load_data("errors.toml")
    ids = [row["id"] for row in data["signature"]]
    assert len(ids) == len(set(ids)), "duplicate signature ids"
    for sig in catalog().signatures:
        assert sig.cause in CAUSES
        assert sig.source.strip(), sig.id
        assert sig.producer, sig.id
        assert sig.literals is not None or sig.context, f"{sig.id}: no cheap literal test"


def test_every_row_reaches_the_prefilter() -> None:
    """Each non-context row either holds a prefilter anchor in its literals or declares the
    anchor its producer prints on the same line (checked against samples elsewhere)."""
    for sig in catalog().signatures:
        if not sig.context:
            assert sig.anchors, f"{sig.id}: no prefilter anchor"


def test_every_cause_has_words_and_a_default_fix() -> None:
    causes = catalog().causes
    for cause in CAUSES:
        entry = causes[cause]
        for field in ("title", "title_ja", "explain", "explain_ja"):
            assert entry.get(field), f"{cause}.{field}"
        assert JAPANESE.search(entry["title_ja"]) and JAPANESE.search(entry["explain_ja"])
        assert fix_steps(cause, "no-such-tool"), f"no default fix for {cause}"


def test_fix_rows_have_both_languages() -> None:
    for row in catalog().fixes:
        assert row["cause"] in CAUSES
        assert row["tools"], row
        assert len(row["fix"]) == len(row["fix_ja"]) > 0, row["tools"]
        assert all(JAPANESE.search(step) for step in row["fix_ja"]), row["tools"]


def test_every_tool_gets_a_specific_inspection_fix() -> None:
    cat = catalog()
    tools = {m.tool for m in cat.markers} | {s.tool for s in cat.signatures if s.tool}
    generic = fix_steps("inspection_untrusted_ca", "no-such-tool")
    missing = sorted(t for t in tools if fix_steps("inspection_untrusted_ca", t) == generic)
    assert not missing, f"tools falling back to the generic fix: {missing}"


def test_schannel_errors_get_the_windows_store_fix() -> None:
    steps = fix_steps("inspection_untrusted_ca", "curl", "schannel")
    assert any("Trusted Root Certification Authorities" in step for step in steps)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_no_fix_switches_verification_off(lang: str) -> None:
    texts: list[str] = []
    for row in catalog().fixes:
        texts += row["fix_ja" if lang == "ja" else "fix"]
    for entry in catalog().causes.values():
        texts.append(entry["explain_ja" if lang == "ja" else "explain"])
    for text in texts:
        for pattern in FORBIDDEN:
            assert not re.search(pattern, text, re.IGNORECASE), f"{pattern!r} in: {text}"


def test_fixes_point_at_tlsdoctor_commands() -> None:
    steps = fix_steps("inspection_untrusted_ca", "curl")
    assert any("tlsdoctor ca export" in s for s in steps)
    assert any("tlsdoctor bundle" in s for s in steps)
    assert any("tlsdoctor setup curl --apply" in s for s in steps)


def test_patterns_are_valid_for_grep(tmp_path: Path) -> None:
    """bench/bench_explain.py hands the same patterns to grep -E."""
    grep = shutil.which("grep")
    if grep is None:
        pytest.skip("grep is not installed")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.bench_explain import grep_patterns

    patterns = tmp_path / "p.ere"
    patterns.write_text("\n".join(grep_patterns()) + "\n")
    empty = tmp_path / "empty.log"
    empty.write_text("nothing here\n")
    proc = subprocess.run(
        [grep, "-E", "-i", "-c", "-f", str(patterns), str(empty)], capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stderr  # 1 = no match; 2 = a pattern grep rejects


def test_prefilter_anchors_are_lowercase_ascii() -> None:
    """The block is lowered (ASCII only, so offsets stay) and searched for these."""
    for anchor in ex.PREFILTER:
        assert anchor == anchor.lower() and anchor.isascii()


# Lines whose anchor is written in another case than the catalog's literal ('Cert' in .NET and
# rustls names, 'TRUST' in Windows and pip names, 'ssl' in settings): the prefilter (big logs)
# must try them as the every-line path does (pasted text).
OTHER_CASE = [
    "schannel: SEC_E_UNTRUSTED_ROOT",
    "SslPolicyErrors: RemoteCertificateNameMismatch",
    "+ export PIP_TRUSTED_HOST=pypi.org",
    "+ npm config set strict-ssl false",
    "+ git -c http.sslVerify=false clone https://git.example/x.git",
    "+ aws s3 ls --no-verify-ssl",
    "+ conda config --set ssl_verify false",
]


@pytest.mark.parametrize("line", OTHER_CASE)
def test_prefilter_finds_anchors_in_any_case(line: str) -> None:
    def run(exhaustive: bool) -> tuple[list[tuple[str, str, int]], list[str]]:
        matcher = ex.Matcher(exhaustive=exhaustive)
        matcher.feed(f"step 1 ok\n{line}\nstep 2 ok\n".encode())
        found = [(f.cause, f.tool, f.count) for f in matcher.close()]
        return found, sorted(matcher.insecure_attempts)

    every_line = run(True)
    assert every_line != ([], []), "the catalog knows this line"
    assert run(False) == every_line


# Settings that REPLACE a tool's default roots: a fix naming one must say so (the file it takes
# is the full bundle or store, never the CA alone).
REPLACING = ["javax.net.ssl.trustStore=", "CURL_CA_BUNDLE", "http.sslCAInfo"]
SAYS_REPLACE = {"en": re.compile(r"REPLACE", re.IGNORECASE), "ja": re.compile("置き換え")}


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("setting", REPLACING)
def test_fixes_say_a_setting_replaces_the_roots(lang: str, setting: str) -> None:
    steps = [
        step
        for row in catalog().fixes
        if row.get("cause") == "inspection_untrusted_ca"
        for step in row["fix_ja" if lang == "ja" else "fix"]
        if setting in step
    ]
    assert steps, setting
    for step in steps:
        assert SAYS_REPLACE[lang].search(step), f"{setting} without 'replace': {step}"


@pytest.mark.parametrize("tool", ["java", "maven", "gradle"])
def test_java_fix_builds_cacerts_plus_the_ca(tool: str) -> None:
    steps = " ".join(fix_steps("inspection_untrusted_ca", tool))
    assert "REPLACES the JDK's default roots" in steps
    assert "cacerts plus the inspection CA" in steps
    assert "tlsdoctor setup java --apply" in steps


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_java_keystore_advice_keeps_the_jdk_roots(lang: str) -> None:
    """A store named by -Djavax.net.ssl.trustStore replaces the JDK's roots: a step that says
    to import a CA with keytool into such a store says it must be a copy of cacerts."""
    steps = [
        step
        for row in catalog().fixes
        if {"java", "maven", "gradle"} & set(row.get("tools", []))
        for step in row["fix_ja" if lang == "ja" else "fix"]
        if "keytool -importcert" in step and "-cacerts" not in step
    ]
    assert steps
    for step in steps:
        assert "cacerts" in step, step
