"""Start, stop and inspect the lab: certificates, sockets, two detached child processes, state.

``Lab.start(state_dir, **options)`` returns once the proxy listens (about a second):

1. start ``tlsdoctor.lab.proxy`` (mitmproxy: its import is the slow part, so it goes first and
   waits for config.json);
2. make the PKI (lab public root + site leaves, the inspection CA as a vendor would name it);
3. bind every site socket on 127.0.0.1:0 here, so the ports are known at once, write
   config.json, and start ``tlsdoctor.lab.sites``, which inherits those sockets;
4. wait for the proxy's port, then write state.json with each pid, its start time and a token
   from its command line, so ``stop`` only ever signals processes this lab started.

Both children run in their own sessions, detached from the terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tlsdoctor.errors import EXIT_INTERNAL, TlsDoctorError, UsageError
from tlsdoctor.i18n import _, join_list, os_reason
from tlsdoctor.lab.state import (
    SPECIAL_NAMES,
    STATE_FILE,
    LabState,
    ProcessRecord,
    degraded_error,
    find_lab_processes,
    is_default_state_dir,
    lab_name,
    load_state_file,
    process_start_time,
    require_folder,
    resolve_state_dir,
    stop_command,
)

if TYPE_CHECKING:
    from cryptography import x509

    from tlsdoctor.lab.pki import PrivateKey

BASE_SITES = ("site1.test", "site2.test", "bank.test")
DEFAULT_VENDOR = "mitmproxy"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
MAX_EXTRA_SITES = 500
MAX_DELAY_MS = 60_000
START_LOCK = ".start.lock"  # never removed: flock needs one file that outlives every start
# Written by `lab start`, never removed: only in a folder that has it (or tlsdoctor's own default
# folder, or a new or empty one) may start and stop replace and delete the lab's files.
LAB_MARKER = ".tlsdoctor-lab"
CA_KEY_TYPES = ("rsa", "ec")

# Files and folders the lab owns inside its state dir (nothing else there is ever touched).
RUNTIME_FILES = ("config.json", "config.tmp", "proxy.json", "proxy.tmp", STATE_FILE, "state.tmp")
GENERATED = (
    "public-root.pem",
    "public-intermediate.pem",
    "inspection-ca.pem",
    "inspection-intermediate.pem",
    "inspection-ca.der",
    "public-root.der",
    "public-intermediate.der",
)
SECRET_DIRS = ("mitmproxy", "sites")


class LabStartError(TlsDoctorError):
    """The lab could not start; ``log`` holds what its processes printed."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, *, log: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.log = log


@dataclass
class LabOptions:
    vendor: str = DEFAULT_VENDOR
    ca_name: str | None = None
    ca_chain: bool = False
    ca_intermediate_only: bool = False
    ca_noncompliant: bool = False
    bypass: Sequence[str] = field(default_factory=tuple)
    no_intercept: bool = False
    proxy_auth: str | None = None
    handshake_delay_ms: int = 0
    sites: int = 0
    ca_key: str = "rsa"
    lazy_upstream: bool = False
    socks5: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "ca_name": self.ca_name,
            "ca_chain": self.ca_chain,
            "ca_intermediate_only": self.ca_intermediate_only,
            "ca_noncompliant": self.ca_noncompliant,
            "bypass": list(self.bypass),
            "no_intercept": self.no_intercept,
            "handshake_delay_ms": self.handshake_delay_ms,
            "sites": self.sites,
            "ca_key": self.ca_key,
            "lazy_upstream": self.lazy_upstream,
            "socks5": self.socks5,
        }


def vendor_profiles() -> dict[str, dict[str, Any]]:
    from tlsdoctor._data import load_data

    profiles: dict[str, dict[str, Any]] = load_data("lab_profiles.toml")["profiles"]
    return profiles


def site_names(extra: int) -> list[str]:
    width = max(2, len(str(extra)))
    return [*BASE_SITES, *(f"site{i:0{width}d}.test" for i in range(1, extra + 1))]


