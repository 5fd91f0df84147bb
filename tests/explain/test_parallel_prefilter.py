"""The prefilter run by worker processes finds what the one-process prefilter finds.

Real worker processes on real files (two, asked for: the default is one per usable core, and
one core means none); the chunks are made small so that errors sit on chunk boundaries, and the
logs are bigger than one matcher block (4 MiB: smaller inputs have every line tried, without a
prefilter)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from cli_runner import run_cli, run_in_terminal

from tlsdoctor.core.explain import BLOCK_SIZE, Finding, Matcher, explain_file
from tlsdoctor.core.explain.parallel import MIN_SIZE, open_prefilter, prefiltered
from tlsdoctor.render.explain import findings_json

ERRORS = [
    b"curl: (60) SSL certificate problem: unable to get local issuer certificate",
    b"npm error code SELF_SIGNED_CERT_IN_CHAIN",
    b"javax.net.ssl.SSLHandshakeException: PKIX path building failed: "
    b"sun.security.provider.certpath.SunCertPathBuilderException: "
    b"unable to find valid certification path to requested target",
    b"ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
    b"failed: certificate has expired (_ssl.c:1006)",
    b"fatal: unable to access 'https://git.example.test/r.git/': SSL certificate problem: "
    b"self-signed certificate in certificate chain",
]
ORDINARY = b"2026-11-25 10:00:00 INFO worker 7 finished job 1234 in 0.25 s\n"
NEAR_MISS = b"2026-11-25 10:00:01 DEBUG SSL handshake completed with TLSv1.3\n"
CHUNK = 64 << 10
JOBS = 2


def _log(size: int, every: int = 90_000, newline: bytes = b"\n") -> bytes:
    """``size`` bytes of ordinary lines and near misses with an error about every ``every``
    bytes, each error in a different position relative to the chunk grid."""
    out = bytearray()
    turn = 0
    while len(out) < size:
        out += ORDINARY.replace(b"\n", newline) * 40 + NEAR_MISS.replace(b"\n", newline)
        if len(out) // every > turn:
            turn = len(out) // every
            out += ERRORS[turn % len(ERRORS)] + b" #%d" % turn + newline
    return bytes(out)


def _serial(path: Path) -> dict[str, object]:
    return findings_json(explain_file(str(path), jobs=1))


def _parallel(path: Path, chunk: int = CHUNK) -> tuple[dict[str, object], int]:
    """Findings with worker processes, and how many regions the workers answered."""
    matcher = Matcher()
    prefilter = open_prefilter(str(path), min_size=1, chunk_size=chunk, jobs=JOBS)
    assert prefilter is not None
    matcher.prefilter_with(prefilter)
    try:
        for data in prefilter.blocks():
            matcher.feed(data)
    finally:
        prefilter.close()
    findings: list[Finding] = matcher.close()
    return findings_json(findings), prefilter.answered


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_same_findings_as_one_process(tmp_path: Path, newline: bytes) -> None:
    path = tmp_path / "big.log"
    path.write_bytes(_log(3 * BLOCK_SIZE, newline=newline))
    serial = _serial(path)
    parallel, answered = _parallel(path)
    assert serial["findings"], "the log must hold findings for the comparison to mean anything"
    assert sum(f["count"] for f in serial["findings"]) > 100  # type: ignore[index,union-attr]
    assert parallel == serial
    assert answered >= 2  # the blocks were prefiltered by the workers, not here


def test_errors_exactly_on_chunk_boundaries(tmp_path: Path) -> None:
    body = bytearray()
    for k in range(1, 2 * BLOCK_SIZE // CHUNK):
        # even k: an error line starts on the boundary; odd k: one runs across it
        target = k * CHUNK - (0 if k % 2 == 0 else 20)
        while len(body) + len(ORDINARY) <= target:
            body += ORDINARY
        gap = target - len(body)
        body += b"." * (gap - 1) + b"\n" if gap else b""
        assert len(body) == target
        body += ERRORS[k % len(ERRORS)] + b" #%d\n" % k
    path = tmp_path / "edges.log"
    path.write_bytes(bytes(body))
    serial = _serial(path)
    assert sum(f["count"] for f in serial["findings"]) == 2 * BLOCK_SIZE // CHUNK - 1  # type: ignore[index,union-attr]
    assert _parallel(path)[0] == serial


def test_log_without_final_newline_and_a_growing_log(tmp_path: Path) -> None:
    path = tmp_path / "growing.log"
    path.write_bytes(_log(2 * BLOCK_SIZE) + ERRORS[0])  # the last line is still being written
    matcher = Matcher()
    prefilter = open_prefilter(str(path), min_size=1, chunk_size=CHUNK, jobs=JOBS)
    assert prefilter is not None
    with path.open("ab") as log:  # the log grows after the workers started
        log.write(b" (retrying)\n" + _log(BLOCK_SIZE + 12345) + ERRORS[2])
    matcher.prefilter_with(prefilter)
    for data in prefilter.blocks():
        matcher.feed(data)
    prefilter.close()
    grown = findings_json(matcher.close())
    assert grown == _serial(path)
    assert prefilter.answered >= 1


def test_a_log_rotated_while_read_is_read_whole(tmp_path: Path) -> None:
    # logrotate renames the log and a new one starts at its path: the workers and the reader
    # both keep reading the file that was opened, not the new one.
    path = tmp_path / "app.log"
    path.write_bytes(_log(3 * BLOCK_SIZE))
    expected = _serial(path)
    matcher = Matcher()
    with prefiltered(matcher, str(path), min_size=1, jobs=JOBS) as blocks:
        assert blocks is not None
        path.rename(tmp_path / "app.log.1")
        path.write_bytes(ORDINARY * (3 * BLOCK_SIZE // len(ORDINARY)))
        for data in blocks:
            matcher.feed(data)
    assert findings_json(matcher.close()) == expected
    assert expected["findings"]


def test_a_line_too_long_to_keep_hands_the_passes_back(tmp_path: Path) -> None:
    # A 300 KiB line across the first block's end: the matcher keeps its head and tail, its
    # buffer's offsets move, and the errors after it are still found where they are.
    head = _log(2 * BLOCK_SIZE - 100_000)
    blob = b"progress " + b"=" * (300 << 10) + b" " + ERRORS[3] + b"\n"
    path = tmp_path / "blob.log"
    path.write_bytes(head + blob + _log(2 * BLOCK_SIZE))
    serial = _serial(path)
    parallel, answered = _parallel(path)
    assert parallel == serial
    assert answered >= 1  # the workers answered for the first block, before the cut
    causes = [f["excerpt"] for f in serial["findings"]]  # type: ignore[union-attr]
    assert any("CERTIFICATE_VERIFY_FAILED" in str(c) for c in causes)


def test_no_workers_where_one_process_is_the_better_choice(tmp_path: Path) -> None:
    small = tmp_path / "small.log"
    small.write_bytes(_log(100_000))
    assert open_prefilter(str(small), jobs=JOBS) is None  # under MIN_SIZE
    assert open_prefilter(str(small), min_size=1, jobs=1) is None
    utf16 = tmp_path / "ps.log"
    utf16.write_bytes(b"\xff\xfe" + _log(200_000).decode().encode("utf-16-le"))
    assert open_prefilter(str(utf16), min_size=1, jobs=JOBS) is None
    assert open_prefilter(str(tmp_path / "missing.log"), min_size=1, jobs=JOBS) is None
    assert open_prefilter(str(tmp_path), min_size=1, jobs=JOBS) is None  # a directory
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # no writer: opening it to read must not wait for one
    answer: list[object] = []
    opener = threading.Thread(
        target=lambda: answer.append(open_prefilter(str(fifo), min_size=1, jobs=JOBS)),
        daemon=True,
    )
    opener.start()
    opener.join(10)
    assert answer == [None]
    no_newline = tmp_path / "one-line.log"
    no_newline.write_bytes(b"x" * 1000)
    assert (
        open_prefilter(str(no_newline), min_size=1, jobs=JOBS) is None
    )  # no whole line to hand out


def test_cli_big_file_same_as_one_process(tmp_path: Path, clean_env: dict[str, str]) -> None:
    path = tmp_path / "ci.log"
    path.write_bytes(_log(MIN_SIZE + BLOCK_SIZE, every=2_000_000))
    default = run_cli("explain", "--json", "--jobs", str(JOBS), "--file", str(path), env=clean_env)
    one = run_cli("explain", "--json", "--jobs", "1", "--file", str(path), env=clean_env)
    assert default.returncode == one.returncode == 1, default.stderr + one.stderr
    assert json.loads(default.stdout) == json.loads(one.stdout)
    assert len(json.loads(one.stdout)["findings"]) == len(ERRORS)


def test_cli_progress_while_a_big_file_is_read_on_a_terminal_only(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    path = tmp_path / "ci.log"
    path.write_bytes(_log(MIN_SIZE + BLOCK_SIZE, every=10_000_000))
    args = ["explain", "--file", str(path)]
    on_terminal = run_in_terminal(args, clean_env)
    piped = run_cli(*args, env=clean_env)
    assert "reading ci.log" in on_terminal
    assert "MB" in on_terminal  # bytes read of the file's size
    assert "reading" not in piped.stdout + piped.stderr
    assert piped.returncode == 1
    assert "SELF_SIGNED_CERT_IN_CHAIN" in on_terminal
    japanese = run_in_terminal(["--lang", "ja", *args], clean_env)
    assert "ci.log を読んでいます" in japanese


def test_cli_rejects_negative_jobs(clean_env: dict[str, str]) -> None:
    proc = run_cli("explain", "--jobs", "-1", "--file", "x.log", env=clean_env)
    assert proc.returncode == 2
    assert "--jobs must be 0 or more" in proc.stderr
    assert "Traceback" not in proc.stderr
