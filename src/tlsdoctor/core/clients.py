"""Run the real clients found on this machine against URLs and report which ones succeed.

The clients are data (``data/clients.toml``): program, request argv, how each one is told about
the proxy, its version command and TLS library. This module is the one engine that reads them.

Each client runs with the environment it is given (by default the current one) and with
verification on: that environment and the user's config files are exactly what is checked.
A row is ``ok`` when the server answered over a verified TLS connection; an HTTP-level failure
after a verified handshake (404, "not a git repository", "no matching distribution") is ok too,
because the trust setup is what is being checked, not the site.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.util import find_spec
from typing import Any

from tlsdoctor._data import load_data

__all__ = [
    "OK_STATUSES",
    "PROXY_ENV_VARS",
    "ClientResult",
    "ClientSpec",
    "UnknownClientError",
    "available_clients",
    "client_specs",
    "effective_proxy",
    "normalize_url",
    "redact_proxy",
    "run_checks",
    "valid_host",
    "validate_proxy",
]

# Row statuses. "ok": the server answered; "handshake-ok": verified handshake, HTTP-level failure;
# "tls-error": the handshake or certificate verification failed; "error": something else failed
# (proxy, DNS, refused); "timeout"; "missing": the client is not installed; "verification-off":
# the environment or the user's config switches its verification off (not run, a failure).
OK_STATUSES = ("ok", "handshake-ok")
DETAIL_LINES = 6
PYTHON_PLACEHOLDER = "{python}"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PROXY_VARS = ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
# Where clients that take the proxy on argv find its password (never on a command line).
PROXY_PASSWORD_VAR = "TLSDOCTOR_PROXY_PASSWORD"
# Every variable through which a client may pick up a proxy (removed by check --no-proxy).
PROXY_ENV_VARS = (*_PROXY_VARS, "http_proxy", "HTTP_PROXY")


class UnknownClientError(ValueError):
    """A client id that clients.toml does not define."""

    def __init__(self, names: Sequence[str], known: Sequence[str]) -> None:
        super().__init__(", ".join(names))
        self.names = list(names)
        self.known = list(known)


@dataclass(frozen=True)
class ClientSpec:
    id: str
    program: str
    argv: tuple[str, ...]
    proxy: str = "env"
    proxy_argv: tuple[str, ...] = ()
    proxy_auth_argv: tuple[str, ...] = ()
    version: tuple[str, ...] = ()
    tls_library: str = ""
    tls_library_ja: str = ""
    requires_module: str | None = None
    ok_exit_codes: tuple[int, ...] = (0,)
    handshake_ok: tuple[str, ...] = ()
    tls_failure: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    stdin: str | None = None
    verification_off: tuple[str, ...] = ()  # doctor finding ids that switch it off


@dataclass(frozen=True)
class VerificationOff:
    """Why a client's verification is switched off in the checked environment (doctor's
    findings). Such a row is not run: its answer would prove nothing, and a request with
    verification off is what tlsdoctor never makes."""

    title: str
    fix: tuple[str, ...]
    subjects: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "cause": "verification-off",
            "title": self.title,
            "subjects": list(self.subjects),
            "fix": list(self.fix),
        }


@dataclass
class ClientResult:
    client: str
    url: str
    ok: bool
    status: str
    exit_code: int | None
    detail: str
    finding: Any = None  # tlsdoctor.core.explain.Finding, or None
    version: str | None = None
    tls_library: str = ""
    duration: float = 0.0
    proxy: str | None = None
    command: list[str] = field(default_factory=list)
    headline: str = ""  # the most telling line of the output (the TLS error when there is one)

    def to_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "url": self.url,
            "ok": self.ok,
            "status": self.status,
            "exit_code": self.exit_code,
            "detail": self.detail,
            "headline": self.headline,
            "finding": finding_to_dict(self.finding),
            "version": self.version,
            "tls_library": self.tls_library,
            "duration": round(self.duration, 3),
            "proxy": self.proxy,
            "command": self.command,
        }


def finding_to_dict(finding: Any) -> Any:
    if finding is None:
        return None
    for method in ("to_json", "to_dict"):
        convert = getattr(finding, method, None)
        if callable(convert):
            return convert()
    import dataclasses

    if dataclasses.is_dataclass(finding) and not isinstance(finding, type):
        return dataclasses.asdict(finding)
    return str(finding)


# ---------------------------------------------------------------------------------------------
# The catalog


@dataclass(frozen=True)
class _Catalog:
    specs: tuple[ClientSpec, ...]
    tls_failure: tuple[str, ...]  # shared by every client
    proxy_failure: tuple[str, ...]
    error_headline: tuple[str, ...]


@cache
def _catalog() -> _Catalog:
    data = load_data("clients.toml")
    shared = data.get("classify", {})
    return _Catalog(
        specs=tuple(_spec(entry) for entry in data.get("client", ())),
        tls_failure=tuple(shared.get("tls_failure", ())),
        proxy_failure=tuple(shared.get("proxy_failure", ())),
        error_headline=tuple(shared.get("error_headline", ())),
    )


def _spec(entry: Mapping[str, Any]) -> ClientSpec:
    return ClientSpec(
        id=str(entry["id"]),
        program=str(entry["program"]),
        argv=tuple(entry["argv"]),
        proxy=str(entry.get("proxy", "env")),
        proxy_argv=tuple(entry.get("proxy_argv", ())),
        proxy_auth_argv=tuple(entry.get("proxy_auth_argv", ())),
        version=tuple(entry.get("version", ())),
        tls_library=str(entry.get("tls_library", "")),
        tls_library_ja=str(entry.get("tls_library_ja", "")),
        requires_module=entry.get("requires_module"),
        ok_exit_codes=tuple(int(c) for c in entry.get("ok_exit_codes", (0,))),
        handshake_ok=tuple(entry.get("handshake_ok", ())),
        tls_failure=tuple(entry.get("tls_failure", ())),
        env=dict(entry.get("env", {})),
        stdin=entry.get("stdin"),
        verification_off=tuple(entry.get("verification_off", ())),
    )


def client_specs() -> list[ClientSpec]:
    return list(_catalog().specs)


def _specs_by_id() -> dict[str, ClientSpec]:
    return {spec.id: spec for spec in client_specs()}


# ---------------------------------------------------------------------------------------------
# Environment, programs and proxies


def _program_path(spec: ClientSpec, env: Mapping[str, str]) -> str | None:
    if spec.program == PYTHON_PLACEHOLDER:
        if spec.requires_module and find_spec(spec.requires_module) is None:
            return None
        return sys.executable
    return shutil.which(spec.program, path=env.get("PATH", os.defpath))


def available_clients(env: Mapping[str, str] | None = None) -> list[str]:
    """Ids of the clients installed in this environment, in catalog order."""
    environ = os.environ if env is None else env
    return [spec.id for spec in client_specs() if _program_path(spec, environ)]


_HOST_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")


def valid_host(host: str) -> bool:
    """A DNS name (letters, digits, hyphens; IDN letters too) or an IP literal."""
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return len(host) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def _split_url(url: str, scheme: str) -> tuple[str, urllib.parse.SplitResult, bool]:
    """``url`` with ``scheme``:// added when it has none, split, and whether it had none.

    ValueError (carrying ``url``) when its port or an IPv6 bracket is broken.
    """
    text = url.strip()
    bare = "://" not in text
    if bare:
        text = f"{scheme}://{text}"
    try:
        parts = urllib.parse.urlsplit(text)
        _ = parts.port
    except ValueError:
        raise ValueError(url) from None
    return text, parts, bare


def normalize_url(url: str) -> str:
    """'example.com' -> 'https://example.com/'; only https URLs with a host are accepted.

    A bare word without a scheme must look like a host name with a dot ("localhost" and IP
    literals too): ``check not a url`` is rejected before any name is looked up.
    """
    text, parts, bare = _split_url(url, "https")
    host = parts.hostname or ""
    if parts.scheme.lower() != "https" or not host or not valid_host(host) or " " in text:
        raise ValueError(url)
    if bare and "." not in host and host != "localhost" and ":" not in host:
        raise ValueError(url)
    path = parts.path or "/"
    return urllib.parse.urlunsplit(("https", parts.netloc, path, parts.query, ""))


def validate_proxy(proxy: str) -> str:
    """``proxy`` as an http:// URL; ValueError unless it names a host and a port.

    Without a scheme the port is required ("proxy.corp:3128"): a bare word is no proxy.
    """
    text, parts, bare = _split_url(proxy, "http")
    host = parts.hostname or ""
    if parts.scheme.lower() != "http" or not host or not valid_host(host):
        raise ValueError(proxy)
    if bare and parts.port is None:
        raise ValueError(proxy)
    return text


def effective_proxy(env: Mapping[str, str], proxy: str | None = None) -> str | None:
    """The HTTPS proxy in use: the one given, else https_proxy/HTTPS_PROXY/ALL_PROXY."""
    if proxy:
        return proxy if "://" in proxy else "http://" + proxy
    for name in _PROXY_VARS:
        value = env.get(name, "").strip()
        if value:
            return value if "://" in value else "http://" + value
    return None


def redact_proxy(proxy: str | None) -> str | None:
    """The proxy URL for display: its password, if any, replaced by ***."""
    if not proxy:
        return proxy
    parts = urllib.parse.urlsplit(proxy)
    if parts.password is None:
        return proxy
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def _bypassed(host: str, env: Mapping[str, str]) -> bool:
    entries = (env.get("no_proxy") or env.get("NO_PROXY") or "").split(",")
    for raw in entries:
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        suffix = entry.lstrip("*").lstrip(".").split(":")[0]
        if host.lower() == suffix or host.lower().endswith("." + suffix):
            return True
    return False


@cache
def _scripts_dir() -> str:
    return str(resources.files("tlsdoctor.data").joinpath("clients"))


# ---------------------------------------------------------------------------------------------
# Building and running one request


@dataclass(frozen=True)
class _Job:
    spec: ClientSpec
    url: str
    program: str | None


def _fill(template: str, values: Mapping[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def build_command(
    spec: ClientSpec,
    url: str,
    program: str,
    *,
    proxy: str | None,
    timeout: float,
    tmpdir: str,
) -> list[str]:
    """The argv for one request (proxy_argv only for clients that take the proxy on argv)."""
    parts = urllib.parse.urlsplit(url)
    values = {
        "program": program,
        "python": sys.executable,
        "url": url,
        "host": parts.hostname or "",
        "port": str(parts.port or 443),
        "timeout": f"{max(1, round(timeout)):d}",
        "timeout_ms": str(int(timeout * 1000)),
        "tmpdir": tmpdir,
        "scripts": _scripts_dir(),
    }
    proxy_args: list[str] = []
    if spec.proxy == "argv" and proxy:
        p = urllib.parse.urlsplit(proxy)
        values.update(
            proxy_url=proxy,
            proxy_host=p.hostname or "",
            proxy_port=str(p.port or 8080),
            proxy_user=urllib.parse.unquote(p.username or ""),
        )
        templates = [*spec.proxy_argv, *(spec.proxy_auth_argv if p.username else ())]
        proxy_args = [_fill(a, values) for a in templates]
    argv: list[str] = []
    for item in spec.argv:
        if item == "{proxy_args}":
            argv.extend(proxy_args)
        else:
            argv.append(_fill(item, values))
    return argv


def _child_env(
    spec: ClientSpec, env: Mapping[str, str], proxy: str | None, explicit: bool, timeout: float
) -> dict[str, str]:
    child = dict(env)
    values = {"timeout": f"{max(1, round(timeout)):d}"}
    child.update({name: _fill(value, values) for name, value in spec.env.items()})
    if spec.proxy == "env" and explicit and proxy:
        child["https_proxy"] = proxy
        child["HTTPS_PROXY"] = proxy
    if spec.proxy == "argv" and proxy:
        password = urllib.parse.urlsplit(proxy).password
        if password is not None:
            child[PROXY_PASSWORD_VAR] = urllib.parse.unquote(password)
    return child


def _run(
    argv: list[str],
    env: Mapping[str, str],
    timeout: float,
    cwd: str,
    stdin: str | None = None,
) -> tuple[int | None, str]:
    """Run argv; (exit code or None on timeout, combined output). Kills its own group on timeout."""
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as err:
        return 127, f"{type(err).__name__}: {err}"
    data = stdin.encode("utf-8") if stdin is not None else None
    try:
        out, _ = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate()
        return None, _decode(out)
    return proc.returncode, _decode(out)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()


def _decode(data: bytes | None) -> str:
    return _ANSI.sub("", (data or b"").decode("utf-8", errors="replace"))


def _last_lines(text: str, count: int = DETAIL_LINES) -> str:
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-count:])


def headline(spec: ClientSpec, status: str, output: str) -> str:
    """The line a person wants to see: the TLS error, else the last error-ish line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if status == "tls-error":
        patterns = (*_catalog().tls_failure, *spec.tls_failure)
        for line in lines:
            if any(re.search(p, line) for p in patterns):
                return line
    if status == "handshake-ok":
        for line in lines:
            if any(re.search(p, line) for p in spec.handshake_ok):
                return line
    if status == "error":
        for pattern in _catalog().error_headline:
            for line in lines:
                if re.search(pattern, line):
                    return line
    for line in reversed(lines):
        if re.search(
            r"(?i)error|fail|refused|denied|not found|unable|could not|cannot|timed out|reset", line
        ):
            return line
    return lines[-1] if lines else ""