def resolve_vendor(name: str) -> str:
    """The profile key for a vendor as users write it: "zscaler", "Zscaler", "Cisco Umbrella"."""
    profiles = vendor_profiles()

    def squashed(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    wanted = squashed(name)
    for key, profile in profiles.items():
        if wanted and wanted in (squashed(key), squashed(str(profile.get("description", "")))):
            return key
    raise UsageError(
        _(
            "unknown vendor {vendor!r}; choose from: {choices}",
            vendor=name,
            choices=join_list(sorted(profiles)),
        )
    )


def _validate(opts: LabOptions) -> list[str]:
    opts.vendor = resolve_vendor(opts.vendor)
    if opts.ca_key not in CA_KEY_TYPES:
        raise UsageError(
            _(
                "--ca-key must be one of: {choices}",
                choices=join_list(CA_KEY_TYPES),
            )
        )
    if opts.ca_chain and opts.ca_intermediate_only:
        raise UsageError(_("--ca-chain and --ca-intermediate-only cannot be combined"))
    if not 0 <= opts.sites <= MAX_EXTRA_SITES:
        raise UsageError(_("--sites must be between 0 and {maximum}", maximum=MAX_EXTRA_SITES))
    if not 0 <= opts.handshake_delay_ms <= MAX_DELAY_MS:
        raise UsageError(
            _("--handshake-delay-ms must be between 0 and {maximum}", maximum=MAX_DELAY_MS)
        )
    if opts.proxy_auth is not None:
        _validate_proxy_auth(opts.proxy_auth)
    if opts.ca_name is not None:
        _inspection_names(opts)  # a bad (or empty) DN fails here, before anything is written
    names = site_names(opts.sites)
    unknown = [h for h in opts.bypass if lab_name(h) not in names]
    if unknown:
        raise UsageError(
            _(
                "--bypass names must be lab sites: {unknown} (lab sites: {names})",
                unknown=join_list(unknown),
                names=join_list([*names[:6], "..."] if len(names) > 6 else names),
            )
        )
    return names


def _validate_proxy_auth(spec: str) -> None:
    """USER:PASS split at the first colon (RFC 7617: a user name has none); any other text."""
    user, sep, password = spec.partition(":")
    if not user or not sep or not password:
        raise UsageError(_("--proxy-auth must look like USER:PASS"))
    if ":" in password:
        # mitmproxy splits the client's Basic credentials at every colon: no client could log in.
        raise UsageError(
            _("--proxy-auth: the lab's proxy (mitmproxy) cannot check a password with ':' in it")
        )


# --- sockets ----------------------------------------------------------------------------------


def _bind(listen: bool = True) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    if listen:
        sock.listen(128)
    sock.set_inheritable(True)
    return sock


# --- PKI --------------------------------------------------------------------------------------


@dataclass
class _Pki:
    public_root: Path
    inspection_ca: Path
    inspection_intermediate: Path | None
    ca_subject: str
    aia_url: str | None
    site_files: dict[str, tuple[Path, Path]]
    aia_files: dict[str, str]


def _inspection_names(opts: LabOptions) -> tuple[Any, Any]:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from tlsdoctor.lab import pki

    if opts.ca_name is not None:
        root = pki.parse_name(opts.ca_name)
        attrs = list(root)
        cn = root.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        inter = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, f"{cn!s} Intermediate")
                if a.oid == NameOID.COMMON_NAME
                else a
                for a in attrs
            ]
        )
        return root, inter
    profile = vendor_profiles()[opts.vendor]
    return pki.name_from_pairs(profile["root"]), pki.name_from_pairs(profile["intermediate"])


@dataclass
class _Issuer:
    """A CA certificate with its key: what signs a leaf or a lower CA."""

    cert: x509.Certificate
    key: PrivateKey


@dataclass
class _PublicCas:
    root: _Issuer
    intermediate: _Issuer
    root_file: Path


@dataclass
class _InspectionCa:
    root_file: Path
    intermediate_file: Path | None
    subject: str
    aia_url: str | None


def _make_pki(state_dir: Path, opts: LabOptions, names: Iterable[str], aia_base: str) -> _Pki:
    sites_dir = state_dir / "sites"
    sites_dir.mkdir(mode=0o700)
    (state_dir / "mitmproxy").mkdir(mode=0o700)
    public = _make_public_cas(state_dir, aia_base)
    site_files = _make_site_leaves(sites_dir, names, public, aia_base)
    inspection = _make_inspection_ca(state_dir, opts, aia_base)
    return _Pki(
        public_root=public.root_file,
        inspection_ca=inspection.root_file,
        inspection_intermediate=inspection.intermediate_file,
        ca_subject=inspection.subject,
        aia_url=inspection.aia_url,
        site_files=site_files,
        aia_files={
            "/root.crt": str(state_dir / "inspection-ca.der"),
            "/public-root.crt": str(state_dir / "public-root.der"),
            "/public-intermediate.crt": str(state_dir / "public-intermediate.der"),
        },
    )


