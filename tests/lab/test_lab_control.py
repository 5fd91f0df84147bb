"""Starting, stopping and inspecting the lab: state, process ownership, secrets, loopback."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures_lab import StartLab
from lab_sockets import listening_sockets

from tlsdoctor.errors import UsageError
from tlsdoctor.lab import Lab, read_state
from tlsdoctor.lab.state import SPECIAL_NAMES, LabState, ProcessRecord

pytestmark = pytest.mark.lab


def tlsdoctor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tlsdoctor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_state_describes_the_running_lab(lab: LabState) -> None:
    state = read_state(lab.state_dir)
    assert state.proxy_url == lab.proxy_url
    assert state.proxy_url.startswith("http://127.0.0.1:")
    assert state.intercepted == ["site1.test", "site2.test", "bank.test"]
    assert state.bypassed == []
    assert state.special == SPECIAL_NAMES
    assert set(state.sites) == {*state.intercepted, *SPECIAL_NAMES.values()}
    assert state.aia_url is None
    assert state.vendor == "mitmproxy"
    assert state.ca_subject == "O=mitmproxy,CN=mitmproxy"
    assert state.public_root.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert state.inspection_ca.read_text().count("BEGIN CERTIFICATE") == 1
    assert [p.role for p in state.processes] == ["sites", "proxy"]
    assert state.running()


def test_client_env_points_every_proxy_variable_at_the_lab(lab: LabState) -> None:
    env = lab.client_env({"PATH": "/bin", "NO_PROXY": "*"})
    assert env["PATH"] == "/bin"
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        assert env[var] == lab.proxy_url
    assert env["NO_PROXY"] == env["no_proxy"] == ""


def test_read_state_without_a_lab_is_a_clear_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as err:
        read_state(tmp_path)
    assert str(err.value) == (
        f"no lab is running; start one with: tlsdoctor lab start --state-dir {tmp_path}"
    )


def test_read_state_honours_tlsdoctor_lab_dir(
    lab: LabState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLSDOCTOR_LAB_DIR", str(lab.state_dir))
    assert read_state().proxy_url == lab.proxy_url


def test_starting_twice_in_the_same_dir_says_so(lab: LabState) -> None:
    with pytest.raises(UsageError, match="a lab is already running in") as err:
        Lab.start(lab.state_dir)
    assert err.value.hint == f"stop it first with: tlsdoctor lab stop --state-dir {lab.state_dir}"
    assert read_state(lab.state_dir).proxy_url == lab.proxy_url  # untouched


def test_two_starts_at_once_in_one_dir_make_one_lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from tlsdoctor.lab import control

    spawned: list[str] = []
    real_spawn = control._spawn

    def counting_spawn(module: str, *args: object, **kwargs: object) -> object:
        spawned.append(module)
        return real_spawn(module, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(control, "_spawn", counting_spawn)
    directory = tmp_path / "lab"
    outcomes: list[object] = []
    both_ready = threading.Barrier(2)

    def start() -> None:
        both_ready.wait()
        try:
            outcomes.append(Lab.start(directory, exit_with_parent=True))
        except UsageError as err:
            outcomes.append(err)

    threads = [threading.Thread(target=start) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        states = [o for o in outcomes if isinstance(o, LabState)]
        errors = [str(o) for o in outcomes if isinstance(o, UsageError)]
        assert len(states) == 1 and len(errors) == 1, outcomes
        assert errors[0].startswith(
            ("another 'tlsdoctor lab start' is starting a lab in", "a lab is already running in")
        )
        assert sorted(spawned) == ["tlsdoctor.lab.proxy", "tlsdoctor.lab.sites"]
    finally:
        Lab.stop(directory)
    assert not any(p.is_running() for s in states for p in s.processes)


def test_private_keys_are_owner_only(lab: LabState) -> None:
    keys = [
        lab.state_dir / "mitmproxy" / "mitmproxy-ca.pem",
        *sorted((lab.state_dir / "sites").glob("*.key")),
    ]
    assert len(keys) > 5
    for key in keys:
        assert "PRIVATE KEY" in key.read_text()
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
    assert stat.S_IMODE(lab.state_dir.stat().st_mode) == 0o700
    for public in (lab.public_root, lab.inspection_ca):
        assert "PRIVATE KEY" not in public.read_text()


def _listening_inodes() -> dict[str, str]:
    """socket inode -> local address (hex) for every listening TCP socket."""
    return {inode: host for inode, (host, _port) in listening_sockets().items()}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_every_lab_socket_listens_on_loopback_only(lab: LabState) -> None:
    listening = _listening_inodes()
    addresses = []
    for record in lab.processes:
        for fd in Path(f"/proc/{record.pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:[") and target[8:-1] in listening:
                addresses.append(listening[target[8:-1]])
    # proxy + AIA + 3 sites + look-alikes, hang and plain: all on 127.0.0.1 (0100007F)
    assert len(addresses) >= 10
    assert set(addresses) == {"0100007F"}


def _decoy() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )


def test_stop_ends_exactly_the_processes_it_started(tmp_path: Path) -> None:
    decoy = _decoy()
    try:
        state = Lab.start(tmp_path / "lab", exit_with_parent=True)
        pids = [p.pid for p in state.processes]
        assert all(p.is_running() for p in state.processes)
        assert Lab.stop(state.state_dir) is True
        for pid in pids:
            assert not ProcessRecord("x", pid, None, "tlsdoctor-lab").is_running()
        assert decoy.poll() is None  # an unrelated process is untouched
        assert Lab.status(state.state_dir) == ("stopped", None)
        assert not (state.state_dir / "mitmproxy").exists()  # the CA key is gone with the lab
        assert Lab.stop(state.state_dir) is False
    finally:
        decoy.kill()
        decoy.wait()


def test_stop_never_signals_a_pid_that_is_no_longer_ours(tmp_path: Path) -> None:
    """A recycled pid (same number, other process) must survive `lab stop`."""
    decoy = _decoy()
    try:
        directory = tmp_path / "lab"
        state = Lab.start(directory, exit_with_parent=True)
        real = state.processes
        Lab.stop(directory)
        forged = state.to_json()
        forged["processes"] = [
            {**p.to_json(), "pid": decoy.pid} for p in real
        ]  # right tokens, wrong process
        (directory / "state.json").write_text(json.dumps(forged))
        assert Lab.status(directory)[0] == "stopped"
        Lab.stop(directory)
        time.sleep(0.2)
        assert decoy.poll() is None
    finally:
        decoy.kill()
        decoy.wait()


def test_a_killed_lab_process_makes_the_lab_degraded(
    start_lab: StartLab,
) -> None:
    state = start_lab()
    os.kill(state.processes[0].pid, signal.SIGKILL)
    for _ in range(100):
        if Lab.status(state.state_dir)[0] == "degraded":
            break
        time.sleep(0.05)
    assert Lab.status(state.state_dir)[0] == "degraded"
    stop = f"tlsdoctor lab stop --state-dir {state.state_dir}"
    for attempt in (read_state, Lab.start):  # detect --lab, show --lab, and a second start
        with pytest.raises(UsageError) as err:
            attempt(state.state_dir)
        assert str(err.value) == (
            f"the lab in {state.state_dir} is degraded: some of its processes have ended"
        )
        assert err.value.hint == f"run '{stop}', then start it again"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"vendor": "acme"}, "unknown vendor 'acme'"),
        ({"ca_chain": True, "ca_intermediate_only": True}, "cannot be combined"),
        ({"bypass": ["example.com"]}, "--bypass names must be lab sites: example.com"),
        ({"proxy_auth": "nopassword"}, "--proxy-auth must look like USER:PASS"),
        ({"proxy_auth": "alice:pa:ss"}, "cannot check a password with ':' in it"),
        ({"ca_name": "not a dn"}, "is not a distinguished name"),
        ({"ca_name": "garbage"}, "'garbage' is not a distinguished name: expected ATTRIBUTE=value"),
        ({"ca_name": "O=Acme"}, "has no CN"),
        ({"handshake_delay_ms": -1}, "--handshake-delay-ms must be between"),
        ({"sites": 100000}, "--sites must be between"),
    ],
)
def test_bad_options_are_usage_errors(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        Lab.start(tmp_path / "lab", **options)
    assert not (tmp_path / "lab").exists()  # checked before anything is written


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("zscaler", "zscaler"),
        ("Zscaler", "zscaler"),
        ("Cisco Umbrella", "umbrella"),
        ("Palo Alto", "paloalto"),
        ("Fortinet FortiGate", "fortigate"),
    ],
)
def test_vendor_names_as_users_write_them(written: str, key: str) -> None:
    from tlsdoctor.lab.control import resolve_vendor

    assert resolve_vendor(written) == key


def test_cli_start_status_stop(tmp_path: Path, clean_env: dict[str, str]) -> None:
    directory = tmp_path / "cli-lab"
    env = {**clean_env, "TLSDOCTOR_LAB_DIR": str(directory)}
    started = tlsdoctor("lab", "start", "--vendor", "zscaler", "--bypass", "bank.test", env=env)
    try:
        assert started.returncode == 0, started.stderr
        state = read_state(directory)
        out = started.stdout
        assert f"export HTTPS_PROXY={state.proxy_url}" in out
        assert f"curl --cacert {state.inspection_ca} https://site1.test/" in out
        assert "CN=Zscaler Root CA" in out
        assert "PRIVATE KEY" not in out + started.stderr

        again = tlsdoctor("lab", "start", env=env)
        assert again.returncode == 2
        assert "a lab is already running in" in again.stderr
        assert "Traceback" not in again.stderr

        status = tlsdoctor("lab", "status", "--json", env=env)
        assert status.returncode == 0
        data = json.loads(status.stdout)
        assert (data["status"], data["bypassed"], data["vendor"]) == (
            "running",
            ["bank.test"],
            "zscaler",
        )
        assert "PRIVATE KEY" not in status.stdout

        bad = tlsdoctor("lab", "stop", "--vendor", "zscaler", env=env)
        assert bad.returncode == 2
        assert "--vendor only applies to 'lab start'" in bad.stderr
    finally:
        stopped = tlsdoctor("lab", "stop", env=env)
    assert stopped.returncode == 0
    assert "is stopped" in stopped.stdout
    status = tlsdoctor("lab", "status", env=env)
    assert status.returncode == 1
    assert "stopped" in status.stdout


def test_cli_start_hints_run_as_printed(tmp_path: Path, clean_env: dict[str, str]) -> None:
    """The detect and stop commands `lab start` prints work when pasted (a space in the dir)."""
    import shlex

    directory = tmp_path / "my lab"
    started = tlsdoctor("lab", "start", "--state-dir", str(directory), env=clean_env)
    stop_hint = "tlsdoctor lab stop"
    try:
        assert started.returncode == 0, started.stderr
        lines = started.stdout.splitlines()
        assert lines[1].startswith("  proxy:            http://127.0.0.1:")
        assert _value_columns(lines[1 : lines.index("")]) == {20}
        detect_hint = next(line for line in lines if "See what tlsdoctor finds:" in line)
        stop_hint = next(line for line in lines if "Stop it with:" in line)
        words = shlex.split(detect_hint.split(": ", 1)[1])
        assert words[:2] == ["tlsdoctor", "detect"]
        found = tlsdoctor(*words[1:], "--json", env=clean_env)
        assert found.returncode == 1, found.stderr
        assert json.loads(found.stdout)["verdict"] == "intercepted"
    finally:
        words = shlex.split(stop_hint.split(": ", 1)[-1])
        stopped = tlsdoctor(*words[1:], env=clean_env)
    assert stopped.returncode == 0, stopped.stderr
    assert Lab.status(directory) == ("stopped", None)


def test_cli_speaks_japanese(tmp_path: Path, clean_env: dict[str, str]) -> None:
    env = {**clean_env, "LANG": "ja_JP.UTF-8", "TLSDOCTOR_LAB_DIR": str(tmp_path / "none")}
    status = tlsdoctor("lab", "status", env=env)
    assert "停止中" in status.stdout
    bad = tlsdoctor("lab", "start", "--proxy-auth", "x", env=env)
    assert bad.returncode == 2
    assert "USER:PASS の形で指定してください" in bad.stderr


def _value_columns(block: list[str]) -> set[int]:
    """Display column where each "  label:  value" line's value starts (CJK takes two)."""
    from rich.cells import cell_len

    columns = set()
    for line in block:
        label, value = re.match(r"^(  \S.*?[:：] +)(\S.*)$", line).groups()  # type: ignore[union-attr]
        assert value
        columns.add(cell_len(label))
    return columns


