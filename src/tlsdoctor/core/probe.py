"""TLS handshake to HOST:PORT, direct or through an HTTP CONNECT proxy, to read the presented chain.

This is the one place that reads a chain without trusting it: the handshake runs with
verification off so that an intercepted or broken chain can still be collected and examined.
No application data is ever sent on that connection: handshake, read the chain, close.
The TLS engine runs over memory BIOs so that we own the socket (timeouts, proxy tunnel) and can
tell a non-TLS answer from a TLS failure by looking at the first bytes that come back.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import ipaddress
import os
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urlsplit

from cryptography import x509

from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _

if TYPE_CHECKING:
    from OpenSSL import SSL

ErrorKind = Literal["proxy_auth", "dns", "refused", "timeout", "not_tls", "proxy", "tls"]
Progress = Callable[["ProbeResult"], None]

_TLS_RECORD_TYPES = frozenset({0x14, 0x15, 0x16, 0x17})
_MAX_PROXY_RESPONSE = 64 * 1024
_MAX_WORKERS = 64


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


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def format_target(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _valid_hostname(ascii_host: str) -> bool:
    if not ascii_host or len(ascii_host) > 253:
        return False
    labels = ascii_host.rstrip(".").split(".")
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    return all(0 < len(label) <= 63 and set(label.lower()) <= allowed for label in labels)


def parse_target(text: str, default_port: int = 443) -> Target:
    """HOST, HOST:PORT, [IPv6]:PORT, bare IPv6, or an https:// URL -> Target; UsageError else."""
    raw = text.strip()
    if "://" in raw:
        parts = urlsplit(raw)
        if parts.scheme.lower() not in ("https", "http"):
            raise UsageError(_("not a HOST[:PORT]: {target}", target=text))
        raw = parts.netloc.rsplit("@", 1)[-1]
    host, port_text = _split_host_port(raw, text)
    port = default_port
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
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
        host, rest = raw[1:end], raw[end + 1 :]
        if not is_ip(host) or ":" not in host:
            raise UsageError(_("not a HOST[:PORT]: {target}", target=original))
        if rest and not rest.startswith(":"):
            raise UsageError(_("not a HOST[:PORT]: {target}", target=original))
        return host, rest[1:] if rest else None
    if raw.count(":") > 1:  # a bare IPv6 address
        if not is_ip(raw):
            raise UsageError(_("not a HOST[:PORT]: {target}", target=original))
        return raw, None
    host, sep, port = raw.partition(":")
    if not host:
        raise UsageError(_("not a HOST[:PORT]: {target}", target=original))
    return host, port if sep else None


# ------------------------------------------------------------------------------------ proxy


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @property
    def display(self) -> str:
        return f"http://{format_target(self.host, self.port)}"

    def authorization(self) -> str | None:
        if self.username is None:
            return None
        token = f"{self.username}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")


