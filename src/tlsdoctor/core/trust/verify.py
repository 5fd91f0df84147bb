"""Is this chain trusted by that root set? Decided by OpenSSL itself, as the clients decide it.

OpenSSL-based clients (Python's ssl, curl, git, Node) accept certificates that strict validators
reject, so the trust verdict comes from ``X509_verify_cert`` through pyOpenSSL with the default
flags. Strict-profile problems are reported separately: OpenSSL's X509_STRICT (what Python 3.13's
``VERIFY_X509_STRICT`` turns on) and the webpki-style checks of ``cryptography.x509.verification``.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from cryptography import x509

from tlsdoctor.core.trust import RootStore
from tlsdoctor.i18n import _


@dataclass(frozen=True)
class VerifyResult:
    trusted: bool
    error_code: int | None = None  # OpenSSL X509_V_ERR_* number
    error: str | None = None  # OpenSSL's text, e.g. "unable to get local issuer certificate"
    anchor: x509.Certificate | None = None  # the root the path ends in (trusted or not)
    path: tuple[x509.Certificate, ...] = field(default=())
    error_depth: int | None = None


@dataclass(frozen=True)
class StrictFinding:
    profile: str  # "openssl-x509-strict" | "webpki"
    message: str


_lock = threading.Lock()


@dataclass(frozen=True)
class _Store:
    """An OpenSSL store for one root set, and its certificates by OpenSSL address: a verified
    path holds the store's own X509 objects, so each maps back to the certificate without
    re-encoding it."""

    native: Any  # OpenSSL.crypto.X509Store
    roots: RootStore
    by_address: dict[int, x509.Certificate]
    # Every X509 made for the store, kept alive with it: a duplicate the store did not take
    # would otherwise be freed, and its address reused by another certificate.
    keep_alive: tuple[Any, ...]


_stores: dict[tuple[int, bool, bool], _Store] = {}


def _x509_store(roots: RootStore, *, strict: bool, partial: bool) -> _Store:
    from OpenSSL import crypto

    key = (id(roots), strict, partial)
    with _lock:
        cached = _stores.get(key)
        if cached is not None and cached.roots is roots:
            return cached
        if len(_stores) > 32:
            _stores.clear()
        store = crypto.X509Store()
        by_address: dict[int, x509.Certificate] = {}
        made = []
        for cert in roots.certificates:
            native = crypto.X509.from_cryptography(cert)
            made.append(native)
            try:
                store.add_cert(native)
            except crypto.Error:
                continue  # duplicates in a bundle
            address = _address(native)
            if address is not None:
                by_address[address] = cert
        flags = 0
        if strict:
            flags |= crypto.X509StoreFlags.X509_STRICT
        if partial:
            flags |= crypto.X509StoreFlags.PARTIAL_CHAIN
        if flags:
            store.set_flags(flags)
        _check_purpose_as_tls_clients_do(store)
        _stores[key] = _Store(store, roots, by_address, tuple(made))
        return _stores[key]


_X509_PURPOSE_SSL_SERVER = 2  # x509v3.h


def _check_purpose_as_tls_clients_do(store: object) -> None:
    """TLS clients verify with the "sslserver" purpose (EKU must allow serverAuth): so do we."""
    from OpenSSL._util import lib

    setter = getattr(lib, "X509_STORE_set_purpose", None)
    pointer = getattr(store, "_store", None)
    if setter is not None and pointer is not None:
        setter(pointer, _X509_PURPOSE_SSL_SERVER)


def verify_chain(
    chain: Sequence[x509.Certificate],
    roots: RootStore,
    *,
    strict: bool = False,
    partial_chain: bool = False,
) -> VerifyResult:
    """Validate ``chain`` (leaf first, as presented) against ``roots`` the way OpenSSL does.

    ``strict`` adds X509_STRICT (Python 3.13's default profile adds PARTIAL_CHAIN as well: pass
    ``partial_chain=True`` to mirror it). Hostnames are not checked here.
    """
    if not chain:
        return VerifyResult(trusted=False, error=_("no certificate presented"))
    store = _x509_store(roots, strict=strict, partial=partial_chain)
    if _native_calls() is not None:
        return _verify_natively(chain, store)
    return _verify_with_pyopenssl(chain, store)


# What X509_verify_cert needs, from the library pyOpenSSL is built on. pyOpenSSL's own
# X509StoreContext costs ~80 us a call (a copy of the failing certificate for its exception,
# garbage-collected wrappers) for ~1 us of OpenSSL: detect verifies every chain twice, as the
# chains arrive. Without these functions (a future pyOpenSSL), its public API is used.
_NATIVE_FUNCTIONS = (
    "X509_STORE_CTX_new",
    "X509_STORE_CTX_init",
    "X509_STORE_CTX_free",
    "X509_STORE_CTX_get_error",
    "X509_STORE_CTX_get_error_depth",
    "X509_STORE_CTX_get1_chain",
    "X509_verify_cert",
    "X509_verify_cert_error_string",
    "X509_up_ref",
    "X509_free",
    "sk_X509_new_null",
    "sk_X509_push",
    "sk_X509_num",
    "sk_X509_value",
    "sk_X509_free",
)


@lru_cache(maxsize=1)
def _native_calls() -> tuple[Any, Any] | None:
    """(ffi, lib) when every function of _NATIVE_FUNCTIONS is there, else None."""
    try:
        from OpenSSL._util import ffi, lib
    except ImportError:
        return None
    if not all(hasattr(lib, name) for name in _NATIVE_FUNCTIONS):
        return None
    return ffi, lib


def _address(native: Any) -> int | None:
    calls = _native_calls()
    pointer = getattr(native, "_x509", None)
    if calls is None or pointer is None:
        return None
    return _key(calls[0], pointer)


def _key(ffi: Any, pointer: Any) -> int:
    return int(ffi.cast("uintptr_t", pointer))


def _verify_natively(chain: Sequence[x509.Certificate], store: _Store) -> VerifyResult:
    ffi, lib = cast("tuple[Any, Any]", _native_calls())
    natives = [_openssl_certificate(c) for c in chain]
    context = lib.X509_STORE_CTX_new()
    if context == ffi.NULL:
        raise MemoryError("X509_STORE_CTX_new")
    untrusted = ffi.NULL
    try:
        if len(natives) > 1:
            untrusted = lib.sk_X509_new_null()  # borrows the certificates: freed without them
            for native in natives[1:]:
                lib.sk_X509_push(untrusted, native._x509)
        if lib.X509_STORE_CTX_init(context, store.native._store, natives[0]._x509, untrusted) != 1:
            raise MemoryError("X509_STORE_CTX_init")
        if lib.X509_verify_cert(context) == 1:
            presented = {_key(ffi, n._x509): c for n, c in zip(natives, chain, strict=True)}
            path = _verified_path(context, presented, store.by_address)
            return VerifyResult(trusted=True, anchor=path[-1] if path else None, path=path)
        code = lib.X509_STORE_CTX_get_error(context)
        message = ffi.string(lib.X509_verify_cert_error_string(code)).decode("utf-8")
        depth = lib.X509_STORE_CTX_get_error_depth(context)
    finally:
        lib.X509_STORE_CTX_free(context)
        if untrusted != ffi.NULL:
            lib.sk_X509_free(untrusted)
    return _failure(chain, int(code), int(depth), message)


def _verified_path(
    context: Any, presented: dict[int, x509.Certificate], stored: dict[int, x509.Certificate]
) -> tuple[x509.Certificate, ...]:
    """The path OpenSSL verified, each certificate found by its address when it is ours."""
    from OpenSSL import crypto

    ffi, lib = cast("tuple[Any, Any]", _native_calls())
    stack = lib.X509_STORE_CTX_get1_chain(context)  # a new stack holding a reference to each
    if stack == ffi.NULL:
        raise MemoryError("X509_STORE_CTX_get1_chain")
    path = []
    try:
        for index in range(lib.sk_X509_num(stack)):
            pointer = lib.sk_X509_value(stack, index)
            address = _key(ffi, pointer)
            cert = presented.get(address) or stored.get(address)
            if cert is None:  # not one of ours: copy it out (the wrapper takes a reference)
                lib.X509_up_ref(pointer)
                cert = crypto.X509._from_raw_x509_ptr(pointer).to_cryptography()
            path.append(cert)
    finally:
        for index in range(lib.sk_X509_num(stack)):
            lib.X509_free(lib.sk_X509_value(stack, index))
        lib.sk_X509_free(stack)
    return tuple(path)


def _verify_with_pyopenssl(chain: Sequence[x509.Certificate], store: _Store) -> VerifyResult:
    from OpenSSL import crypto

    leaf = _openssl_certificate(chain[0])
    untrusted = [_openssl_certificate(c) for c in chain[1:]]
    context = crypto.X509StoreContext(store.native, leaf, untrusted)
    try:
        verified = context.get_verified_chain()
    except crypto.X509StoreContextError as err:
        code, depth, message = _error_parts(err)
        return _failure(chain, code, depth, message)
    path = tuple(c.to_cryptography() for c in verified)
    return VerifyResult(trusted=True, anchor=path[-1] if path else None, path=path)


def _failure(
    chain: Sequence[x509.Certificate], code: int | None, depth: int | None, message: str
) -> VerifyResult:
    return VerifyResult(
        trusted=False,
        error_code=code,
        error=message,
        error_depth=depth,
        anchor=chain[-1] if _self_issued(chain[-1]) else None,
    )


def _error_parts(err: Exception) -> tuple[int | None, int | None, str]:
    errors = getattr(err, "errors", None)
    if isinstance(errors, list) and len(errors) >= 3:
        code, depth, message = errors[0], errors[1], errors[2]
        return int(code), int(depth), str(message)
    return None, None, str(err)


@lru_cache(maxsize=4096)
def _openssl_certificate(cert: x509.Certificate) -> Any:
    """pyOpenSSL's copy of a certificate, made once (a chain is checked against several sets)."""
    from OpenSSL import crypto

    return crypto.X509.from_cryptography(cert)