def classify(spec: ClientSpec, exit_code: int | None, output: str) -> str:
    """One of the row statuses, from the exit code and the output."""
    if exit_code is None:
        return "timeout"
    catalog = _catalog()
    if exit_code != 0 and any(re.search(p, output) for p in catalog.proxy_failure):
        return "error"
    if any(re.search(p, output) for p in (*catalog.tls_failure, *spec.tls_failure)):
        return "tls-error"
    if exit_code in spec.ok_exit_codes:
        return "ok" if exit_code == 0 else "handshake-ok"
    if any(re.search(p, output) for p in spec.handshake_ok):
        return "handshake-ok"
    return "error"


def _explain(output: str) -> Any:
    """The explain engine's first finding for this output, or None."""
    from tlsdoctor.core.explain import explain_text

    try:
        findings = explain_text(output[-8000:])
    except Exception:  # an explanation is a bonus: never lose the row because of it
        return None
    return findings[0] if findings else None


def _version(spec: ClientSpec, program: str, env: Mapping[str, str], cwd: str) -> str | None:
    if not spec.version:
        return None
    values = {"program": program, "python": sys.executable}
    argv = [_fill(a, values) for a in spec.version]
    code, out = _run(argv, env, 10.0, cwd)
    if code != 0:
        return None
    for line in out.splitlines():
        if line.strip():
            return line.strip()[:120]
    return None