def parse_proxy(url: str) -> Proxy:
    """An HTTP CONNECT proxy URL (scheme optional); credentials are taken from the URL."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 literal
        raise UsageError(_("not a valid proxy URL: {url}", url=_redact(url))) from None
    if parts.scheme.lower() != "http":
        raise UsageError(
            _(
                "unsupported proxy scheme {scheme!r}: only http:// CONNECT proxies are supported",
                scheme=parts.scheme,
            )
        )
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise UsageError(_("not a valid proxy URL: {url}", url=_redact(url))) from None
    if not host:
        raise UsageError(_("not a valid proxy URL: {url}", url=_redact(url)))
    return Proxy(
        host=host,
        port=port or 80,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


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
    env = os.environ if environ is None else environ
    url = None
    for var in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        if env.get(var, "").strip():
            url = env[var].strip()
            break
    if url is None:
        return None
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    if bypasses_proxy(host, port, no_proxy):
        return None
    return url


def bypasses_proxy(host: str, port: int, no_proxy: str) -> bool:
    """NO_PROXY as curl reads it: '*', domain suffixes (with or without a dot), IPs, CIDRs."""
    name = to_ascii_host(host).rstrip(".").lower() if not is_ip(host) else host
    for entry in (e.strip().lower() for e in no_proxy.replace(" ", ",").split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        entry_host, entry_port = entry, None
        if entry.startswith("[") and "]" in entry:
            entry_host, _sep, rest = entry[1:].partition("]")
            entry_port = rest[1:] if rest.startswith(":") else None
        elif entry.count(":") == 1:
            entry_host, entry_port = entry.split(":")
        if entry_port and entry_port != str(port):
            continue
        if _no_proxy_entry_matches(name, entry_host):
            return True
    return False


def _no_proxy_entry_matches(name: str, entry: str) -> bool:
    if is_ip(name):
        try:
            return ipaddress.ip_address(name) in ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return False
    domain = entry.lstrip("*").lstrip(".")
    try:
        domain = to_ascii_host(domain)  # "bücher.test" in NO_PROXY matches xn--bcher-kva.test
    except UsageError:
        return False
    return bool(domain) and (name == domain or name.endswith("." + domain))


# ------------------------------------------------------------------------------------ probe


class _Clock:
    def __init__(self, timeout: float) -> None:
        self.end = time.monotonic() + timeout

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise ProbeError("timeout", _("timed out"))
        return left


def probe(
    host: str,
    port: int = 443,
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    timeout: float = 5.0,
) -> ProbeResult:
    """Handshake with host:port and return the chain it presents (leaf first), or the error.

    ``proxy`` (an http:// URL) wins; otherwise the environment's proxy variables are used unless
    ``use_env_proxy`` is False. Never raises for network problems: they end up in ``error``.
    """
    started = time.monotonic()
    target = Target(host.strip().strip("[]"), port)
    result = ProbeResult(host=target.host, port=port)
    clock = _Clock(timeout)
    try:
        parsed_proxy = _choose_proxy(target, proxy, use_env_proxy)
        result.via_proxy = parsed_proxy.display if parsed_proxy else None
        result.chain, result.tls_version = _handshake(target, parsed_proxy, clock)
    except ProbeError as err:
        result.error, result.error_kind = str(err), err.kind
    except UsageError as err:  # a name that cannot be encoded (IDNA) cannot be resolved either
        result.error, result.error_kind = str(err), "dns"
    finally:
        result.elapsed = time.monotonic() - started
    return result


def _choose_proxy(target: Target, proxy: str | None, use_env_proxy: bool) -> Proxy | None:
    url = proxy or (proxy_from_environment(target.host, target.port) if use_env_proxy else None)
    if not url:
        return None
    try:
        return parse_proxy(url)
    except UsageError as err:
        raise ProbeError("proxy", str(err)) from None


def _handshake(
    target: Target, proxy: Proxy | None, clock: _Clock
) -> tuple[list[x509.Certificate], str | None]:
    sock, early = _open_tunnel(target, proxy, clock)
    try:
        return _tls_handshake(sock, target, clock, proxy, early)
    finally:
        sock.close()


def _connect(host: str, port: int, clock: _Clock, *, to_proxy: bool) -> socket.socket:
    try:
        return socket.create_connection((host, port), timeout=clock.remaining())
    except (UnicodeError, ValueError) as err:  # empty labels, NUL bytes: not a resolvable name
        raise ProbeError(
            "proxy" if to_proxy else "dns", _("not a valid host name: {host}", host=host)
        ) from err
    except socket.gaierror as err:
        if to_proxy:
            raise ProbeError("proxy", _("cannot resolve the proxy {host}", host=host)) from err
        raise ProbeError("dns", _("cannot resolve {host}", host=host)) from err
    except ConnectionRefusedError as err:
        if to_proxy:
            raise ProbeError(
                "proxy",
                _(
                    "cannot reach the proxy {proxy}: connection refused",
                    proxy=format_target(host, port),
                ),
            ) from err
        raise ProbeError("refused", _("connection refused")) from err
    except TimeoutError as err:
        if to_proxy:
            raise ProbeError(
                "proxy",
                _("cannot reach the proxy {proxy}: timed out", proxy=format_target(host, port)),
            ) from err
        raise ProbeError("timeout", _("timed out while connecting")) from err
    except OSError as err:
        kind: ErrorKind = "proxy" if to_proxy else "refused"
        raise ProbeError(
            kind, _("cannot connect: {reason}", reason=err.strerror or str(err))
        ) from err


def _open_tunnel(target: Target, proxy: Proxy | None, clock: _Clock) -> tuple[socket.socket, bytes]:
    """A socket to the target, and any bytes that already came through the tunnel."""
    if proxy is None:
        return _connect(target.ascii_host, target.port, clock, to_proxy=False), b""
    sock = _connect(proxy.host, proxy.port, clock, to_proxy=True)
    try:
        early = _send_connect(sock, target, proxy, clock)
    except BaseException:
        sock.close()
        raise
    return sock, early


def _send_connect(sock: socket.socket, target: Target, proxy: Proxy, clock: _Clock) -> bytes:
    authority = format_target(target.ascii_host, target.port)
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    auth = proxy.authorization()
    if auth:
        lines.append(f"Proxy-Authorization: {auth}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    try:
        sock.settimeout(clock.remaining())
        sock.sendall(request)
        head, early = _read_response_head(sock, clock)
    except TimeoutError as err:
        raise ProbeError(
            "timeout", _("the proxy did not answer the CONNECT request in time")
        ) from err
    except OSError as err:
        raise ProbeError(
            "proxy", _("the proxy closed the connection: {reason}", reason=str(err))
        ) from err
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
    return early


def _read_response_head(sock: socket.socket, clock: _Clock) -> tuple[bytes, bytes]:
    """The proxy's answer up to the blank line, and the bytes after it (already the tunnel's)."""
    data = b""
    while (end := data.find(b"\r\n\r\n")) < 0:
        sock.settimeout(clock.remaining())
        chunk = sock.recv(4096)
        if not chunk:
            raise ProbeError("proxy", _("the proxy closed the connection before answering"))
        data += chunk
        if len(data) > _MAX_PROXY_RESPONSE:
            raise ProbeError("proxy", _("the proxy sent an oversized answer"))
    return data[: end + 4], data[end + 4 :]


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


def _tls_handshake(
    sock: socket.socket, target: Target, clock: _Clock, proxy: Proxy | None, early: bytes
) -> tuple[list[x509.Certificate], str | None]:
    from OpenSSL import SSL

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
            _flush(conn, sock, clock)
            incoming, early = early or _recv(sock, clock), b""
            if not incoming:
                raise ProbeError(
                    "tls", _("the server closed the connection during the TLS handshake")
                ) from None
            if first_bytes:
                _check_looks_like_tls(incoming, proxy)
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


def _check_looks_like_tls(data: bytes, proxy: Proxy | None) -> None:
    if data[0] in _TLS_RECORD_TYPES and (len(data) < 2 or data[1] == 0x03):
        return
    if data[:5] == b"HTTP/":
        first_line = data.split(b"\r\n", 1)[0].decode("latin-1")
        raise ProbeError(
            "not_tls", _("not a TLS server: it answered in plain HTTP ({line})", line=first_line)
        )
    raise ProbeError("not_tls", _("not a TLS server: the answer is not a TLS record"))


def _flush(conn: object, sock: socket.socket, clock: _Clock) -> None:
    from OpenSSL import SSL

    assert isinstance(conn, SSL.Connection)
    while True:
        try:
            data = conn.bio_read(65536)
        except SSL.WantReadError:
            return
        if not data:
            return
        try:
            sock.settimeout(clock.remaining())
            sock.sendall(data)
        except TimeoutError as err:
            raise ProbeError("timeout", _("timed out during the TLS handshake")) from err
        except OSError as err:
            raise _handshake_lost(err) from err


def _recv(sock: socket.socket, clock: _Clock) -> bytes:
    try:
        sock.settimeout(clock.remaining())
        return sock.recv(65536)
    except ProbeError:
        raise ProbeError("timeout", _("timed out during the TLS handshake")) from None
    except TimeoutError as err:
        raise ProbeError("timeout", _("timed out during the TLS handshake")) from err
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
            reason=err.strerror or str(err),
        ),
    )


def _close_quietly(conn: object, sock: socket.socket) -> None:
    """Send close_notify (and the client Finished still queued); never application data."""
    from OpenSSL import SSL

    assert isinstance(conn, SSL.Connection)
    with contextlib.suppress(SSL.Error):
        conn.shutdown()
    try:
        sock.settimeout(0.2)
        while True:
            data = conn.bio_read(65536)
            if not data:
                break
            sock.sendall(data)
    except (SSL.Error, OSError):
        pass


def _ssl_reason(err: Exception) -> str:
    args = err.args[0] if err.args else None
    if isinstance(args, list) and args:
        reasons = [str(item[2]) for item in args if isinstance(item, tuple) and len(item) >= 3]
        if reasons:
            return "; ".join(reasons)
    return str(err) or type(err).__name__


# ------------------------------------------------------------------------------- probe_many


def probe_many(
    targets: Iterable[Target | str | tuple[str, int]],
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    timeout: float = 5.0,
    deadline: float = 20.0,
    progress: Progress | None = None,
) -> list[ProbeResult]:
    """Probe all targets concurrently; results in the order given. Nothing runs past deadline."""
    wanted = [_as_target(t) for t in targets]
    if not wanted:
        return []
    started = time.monotonic()
    end = started + deadline
    per_host = max(0.01, min(timeout, deadline))
    finished: queue.SimpleQueue[tuple[int, ProbeResult | BaseException]] = queue.SimpleQueue()
    _start_workers(
        wanted, finished, lambda t: _probe_target(t, proxy, use_env_proxy, per_host, end)
    )
    results: dict[int, ProbeResult] = {}
    while len(results) < len(wanted):
        left = end - time.monotonic()
        try:
            index, result = finished.get(timeout=left) if left > 0 else finished.get_nowait()
        except queue.Empty:
            break
        if isinstance(result, BaseException):
            raise result  # a bug in a worker: fail now, not after the deadline
        results[index] = result
        if progress is not None:
            progress(result)
    for index, target in enumerate(wanted):
        if index not in results:
            late = ProbeResult(
                host=target.host,
                port=target.port,
                error=_("no answer before the total deadline ({seconds:g} s)", seconds=deadline),
                error_kind="timeout",
                elapsed=time.monotonic() - started,
            )
            results[index] = late
            if progress is not None:
                progress(late)
    return [results[i] for i in range(len(wanted))]


def _start_workers(
    wanted: list[Target],
    finished: queue.SimpleQueue[tuple[int, ProbeResult | BaseException]],
    work: Callable[[Target], ProbeResult],
) -> None:
    """Daemon threads (a late host never holds the process) that all begin at the same moment.

    Threads started one by one while earlier ones already handshake fight for the GIL: the last
    probes began tens of ms late. Here every thread is started first, then released at once.
    """
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(wanted)):
        todo.put(index)
    go = threading.Event()

    def worker() -> None:
        go.wait()
        while True:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            try:
                finished.put((index, work(wanted[index])))
            except BaseException as err:  # handed to the caller's thread
                finished.put((index, err))
                return

    for number in range(min(_MAX_WORKERS, len(wanted))):
        threading.Thread(target=worker, name=f"tlsdoctor-probe-{number}", daemon=True).start()
    go.set()


def _probe_target(
    target: Target, proxy: str | None, use_env_proxy: bool, timeout: float, end: float
) -> ProbeResult:
    budget = max(0.01, min(timeout, end - time.monotonic()))
    return probe(target.host, target.port, proxy=proxy, use_env_proxy=use_env_proxy, timeout=budget)


def _as_target(item: Target | str | tuple[str, int]) -> Target:
    if isinstance(item, Target):
        return item
    if isinstance(item, tuple):
        return Target(item[0], int(item[1]))
    return parse_target(item)


def targets_from(items: Sequence[str]) -> list[Target]:
    return [parse_target(item) for item in items]