def _make_public_cas(state_dir: Path, aia_base: str) -> _PublicCas:
    """The lab's stand-in for the Mozilla roots: a public root and an intermediate under it."""
    from tlsdoctor.lab import pki

    root_key = pki.ec_key()
    root = pki.make_ca(pki.PUBLIC_ROOT_NAME, root_key)
    intermediate_key = pki.ec_key()
    intermediate = pki.make_ca(
        pki.PUBLIC_INTERMEDIATE_NAME,
        intermediate_key,
        issuer=root,
        issuer_key=root_key,
        aia_url=f"{aia_base}/public-root.crt",
    )
    root_file = pki.write_public(state_dir / "public-root.pem", pki.cert_pem(root))
    pki.write_public(state_dir / "public-root.der", pki.cert_der(root))
    pki.write_public(state_dir / "public-intermediate.pem", pki.cert_pem(intermediate))
    pki.write_public(state_dir / "public-intermediate.der", pki.cert_der(intermediate))
    return _PublicCas(_Issuer(root, root_key), _Issuer(intermediate, intermediate_key), root_file)


def _make_site_leaves(
    sites_dir: Path, names: Iterable[str], public: _PublicCas, aia_base: str
) -> dict[str, tuple[Path, Path]]:
    """Write each site's certificate and key: the lab sites first, then the look-alikes."""
    from tlsdoctor.lab import pki

    site_files: dict[str, tuple[Path, Path]] = {}
    for name in names:
        site_key = pki.ec_key()
        leaf = pki.make_leaf([name], site_key, public.root.cert, public.root.key)
        site_files[name] = _write_site(sites_dir, name, leaf, site_key)
    for name, look_alike, key in _look_alike_leaves(public, aia_base):
        site_files[name] = _write_site(sites_dir, name, look_alike, key)
    return site_files


def _look_alike_leaves(
    public: _PublicCas, aia_base: str
) -> Iterator[tuple[str, x509.Certificate, PrivateKey]]:
    """Leaves with a real defect: expired, for another host, self-signed, missing intermediate."""
    from tlsdoctor.lab import pki

    root = public.root
    expired, wrong_host = SPECIAL_NAMES["expired"], SPECIAL_NAMES["wrong_host"]
    self_signed, incomplete = SPECIAL_NAMES["self_signed"], SPECIAL_NAMES["incomplete_chain"]
    key = pki.ec_key()
    yield expired, pki.make_leaf([expired], key, root.cert, root.key, expired=True), key
    key = pki.ec_key()
    yield wrong_host, pki.make_leaf(["otherhost.test"], key, root.cert, root.key), key
    key = pki.ec_key()
    yield self_signed, pki.make_leaf([self_signed], key, root.cert, key), key
    key = pki.ec_key()
    aia_url = f"{aia_base}/public-intermediate.crt"
    inter = public.intermediate
    leaf = pki.make_leaf([incomplete], key, inter.cert, inter.key, aia_url=aia_url)
    yield incomplete, leaf, key  # the site serves this leaf alone


def _write_site(
    sites_dir: Path, name: str, leaf: x509.Certificate, key: PrivateKey
) -> tuple[Path, Path]:
    from tlsdoctor.lab import pki

    chain_file = pki.write_public(sites_dir / f"{name}.pem", pki.cert_pem(leaf))
    key_file = pki.write_secret(sites_dir / f"{name}.key", pki.key_pem(key))
    return chain_file, key_file


