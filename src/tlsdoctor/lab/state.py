"""The lab's run state: what a running lab looks like to its users (pure Python, no mitmproxy).

`tlsdoctor lab start` writes ``state.json`` in the lab's state dir; everything else (tests, the
``detect --lab`` option, the demo) reads it through :func:`read_state`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _, os_reason

STATE_FILE = "state.json"
STATE_VERSION = 1
ENV_LAB_DIR = "TLSDOCTOR_LAB_DIR"

# Kinds of look-alike and special endpoints, as keys of LabState.special.
SPECIAL_NAMES: dict[str, str] = {
    "expired": "expired.test",
    "wrong_host": "wronghost.test",
    "self_signed": "selfsigned.test",
    "incomplete_chain": "incomplete.test",
    "down": "down.test",
    "hang": "hang.test",
    "plain": "plain.test",
}


def lab_name(host: str) -> str:
    """A lab name as the lab compares it: lower case, no trailing dot."""
    return host.lower().rstrip(".")


PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")
NO_PROXY_VARS = ("NO_PROXY", "no_proxy")


def stop_command(directory: Path, environ: Mapping[str, str] | None = None) -> str:
    """The command that stops the lab in ``directory`` (--state-dir only when not the default)."""
    return _lab_command("stop", directory, environ)


def start_command(directory: Path, environ: Mapping[str, str] | None = None) -> str:
    """The command that starts a lab in ``directory`` (--state-dir only when not the default)."""
    return _lab_command("start", directory, environ)


def _lab_command(action: str, directory: Path, environ: Mapping[str, str] | None) -> str:
    import shlex

    if is_default_state_dir(directory, environ):
        return f"tlsdoctor lab {action}"
    return f"tlsdoctor lab {action} --state-dir {shlex.quote(str(directory))}"


def detect_command(directory: Path, environ: Mapping[str, str] | None = None) -> str:
    """`tlsdoctor detect` on the lab in ``directory`` (``--lab=DIR``: a bare word after --lab
    is its value, and the = keeps a host name written after it from being taken as the DIR)."""
    import shlex

    if is_default_state_dir(directory, environ):
        return "tlsdoctor detect --lab"
    return f"tlsdoctor detect {shlex.quote(f'--lab={directory}')}"


def is_default_state_dir(directory: Path, environ: Mapping[str, str] | None = None) -> bool:
    """Whether commands find this lab without being told its folder."""
    return directory.resolve() == default_state_dir(environ).resolve()


def default_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """TLSDOCTOR_LAB_DIR, else tlsdoctor's state dir + /lab."""
    from tlsdoctor import paths

    env = os.environ if environ is None else environ
    value = env.get(ENV_LAB_DIR)
    if value:
        return Path(value).expanduser()
    return paths.state_dir(env) / "lab"


def resolve_state_dir(state_dir: str | os.PathLike[str] | None) -> Path:
    return (Path(state_dir).expanduser() if state_dir else default_state_dir()).absolute()


@dataclass(frozen=True)
class ProcessRecord:
    """One process the lab started, with what it takes to be sure a pid is still ours."""

    role: str
    pid: int
    start_time: str | None
    token: str

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "pid": self.pid,
            "start_time": self.start_time,
            "token": self.token,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProcessRecord:
        return cls(
            role=str(data["role"]),
            pid=int(data["pid"]),
            start_time=data.get("start_time"),
            token=str(data["token"]),
        )

    def is_running(self) -> bool:
        """True only when this pid is alive AND is the very process the lab started."""
        if not _pid_alive(self.pid):
            return False
        if self.start_time is not None and process_start_time(self.pid) != self.start_time:
            return False
        return self.token in process_cmdline(self.pid)


