"""The streaming matcher: block boundaries, line numbers, counts, merging, bounded memory."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlsdoctor.core import explain as ex
from tlsdoctor.core.explain import Matcher, explain_lines, explain_stream, explain_text
from tlsdoctor.core.explain import matcher as matcher_module  # Matcher reads BLOCK_SIZE there

CURL = "curl: (60) SSL certificate problem: self-signed certificate in certificate chain"
PYTHON_20 = (
    "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
    "failed: unable to get local issuer certificate (_ssl.c:1006)"
)
ORDINARY = "2026-11-25T03:00:00Z INFO  http GET /api/v1/items 200 4ms user=42"


def log_with(errors: dict[int, str], total: int) -> str:
    """``total`` ordinary lines with the given error lines at 1-based line numbers."""
    return "\n".join(errors.get(n, f"{ORDINARY} n={n}") for n in range(1, total + 1)) + "\n"


# ---------------------------------------------------------------- the article's three strings
def test_article_self_signed_cert_in_chain_is_node_inspection() -> None:
    (f,) = explain_text("SELF_SIGNED_CERT_IN_CHAIN")
    assert (f.cause, f.tool, f.confidence) == ("inspection_untrusted_ca", "node", "high")
    assert any("--use-system-ca" in step for step in f.fix)
    assert any("NODE_EXTRA_CA_CERTS" in step for step in f.fix)


def test_article_openssl_error_queue_is_openssl_inspection() -> None:
    text = "SSL routines:tls_post_process_server_certificate:certificate verify failed"
    (f,) = explain_text(text)
    assert (f.cause, f.tool) == ("inspection_untrusted_ca", "openssl")
    assert f.confidence == "low" and f.ambiguous
    assert any("SSL_CERT_FILE" in step for step in f.fix)
    assert any("--probe" in note for note in f.notes)


def test_article_python_local_issuer_is_python_inspection() -> None:
    (f,) = explain_text(PYTHON_20)
    assert (f.cause, f.tool) == ("inspection_untrusted_ca", "python")
    assert any("truststore" in step for step in f.fix)


# ---------------------------------------------------------------- streaming
@pytest.mark.parametrize("block", [64, 250, 997, 4096])
def test_line_numbers_stay_right_over_many_blocks(
    monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """First lines of four findings, some in the lines a block keeps for the next one."""
    monkeypatch.setattr(matcher_module, "BLOCK_SIZE", block)
    errors = {
        3: CURL,
        61: "curl: (60) SSL certificate problem: certificate has expired",
        62: "npm ERR! code CERT_HAS_EXPIRED",
        377: PYTHON_20,
    }
    text = log_with({**errors, 380: CURL, 700: "npm ERR! code CERT_HAS_EXPIRED"}, 800)
    matcher = Matcher(exhaustive=False)
    data = text.encode()
    for i in range(0, len(data), 101):
        matcher.feed(data[i : i + 101])
    got = {(f.cause, f.tool): (f.line, f.count) for f in matcher.close()}
    assert got == {
        ("inspection_untrusted_ca", "curl"): (3, 2),
        ("expired", "curl"): (61, 1),
        ("expired", "npm"): (62, 2),
        ("inspection_untrusted_ca", "python"): (377, 1),
    }


@pytest.mark.parametrize("block", [64, 997, 4096])
def test_block_boundaries_do_not_change_results(
    monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(matcher_module, "BLOCK_SIZE", block)
    text = log_with({50: CURL, 400: PYTHON_20, 401: "next line", 900: CURL}, 1000)
    matcher = Matcher(exhaustive=False)
    data = text.encode()
    for i in range(0, len(data), 333):  # chunks that cut lines anywhere
        matcher.feed(data[i : i + 333])
    findings = {(f.cause, f.tool): f for f in matcher.close()}
    curl = findings[("inspection_untrusted_ca", "curl")]
    assert (curl.line, curl.count) == (50, 2)
    python = findings[("inspection_untrusted_ca", "python")]
    assert (python.line, python.count) == (400, 1)
    assert len(findings) == 2


def test_wget_two_line_message_across_a_block_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matcher_module, "BLOCK_SIZE", 256)
    first = "ERROR: cannot verify example.org's certificate, issued by 'CN=Zscaler Root CA':"
    second = "  Unable to locally verify the issuer's authority."
    text = log_with({30: first, 31: second}, 60)
    (f,) = explain_stream(io.BytesIO(text.encode()), block_size=7)
    assert (f.cause, f.tool, f.line, f.product) == (
        "inspection_untrusted_ca",
        "wget",
        31,
        "Zscaler",
    )
    assert f.confidence == "medium"
    assert ("example.org", 443) in f.hosts


def test_npm_three_lines_are_one_occurrence() -> None:
    text = (
        "npm ERR! code SELF_SIGNED_CERT_IN_CHAIN\n"
        "npm ERR! errno SELF_SIGNED_CERT_IN_CHAIN\n"
        "npm ERR! request to https://registry.npmjs.org/x failed, reason: self-signed "
        "certificate in certificate chain\n"
    )
    spacer = "npm ERR! A complete log of this run can be found in: /tmp/x.log\n" + "$ npm i\n" * 4
    (f,) = explain_text(text + spacer + text + spacer + text)
    assert (f.tool, f.count, f.line) == ("npm", 3, 1)


def test_distinct_causes_and_tools_are_separate_findings() -> None:
    text = log_with(
        {
            10: CURL,
            100: "x509: certificate has expired or is not yet valid: current time 2026-01-02 "
            "is after 2026-01-01",
            200: "fatal: unable to access 'https://h/': SSL certificate problem: "
            "self-signed certificate in certificate chain",
        },
        300,
    )
    got = {(f.cause, f.tool, f.line) for f in explain_text(text)}
    assert got == {
        ("inspection_untrusted_ca", "curl", 10),
        ("expired", "go", 100),
        ("inspection_untrusted_ca", "git", 200),
    }


def test_explain_lines_matches_explain_text() -> None:
    text = log_with({5: CURL, 7: PYTHON_20}, 20)
    by_lines = explain_lines(text.splitlines())
    by_text = explain_text(text)
    assert [f.to_json() for f in by_lines] == [f.to_json() for f in by_text]


def test_crlf_and_long_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matcher_module, "BLOCK_SIZE", 1024)
    blob = "x" * (ex.MAX_LINE * 3)  # a minified blob without newlines
    text = f"{blob}\r\n{CURL}\r\n"
    matcher = Matcher(exhaustive=False)
    for i in range(0, len(text), 4096):
        matcher.feed(text[i : i + 4096].encode())
    (f,) = matcher.close()
    assert f.excerpt == CURL  # no "\r"


def test_memory_stays_flat_on_a_big_stream() -> None:
    """40 MB through the matcher: the buffer never holds much more than one block."""
    chunk = (log_with({}, 2000)).encode()
    tracemalloc.start()
    try:
        matcher = Matcher(exhaustive=False)
        fed = 0
        while fed < 40 << 20:
            matcher.feed(chunk)
            fed += len(chunk)
        matcher.feed((CURL + "\n").encode())
        findings = matcher.close()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [f.cause for f in findings] == ["inspection_untrusted_ca"]
    assert peak < 4 * ex.BLOCK_SIZE, f"peak {peak / 1e6:.1f} MB"


def test_small_inputs_try_every_line_big_ones_use_the_prefilter() -> None:
    bare = "UNABLE_TO_VERIFY_LEAF_SIGNATURE"  # no prefilter anchor in it
    (f,) = explain_text(bare)
    assert f.cause == "missing_intermediate"
    matcher = Matcher(exhaustive=False)
    matcher.feed(bare.encode())
    assert matcher.close() == []


# ---------------------------------------------------------------- notes and insecure attempts
def test_insecure_attempt_is_explained_not_recommended() -> None:
    text = "$ pip install --trusted-host pypi.org requests\n" + PYTHON_20
    (f,) = explain_text(text)
    assert any("--trusted-host" in note and "every host" in note for note in f.notes)
    assert not any("--trusted-host" in step for step in f.fix)


def test_insecure_attempt_is_said_once_for_several_problems() -> None:
    text = (
        "$ pip install --trusted-host pypi.org requests\n"
        "curl: (60) SSL certificate problem: unable to get local issuer certificate\n"
        "npm ERR! code CERT_HAS_EXPIRED\n"
        "fatal: unable to access 'https://h/x.git/': SSL certificate problem: "
        "self-signed certificate in certificate chain\n"
    )
    findings = explain_text(text)
    assert len(findings) == 3
    said = [[n for n in f.notes if "--trusted-host" in n] for f in findings]
    assert said[:2] == [[], []] and len(said[2]) == 1  # after the last fix


def test_wget_own_hint_is_not_an_attempt() -> None:
    text = (
        "ERROR: cannot verify h's certificate, issued by 'CN=x':\n"
        "  Unable to locally verify the issuer's authority.\n"
        "To connect to h insecurely, use `--no-check-certificate'.\n"
    )
    matcher = Matcher()
    matcher.note_text(text)
    matcher.feed(text.encode())
    matcher.close()
    assert matcher.insecure_attempts == []


CURL_K = "curl -k / --insecure"
GIT_OFF = "http.sslVerify false / GIT_SSL_NO_VERIFY"


@pytest.mark.parametrize(
    ("command", "attempts"),
    [
        ("curl -sk https://x/", [CURL_K]),
        ("curl -kL https://x/", [CURL_K]),
        ("curl -sSLk https://x/", [CURL_K]),
        ("curl -o out -k https://x/", [CURL_K]),
        ("curl -s --insecure https://x/", [CURL_K]),
        ("curl -K cfg --cacert bundle.pem https://x/", []),  # -K is --config
        ("curl -ok https://x/", []),  # writes to a file named k
        ("git -c http.sslVerify=false ls-remote https://x/", [GIT_OFF]),
        ("git -c http.sslverify=FALSE ls-remote https://x/", [GIT_OFF]),  # git ignores case
        ("go get -insecure example.com/x", ["InsecureSkipVerify"]),
        (
            "python -c 'requests.get(u, verify=False)'",
            ["verify=False (urllib3 InsecureRequestWarning)"],
        ),
        ("python -c 'requests.get(u, verify=false)'", []),  # not Python: a NameError
    ],
)
def test_command_line_switching_checks_off_is_named_once(command: str, attempts: list[str]) -> None:
    matcher = Matcher()
    matcher.note_text("$ " + command)
    matcher.close()
    assert matcher.insecure_attempts == attempts


def test_several_expired_hosts_point_at_the_clock() -> None:
    lines = [
        f"x509: certificate has expired or is not yet valid: current time 2030-01-01 is after "
        f'2027-01-01 (Get "https://host{i}.example/")'
        for i in range(3)
    ]
    text = "\n\n\n\n\n\n".join(lines)
    (f,) = explain_text(text)
    assert f.count == 3
    assert any("clock" in note for note in f.notes)


# ---------------------------------------------------------------- properties
@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_handled(text: str) -> None:
    for finding in explain_text(text):
        assert finding.cause in ex.CAUSES
        assert finding.confidence in ex.CONFIDENCES
        assert finding.count >= 1 and finding.line >= 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=8))
def test_chunking_never_changes_findings(cuts: list[int]) -> None:
    text = log_with({3: CURL, 9: PYTHON_20, 30: CURL}, 40).encode()
    whole = Matcher(exhaustive=False)
    whole.feed(text)
    expected = [f.to_json() for f in whole.close()]
    pieces = Matcher(exhaustive=False)
    pos = 0
    for cut in cuts:
        pieces.feed(text[pos : pos + cut])
        pos += cut
    pieces.feed(text[pos:])
    assert [f.to_json() for f in pieces.close()] == expected


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        ("certificate has expired", ("certificate has expired",)),
        ("self[- ]signed certificate", ("signed certificate",)),
        ("a|bcd", None),
        (r"curl: \([0-9]+\) SSL", (") ssl",)),  # the run holding a prefilter anchor
        (
            "x509: certificate is valid for .*, not (?P<host>[^ ]+)",
            ("x509: certificate is valid for ",),
        ),
        (
            "PKIX path building failed|unable to find",
            ("pkix path building failed", "unable to find"),
        ),
        ("colou?r", ("colo",)),
    ],
)
def test_required_literals(pattern: str, literals: tuple[str, ...] | None) -> None:
    assert ex.required_literals(pattern) == literals


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_handled(data: bytes) -> None:
    for exhaustive in (True, False):
        matcher = Matcher(exhaustive=exhaustive)
        matcher.feed(data + b"\n" + CURL.encode())
        findings = matcher.close()
        assert any(f.tool == "curl" for f in findings)


@pytest.mark.parametrize("present", [{"cert"}, {"ssl"}, {"ssl", "tls"}, {"trust"}])
def test_a_candidate_line_is_tested_for_the_fewest_literals(present: set[str]) -> None:
    """Most candidate lines hold an anchor by chance and are dropped after testing the plan's
    literals: none of them may hold an anchor the line lacks, or another of them (each is a
    test per line, and such a literal can never decide)."""
    from tlsdoctor.core.explain.prefilter import ANCHORS
    from tlsdoctor.core.explain.signatures import catalog

    quick = matcher_module._Plan.build(catalog(), frozenset(present)).quick
    assert quick
    for literal in quick:
        assert all(a in present for a in ANCHORS if a in literal), literal
        assert not [other for other in quick if other != literal and other in literal], literal
    # Every signature that could match such a line keeps a literal the line may hold.
    line = "x509: certificate signed by unknown authority (ssl tls trust)"
    assert explain_text(line)


@settings(max_examples=300, deadline=None)
@given(
    literals=st.lists(st.text(alphabet="ab(.*c]", min_size=1, max_size=5), max_size=8),
    text=st.text(alphabet="ab(.*c]x", max_size=30),
)
def test_the_quick_pattern_finds_a_line_exactly_when_it_holds_a_literal(
    literals: list[str], text: str
) -> None:
    """The literals' trie as one regex (prefixes of each other, regex metacharacters, none):
    found exactly when the line holds one of them."""
    from tlsdoctor.core.explain.prefilter import any_of

    found = any_of(tuple(literals)).search(text) is not None
    assert found == any(literal in text for literal in literals)


@pytest.mark.parametrize("present", [{"cert"}, {"ssl"}, {"ssl", "tls"}, {"0x800"}])
def test_each_plan_finds_each_of_its_literals(present: set[str]) -> None:
    from tlsdoctor.core.explain.signatures import catalog

    plan = matcher_module._Plan.build(catalog(), frozenset(present))
    assert plan.quick and plan.finds_quick
    for literal in plan.quick:
        assert plan.finds_quick.search(f"... {literal} ...") is not None, literal
    assert plan.finds_quick.search("ssl handshake completed, certificate renewed") is None