def _make_inspection_ca(state_dir: Path, opts: LabOptions, aia_base: str) -> _InspectionCa:
    """The proxy's CA, named as the vendor names it, and mitmproxy's signing file."""
    from tlsdoctor.core.x509 import name_text
    from tlsdoctor.lab import pki

    root_name, intermediate_name = _inspection_names(opts)
    new_key: Callable[[], PrivateKey] = pki.rsa_key if opts.ca_key == "rsa" else pki.ec_key
    root = _make_inspection_root(state_dir, opts, root_name, new_key)
    intermediate_file: Path | None = None
    aia_url: str | None = None
    if opts.ca_chain or opts.ca_intermediate_only:
        aia_url = f"{aia_base}/root.crt"
        intermediate = _make_inspection_intermediate(
            state_dir, opts, intermediate_name, root, new_key, aia_url
        )
        intermediate_file = state_dir / "inspection-intermediate.pem"
        signing_file = _mitmproxy_chain_file(opts, intermediate, root)
    else:
        signing_file = pki.key_pem(root.key) + pki.cert_pem(root.cert)
    pki.write_secret(state_dir / "mitmproxy" / "mitmproxy-ca.pem", signing_file)
    # The root's key is not kept anywhere: nothing needs it once the CA file exists.
    subject = name_text(root.cert.subject)
    return _InspectionCa(state_dir / "inspection-ca.pem", intermediate_file, subject, aia_url)


def _make_inspection_root(
    state_dir: Path, opts: LabOptions, name: x509.Name, new_key: Callable[[], PrivateKey]
) -> _Issuer:
    from tlsdoctor.lab import pki

    key = new_key()
    cert = pki.make_ca(name, key, compliant=not opts.ca_noncompliant)
    pki.write_public(state_dir / "inspection-ca.pem", pki.cert_pem(cert))
    pki.write_public(state_dir / "inspection-ca.der", pki.cert_der(cert))
    return _Issuer(cert, key)


def _make_inspection_intermediate(
    state_dir: Path,
    opts: LabOptions,
    name: x509.Name,
    root: _Issuer,
    new_key: Callable[[], PrivateKey],
    aia_url: str,
) -> _Issuer:
    from tlsdoctor.lab import pki

    key = new_key()
    cert = pki.make_ca(
        name,
        key,
        issuer=root.cert,
        issuer_key=root.key,
        compliant=not opts.ca_noncompliant,
        aia_url=aia_url,
    )
    pki.write_public(state_dir / "inspection-intermediate.pem", pki.cert_pem(cert))
    return _Issuer(cert, key)


def _mitmproxy_chain_file(opts: LabOptions, intermediate: _Issuer, root: _Issuer) -> bytes:
    """mitmproxy's CA file: the signing key, its certificate, then the rest of the chain."""
    from tlsdoctor.lab import pki

    # mitmproxy sends what OpenSSL builds from that file: with the root, leaf+inter+root;
    # with the intermediate alone (listed twice so mitmproxy treats the file as a chain),
    # leaf+intermediate.
    rest = pki.cert_pem(root.cert) if opts.ca_chain else pki.cert_pem(intermediate.cert)
    return pki.key_pem(intermediate.key) + pki.cert_pem(intermediate.cert) + rest


# --- processes --------------------------------------------------------------------------------