@lru_cache(maxsize=4096)
def _self_issued(cert: x509.Certificate) -> bool:
    return bool(cert.subject == cert.issuer)  # each access builds a Name: once per certificate


def hostname_matches(cert: x509.Certificate, hostname: str) -> bool:
    """RFC 6125 matching as OpenSSL clients do it: SANs only, one left-most wildcard label."""
    import ipaddress

    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        address = None
    if address is not None:
        return address in sans.get_values_for_type(x509.IPAddress)
    wanted = hostname.rstrip(".").lower()
    for pattern in sans.get_values_for_type(x509.DNSName):
        name = pattern.rstrip(".").lower()
        if name == wanted:
            return True
        if name.startswith("*.") and "." in wanted:
            head, rest = wanted.split(".", 1)
            if head and rest == name[2:] and "." in rest:
                return True
    return False


def _dns_name_of(cert: x509.Certificate) -> str | None:
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return None
    names = [n for n in sans.get_values_for_type(x509.DNSName) if not n.startswith("*")]
    return names[0] if names else None


def strict_findings(
    chain: Sequence[x509.Certificate],
    roots: RootStore,
    *,
    hostname: str | None = None,
) -> list[StrictFinding]:
    """Defects that stricter clients reject although OpenSSL's default profile accepts the chain.

    Only meaningful for a chain that ``verify_chain(chain, roots)`` trusts.
    """
    findings: list[StrictFinding] = []
    strict = verify_chain(chain, roots, strict=True, partial_chain=True)
    if not strict.trusted:
        findings.append(
            StrictFinding(
                "openssl-x509-strict",
                _(
                    "Python 3.13+ (VERIFY_X509_STRICT) rejects this chain: {error}",
                    error=strict.error or "?",
                ),
            )
        )
    if hostname and not hostname_matches(chain[0], hostname):
        hostname = _dns_name_of(chain[0])  # the mismatch is reported on its own, not here
    webpki = _webpki_error(chain, roots, hostname)
    if webpki:
        findings.append(
            StrictFinding(
                "webpki",
                _("strict validators (rustls/webpki, Go-like) reject it: {error}", error=webpki),
            )
        )
    return findings