@dataclass(frozen=True)
class LabState:
    """A running (or recorded) lab: where to point clients and which names do what."""

    state_dir: Path
    proxy_url: str
    proxy_port: int
    public_root: Path
    inspection_ca: Path
    inspection_intermediate: Path | None
    intercepted: list[str]
    bypassed: list[str]
    special: dict[str, str]
    sites: dict[str, int]
    aia_url: str | None
    vendor: str
    ca_subject: str
    proxy_auth: str | None = None
    socks_url: str | None = None  # "socks5h://127.0.0.1:PORT" with --socks5
    socks_port: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    processes: list[ProcessRecord] = field(default_factory=list)

    @property
    def authenticated_proxy_url(self) -> str:
        """The proxy URL with the lab's credentials in it (same as proxy_url without auth).

        User and password are percent-encoded (RFC 3986 userinfo): clients decode them, and
        "user@corp.com" or a password with "#", "/" or " " stays inside the URL.
        """
        return self._with_credentials(self.proxy_url)

    @property
    def authenticated_socks_url(self) -> str | None:
        """socks_url with the lab's credentials in it, as authenticated_proxy_url."""
        return None if self.socks_url is None else self._with_credentials(self.socks_url)

    def _with_credentials(self, url: str) -> str:
        if not self.proxy_auth:
            return url
        from urllib.parse import quote

        user, _sep, password = self.proxy_auth.partition(":")
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"

    @property
    def hosts(self) -> list[str]:
        """The names a detect run should probe: intercepted then bypassed."""
        return [*self.intercepted, *self.bypassed]

    def url(self, name: str, path: str = "/") -> str:
        return f"https://{name}{path}"

    def client_env(self, base_env: Mapping[str, str], *, with_auth: bool = True) -> dict[str, str]:
        """``base_env`` plus the proxy variables that send a client through this lab."""
        env = dict(base_env)
        url = self.authenticated_proxy_url if with_auth else self.proxy_url
        for var in PROXY_VARS:
            env[var] = url
        for var in NO_PROXY_VARS:
            env[var] = ""
        return env

    def running(self) -> bool:
        return bool(self.processes) and all(p.is_running() for p in self.processes)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "state_dir": str(self.state_dir),
            "proxy_url": self.proxy_url,
            "proxy_port": self.proxy_port,
            "public_root": str(self.public_root),
            "inspection_ca": str(self.inspection_ca),
            "inspection_intermediate": (
                str(self.inspection_intermediate) if self.inspection_intermediate else None
            ),
            "intercepted": list(self.intercepted),
            "bypassed": list(self.bypassed),
            "special": dict(self.special),
            "sites": dict(self.sites),
            "aia_url": self.aia_url,
            "vendor": self.vendor,
            "ca_subject": self.ca_subject,
            "proxy_auth": self.proxy_auth,
            "socks_url": self.socks_url,
            "socks_port": self.socks_port,
            "options": dict(self.options),
            "processes": [p.to_json() for p in self.processes],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], state_dir: Path) -> LabState:
        intermediate = data.get("inspection_intermediate")
        return cls(
            state_dir=state_dir,
            proxy_url=str(data["proxy_url"]),
            proxy_port=int(data["proxy_port"]),
            public_root=Path(data["public_root"]),
            inspection_ca=Path(data["inspection_ca"]),
            inspection_intermediate=Path(intermediate) if intermediate else None,
            intercepted=list(data["intercepted"]),
            bypassed=list(data["bypassed"]),
            special=dict(data["special"]),
            sites={str(k): int(v) for k, v in data["sites"].items()},
            aia_url=data.get("aia_url"),
            vendor=str(data.get("vendor", "")),
            ca_subject=str(data.get("ca_subject", "")),
            proxy_auth=data.get("proxy_auth"),
            socks_url=data.get("socks_url"),
            socks_port=None if data.get("socks_port") is None else int(data["socks_port"]),
            options=dict(data.get("options", {})),
            processes=[ProcessRecord.from_json(p) for p in data.get("processes", [])],
        )


def require_folder(state_dir: Path) -> None:
    """UsageError when the state dir is a file (or anything else that is not a folder), or a
    path that cannot be looked up (a symlink loop: Path.resolve() raises RuntimeError on it)."""
    try:
        os.stat(state_dir)
    except (FileNotFoundError, NotADirectoryError):
        return  # start creates it (or says why it cannot); stop and status find no lab there
    except OSError as err:
        raise UsageError(
            _(
                "cannot use the lab state dir {path}: {reason}",
                path=str(state_dir),
                reason=os_reason(err),
            )
        ) from err
    if not state_dir.is_dir():
        raise UsageError(_("the lab state dir {path} is not a folder", path=str(state_dir)))