def _check_one(
    job: _Job,
    env: Mapping[str, str],
    proxy: str | None,
    explicit_proxy: bool,
    timeout: float,
    workdir: str,
    version: str | None,
) -> ClientResult:
    spec = job.spec
    if job.program is None:
        return ClientResult(
            client=spec.id,
            url=job.url,
            ok=False,
            status="missing",
            exit_code=None,
            detail="",
            tls_library=spec.tls_library,
        )
    host = urllib.parse.urlsplit(job.url).hostname or ""
    use_proxy = proxy if proxy and (explicit_proxy or not _bypassed(host, env)) else None
    tmpdir = tempfile.mkdtemp(prefix=f"{spec.id}-", dir=workdir)
    argv = build_command(
        spec, job.url, job.program, proxy=use_proxy, timeout=timeout, tmpdir=tmpdir
    )
    child_env = _child_env(spec, env, use_proxy, explicit_proxy, timeout)
    started = time.monotonic()
    code, output = _run(argv, child_env, timeout, tmpdir, spec.stdin)
    status = classify(spec, code, output)
    ok = status in OK_STATUSES
    return ClientResult(
        client=spec.id,
        url=job.url,
        ok=ok,
        status=status,
        exit_code=code,
        detail=_last_lines(output),
        headline=headline(spec, status, output),
        finding=None if ok else _explain(output),
        version=version,
        tls_library=spec.tls_library,
        duration=time.monotonic() - started,
        proxy=redact_proxy(use_proxy),
        command=argv,
    )


