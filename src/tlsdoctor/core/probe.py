"""TLS handshake to HOST:PORT, direct or through an HTTP CONNECT proxy, to read the presented chain.

This is the one place that reads a chain without trusting it: the handshake runs with
verification off so that an intercepted or broken chain can still be collected and examined.
No application data is ever sent on that connection: handshake, read the chain, close.
The TLS engine runs over memory BIOs so that we own the socket (timeouts, proxy tunnel) and can
tell a non-TLS answer from a TLS failure by looking at the first bytes that come back.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import ipaddress
import math
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast
from urllib.parse import unquote, urlsplit

from cryptography import x509

from tlsdoctor.core import socks5
from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import N_, _, os_reason

if TYPE_CHECKING:
    from OpenSSL import SSL

ErrorKind = Literal[
    "proxy_auth", "dns", "refused", "timeout", "deadline", "not_tls", "proxy", "tls"
]
Progress = Callable[["ProbeResult"], None]

_TLS_RECORD_TYPES = frozenset({0x14, 0x15, 0x16, 0x17})
_MAX_PROXY_RESPONSE = 64 * 1024
_MAX_CONCURRENT = 64
_GRACE = 0.05
_T = TypeVar("_T")


@dataclass(frozen=True)
class Target:
    host: str  # as the user wrote it (Unicode for IDN names, no brackets for IPv6)
    port: int = 443

    @property
    def ascii_host(self) -> str:
        return to_ascii_host(self.host)

    def __str__(self) -> str:
        return format_target(self.host, self.port)


@dataclass
class ProbeResult:
    host: str
    port: int
    chain: list[x509.Certificate] = field(default_factory=list)
    error: str | None = None
    error_kind: ErrorKind | None = None
    via_proxy: str | None = None  # proxy URL without credentials
    elapsed: float = 0.0
    tls_version: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.chain)


class ProbeError(Exception):
    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind


# ---------------------------------------------------------------------------------- targets


def to_ascii_host(host: str) -> str:
    """IDN names to A-labels (IDNA 2008 when the idna package is there), IP literals unchanged."""
    if is_ip(host):
        return host
    try:
        host.encode("ascii")
        return host.lower()
    except UnicodeEncodeError:
        pass
    try:
        import idna

        return str(idna.encode(host, uts46=True).decode("ascii"))
    except ImportError:  # pragma: no cover - idna is normally present
        return host.encode("idna").decode("ascii")
    except Exception as err:
        raise UsageError(_("not a valid host name: {host}", host=host)) from err


@functools.lru_cache(maxsize=1024)
def is_ip(host: str) -> bool:
    # Asked several times per probe; a name that is not an address costs two ValueErrors.
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def unique_targets(targets: Iterable[Target]) -> list[Target]:
    """The targets in order, each host:port once (whatever the case, trailing dot, IP spelling)."""
    seen: set[tuple[str, int]] = set()
    unique: list[Target] = []
    for target in targets:
        key = (_canonical_host(target.host), target.port)
        if key not in seen:
            seen.add(key)
            unique.append(target)
    return unique


def _canonical_host(host: str) -> str:
    if is_ip(host):
        return ipaddress.ip_address(host).compressed
    try:
        return to_ascii_host(host).rstrip(".").lower()
    except UsageError:
        return host.rstrip(".").lower()


def format_target(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _valid_hostname(ascii_host: str) -> bool:
    if not ascii_host or len(ascii_host) > 253:
        return False
    labels = ascii_host.rstrip(".").split(".")
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    # No label starts with "-" (RFC 1123); on a command line "-x" is a mistyped option.
    return all(
        0 < len(label) <= 63 and set(label.lower()) <= allowed and not label.startswith("-")
        for label in labels
    )


_ASCII_PORT = re.compile(r"[0-9]{1,5}")  # not str.isdigit(): "²" and "٤٤٣" are digits too


def parse_target(text: str, default_port: int = 443) -> Target:
    """HOST, HOST:PORT, [IPv6]:PORT, bare IPv6, or an https:// URL -> Target; UsageError else."""
    raw = text.strip()
    if "://" in raw:
        try:
            parts = urlsplit(raw)
        except ValueError:  # e.g. an unclosed "[" of an IPv6 literal
            raise UsageError(_("not a HOST[:PORT]: {target}", target=text)) from None
        if parts.scheme.lower() not in ("https", "http"):
            raise UsageError(_("not a HOST[:PORT]: {target}", target=text))
        raw = parts.netloc.rsplit("@", 1)[-1]
        raw = raw[:-1] if raw.endswith(":") else raw  # https://host:/ is the default port
    host, port_text = _split_host_port(raw, text)
    port = default_port
    if port_text is not None:
        if not _ASCII_PORT.fullmatch(port_text) or not 0 < int(port_text) < 65536:
            raise UsageError(
                _("not a valid port in {target} (use 1-65535)", target=text),
            )
        port = int(port_text)
    if not is_ip(host):
        try:
            ascii_host = to_ascii_host(host)
        except UsageError:
            raise UsageError(_("not a HOST[:PORT]: {target}", target=text)) from None
        if not _valid_hostname(ascii_host):
            raise UsageError(_("not a HOST[:PORT]: {target}", target=text))
        host = host.rstrip(".") if host.endswith(".") and len(host) > 1 else host
    return Target(host, port)