def load_state_file(state_dir: Path) -> LabState | None:
    """The recorded state, or None when there is none (running or not)."""
    require_folder(state_dir)
    path = state_dir / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError) as err:
        raise _unreadable(path, str(err)) from err
    try:
        return LabState.from_json(data, state_dir)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise _unreadable(path, repr(err)) from err


def _unreadable(path: Path, error: str) -> UsageError:
    return UsageError(
        _("cannot read the lab state {path}: {error}", path=str(path), error=error),
        hint=_("'{command}' still stops the lab", command=stop_command(path.parent)),
    )


def read_state(state_dir: str | os.PathLike[str] | None = None) -> LabState:
    """The state of the running lab; UsageError when no lab is running there."""
    directory = resolve_state_dir(state_dir)
    state = load_state_file(directory)
    if state is not None and any(p.is_running() for p in state.processes):
        if not state.running():
            raise degraded_error(directory)
        return state
    raise UsageError(
        _("no lab is running; start one with: {command}", command=start_command(directory))
    )


def degraded_error(directory: Path) -> UsageError:
    """The lab in ``directory`` has lost some of its processes: it must be stopped first."""
    return UsageError(
        _("the lab in {path} is degraded: some of its processes have ended", path=str(directory)),
        hint=_("run '{command}', then start it again", command=stop_command(directory)),
    )


# --- process identity -------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X")
    return True


def process_start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot on Linux, ps's lstart elsewhere)."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return fields[19]  # field 22 of stat(5): starttime; fields here start at field 3
    except FileNotFoundError:
        pass
    except (OSError, IndexError):
        return None
    if sys.platform.startswith("linux"):
        return None
    return _ps(pid, "lstart=")


def process_cmdline(pid: int) -> str:
    path = Path(f"/proc/{pid}/cmdline")
    try:
        return path.read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except FileNotFoundError:
        if sys.platform.startswith("linux"):
            return ""
    except OSError:
        return ""
    return _ps(pid, "command=") or ""


LAB_ROLES = ("sites", "proxy")
_TOKEN = re.compile(r"tlsdoctor-lab-[0-9a-f]{16}")


@dataclass(frozen=True)
class FoundProcesses:
    """Lab processes found by their command line (when state.json cannot be read)."""

    ours: list[ProcessRecord]  # started by `lab start` for this dir: this user, in this dir
    unsure: list[ProcessRecord]  # the same command line, but another user or folder: untouched


def find_lab_processes(state_dir: Path) -> FoundProcesses | None:
    """The processes ``lab start`` started for ``state_dir``, found without its state.json.

    ``lab start`` runs each as ``python -m tlsdoctor.lab.ROLE STATE_DIR TOKEN`` with STATE_DIR as
    its working folder. Only a process with exactly those arguments, run by this user in that
    folder, counts as ours; its record carries its start time and token, so signalling it later
    checks again that the pid still is that process. None when there is no /proc (macOS).
    """
    if not Path("/proc/self/cmdline").exists():
        return None
    found = FoundProcesses([], [])
    wanted = state_dir.resolve()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            _classify(int(entry.name), wanted, found)
    return found


def _classify(pid: int, wanted: Path, found: FoundProcesses) -> None:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
        decoded = [a.decode(errors="replace") for a in args]
    except OSError:
        return
    if len(decoded) != 5 or decoded[1] != "-m" or not _TOKEN.fullmatch(decoded[4]):
        return
    role = decoded[2].removeprefix("tlsdoctor.lab.")
    if role not in LAB_ROLES or decoded[2] != f"tlsdoctor.lab.{role}":
        return
    if Path(decoded[3]).resolve() != wanted:
        return
    record = ProcessRecord(role, pid, process_start_time(pid), decoded[4])
    try:
        same_user = os.stat(f"/proc/{pid}").st_uid == os.getuid()
        in_dir = Path(os.readlink(f"/proc/{pid}/cwd")) == wanted
    except OSError:
        same_user = in_dir = False
    (found.ours if same_user and in_dir else found.unsure).append(record)


def _ps(pid: int, column: str) -> str | None:
    try:
        out = subprocess.run(
            ["ps", "-o", column, "-p", str(pid)],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    return value or None