def test_cli_start_and_status_line_up_japanese_labels(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """The label column is as wide on screen as its widest label, in English and Japanese."""
    directory = tmp_path / "lab"
    env = {**clean_env, "LANG": "ja_JP.UTF-8"}
    started = tlsdoctor(
        "lab", "start", "--state-dir", str(directory), "--bypass", "bank.test", env=env
    )
    try:
        assert started.returncode == 0, started.stderr
        lines = started.stdout.splitlines()
        assert lines[0] == f"ラボを起動しました（状態フォルダー：{directory}）。"
        block = lines[1 : lines.index("")]
        assert [line.split("：")[0] for line in block] == [
            "  プロキシ",
            "  インスペクション CA",
            "  ラボの公開ルート",
            "  インスペクション対象",
            "  対象外（そのまま通過）",
            "  似たエラーのサイト",
        ]
        assert len(_value_columns(block)) == 1, block
        assert "site1.test、site2.test" in block[3]
        assert lines[lines.index("") + 1] == "使用例："
        assert "傍受" not in started.stdout and "使い方" not in started.stdout
        status = tlsdoctor("lab", "status", "--state-dir", str(directory), env=env).stdout
        assert status.startswith("起動中：プロキシ http://127.0.0.1:")
        assert len(_value_columns(status.splitlines()[1:])) == 1, status
        english = tlsdoctor("lab", "status", "--state-dir", str(directory), env=clean_env)
        assert english.stdout.splitlines()[2:] == [
            "  intercepted:     site1.test, site2.test",
            "  passed through:  bank.test",
        ]
    finally:
        tlsdoctor("lab", "stop", "--state-dir", str(directory), env=clean_env)


def test_a_lab_that_cannot_start_fails_with_its_log_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tlsdoctor.lab import control

    spawned: list[int] = []
    real_spawn = control._spawn

    def broken_proxy(module: str, *args: object, **kwargs: object) -> object:
        if module == "tlsdoctor.lab.proxy":
            module = "tlsdoctor.lab.no_such_module"
        proc = real_spawn(module, *args, **kwargs)  # type: ignore[arg-type]
        spawned.append(proc.pid)
        return proc

    monkeypatch.setattr(control, "_spawn", broken_proxy)
    started = time.monotonic()
    with pytest.raises(control.LabStartError, match="its proxy process exited with code 1") as err:
        Lab.start(tmp_path / "lab", exit_with_parent=True)
    assert time.monotonic() - started < 20
    assert "No module named tlsdoctor.lab.no_such_module" in err.value.log
    assert len(spawned) == 2
    for pid in spawned:
        assert not ProcessRecord("x", pid, None, "tlsdoctor-lab").is_running()
    assert not (tmp_path / "lab" / "state.json").exists()
    assert not (tmp_path / "lab" / "mitmproxy").exists()


def test_cli_refuses_a_colon_in_the_proxy_password_in_one_line(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    directory = tmp_path / "lab"
    result = tlsdoctor(
        "lab", "start", "--state-dir", str(directory), "--proxy-auth", "alice:pa:ss", env=clean_env
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "tlsdoctor: error: --proxy-auth: the lab's proxy (mitmproxy) cannot check a password"
        " with ':' in it"
    ]
    assert not directory.exists()


_BROKEN_PROXY = """
import sys
from tlsdoctor.lab import control
real_spawn = control._spawn
def spawn(module, *args, **kwargs):
    if module == "tlsdoctor.lab.proxy":
        module = "tlsdoctor.lab.no_such_module"
    return real_spawn(module, *args, **kwargs)
control._spawn = spawn
from tlsdoctor.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_cli_names_a_failed_lab_process_in_one_line_with_its_log(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    directory = tmp_path / "lab"
    result = subprocess.run(
        [sys.executable, "-c", _BROKEN_PROXY, "lab", "start", "--state-dir", str(directory)],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 70
    error, hint = result.stderr.splitlines()
    assert error.startswith(
        "tlsdoctor: error: the lab could not start: its proxy process exited with code 1: "
    )
    assert error.endswith("No module named tlsdoctor.lab.no_such_module")
    assert hint == f"hint: see the log in {directory / 'logs' / 'proxy.log'}"
    assert not (directory / "state.json").exists()


@pytest.mark.parametrize("where", ["under-a-file", "in-proc"])
def test_a_state_dir_that_cannot_be_made_is_one_line(
    tmp_path: Path, clean_env: dict[str, str], where: str
) -> None:
    if where == "in-proc":
        if not Path("/proc/self").exists():
            pytest.skip("needs /proc")
        directory = Path("/proc") / f"tlsdoctor-test-{os.getpid()}"
        reason = "No such file or directory"
    else:
        (tmp_path / "file").write_text("")
        directory = tmp_path / "file" / "lab"
        reason = "Not a directory"
    result = tlsdoctor("lab", "start", "--state-dir", str(directory), env=clean_env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"tlsdoctor: error: cannot create the lab state dir {directory}: {reason}"
    ]
    if where == "under-a-file":
        japanese = tlsdoctor(
            "--lang", "ja", "lab", "start", "--state-dir", str(directory), env=clean_env
        )
        assert japanese.stderr.splitlines() == [
            f"tlsdoctor: エラー：ラボの状態フォルダー {directory} を作成できません："
            "パスの途中がフォルダーではありません"
        ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_state_dir_without_write_permission_is_one_line(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        for directory, message in (
            (locked / "lab", "cannot create the lab state dir"),
            (locked, "cannot write in the lab state dir"),
        ):
            result = tlsdoctor("lab", "start", "--state-dir", str(directory), env=clean_env)
            assert result.returncode == 2, result.stderr
            assert result.stderr.splitlines() == [
                f"tlsdoctor: error: {message} {directory}: Permission denied"
            ]
    finally:
        locked.chmod(0o700)


def test_a_state_dir_that_exists_keeps_its_mode(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    try:
        Lab.start(directory, exit_with_parent=True)
        assert stat.S_IMODE(directory.stat().st_mode) == 0o755
        assert stat.S_IMODE((directory / "mitmproxy").stat().st_mode) == 0o700
    finally:
        Lab.stop(directory)


def _damage_state(directory: Path) -> None:
    (directory / "state.json").write_text("garbage{")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_stop_with_a_damaged_state_still_ends_the_lab(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    directory = tmp_path / "lab"
    state = Lab.start(directory, exit_with_parent=True)
    _damage_state(directory)
    status = tlsdoctor("lab", "status", "--state-dir", str(directory), env=clean_env)
    assert (status.returncode, status.stdout.split(":")[0]) == (1, "degraded"), status.stderr
    stopped = tlsdoctor("lab", "stop", "--state-dir", str(directory), env=clean_env)
    assert stopped.returncode == 0, stopped.stderr
    assert "is stopped" in stopped.stdout
    assert stopped.stderr.startswith("warning: cannot read the lab state")
    for record in state.processes:
        assert not record.is_running()
    assert not (directory / "mitmproxy").exists()  # the CA key is gone with the lab
    assert not (directory / "state.json").exists()
    assert Lab.status(directory) == ("stopped", None)


FORGED_TOKEN = "tlsdoctor-lab-0123456789abcdef"


def _look_alike(state_dir: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    """A process with a lab proxy's exact command line for ``state_dir``, run in another folder."""
    fake = tmp_path / "fake"
    (fake / "tlsdoctor" / "lab").mkdir(parents=True)
    (fake / "tlsdoctor" / "__init__.py").write_text("")
    (fake / "tlsdoctor" / "lab" / "__init__.py").write_text("")
    (fake / "tlsdoctor" / "lab" / "proxy.py").write_text("import time\ntime.sleep(60)\n")
    decoy = subprocess.Popen(
        [sys.executable, "-m", "tlsdoctor.lab.proxy", str(state_dir), FORGED_TOKEN],
        env={**os.environ, "PYTHONPATH": str(fake)},
        cwd=fake,
        start_new_session=True,
    )
    cmdline = Path(f"/proc/{decoy.pid}/cmdline")
    for _ in range(200):  # until it has exec'd (before, it shows this process's command line)
        if FORGED_TOKEN.encode() in cmdline.read_bytes():
            break
        time.sleep(0.01)
    return decoy


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_stop_with_a_damaged_state_never_signals_a_process_it_cannot_prove_is_ours(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "lab"
    state = Lab.start(directory, exit_with_parent=True)
    decoy = _look_alike(directory, tmp_path)
    try:
        _damage_state(directory)
        with pytest.raises(UsageError, match=rf"still running: proxy \(pid {decoy.pid}\)$"):
            Lab.stop(directory)
        for record in state.processes:
            assert not record.is_running()
        time.sleep(0.2)
        assert decoy.poll() is None
    finally:
        decoy.kill()
        decoy.wait()
        Lab.stop(directory)


def _users_folder(directory: Path) -> dict[str, str]:
    """A folder of the user's that holds files named like the lab's; returns what is in it."""
    (directory / "sites").mkdir(parents=True)
    files = {
        "sites/index.html": "<h1>my site</h1>",
        "config.json": '{"app": "mine"}',
        "state.json": '{"app": "mine"}',
        "public-root.pem": "not the lab's",
    }
    for name, text in files.items():
        (directory / name).write_text(text)
    return files


def _contents(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): p.read_text()
        for p in directory.rglob("*")
        if p.is_file()
    }


def test_start_refuses_a_folder_that_is_not_a_lab_and_touches_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "my project"
    files = _users_folder(directory)
    (directory / "state.json").unlink()  # no state at all: start used to clean the folder first
    del files["state.json"]
    with pytest.raises(UsageError, match="is not empty and is not a lab's folder"):
        Lab.start(directory, exit_with_parent=True)
    assert _contents(directory) == files


def test_a_lab_folder_starts_again_after_a_stop(tmp_path: Path) -> None:
    directory = tmp_path / "lab"
    Lab.start(directory, exit_with_parent=True)
    Lab.stop(directory)
    assert (directory / "public-root.pem").exists()  # certificates and logs stay
    try:
        assert Lab.start(directory, exit_with_parent=True).running()
    finally:
        Lab.stop(directory)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_stop_and_status_leave_a_folder_that_is_not_a_lab_alone(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    directory = tmp_path / "my project"
    files = _users_folder(directory)
    stopped = tlsdoctor("lab", "stop", "--state-dir", str(directory), env=clean_env)
    assert stopped.returncode == 0, stopped.stderr
    assert "No lab was running" in stopped.stdout
    assert Lab.status(directory) == ("stopped", None)
    assert _contents(directory) == files


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_lab_started_before_the_mark_is_still_a_lab(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """A lab started by a tlsdoctor that wrote no .tlsdoctor-lab mark, outside the default dir:
    its running processes prove the folder a lab's. start said the folder was not a lab's,
    status with a damaged state.json said 'stopped', and after stop the folder could not be
    started again."""
    directory = tmp_path / "old lab"
    state = Lab.start(directory, exit_with_parent=True)
    (directory / ".tlsdoctor-lab").unlink()
    try:
        with pytest.raises(UsageError, match="a lab is already running in"):
            Lab.start(directory, exit_with_parent=True)
        assert Lab.status(directory)[0] == "running"
        (directory / "state.json").write_text('{"damaged')
        assert Lab.status(directory) == ("degraded", None)
        stopped = tlsdoctor("lab", "stop", "--state-dir", str(directory), env=clean_env)
        assert (stopped.returncode, stopped.stdout) == (0, f"The lab in {directory} is stopped.\n")
        assert not any(p.is_running() for p in state.processes)
        assert not (directory / "mitmproxy").exists()  # the key is gone
        assert Lab.start(directory, exit_with_parent=True).running()  # a lab's folder now
    finally:
        Lab.stop(directory)


@pytest.mark.parametrize(
    "command",
    [["lab", "stop"], ["lab", "status"], ["lab", "status", "--json"], ["lab", "start"]],
)
def test_a_state_dir_that_is_a_file_is_one_line(
    tmp_path: Path, clean_env: dict[str, str], command: list[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("mine\n")
    result = tlsdoctor(*command, "--state-dir", str(path), env=clean_env)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"tlsdoctor: error: the lab state dir {path} is not a folder\n"
    with pytest.raises(UsageError, match="is not a folder"):
        read_state(path)
    assert path.read_text() == "mine\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lab", "status", "--state-dir", "{loop}"], "cannot use the lab state dir {loop}: "),
        (["lab", "stop", "--state-dir", "{loop}"], "cannot use the lab state dir {loop}: "),
        (["lab", "start", "--state-dir", "{loop}"], "cannot use the lab state dir {loop}: "),
        (["detect", "--lab={loop}"], "cannot use the lab state dir {loop}: "),
        (["lab", "status", "--state-dir="], "--state-dir needs a folder name (it is empty)"),
        (["lab", "stop", "--state-dir", " "], "--state-dir needs a folder name (it is empty)"),
        (["lab", "start", "--state-dir", "{new}", "--vendor="], "unknown vendor ''; choose from"),
        (["lab", "start", "--state-dir", "{new}", "--ca-name="], "--ca-name '' has no CN"),
    ],
)
def test_careless_lab_options_are_one_line(
    tmp_path: Path, clean_env: dict[str, str], args: list[str], message: str
) -> None:
    """A symlink loop as the state dir was an internal error (exit 70: Path.resolve raises
    RuntimeError); an empty --state-dir meant the default lab, an empty --vendor or --ca-name the
    default CA: each is a mistake, said in one line, exit 2, nothing started or written."""
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    names = {"loop": str(loop), "new": str(tmp_path / "new")}
    result = tlsdoctor(*(a.format(**names) for a in args), env=clean_env)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("tlsdoctor: error: " + message.format(**names))
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "new" / "state.json").exists()