def switched_off(specs: Sequence[ClientSpec], env: Mapping[str, str]) -> dict[str, VerificationOff]:
    """Client id -> why its verification is off in ``env`` and the user's config files, from
    doctor's audit (the same ``[[insecure]]`` catalog and variables setup removes)."""
    wanted = {finding_id for spec in specs for finding_id in spec.verification_off}
    if not wanted:
        return {}
    from tlsdoctor.core.doctor import ERROR, audit
    from tlsdoctor.i18n import _

    findings = [f for f in audit(env) if f.severity == ERROR and f.id in wanted]
    out: dict[str, VerificationOff] = {}
    for spec in specs:
        mine = [f for f in findings if f.id in spec.verification_off]
        if mine:
            out[spec.id] = VerificationOff(
                title=_(
                    "verification is switched off: {client} would accept any certificate",
                    client=spec.id,
                ),
                fix=tuple(dict.fromkeys(f.fix for f in mine)),
                subjects=tuple(dict.fromkeys(f.message for f in mine)),
            )
    return out


def _switched_off_result(job: _Job, why: VerificationOff) -> ClientResult:
    return ClientResult(
        client=job.spec.id,
        url=job.url,
        ok=False,
        status="verification-off",
        exit_code=None,
        detail="",
        headline="; ".join(why.subjects),
        finding=why,
        tls_library=job.spec.tls_library,
    )