def _split_host_port(raw: str, original: str) -> tuple[str, str | None]:
    if raw.startswith("["):
        end = raw.find("]")
        if end < 0:
            raise UsageError(_("not a HOST[:PORT]: {target}", target=original))
        host, rest = _zone_unquoted(raw[1:end]), raw[end + 1 :]
        if not is_ip(host) or ":" not in host:
            raise UsageError(_("not a HOST[:PORT]: {target}", target=original))
        if rest and not rest.startswith(":"):
            raise UsageError(_("not a HOST[:PORT]: {target}", target=original))
        return host, rest[1:] if rest else None
    if raw.count(":") > 1:  # a bare IPv6 address
        raw = _zone_unquoted(raw)
        if not is_ip(raw):
            raise UsageError(_("not a HOST[:PORT]: {target}", target=original))
        return raw, None
    host, sep, port = raw.partition(":")
    if not host:
        raise UsageError(_("not a HOST[:PORT]: {target}", target=original))
    return host, port if sep else None


def _zone_unquoted(host: str) -> str:
    """fe80::1%25eth0 (a zone id as URLs write it, RFC 6874) is fe80::1%eth0, as curl reads it."""
    address, sep, zone = host.partition("%25")
    return f"{address}%{zone}" if sep and zone and "%" not in address else host


# ------------------------------------------------------------------------------------ proxy


# Proxy URL schemes a probe speaks, and their default ports (curl's). socks5:// resolves the
# host name here and hands the proxy an address; socks5h:// hands it the name (as curl does).
PROXY_SCHEMES: dict[str, int] = {"http": 80, "socks5": 1080, "socks5h": 1080}


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    scheme: str = "http"

    @property
    def display(self) -> str:
        return f"{self.scheme}://{format_target(self.host, self.port)}"

    @property
    def is_socks(self) -> bool:
        return self.scheme != "http"

    def authorization(self) -> str | None:
        if self.username is None or self.is_socks:
            return None
        token = f"{self.username}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")


def parse_proxy(url: str) -> Proxy:
    """An HTTP CONNECT or SOCKS5 proxy URL (no scheme: http); credentials come from the URL."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 literal
        raise UsageError(_("not a valid proxy URL: {url}", url=_redact(url))) from None
    scheme = parts.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        raise UsageError(
            _(
                "unsupported proxy scheme {scheme!r}: tlsdoctor speaks to http:// (CONNECT) "
                "and socks5:// or socks5h:// proxies (give one with --proxy, or use --no-proxy)",
                scheme=parts.scheme,
            )
        )
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise UsageError(_("not a valid proxy URL: {url}", url=_redact(url))) from None
    if not host:
        raise UsageError(_("not a valid proxy URL: {url}", url=_redact(url)))
    proxy = Proxy(
        host=host,
        port=port or PROXY_SCHEMES[scheme],
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
        scheme=scheme,
    )
    _check_socks_credentials(proxy, url)
    return proxy


def _check_socks_credentials(proxy: Proxy, url: str) -> None:
    """SOCKS5 carries a user name and a password of at most 255 bytes each (RFC 1929)."""
    if not proxy.is_socks or proxy.username is None:
        return
    try:
        socks5.field_bytes(proxy.username)
        socks5.field_bytes(proxy.password or "")
    except ValueError:
        raise UsageError(
            _(
                "the user name and the password of a SOCKS5 proxy can have at most 255 bytes "
                "each: {url}",
                url=_redact(url),
            )
        ) from None


def _redact(url: str) -> str:
    """The URL with its credentials replaced by ***; works on URLs too broken to parse."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return url
    host = authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}***@{host}{slash}{path}"


def proxy_from_environment(
    host: str, port: int, environ: Mapping[str, str] | None = None
) -> str | None:
    """The proxy URL for host from https_proxy/HTTPS_PROXY/all_proxy/ALL_PROXY, unless NO_PROXY."""
    found = proxy_variable(environ)
    if found is None:
        return None
    env = os.environ if environ is None else environ
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    if bypasses_proxy(host, port, no_proxy):
        return None
    return found[1]