_STRIP_FROM_CHILDREN = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _STRIP_FROM_CHILDREN}
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    existing = env.get("PYTHONPATH")
    env["PYTHONPATH"] = package_root + (os.pathsep + existing if existing else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _spawn(
    module: str, state_dir: Path, token: str, log: IO[bytes], pass_fds: Sequence[int] = ()
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", module, str(state_dir), token],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # detached: survives the terminal, never gets its signals
        pass_fds=tuple(pass_fds),
        env=_child_env(),
        cwd=str(state_dir),
    )


def _record(role: str, proc: subprocess.Popen[bytes], token: str) -> ProcessRecord:
    return ProcessRecord(role, proc.pid, process_start_time(proc.pid), token)


def _log_tail(state_dir: Path, lines: int = 40) -> str:
    parts = []
    for name in ("sites.log", "proxy.log"):
        path = state_dir / "logs" / name
        with contextlib.suppress(OSError):
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if text:
                tail = "\n".join(text.splitlines()[-lines:])
                parts.append(f"--- {path} ---\n{tail}")
    return "\n".join(parts)


def _last_log_line(state_dir: Path, role: str, limit: int = 200) -> str:
    """The last line a process printed: for a Python traceback, the exception and its message."""
    with contextlib.suppress(OSError):
        text = (state_dir / "logs" / f"{role}.log").read_text(encoding="utf-8", errors="replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:
            last = lines[-1]
            return last if len(last) <= limit else last[: limit - 3] + "..."
    return ""


def _exited(state_dir: Path, role: str, code: int) -> LabStartError:
    """One line for a lab process that ended while starting; the whole log stays in ``log``."""
    log_file = str(state_dir / "logs" / f"{role}.log")
    reason = _last_log_line(state_dir, role)
    if reason:
        message = _(
            "the lab could not start: its {role} process exited with code {code}: {reason}",
            role=role,
            code=code,
            reason=reason,
        )
    else:
        message = _(
            "the lab could not start: a lab process exited with code {code}",
            code=code,
        )
    return LabStartError(
        message, log=_log_tail(state_dir), hint=_("see the log in {path}", path=log_file)
    )


@dataclass(frozen=True)
class _ProxyPorts:
    """Where the interceptor listens: HTTP proxy, and SOCKS5 proxy with --socks5."""

    http: int
    socks: int | None


def _wait_for_proxy(
    state_dir: Path, procs: dict[str, subprocess.Popen[bytes]], timeout: float
) -> _ProxyPorts:
    ready = state_dir / "proxy.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready.exists():
            with contextlib.suppress(ValueError, OSError, KeyError):
                data = json.loads(ready.read_text(encoding="utf-8"))
                socks = data.get("socks_port")
                return _ProxyPorts(int(data["port"]), None if socks is None else int(socks))
        for role, proc in procs.items():
            if proc.poll() is not None:
                raise _exited(state_dir, role, proc.returncode)
        time.sleep(0.03)
    raise LabStartError(
        _("the lab could not start within {seconds} seconds", seconds=int(timeout)),
        log=_log_tail(state_dir),
        hint=_("see the logs in {path}", path=str(state_dir / "logs")),
    )


def _end(record: ProcessRecord, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Stop one process the lab started: SIGTERM, then SIGKILL after a grace period."""
    if not record.is_running():
        _reap(record.pid, proc)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        _reap(record.pid, proc)
        if not record.is_running():
            return
        time.sleep(0.03)
    if record.is_running():
        with contextlib.suppress(ProcessLookupError):
            os.kill(record.pid, signal.SIGKILL)
    for _i in range(100):
        _reap(record.pid, proc)
        if not record.is_running():
            return
        time.sleep(0.02)


def _reap(pid: int, proc: subprocess.Popen[bytes] | None) -> None:
    """Collect our own exited child so it does not linger as a zombie."""
    if proc is not None:
        proc.poll()
        return
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


_children: dict[int, subprocess.Popen[bytes]] = {}


# --- the public face --------------------------------------------------------------------------


class Lab:
    """Library API of the lab (the CLI and the test fixtures use it)."""

    @staticmethod
    def start(
        state_dir: str | os.PathLike[str] | None = None,
        *,
        exit_with_parent: bool = False,
        **options: Any,
    ) -> LabState:
        """Start a lab; ``exit_with_parent`` makes it end when this process ends (tests)."""
        opts = _options_from(options)
        _require_mitmproxy()
        opts.bypass = tuple(lab_name(h) for h in opts.bypass)
        names = _validate(opts)
        directory = resolve_state_dir(state_dir)
        _make_dir(directory)
        _require_lab_folder(directory)
        with _start_lock(directory):
            _prepare_dir(directory)
            token = f"tlsdoctor-lab-{secrets.token_hex(8)}"
            (directory / "logs").mkdir(exist_ok=True)
            started = _start_processes(directory, opts, names, token, exit_with_parent)
            state = _lab_state(directory, opts, names, started)
            _write_private_json(directory / STATE_FILE, state.to_json())
        return state

    @staticmethod
    def stop(state_dir: str | os.PathLike[str] | None = None) -> bool:
        """Stop the lab recorded in ``state_dir``; False when none was running."""
        directory = resolve_state_dir(state_dir)
        require_folder(directory)
        try:
            state = load_state_file(directory)
        except UsageError as err:  # a damaged state.json: find the processes another way
            return _stop_without_state(directory, err)
        if state is None:
            return False
        was_running = any(p.is_running() for p in state.processes)
        for record in state.processes:
            _end(record, _children.pop(record.pid, None))
        _clean_runtime(directory)
        if was_running:  # its own processes prove it a lab's, also one started before the mark
            _mark_lab_folder(directory)
        return was_running

    @staticmethod
    def status(state_dir: str | os.PathLike[str] | None = None) -> tuple[str, LabState | None]:
        """("running" | "stopped" | "degraded", state or None)."""
        directory = resolve_state_dir(state_dir)
        require_folder(directory)
        try:
            state = load_state_file(directory)
        except UsageError:
            if not _is_lab_folder(directory) and not _runs_a_lab(directory):
                return "stopped", None  # another program's state.json
            return "degraded", None  # its state cannot be read; `stop` still ends its processes
        if state is None:
            return "stopped", None
        alive = [p.is_running() for p in state.processes]
        if alive and all(alive):
            return "running", state
        if any(alive):
            return "degraded", state
        return "stopped", state


def _stop_without_state(directory: Path, unreadable: UsageError) -> bool:
    """Stop the processes started for ``directory``; say which still run when some cannot be."""
    found = find_lab_processes(directory)
    if found is None:  # no /proc to find them in
        raise UsageError(
            str(unreadable),
            hint=_(
                "the lab's processes have 'tlsdoctor.lab' and {path} in their command line",
                path=str(directory),
            ),
        )
    for record in found.ours:
        _end(record, _children.pop(record.pid, None))
    left = [r for r in found.ours if r.is_running()] + found.unsure
    if left:
        raise UsageError(
            _(
                "cannot stop every process of the lab in {path}; still running: {processes}",
                path=str(directory),
                processes=join_list(f"{r.role} (pid {r.pid})" for r in left),
            ),
            hint=_("the lab state {path} cannot be read", path=str(directory / STATE_FILE)),
        )
    if found.ours or _is_lab_folder(directory):  # another program's state.json: touch nothing
        _clean_runtime(directory)
    if found.ours:
        _mark_lab_folder(directory)
    return bool(found.ours)


def _options_from(options: dict[str, Any]) -> LabOptions:
    unknown = sorted(set(options) - set(LabOptions.__dataclass_fields__))
    if unknown:
        raise TypeError(f"unknown lab options: {', '.join(unknown)}")
    return LabOptions(**options)


@dataclass
class _Started:
    """What the running lab's state records, once both processes are up."""

    pki: _Pki
    ports: dict[str, int]
    proxy: _ProxyPorts
    records: list[ProcessRecord]


def _start_processes(
    directory: Path, opts: LabOptions, names: list[str], token: str, exit_with_parent: bool
) -> _Started:
    """Start the proxy and the sites; on any failure end what started and clean up."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    records: list[ProcessRecord] = []
    sockets: list[socket.socket] = []
    try:
        # The proxy starts first: importing mitmproxy is the slow part, and it overlaps with
        # making the certificates here. It waits for config.json before it listens.
        procs["proxy"], record = _start_child("proxy", directory, token)
        records.append(record)
        pki_files, ports = _prepare_sites(directory, opts, names, sockets, exit_with_parent)
        fds = [s.fileno() for s in sockets]
        procs["sites"], record = _start_child("sites", directory, token, fds)
        records.insert(0, record)
        _close_all(sockets)  # the sites process holds them now
        proxy = _wait_for_proxy(directory, procs, START_TIMEOUT)
    except BaseException:
        for record in records:
            _end(record, _children.pop(record.pid, None))
        _clean_runtime(directory)
        raise
    finally:
        _close_all(sockets)
    return _Started(pki_files, ports, proxy, records)


def _start_child(
    role: str, directory: Path, token: str, pass_fds: Sequence[int] = ()
) -> tuple[subprocess.Popen[bytes], ProcessRecord]:
    with open(directory / "logs" / f"{role}.log", "wb") as log:
        proc = _spawn(f"tlsdoctor.lab.{role}", directory, token, log, pass_fds)
    record = _record(role, proc, token)
    _children[proc.pid] = proc
    return proc, record


def _prepare_sites(
    directory: Path,
    opts: LabOptions,
    names: list[str],
    sockets: list[socket.socket],
    exit_with_parent: bool,
) -> tuple[_Pki, dict[str, int]]:
    """Make the PKI, bind every socket (into ``sockets``) and write config.json."""
    aia_sock = _bind()
    sockets.append(aia_sock)
    aia_base = f"http://127.0.0.1:{aia_sock.getsockname()[1]}"
    pki_files = _make_pki(directory, opts, names, aia_base)
    endpoints, ports = _bind_endpoints(pki_files, sockets)
    endpoints.insert(0, {"name": "aia", "kind": "aia", "fd": aia_sock.fileno()})
    config = _config(directory, opts, names, pki_files, endpoints, ports, exit_with_parent)
    # Written before the sites start (they read it) and atomically (the proxy polls it).
    _write_private_json(directory / "config.json", config)
    return pki_files, ports


def _config(
    directory: Path,
    opts: LabOptions,
    names: list[str],
    pki_files: _Pki,
    endpoints: list[dict[str, Any]],
    ports: dict[str, int],
    exit_with_parent: bool,
) -> dict[str, Any]:
    """config.json: what the sites serve and how the proxy routes and intercepts."""
    _intercepted, bypassed = _split_by_interception(opts, names)
    return {
        "endpoints": endpoints,
        "aia_files": pki_files.aia_files,
        "routes": ports,
        "passthrough": [*SPECIAL_NAMES.values(), *bypassed],
        "no_intercept": opts.no_intercept,
        "handshake_delay_ms": opts.handshake_delay_ms,
        "lazy_upstream": opts.lazy_upstream,
        "socks5": opts.socks5,
        "proxy_auth": opts.proxy_auth,
        "confdir": str(directory / "mitmproxy"),
        "public_root": str(pki_files.public_root),
        "watch_parent": os.getpid() if exit_with_parent else None,
    }


def _split_by_interception(opts: LabOptions, names: list[str]) -> tuple[list[str], list[str]]:
    """(intercepted, bypassed) lab sites."""
    if opts.no_intercept:
        return [], list(names)
    return [n for n in names if n not in opts.bypass], [n for n in names if n in opts.bypass]


def _close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()
    sockets.clear()


def _lab_state(directory: Path, opts: LabOptions, names: list[str], started: _Started) -> LabState:
    intercepted, bypassed = _split_by_interception(opts, names)
    socks_port = started.proxy.socks
    return LabState(
        state_dir=directory,
        proxy_url=f"http://127.0.0.1:{started.proxy.http}",
        proxy_port=started.proxy.http,
        public_root=started.pki.public_root,
        inspection_ca=started.pki.inspection_ca,
        inspection_intermediate=started.pki.inspection_intermediate,
        intercepted=intercepted,
        bypassed=bypassed,
        special=dict(SPECIAL_NAMES),
        sites=started.ports,
        aia_url=started.pki.aia_url,
        vendor="custom" if opts.ca_name else opts.vendor,
        ca_subject=started.pki.ca_subject,
        proxy_auth=opts.proxy_auth,
        socks_url=None if socks_port is None else f"socks5h://127.0.0.1:{socks_port}",
        socks_port=socks_port,
        options=opts.to_json(),
        processes=started.records,
    )


def _bind_endpoints(
    pki_files: _Pki, sockets: list[socket.socket]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Bind a socket per name on 127.0.0.1:0 (down.test: bound, never listening)."""
    endpoints: list[dict[str, Any]] = []
    ports: dict[str, int] = {}
    kinds = {name: "https" for name in pki_files.site_files}
    kinds.update(
        {
            SPECIAL_NAMES["down"]: "down",
            SPECIAL_NAMES["hang"]: "hang",
            SPECIAL_NAMES["plain"]: "plain",
        }
    )
    for name, kind in kinds.items():
        sock = _bind(listen=kind != "down")
        sockets.append(sock)
        ports[name] = sock.getsockname()[1]
        entry: dict[str, Any] = {"name": name, "kind": kind, "fd": sock.fileno()}
        if kind == "https":
            chain_file, key_file = pki_files.site_files[name]
            entry.update(chain_file=str(chain_file), key_file=str(key_file))
        endpoints.append(entry)
    return endpoints, ports


def _require_mitmproxy() -> None:
    import importlib.util

    if sys.platform == "win32":
        raise UsageError(_("the lab runs on Linux and macOS (it needs POSIX processes)"))

    if importlib.util.find_spec("mitmproxy") is None:
        raise UsageError(
            _("the lab needs mitmproxy, which is not installed"),
            hint=_("install the lab extra: pip install 'tlsdoctor[lab]'"),
        )


def _write_private_json(path: Path, data: Any) -> None:
    from tlsdoctor.lab.pki import write_secret

    tmp = path.with_suffix(".tmp")
    write_secret(tmp, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    tmp.replace(path)


def _make_dir(directory: Path) -> None:
    require_folder(directory)
    if directory.exists():
        return  # a folder the user chose keeps its mode: the keys are in 0700 subfolders
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as err:
        raise UsageError(
            _(
                "cannot create the lab state dir {path}: {error}",
                path=str(directory),
                error=os_reason(err),
            )
        ) from err
    with contextlib.suppress(OSError):
        directory.chmod(0o700)


@contextlib.contextmanager
def _start_lock(directory: Path) -> Iterator[None]:
    """One `lab start` at a time per state dir: two at once would both see "not running"."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock (Windows): the check below is all there is
        yield
        return
    try:
        handle = open(directory / START_LOCK, "a+b")  # noqa: SIM115 - closed by the with below
    except OSError as err:
        raise UsageError(
            _(
                "cannot write in the lab state dir {path}: {error}",
                path=str(directory),
                error=os_reason(err),
            )
        ) from err
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                _("another 'tlsdoctor lab start' is starting a lab in {path}", path=str(directory))
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _is_lab_folder(directory: Path) -> bool:
    return (directory / LAB_MARKER).is_file() or is_default_state_dir(directory)


def _runs_a_lab(directory: Path) -> bool:
    """A lab's processes run for ``directory``, proven as `lab stop` proves them (pid, start time
    and token from its state, or the exact command line in /proc): a folder without the mark
    that is a lab's all the same, e.g. one started by a tlsdoctor from before the mark."""
    try:
        state = load_state_file(directory)
    except UsageError:
        state = None
    if state is not None and any(p.is_running() for p in state.processes):
        return True
    found = find_lab_processes(directory) if state is None else None
    return found is not None and bool(found.ours)


def _mark_lab_folder(directory: Path) -> None:
    with contextlib.suppress(OSError):  # best effort: a read-only folder keeps working as before
        (directory / LAB_MARKER).write_text(
            "This folder holds a tlsdoctor lab (tlsdoctor lab start/stop manage its files).\n",
            encoding="utf-8",
        )


def _require_lab_folder(directory: Path) -> None:
    """Refuse a folder with other things in it: start replaces and stop deletes the lab's files
    (config.json, sites/, public-root.pem...), which a folder of the user's may hold too.
    A running lab there is let through: the start then says it runs (and how to stop it)."""
    if _is_lab_folder(directory):
        return
    try:
        others = [p.name for p in directory.iterdir() if p.name != START_LOCK]
    except OSError as err:
        raise UsageError(
            _(
                "cannot read the lab state dir {path}: {error}",
                path=str(directory),
                error=os_reason(err),
            )
        ) from err
    # The mark may have appeared since the check above: a start running at the same moment
    # writes it (under the start lock) before any other file of the lab.
    if others and LAB_MARKER not in others and not _runs_a_lab(directory):
        raise UsageError(
            _(
                "the lab state dir {path} is not empty and is not a lab's folder: starting a lab "
                "there would replace files in it",
                path=str(directory),
            ),
            hint=_("choose a new or empty folder with --state-dir"),
        )


def _prepare_dir(directory: Path) -> None:
    state = load_state_file(directory)
    if state is not None and any(p.is_running() for p in state.processes):
        if not state.running():
            raise degraded_error(directory)
        raise UsageError(
            _(
                "a lab is already running in {path} (proxy {url})",
                path=str(directory),
                url=state.proxy_url,
            ),
            hint=_("stop it first with: {command}", command=stop_command(directory)),
        )
    _clean_runtime(directory)
    for name in GENERATED:
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()
    (directory / LAB_MARKER).write_text(
        "This folder holds a tlsdoctor lab (tlsdoctor lab start/stop manage its files).\n",
        encoding="utf-8",
    )


def _clean_runtime(directory: Path) -> None:
    """Remove what a stopped lab leaves that matters: state, config and every private key."""
    for name in RUNTIME_FILES:
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()
    for name in SECRET_DIRS:
        shutil.rmtree(directory / name, ignore_errors=True)