def _select(
    clients: Sequence[str] | None, env: Mapping[str, str]
) -> list[tuple[ClientSpec, str | None]]:
    by_id = _specs_by_id()
    if clients is None:
        chosen = [spec for spec in by_id.values() if _program_path(spec, env)]
    else:
        unknown = [name for name in clients if name not in by_id]
        if unknown:
            raise UnknownClientError(unknown, list(by_id))
        chosen = [by_id[name] for name in dict.fromkeys(clients)]
    return [(spec, _program_path(spec, env)) for spec in chosen]


@contextmanager
def _workdir() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="tlsdoctor-check-") as path:
        yield path


def run_checks(
    urls: list[str],
    clients: list[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    proxy: str | None = None,
    timeout: float = 15.0,
    workers: int = 4,
    versions: bool = True,
) -> list[ClientResult]:
    """Run each client against each URL, in parallel with a timeout each.

    ``env`` is the environment the clients run with (default: this process's, which is what a
    user wants checked). ``proxy`` overrides the proxy from that environment; clients that do not
    read proxy variables (openssl, java) get it on their command line.
    ``clients=None`` means every installed client; naming a missing one gives a "missing" row.
    Rows come back per client (catalog order, or the order asked for), then per URL.
    """
    environ: Mapping[str, str] = dict(os.environ if env is None else env)
    targets = [normalize_url(u) for u in urls]
    selected = _select(clients, environ)
    explicit = proxy is not None
    resolved = effective_proxy(environ, proxy)
    jobs = [_Job(spec, url, program) for spec, program in selected for url in targets]
    off = switched_off([spec for spec, program in selected if program], environ)
    lock = threading.Lock()
    version_cache: dict[str, str | None] = {}

    with _workdir() as workdir, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:

        def version_of(spec: ClientSpec, program: str | None) -> str | None:
            if not versions or program is None:
                return None
            with lock:
                if spec.id in version_cache:
                    return version_cache[spec.id]
            found = _version(spec, program, environ, workdir)
            with lock:
                version_cache.setdefault(spec.id, found)
                return version_cache[spec.id]

        def task(job: _Job) -> ClientResult:
            if job.spec.id in off and job.program is not None:
                return _switched_off_result(job, off[job.spec.id])
            result = _check_one(job, environ, resolved, explicit, timeout, workdir, None)
            result.version = version_of(job.spec, job.program)
            return result

        results = list(pool.map(task, jobs))
    return results


def summarize(results: Sequence[ClientResult]) -> dict[str, int]:
    """Counts per status, for renderers and JSON."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts


def _debug(argv: Sequence[str]) -> None:  # pragma: no cover - manual use
    """python -m tlsdoctor.core.clients URL [client...] — a quick look without the CLI."""
    results = run_checks([argv[0]], list(argv[1:]) or None)
    for r in results:
        sys.stdout.write(
            f"{r.client:12} {r.status:13} {r.exit_code} {r.detail.splitlines()[-1:]}\n"
        )


if __name__ == "__main__":  # pragma: no cover
    _debug(sys.argv[1:])