def proxy_variable(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The variable that names the HTTPS proxy and its value, as Python, requests and git read
    them: the lower-case name wins, and set but empty it means "no proxy" (not "look at the
    upper-case one"); all_proxy/ALL_PROXY only when neither https variable names one."""
    env = os.environ if environ is None else environ
    for lower, upper in (("https_proxy", "HTTPS_PROXY"), ("all_proxy", "ALL_PROXY")):
        name = lower if lower in env else upper
        if env.get(name, "").strip():
            return name, env[name].strip()
    return None


def bypasses_proxy(host: str, port: int, no_proxy: str) -> bool:
    """NO_PROXY as most clients read it (curl, requests, urllib, git; docs/detect.md): '*' alone,
    domain suffixes with or without a leading dot, IPs and CIDRs. A '*' among other entries,
    '*.domain' and 'host:port' entries match nothing for them, so they match nothing here."""
    if no_proxy == "*":
        return True
    name = _canonical_host(host)
    for entry in (e.strip().lower() for e in no_proxy.replace(" ", ",").split(",")):
        if entry and _no_proxy_entry_matches(name, entry.strip("[]")):
            return True
    return False


def _no_proxy_entry_matches(name: str, entry: str) -> bool:
    if is_ip(name):
        try:
            return ipaddress.ip_address(name) in ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return False
    if "*" in entry:
        return False
    domain = entry.lstrip(".")
    try:
        domain = to_ascii_host(domain)  # "bücher.test" in NO_PROXY matches xn--bcher-kva.test
    except UsageError:
        return False
    return bool(domain) and (name == domain or name.endswith("." + domain))


# ------------------------------------------------------------------------------------ probe


def probe(
    host: str,
    port: int = 443,
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    timeout: float = 5.0,
    deadline: float | None = None,
) -> ProbeResult:
    """Handshake with host:port and return the chain it presents (leaf first), or the error.

    ``proxy`` (an http:// URL) wins; otherwise the environment's proxy variables are used unless
    ``use_env_proxy`` is False. A ``deadline`` shorter than ``timeout`` ends the probe sooner
    and gets the blame (error_kind "deadline"), as in probe_many. Never raises for network
    problems: they end up in ``error``.
    """
    check_seconds(timeout=timeout)
    if deadline is not None:
        check_seconds(deadline=deadline)
    target = _target_from(host, port)
    return _probe_all([target], proxy, use_env_proxy, timeout, deadline, None)[0]


def probe_many(
    targets: Iterable[Target | str | tuple[str, int]],
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    timeout: float = 5.0,
    deadline: float = 20.0,
    progress: Progress | None = None,
) -> list[ProbeResult]:
    """Probe all targets concurrently; results in the order given. Nothing runs past deadline.

    ``progress`` is called with each result as it arrives (from the thread that runs the probes).
    """
    check_seconds(timeout=timeout, deadline=deadline)
    return _probe_all(as_targets(targets), proxy, use_env_proxy, timeout, deadline, progress)


def _probe_all(
    wanted: list[Target],
    proxy: str | None,
    use_env_proxy: bool,
    timeout: float,
    deadline: float | None,
    progress: Progress | None,
) -> list[ProbeResult]:
    """probe_many; without a ``deadline`` (probe()) only the per-host timeout bounds the run."""
    if not wanted:
        return []
    run = _Run(proxy, use_env_proxy, timeout, deadline, progress)
    results = _run_to_completion(run.probe_all(wanted))
    return [results[i] for i in range(len(wanted))]


def _run_to_completion(work: Coroutine[None, None, _T]) -> _T:
    """asyncio.run, also from a thread whose event loop is already running (notebooks)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    box: dict[str, Any] = {}

    def run_elsewhere() -> None:
        try:
            box["result"] = asyncio.run(work)
        except BaseException as err:  # handed back to the caller's thread
            box["error"] = err

    helper = threading.Thread(target=run_elsewhere, name="tlsdoctor-probe", daemon=True)
    helper.start()
    helper.join()
    if "error" in box:
        raise box["error"]
    return cast(_T, box["result"])


class _Run:
    """One probe_many call: every probe is a task on one event loop, in one thread.

    One loop instead of a thread per host: 50 threads spent more CPU handing the GIL to each other
    than on the handshakes, and their start alone took several ms.
    """

    def __init__(
        self,
        proxy: str | None,
        use_env_proxy: bool,
        timeout: float,
        deadline: float | None,
        progress: Progress | None,
    ) -> None:
        self.proxy, self.use_env_proxy = proxy, use_env_proxy
        self.timeout, self.deadline, self.progress = timeout, deadline, progress
        total = timeout if deadline is None else deadline
        self.per_host = max(0.01, min(timeout, total))
        self.results: dict[int, ProbeResult] = {}
        self.resolver = _Resolver()
        self.started = time.monotonic()
        self.end = self.started + total

    async def probe_all(self, wanted: list[Target]) -> dict[int, ProbeResult]:
        slots = asyncio.Semaphore(_MAX_CONCURRENT)
        tasks = [asyncio.ensure_future(self._one(i, t, slots)) for i, t in enumerate(wanted)]
        # The grace lets each probe's own timeout (at the deadline at the latest) say where it
        # got stuck; what the outer wait catches are probes still queued for a slot.
        done, pending = await asyncio.wait(
            tasks, timeout=self.end - self.started + _GRACE, return_when=asyncio.FIRST_EXCEPTION
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)  # their sockets are closed now
        for task in done:
            error = task.exception()
            if error is not None:
                raise error  # a bug in a probe: fail now, not at the deadline
        for index, target in enumerate(wanted):
            if index not in self.results:
                elapsed = time.monotonic() - self.started
                self._finish(index, _late(target, self.deadline, elapsed))
        return self.results

    async def _one(self, index: int, target: Target, slots: asyncio.Semaphore) -> None:
        async with slots:
            left = self.end - time.monotonic()
            budget = max(0.01, min(self.per_host, left))
            # The total deadline ends this probe (and gets the blame) when it leaves the probe
            # clearly less than its own timeout; at a tie, --timeout is the limit that was hit.
            cut_by = self.deadline if left < self.timeout - _GRACE else None
            result = await _probe_target(
                target, self.proxy, self.use_env_proxy, budget, self.resolver, cut_by
            )
        self._finish(index, result)

    def _finish(self, index: int, result: ProbeResult) -> None:
        self.results[index] = result
        if self.progress is not None:
            self.progress(result)


def _late(target: Target, deadline: float | None, elapsed: float) -> ProbeResult:
    """A probe that never got its turn (or its answer) before the run's end."""
    late = _Step(deadline).timed_out()
    return ProbeResult(
        host=target.host, port=target.port, error=str(late), error_kind=late.kind, elapsed=elapsed
    )


async def _probe_target(
    target: Target,
    proxy: str | None,
    use_env_proxy: bool,
    timeout: float,
    resolver: _Resolver,
    cut_by: float | None = None,
) -> ProbeResult:
    """One probe within ``timeout`` s; ``cut_by``: the total deadline, when it sets that limit."""
    started = time.monotonic()
    result = ProbeResult(host=target.host, port=target.port)
    step = _Step(cut_by)
    try:
        parsed_proxy = _choose_proxy(target, proxy, use_env_proxy)
        result.via_proxy = parsed_proxy.display if parsed_proxy else None
        work = _handshake(target, parsed_proxy, step, resolver)
        result.chain, result.tls_version = await _within(timeout, work)
    except ProbeError as err:
        result.error, result.error_kind = str(err), err.kind
    except asyncio.TimeoutError:
        late = step.timed_out()
        result.error, result.error_kind = str(late), late.kind
    except UsageError as err:  # a name that cannot be encoded (IDNA) cannot be resolved either
        result.error, result.error_kind = str(err), "dns"
    finally:
        result.elapsed = time.monotonic() - started
    return result


async def _within(seconds: float, work: Coroutine[None, None, _T]) -> _T:
    if sys.version_info >= (3, 11):  # no extra task per probe, unlike wait_for
        async with asyncio.timeout(seconds):
            return await work
    return await asyncio.wait_for(work, seconds)


# Where a probe can run out of time: the error kind and message when its own timeout ran out,
# and the message when the total deadline of the run did ("deadline": not the host's fault).
_STEPS: dict[str, tuple[ErrorKind, str, str]] = {
    "start": (
        "timeout",
        N_("timed out"),
        N_("no answer before the total deadline (--deadline {seconds:g} s)"),
    ),
    "connect": (
        "timeout",
        N_("timed out while connecting"),
        N_("the total deadline (--deadline {seconds:g} s) ran out while connecting"),
    ),
    "proxy": (
        "proxy",
        N_("cannot reach the proxy {proxy}: timed out"),
        N_(
            "the total deadline (--deadline {seconds:g} s) ran out while connecting to the "
            "proxy {proxy}"
        ),
    ),
    "socks": (
        "proxy",
        N_("the proxy {proxy} did not answer the SOCKS5 greeting in time: is it a SOCKS5 proxy?"),
        N_(
            "the total deadline (--deadline {seconds:g} s) ran out before the proxy {proxy} "
            "answered the SOCKS5 greeting"
        ),
    ),
    "connect_request": (
        "timeout",
        N_("the proxy did not answer the CONNECT request in time"),
        N_(
            "the total deadline (--deadline {seconds:g} s) ran out before the proxy answered "
            "the CONNECT request"
        ),
    ),
    "handshake": (
        "timeout",
        N_("timed out during the TLS handshake"),
        N_("the total deadline (--deadline {seconds:g} s) ran out during the TLS handshake"),
    ),
}


class _Step:
    """What a probe is doing now, so that running out of time says where it got stuck."""

    def __init__(self, cut_by: float | None) -> None:
        self.cut_by = cut_by  # the total deadline (s) when it, not the probe's timeout, ends it
        self.where, self.fields = "start", dict[str, str]()

    def now(self, where: str, **fields: str) -> None:
        self.where, self.fields = where, fields

    def timed_out(self, *, by_system: bool = False) -> ProbeError:
        kind, own, total = _STEPS[self.where]
        if self.cut_by is None or by_system:
            return ProbeError(kind, _(own, **self.fields))
        return ProbeError("deadline", _(total, seconds=self.cut_by, **self.fields))


def _choose_proxy(target: Target, proxy: str | None, use_env_proxy: bool) -> Proxy | None:
    url = proxy or (proxy_from_environment(target.host, target.port) if use_env_proxy else None)
    if not url:
        return None
    try:
        return _parsed_proxy(url)
    except UsageError as err:
        found = proxy_variable() if not proxy else None
        raise ProbeError("proxy", _env_proxy_problem(found) if found else str(err)) from None


def _env_proxy_problem(found: tuple[str, str]) -> str:
    """Why the proxy a variable names cannot be used, naming the variable (ALL_PROXY=socks4://
    or an https:// proxy: curl reads them, tlsdoctor cannot)."""
    variable, url = found
    scheme, sep, _rest = url.partition("://")
    if sep and scheme.lower() not in PROXY_SCHEMES:
        return _(
            "{variable} names a {scheme}:// proxy, and tlsdoctor speaks to http:// (CONNECT) "
            "and socks5:// or socks5h:// proxies: give one with --proxy, or use --no-proxy",
            variable=variable,
            scheme=scheme,
        )
    return _("{variable} is not a valid proxy URL: {url}", variable=variable, url=_redact(url))


@functools.lru_cache(maxsize=16)
def _parsed_proxy(url: str) -> Proxy:
    return parse_proxy(url)  # once per URL, not once per host


async def _handshake(
    target: Target, proxy: Proxy | None, step: _Step, resolver: _Resolver
) -> tuple[list[x509.Certificate], str | None]:
    sock, early, page = await _open_tunnel(target, proxy, step, resolver)
    try:
        return await _tls_handshake(sock, target, step, early, page)
    finally:
        sock.close()


# ------------------------------------------------------------------------------ connecting


class _Resolver:
    """Name lookups for one run, each name once, in daemon threads.

    getaddrinfo blocks and cannot be cancelled: a daemon thread never holds the process (or the
    event loop's shutdown) past the deadline, as the default executor's threads would.
    """

    def __init__(self) -> None:
        self.pending: dict[tuple[str, int], asyncio.Future[list[tuple[Any, ...]]]] = {}

    def lookup(self, host: str, port: int) -> asyncio.Future[list[tuple[Any, ...]]]:
        key = (host, port)
        if key not in self.pending:
            self.pending[key] = self._start(host, port)
        return self.pending[key]

    @staticmethod
    def _start(host: str, port: int) -> asyncio.Future[list[tuple[Any, ...]]]:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[list[tuple[Any, ...]]] = loop.create_future()
        if is_ip(host):  # no lookup to wait for
            answer.set_result(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            return answer

        def deliver(result: list[tuple[Any, ...]] | None, error: BaseException | None) -> None:
            if answer.done():
                return
            if error is not None:
                answer.set_exception(error)
            else:
                answer.set_result(result or [])

        def look_up() -> None:
            try:
                found, error = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), None
            except (OSError, UnicodeError, ValueError) as err:
                found, error = None, err
            with contextlib.suppress(RuntimeError):  # the run is over: nobody waits any more
                loop.call_soon_threadsafe(deliver, found, error)

        # A waiter whose timeout ran out no longer retrieves a failure (asyncio.shield drops its
        # callback): retrieve it here, or asyncio logs "Future exception was never retrieved".
        answer.add_done_callback(_retrieve_exception)
        threading.Thread(target=look_up, name="tlsdoctor-resolve", daemon=True).start()
        return answer


def _retrieve_exception(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


async def _connect(
    host: str, port: int, step: _Step, resolver: _Resolver, *, to_proxy: bool
) -> socket.socket:
    shown = format_target(host, port)
    if to_proxy:
        step.now("proxy", proxy=shown)
    else:
        step.now("connect")
    try:
        addresses = await asyncio.shield(resolver.lookup(host, port))
    except (UnicodeError, ValueError) as err:  # empty labels, NUL bytes: not a resolvable name
        raise ProbeError(
            "proxy" if to_proxy else "dns", _("not a valid host name: {host}", host=host)
        ) from err
    except OSError as err:  # socket.gaierror
        if to_proxy:
            raise ProbeError("proxy", _("cannot resolve the proxy {host}", host=host)) from err
        raise ProbeError("dns", _("cannot resolve {host}", host=host)) from err
    error: OSError | None = None
    for family, kind, protocol, _name, address in addresses:
        sock = socket.socket(family, kind, protocol)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, address)
            return sock
        except OSError as err:
            sock.close()
            error = err
        except BaseException:
            sock.close()
            raise
    if isinstance(error, TimeoutError):  # the system gave up (ETIMEDOUT) before our own timeout
        raise step.timed_out(by_system=True) from error
    raise _connect_failed(error, shown, to_proxy=to_proxy) from error


def _connect_failed(err: OSError | None, shown: str, *, to_proxy: bool) -> ProbeError:
    if isinstance(err, ConnectionRefusedError):
        if to_proxy:
            return ProbeError(
                "proxy", _("cannot reach the proxy {proxy}: connection refused", proxy=shown)
            )
        return ProbeError("refused", _("connection refused"))
    reason = os_reason(err) if err is not None else _("the name has no address")
    return ProbeError(
        "proxy" if to_proxy else "refused", _("cannot connect: {reason}", reason=reason)
    )


async def _open_tunnel(
    target: Target, proxy: Proxy | None, step: _Step, resolver: _Resolver
) -> tuple[socket.socket, bytes, str | None]:
    """A socket to the target, any bytes that already came through the tunnel, and the proxy's
    status line when its answer announced a page (see _page_announced)."""
    if proxy is None:
        sock = await _connect(target.ascii_host, target.port, step, resolver, to_proxy=False)
        return sock, b"", None
    # socks5:// looks the name up before reaching the proxy, as curl does
    address = await _socks_address(target, proxy, step, resolver) if proxy.is_socks else ""
    sock = await _connect(proxy.host, proxy.port, step, resolver, to_proxy=True)
    try:
        if not proxy.is_socks:
            early, page = await _send_connect(sock, target, proxy, step)
            return sock, early, page
        await _socks5_connect(sock, address, target.port, proxy, step)
    except BaseException:
        sock.close()
        raise
    return sock, b"", None


async def _send_connect(
    sock: socket.socket, target: Target, proxy: Proxy, step: _Step
) -> tuple[bytes, str | None]:
    authority = format_target(target.ascii_host, target.port)
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    auth = proxy.authorization()
    if auth:
        lines.append(f"Proxy-Authorization: {auth}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    step.now("connect_request")
    try:
        await asyncio.get_running_loop().sock_sendall(sock, request)
        head, early = await _read_response_head(sock, proxy)
    except OSError as err:
        raise ProbeError(
            "proxy", _("the proxy closed the connection: {reason}", reason=os_reason(err))
        ) from err
    _check_connect_answer(head, auth)
    return early, _page_announced(head)


async def _socks_address(target: Target, proxy: Proxy, step: _Step, resolver: _Resolver) -> str:
    """What the SOCKS5 request names: the host name for socks5h://, else its address, looked
    up here first (as curl does for socks5://)."""
    host = _zone_free(target.ascii_host)
    if proxy.scheme == "socks5h" or is_ip(host):
        return host
    step.now("connect")
    try:
        addresses = await asyncio.shield(resolver.lookup(host, target.port))
    except (OSError, UnicodeError, ValueError) as err:
        raise ProbeError(
            "dns",
            _(
                "cannot resolve {host} (a socks5:// proxy gets the address looked up here; "
                "socks5h:// lets the proxy look the name up)",
                host=host,
            ),
        ) from err
    return str(addresses[0][4][0])


def _zone_free(host: str) -> str:
    return host.split("%", 1)[0]  # a SOCKS5 request has no room for an IPv6 zone id


async def _socks5_connect(
    sock: socket.socket, address: str, port: int, proxy: Proxy, step: _Step
) -> None:
    """The SOCKS5 exchange up to an open tunnel (RFC 1928/1929); ProbeError when it fails."""
    loop = asyncio.get_running_loop()
    step.now("socks", proxy=proxy.display)
    try:
        await loop.sock_sendall(sock, socks5.greeting(proxy.username is not None))
        method = socks5.chosen_method(await _socks_answer(sock, 2))
        step.now("connect_request")
        if method == socks5.USER_PASSWORD:
            if proxy.username is None:  # it chose a method it was not offered
                raise socks5.NoAcceptableMethod(method)
            await loop.sock_sendall(sock, socks5.credentials(proxy.username, proxy.password or ""))
            socks5.check_credentials_answer(await _socks_answer(sock, 2))
        await loop.sock_sendall(sock, socks5.connect_request(address, port))
        head = await _socks_answer(sock, socks5.REPLY_HEAD)
        socks5.check_connect_reply(head)
        await _socks_answer(sock, socks5.reply_length(head) - len(head))
    except OSError as err:
        raise ProbeError(
            "proxy", _("the proxy closed the connection: {reason}", reason=os_reason(err))
        ) from err
    except socks5.NotSocks5 as err:
        whole = socks5.NotSocks5(_with_what_else_came(sock, err.answer))
        raise _socks5_problem(whole, proxy) from None
    except socks5.Socks5Error as err:
        raise _socks5_problem(err, proxy) from None


async def _socks_answer(sock: socket.socket, size: int) -> bytes:
    """Exactly ``size`` bytes, or what came before the proxy closed (NotSocks5 then)."""
    loop = asyncio.get_running_loop()
    data = b""
    while len(data) < size:
        chunk = await loop.sock_recv(sock, size - len(data))
        if not chunk:
            raise socks5.NotSocks5(data)
        data += chunk
    return data


def _with_what_else_came(sock: socket.socket, answer: bytes) -> bytes:
    """The answer and what followed it and is already here: a foreign answer shown whole."""
    if not answer:
        return answer
    try:
        return answer + sock.recv(512)
    except OSError:  # BlockingIOError: nothing more yet
        return answer


def _socks5_problem(err: socks5.Socks5Error, proxy: Proxy) -> ProbeError:
    if isinstance(err, socks5.ConnectFailed):
        return _socks5_refusal(err.code)
    if isinstance(err, socks5.CredentialsRejected):
        return ProbeError("proxy_auth", _("the SOCKS5 proxy rejected the user name or password"))
    if isinstance(err, socks5.NoAcceptableMethod) and proxy.username is None:
        return ProbeError(
            "proxy_auth",
            _(
                "the SOCKS5 proxy requires a user name and password (give them in the URL: "
                "socks5h://USER:PASSWORD@HOST:PORT)"
            ),
        )
    if isinstance(err, socks5.NoAcceptableMethod):
        return ProbeError(
            "proxy",
            _("the SOCKS5 proxy accepts neither no authentication nor a user name and password"),
        )
    answer = err.answer if isinstance(err, socks5.NotSocks5) else b""
    if not answer:
        return ProbeError(
            "proxy",
            _("{proxy} closed the connection during the SOCKS5 exchange", proxy=proxy.display),
        )
    if answer.startswith(b"HTTP/"):
        return ProbeError(
            "proxy",
            _(
                "{proxy} answers in HTTP, as an HTTP proxy does: give it as http://{address}",
                proxy=proxy.display,
                address=format_target(proxy.host, proxy.port),
            ),
        )
    return ProbeError(
        "proxy",
        _(
            "{proxy} is not a SOCKS5 proxy: its answer does not start as SOCKS5 does ({start})",
            proxy=proxy.display,
            start=_printable_start(answer),
        ),
    )


def _socks5_refusal(code: int) -> ProbeError:
    meaning = socks5.REPLY_MEANINGS.get(code)
    reply = _(
        "SOCKS5 reply {code} ({meaning})",
        code=code,
        meaning=_(meaning) if meaning else _("unknown code"),
    )
    if code in socks5.HOST_UNREACHABLE or code in socks5.HOST_TIMED_OUT:
        # The proxy works but cannot reach the host: a host problem, as HTTP's 502/504.
        kind: ErrorKind = "timeout" if code in socks5.HOST_TIMED_OUT else "refused"
        return ProbeError(kind, _("the proxy could not reach the host: {status}", status=reply))
    return ProbeError("proxy", _("the proxy refused the tunnel: {status}", status=reply))


def _page_announced(head: bytes) -> str | None:
    """The status line of a 2xx answer that announces a body: a tunnel has none (RFC 9110), a
    login page, a block page or a web server that is not a proxy has. Only a hint: the tunnel's
    first bytes decide (_check_looks_like_tls)."""
    lines = head.decode("latin-1").split("\r\n")
    for line in lines[1:]:
        name, _sep, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if (name == "content-length" and value.isdigit() and int(value) > 0) or (
            name == "transfer-encoding" and value
        ):
            return lines[0].strip()
    return None


def _check_connect_answer(head: bytes, auth: str | None) -> None:
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1").strip()
    parts = status_line.split(None, 2)
    code = parts[1] if len(parts) >= 2 and parts[0].startswith("HTTP/") else ""
    if code == "407" and auth:
        raise ProbeError("proxy_auth", _("the proxy rejected the credentials (HTTP 407)"))
    if code == "407":
        raise ProbeError("proxy_auth", _("proxy authentication required (HTTP 407)"))
    if code in ("502", "503", "504"):
        # The proxy works but cannot reach the host: a host problem, not a proxy problem.
        raise ProbeError(
            "timeout" if code == "504" else "refused",
            _("the proxy could not reach the host: {status}", status=status_line),
        )
    if not code.startswith("2"):
        raise ProbeError(
            "proxy", _("the proxy refused the tunnel: {status}", status=status_line or "?")
        )


def _is_tls_record(data: bytes) -> bool:
    return data[0] in _TLS_RECORD_TYPES and (len(data) < 2 or data[1] == 0x03)


def _check_speaks_http(data: bytes, proxy: Proxy, *, complete: bool) -> None:
    """A proxy answers "HTTP/...": anything else means the address is not an HTTP proxy (a TLS
    server, an https:// or SOCKS proxy, SSH...). ``complete``: the connection has ended."""
    if not data:
        return  # nothing said: the caller tells how the connection ended
    if _is_tls_record(data):
        raise ProbeError(
            "proxy",
            _(
                "{proxy} answered in TLS: it is not an http:// proxy (an https:// proxy, which "
                "tlsdoctor cannot use, or a web server?)",
                proxy=proxy.display,
            ),
        )
    if data.startswith(b"HTTP/") or (not complete and b"HTTP/".startswith(data)):
        return
    if data[0] == socks5.VERSION and len(data) == 2:
        raise ProbeError(
            "proxy",
            _(
                "{proxy} answers as a SOCKS5 proxy does, not as an HTTP proxy: give it as "
                "socks5h://{address}",
                proxy=proxy.display,
                address=format_target(proxy.host, proxy.port),
            ),
        )
    raise ProbeError(
        "proxy",
        _(
            "{proxy} is not an HTTP proxy: its answer does not start with HTTP/ ({start})",
            proxy=proxy.display,
            start=_printable_start(data),
        ),
    )


def _printable_start(data: bytes) -> str:
    """The first line of an answer, when it is printable ASCII, for an error message."""
    first = data.split(b"\n", 1)[0].strip()[:60]
    text = first.decode("latin-1")
    return text if first and first.isascii() and text.isprintable() else _("binary data")


async def _read_response_head(sock: socket.socket, proxy: Proxy) -> tuple[bytes, bytes]:
    """The proxy's answer up to the blank line, and the bytes after it (already the tunnel's)."""
    loop = asyncio.get_running_loop()
    data = b""
    while (end := data.find(b"\r\n\r\n")) < 0:
        chunk = await loop.sock_recv(sock, 4096)
        if not chunk:
            _check_speaks_http(data, proxy, complete=True)
            raise ProbeError("proxy", _("the proxy closed the connection before answering"))
        data += chunk
        _check_speaks_http(data, proxy, complete=False)
        if len(data) > _MAX_PROXY_RESPONSE:
            raise ProbeError("proxy", _("the proxy sent an oversized answer"))
    return data[: end + 4], data[end + 4 :]


# ------------------------------------------------------------------------------------- TLS


@functools.cache
def _reading_context() -> SSL.Context:
    from OpenSSL import SSL

    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    # Verification is off on purpose: we must read chains that do not verify. Trust is decided
    # later by trust.verify; these connections carry no application data.
    context.set_verify(SSL.VERIFY_NONE)
    # Never resume a session: a resumed handshake carries no certificate to read.
    context.set_session_cache_mode(SSL.SESS_CACHE_OFF)
    return context  # shared: making an OpenSSL 3 context costs more than a handshake's CPU


async def _tls_handshake(
    sock: socket.socket, target: Target, step: _Step, early: bytes, page: str | None
) -> tuple[list[x509.Certificate], str | None]:
    from OpenSSL import SSL

    step.now("handshake")
    conn = SSL.Connection(_reading_context(), None)  # memory BIOs: we move the bytes ourselves
    conn.set_connect_state()
    if not is_ip(target.host):
        conn.set_tlsext_host_name(target.ascii_host.encode("ascii"))
    first_bytes = True
    while True:
        try:
            conn.do_handshake()
            break
        except SSL.WantReadError:
            await _flush(conn, sock)
            incoming, early = early or await _recv(sock), b""
            if not incoming:
                raise ProbeError(
                    "tls", _("the server closed the connection during the TLS handshake")
                ) from None
            if first_bytes:
                _check_looks_like_tls(incoming, page)
                first_bytes = False
            conn.bio_write(incoming)
        except SSL.Error as err:
            raise ProbeError(
                "tls", _("TLS handshake failed: {reason}", reason=_ssl_reason(err))
            ) from err
    chain = conn.get_peer_cert_chain(as_cryptography=True) or []
    version = conn.get_protocol_version_name()
    _close_quietly(conn, sock)
    return list(chain), version


def _check_looks_like_tls(data: bytes, page: str | None) -> None:
    """``page``: the proxy's status line when it announced a body with its 2xx answer."""
    if _is_tls_record(data):
        return
    if page is not None:
        raise ProbeError(
            "proxy",
            _(
                "the proxy answered the CONNECT request with a page of its own ({status}) "
                "instead of a tunnel: a login or block page, or not a proxy at all",
                status=page,
            ),
        )
    if data[:5] == b"HTTP/":
        first_line = data.split(b"\r\n", 1)[0].decode("latin-1")
        raise ProbeError(
            "not_tls", _("not a TLS server: it answered in plain HTTP ({line})", line=first_line)
        )
    raise ProbeError("not_tls", _("not a TLS server: the answer is not a TLS record"))


async def _flush(conn: SSL.Connection, sock: socket.socket) -> None:
    from OpenSSL import SSL

    while True:
        try:
            data = conn.bio_read(65536)
        except SSL.WantReadError:
            return
        if not data:
            return
        try:
            await asyncio.get_running_loop().sock_sendall(sock, data)
        except OSError as err:
            raise _handshake_lost(err) from err


async def _recv(sock: socket.socket) -> bytes:
    try:
        return await asyncio.get_running_loop().sock_recv(sock, 65536)
    except ConnectionResetError as err:
        raise ProbeError(
            "tls", _("the server reset the connection during the TLS handshake")
        ) from err
    except OSError as err:
        raise _handshake_lost(err) from err


def _handshake_lost(err: OSError) -> ProbeError:
    return ProbeError(
        "tls",
        _(
            "connection lost during the TLS handshake: {reason}",
            reason=os_reason(err),
        ),
    )


def _close_quietly(conn: SSL.Connection, sock: socket.socket) -> None:
    """Send close_notify (and the client Finished still queued); never application data.

    Best effort and without waiting: a few hundred bytes fit in any fresh socket's buffer.
    """
    from OpenSSL import SSL

    with contextlib.suppress(SSL.Error):
        conn.shutdown()
    try:
        while data := conn.bio_read(65536):
            sock.send(data)
    except (SSL.Error, OSError):  # WantReadError: nothing more to send
        pass


def _ssl_reason(err: Exception) -> str:
    args = err.args[0] if err.args else None
    if isinstance(args, list) and args:
        reasons = [str(item[2]) for item in args if isinstance(item, tuple) and len(item) >= 3]
        if reasons:
            return "; ".join(reasons)
    return str(err) or type(err).__name__


# --------------------------------------------------------------------------------- targets


def as_targets(items: Iterable[Target | str | tuple[str, int]]) -> list[Target]:
    """Library input to Targets: TypeError for the wrong types, UsageError for bad values."""
    if isinstance(items, (str, bytes)):
        raise TypeError(f"expected a list of 'HOST[:PORT]' strings, not one string: {items!r}")
    return [_as_target(item) for item in items]


def _as_target(item: Target | str | tuple[str, int]) -> Target:
    if isinstance(item, Target):
        return item
    if isinstance(item, str):
        return parse_target(item)
    if isinstance(item, tuple) and len(item) == 2:
        return _target_from(item[0], item[1])
    raise TypeError(f"a target is a 'HOST[:PORT]' string or a (host, port) tuple, not {item!r}")


def check_seconds(**limits: object) -> None:
    """Library time limits (timeout=, deadline=): TypeError for a non-number, UsageError for 0,
    a negative number, nan or inf, before anything runs."""
    for name, value in limits.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
        if not (math.isfinite(value) and value > 0):
            raise UsageError(
                _(
                    "{name} must be a positive number of seconds, not {value}",
                    name=name,
                    value=value,
                )
            )


def _target_from(host: object, port: object) -> Target:
    """probe(host, port): the types and the port checked; a name that cannot be looked up is
    the probe's "dns" error, as for any network problem."""
    if not isinstance(host, str):
        raise TypeError(f"host must be a string, not {type(host).__name__}")
    if isinstance(port, bool) or not isinstance(port, int):
        raise TypeError(f"port must be an int, not {type(port).__name__}")
    if not 0 < port < 65536:
        shown = format_target(host, port)
        raise UsageError(_("not a valid port in {target} (use 1-65535)", target=shown))
    return Target(host.strip().strip("[]"), port)
