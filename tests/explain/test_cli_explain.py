"""`tlsdoctor explain` and `tlsdoctor run` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import UNWRITABLE_STDOUT, run_cli, run_cli_redirected
from fixtures_env import require_client

CURL_19 = "curl: (60) SSL certificate problem: self-signed certificate in certificate chain"


def test_explain_text_exit_1_and_human_output(clean_env: dict[str, str]) -> None:
    proc = run_cli("explain", CURL_19, env=clean_env)
    assert proc.returncode == 1
    assert "does not trust" in proc.stdout
    assert "CURL_CA_BUNDLE" in proc.stdout
    assert proc.stderr == ""


def test_json_schema_is_exact(clean_env: dict[str, str]) -> None:
    proc = run_cli("explain", "--json", CURL_19, env=clean_env)
    data = json.loads(proc.stdout)
    assert list(data) == ["findings", "insecure"]
    assert data["insecure"] == []
    (finding,) = data["findings"]
    assert list(finding) == [
        "cause",
        "tool",
        "line",
        "excerpt",
        "issuer",
        "product",
        "count",
        "fix",
        "confidence",
    ]
    assert finding["cause"] == "inspection_untrusted_ca"
    assert finding["tool"] == "curl"
    assert finding["line"] == 1 and finding["count"] == 1
    assert finding["issuer"] is None and finding["product"] is None
    assert finding["confidence"] == "high"
    assert all(isinstance(step, str) for step in finding["fix"])


def test_no_finding_exit_0(clean_env: dict[str, str]) -> None:
    proc = run_cli("explain", "curl: (6) Could not resolve host: x", env=clean_env)
    assert proc.returncode == 0
    assert "No TLS or certificate failure" in proc.stdout
    proc = run_cli("explain", "--json", "all fine", env=clean_env)
    assert (proc.returncode, json.loads(proc.stdout)) == (0, {"findings": [], "insecure": []})


def test_json_names_a_verification_switch_off(clean_env: dict[str, str]) -> None:
    """A CI gate reads --json: the switch-off the human output warns about is there too, as
    the catalog's id (the same in every language), with or without a TLS failure."""
    text = "$ curl -k https://x.example/\n" + CURL_19 + "\n"
    for lang in ("en", "ja"):
        proc = run_cli("--lang", lang, "explain", "--json", "-", env=clean_env, stdin=text)
        data = json.loads(proc.stdout)
        assert proc.returncode == 1 and len(data["findings"]) == 1
        assert data["insecure"] == [{"id": "curl-insecure", "what": "curl -k / --insecure"}]
    proc = run_cli("explain", "--json", "pip install --trusted-host pypi.org x", env=clean_env)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["insecure"] == [
        {"id": "pip-trusted-host", "what": "--trusted-host"}
    ]