_webpki_stores: dict[int, tuple[RootStore, object]] = {}


def _webpki_store(roots: RootStore, factory: Any) -> Any:
    with _lock:
        cached = _webpki_stores.get(id(roots))
        if cached is not None and cached[0] is roots:
            return cached[1]
        if len(_webpki_stores) > 32:
            _webpki_stores.clear()
        store = factory(list(roots.certificates))
        _webpki_stores[id(roots)] = (roots, store)
        return store


def _webpki_error(
    chain: Sequence[x509.Certificate], roots: RootStore, hostname: str | None
) -> str | None:
    try:
        from cryptography.x509 import DNSName, IPAddress
        from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
    except ImportError:  # older cryptography
        return None
    if not roots.certificates:
        return None
    import ipaddress

    subject: x509.GeneralName | None = None
    if hostname:
        try:
            subject = IPAddress(ipaddress.ip_address(hostname))
        except ValueError:
            subject = DNSName(hostname)
    builder = (
        PolicyBuilder()
        .store(_webpki_store(roots, Store))
        .time(datetime.datetime.now(datetime.timezone.utc))
    )
    try:
        if subject is not None:
            builder.build_server_verifier(subject).verify(chain[0], list(chain[1:]))  # type: ignore[arg-type]
        else:
            return None
    except VerificationError as err:
        # cryptography appends "(encountered processing <Certificate(...)>)": noise for users
        return str(err).split(" (encountered processing", 1)[0]
    except Exception as err:  # malformed input the strict parser refuses outright
        return str(err)
    return None