def test_stdin_and_file(clean_env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    log.write_text("line\n" * 10 + CURL_19 + "\n" + "line\n" * 10)
    by_file = json.loads(run_cli("explain", "--json", "--file", str(log), env=clean_env).stdout)
    by_stdin = json.loads(
        run_cli("explain", "--json", "-", env=clean_env, stdin=log.read_text()).stdout
    )
    assert by_file == by_stdin
    assert by_file["findings"][0]["line"] == 11


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "nothing to explain"),
        (("--file", "/no/such/file.log"), "no such file"),
        (("--file", "/"), "is a directory"),
        (("   ",), "the message is empty"),
        (("text", "--file", "/etc/hostname"), "not both"),
        (("--probe", "--timeout", "0", CURL_19), "positive"),
        (("--probe", "--timeout", "0", "all fine"), "positive"),
        (("--probe", "--proxy", "socks4://127.0.0.1:1", "all fine"), "unsupported proxy"),
        (("--probe", "--roots", "/no/such/roots.pem", "all fine"), "cannot read the roots"),
        (("--probe", "--roots", "", CURL_19), "--roots needs a file name"),
    ],
)
def test_bad_input_is_a_usage_error(
    clean_env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    proc = run_cli("explain", *args, env=clean_env)
    assert proc.returncode == 2, proc.stdout
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("stdin", ["", " \n\t\n"])
def test_empty_standard_input_is_a_usage_error(clean_env: dict[str, str], stdin: str) -> None:
    proc = run_cli("explain", "-", env=clean_env, stdin=stdin)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "standard input is empty" in proc.stderr


def test_empty_log_file_holds_no_failure(clean_env: dict[str, str], tmp_path: Path) -> None:
    """A log can be empty (the build printed nothing): not an input error."""
    log = tmp_path / "empty.log"
    log.write_bytes(b"")
    proc = run_cli("explain", "--json", "--file", str(log), env=clean_env)
    assert (proc.returncode, json.loads(proc.stdout)) == (0, {"findings": [], "insecure": []})


def test_unreadable_file(clean_env: dict[str, str], tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    log = tmp_path / "secret.log"
    log.write_text(CURL_19)
    log.chmod(0)
    proc = run_cli("explain", "--file", str(log), env=clean_env)
    assert proc.returncode == 2 and "permission denied" in proc.stderr


def test_other_read_errors_give_the_reason_in_the_readers_language(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "plain").write_text(CURL_19)
    log = tmp_path / "plain" / "build.log"  # ENOTDIR: a file where a folder should be
    proc = run_cli("explain", "--file", str(log), env=clean_env)
    assert proc.returncode == 2 and f"cannot read {log}: Not a directory" in proc.stderr
    proc = run_cli("--lang", "ja", "explain", "--file", str(log), env=clean_env)
    assert proc.returncode == 2, proc.stderr
    assert f"{log} を読めません：パスの途中がフォルダーではありません" in proc.stderr, proc.stderr


def test_japanese_output(clean_env: dict[str, str]) -> None:
    proc = run_cli("--lang", "ja", "explain", CURL_19, env=clean_env)
    assert proc.returncode == 1
    assert "信頼していない CA" in proc.stdout
    assert "対処" in proc.stdout
    data = json.loads(run_cli("--lang", "ja", "explain", "--json", CURL_19, env=clean_env).stdout)
    assert "バンドル" in data["findings"][0]["fix"][0]


def test_probe_without_a_host_says_so(clean_env: dict[str, str]) -> None:
    proc = run_cli("explain", "--probe", "--no-proxy", CURL_19, env=clean_env)
    assert proc.returncode == 1
    assert "names no host" in proc.stdout


def test_insecure_attempt_is_called_out(clean_env: dict[str, str]) -> None:
    text = "$ npm config set strict-ssl false\nnpm ERR! code SELF_SIGNED_CERT_IN_CHAIN\n"
    proc = run_cli("explain", text, env=clean_env)
    assert "strict-ssl false was tried" in proc.stdout


def test_insecure_attempt_is_called_out_once(clean_env: dict[str, str]) -> None:
    text = (
        "$ pip install --trusted-host pypi.org requests\n"
        "curl: (60) SSL certificate problem: unable to get local issuer certificate\n"
        "npm ERR! code CERT_HAS_EXPIRED\n"
        "fatal: unable to access 'https://h/x.git/': SSL certificate problem: "
        "self-signed certificate in certificate chain\n"
    )
    env = {**clean_env, "COLUMNS": "400"}
    proc = run_cli("explain", text, env=env)
    assert "3 distinct TLS problems found." in proc.stdout
    assert proc.stdout.count("--trusted-host was tried") == 1, proc.stdout
    proc = run_cli("--lang", "ja", "explain", text, env=env)
    assert "TLS の問題が 3 件見つかりました。" in proc.stdout
    assert proc.stdout.count("補足：--trusted-host が試されています。") == 1, proc.stdout


# ---------------------------------------------------------------- run
def test_run_passes_output_and_exit_code_through(clean_env: dict[str, str]) -> None:
    script = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    proc = run_cli("run", "--", sys.executable, "-c", script, env=clean_env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, "out\n", "err\n")


def test_run_explains_tls_failure_on_stderr_only(clean_env: dict[str, str]) -> None:
    script = f"import sys; print('partial'); print({CURL_19!r}, file=sys.stderr); sys.exit(60)"
    proc = run_cli("run", "--", sys.executable, "-c", script, env=clean_env)
    assert proc.returncode == 60
    assert proc.stdout == "partial\n"
    assert proc.stderr.startswith(CURL_19 + "\n")
    assert "failed with TLS errors" in proc.stderr


def test_run_success_prints_nothing_extra(clean_env: dict[str, str]) -> None:
    script = f"print({CURL_19!r})"  # a TLS message, but the command succeeded
    proc = run_cli("run", "--", sys.executable, "-c", script, env=clean_env)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, CURL_19 + "\n", "")


def test_run_streams_while_the_command_runs(clean_env: dict[str, str], tmp_path: Path) -> None:
    """The child waits for a file the test creates only after reading the first line: if
    run buffered the output until the end, this would time out."""
    flag = tmp_path / "go"
    script = (
        "import os, sys, time\n"
        "print('first', flush=True)\n"
        f"while not os.path.exists({str(flag)!r}): time.sleep(0.05)\n"
        "print('second')\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "tlsdoctor", "run", "--", sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        env=clean_env,
        text=True,
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline() == "first\n"
        flag.touch()
        assert proc.stdout.readline() == "second\n"
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_run_into_a_closed_pipe_ends_like_the_command(clean_env: dict[str, str]) -> None:
    """`tlsdoctor run -- yes | head -1`: once our stdout is gone, the command gets SIGPIPE
    (exit 141, as `yes | head -1` gives) instead of being drained for ever."""
    require_client("yes")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tlsdoctor", "run", "--", "yes"],
        stdout=subprocess.PIPE,
        env=clean_env,
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline() == b"y\n"
        proc.stdout.close()
        assert proc.wait(timeout=30) == 128 + 13
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(
    ("redirect", "reason"),
    UNWRITABLE_STDOUT,
)
def test_run_into_an_unwritable_stdout_is_one_line(
    clean_env: dict[str, str], redirect: str, reason: str
) -> None:
    """The command writes 1 MB into a stdout we cannot write: it still ends (the copy keeps
    draining its pipe), and the failed write is one line, exit 2, as for every command."""
    if redirect == ">/dev/full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    big = [sys.executable, "-c", "import sys; sys.stdout.write('x' * 1_000_000)"]
    done = run_cli_redirected(redirect, "run", "--", *big, env=clean_env)
    assert (done.returncode, done.stderr) == (
        2,
        f"tlsdoctor: error: cannot write to standard output: {reason}\n",
    )


def test_run_missing_command_is_127(clean_env: dict[str, str]) -> None:
    proc = run_cli("run", "--", "tlsdoctor-no-such-command", env=clean_env)
    assert proc.returncode == 127
    assert "command not found: tlsdoctor-no-such-command" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_run_without_command_is_a_usage_error(clean_env: dict[str, str]) -> None:
    proc = run_cli("run", env=clean_env)
    assert proc.returncode == 2 and "no command given" in proc.stderr


@pytest.mark.parametrize("roots", ["missing.pem", "junk.pem", ""])
def test_run_probe_bad_roots_is_refused_before_the_command_runs(
    clean_env: dict[str, str], tmp_path: Path, roots: str
) -> None:
    """A --roots file that cannot be read is bad input: exit 2 before the command runs (it
    may deploy something), not after it, which would also hide the command's exit code."""
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    marker = tmp_path / "ran"
    script = f"open({str(marker)!r}, 'w'); print({CURL_19!r}); raise SystemExit(60)"
    path = str(tmp_path / roots) if roots else ""
    proc = run_cli(
        "run", "--probe", "--roots", path, "--", sys.executable, "-c", script, env=clean_env
    )
    assert (proc.returncode, proc.stdout) == (2, ""), proc.stderr
    assert proc.stderr.startswith("tlsdoctor: error: ") and "Traceback" not in proc.stderr
    assert not marker.exists()


def test_run_warns_when_verification_is_switched_off(clean_env: dict[str, str]) -> None:
    proc = run_cli("run", "--", sys.executable, "-c", "pass", "--trusted-host", "x", env=clean_env)
    assert proc.returncode == 0
    assert "--trusted-host switches certificate checks off" in proc.stderr


def test_run_notes_a_switch_off_seen_on_both_streams_once(clean_env: dict[str, str]) -> None:
    script = (
        "import sys; print('$ pip install --trusted-host pypi.org x'); "
        "print('npm ERR! code CERT_HAS_EXPIRED'); "
        "print('--trusted-host pypi.org', file=sys.stderr); "
        f"print({CURL_19!r}, file=sys.stderr); sys.exit(1)"
    )
    env = {**clean_env, "COLUMNS": "400"}
    proc = run_cli("run", "--", sys.executable, "-c", script, env=env)
    assert proc.returncode == 1
    assert "failed with TLS errors" in proc.stderr
    assert proc.stderr.count("--trusted-host was tried") == 1, proc.stderr


def test_pasted_stdin_is_read_like_a_message(clean_env: dict[str, str]) -> None:
    text = "$ curl -k https://x.example/\n" + CURL_19 + "\n"
    proc = run_cli("explain", "-", env=clean_env, stdin=text)
    assert "curl -k / --insecure was tried" in proc.stdout


def test_japanese_run_and_hint_wording(clean_env: dict[str, str], tmp_path: Path) -> None:
    """The object and the word order Japanese needs, and one kind of colon per line."""
    script = tmp_path / "not-executable"
    script.write_text("#!/bin/sh\n")
    proc = run_cli("--lang", "ja", "run", "--", str(script), env=clean_env)
    assert f"tlsdoctor: {script} を実行する権限がありません\n" in proc.stderr, proc.stderr
    proc = run_cli(
        "--lang", "ja", "run", "--", sys.executable, "-c", "pass", "--trusted-host", "x",
        env=clean_env,
    )  # fmt: skip
    assert (
        "tlsdoctor: 警告：--trusted-host は証明書の検証を無効にします。"
        "代わりに、ツールにインスペクション CA を信頼させてください（tlsdoctor fix）。"
    ) in proc.stderr, proc.stderr
    proc = run_cli("--lang", "ja", "explain", env=clean_env)
    assert proc.returncode == 2
    assert 'ヒント：tlsdoctor explain "curl: (60) SSL certificate problem: ..." のように' in (
        proc.stderr
    ), proc.stderr


def test_japanese_missing_file_has_one_label(clean_env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "missing.log"
    proc = run_cli("--lang", "ja", "explain", "--file", str(log), env=clean_env)
    assert proc.returncode == 2
    assert f"エラー：ファイル {log} が見つかりません\n" in proc.stderr, proc.stderr


def test_a_file_name_given_as_the_message_is_refused(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    """`explain build.log` (without --file) said "no failure found", exit 0, over a log full of
    them: a TEXT naming a file or folder, with no finding in the name itself, is bad input."""
    log = tmp_path / "build.log"
    log.write_text(CURL_19 + "\n")
    proc = run_cli("explain", str(log), env=clean_env)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"{log} is a file name, not a message" in proc.stderr
    assert f"tlsdoctor explain --file {log}" in proc.stderr
    proc = run_cli("--lang", "ja", "explain", str(log), env=clean_env)
    assert proc.returncode == 2 and "はメッセージではなくファイル名です" in proc.stderr
    proc = run_cli("explain", str(tmp_path), env=clean_env)
    assert proc.returncode == 2 and "is a directory, not a log file" in proc.stderr
    # a message that is one word and a finding is read as the message, file or not
    named = tmp_path / "SELF_SIGNED_CERT_IN_CHAIN"
    named.write_text("")
    proc = run_cli("explain", str(named), env=clean_env)
    assert proc.returncode == 1, proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize(("lang", "words"), [("en", "named pipe"), ("ja", "名前付きパイプ")])
def test_a_named_pipe_without_a_writer_says_it_waits(
    clean_env: dict[str, str], tmp_path: Path, lang: str, words: str
) -> None:
    """`explain --file p & cmd >p`: the reader often starts first. It waits for the writer, as
    cat does, but says so instead of hanging silently, and reads what the writer then writes."""
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    child = subprocess.Popen(
        [sys.executable, "-m", "tlsdoctor", "--lang", lang, "explain", "--file", str(fifo)],
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None
        said = child.stderr.readline()  # blocks until the child says it waits (or ends)
        assert words in said and "Ctrl-C" in said, said
        fifo.write_text(CURL_19 + "\n")
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 1, err
    assert "CURL_CA_BUNDLE" in out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_written_soon_is_read_without_a_word(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    writer = subprocess.Popen(
        ["sh", "-c", 'sleep 0.2; printf "%s\\n" "$1" >"$2"', "sh", CURL_19, fifo]
    )
    proc = run_cli("--lang", "ja", "explain", "--file", str(fifo), env=clean_env)
    writer.wait(timeout=30)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""


def test_a_pipe_whose_writer_has_ended_reads_as_empty(clean_env: dict[str, str]) -> None:
    """`explain --file <(cmd)` once cmd has ended without output: the end of the log, at once
    (a pipe reached through /dev/fd gets no new writer)."""
    read_end, write_end = os.pipe()
    os.close(write_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tlsdoctor", "explain", "--file", f"/dev/fd/{read_end}"],
            env=clean_env,
            capture_output=True,
            text=True,
            timeout=30,
            pass_fds=(read_end,),
        )
    finally:
        os.close(read_end)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_the_python_api_reads_a_named_pipe(tmp_path: Path) -> None:
    import threading

    from tlsdoctor.core.explain import explain_file

    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(CURL_19 + "\n",))
    writer.start()
    (finding,) = explain_file(str(fifo))
    writer.join()
    assert finding.cause == "inspection_untrusted_ca"
