"""Windows trust store through the standard library: ``ssl.enum_certificates``.

Since Python 3.8 (bpo-35941, python/cpython#12609) ``ssl.enum_certificates(name)`` reads the
named store from every system store location at once: local machine, local machine enterprise and
group policy, current user and its group policy, services and users. It returns a list of
``(cert_bytes, encoding_type, trust)`` tuples: ``encoding_type`` is ``"x509_asn"`` or
``"pkcs_7_asn"``; ``trust`` is ``True`` (trusted for every purpose) or a set of purpose OIDs.
Parsing is separate from reading so tests feed captured tuples (tests/ca/data/).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterable
from typing import Any

from cryptography import x509

from tlsdoctor.core.x509 import Certificate

SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
ANY_PURPOSE = "2.5.29.37.0"

EnumEntry = tuple[bytes, str, Any]
Enumerator = Callable[[str], list[EnumEntry]]


def parse_enum_certificates(
    entries: Iterable[EnumEntry], *, server_auth_only: bool = True
) -> list[Certificate]:
    """Certificates of ``ssl.enum_certificates`` tuples (only those usable for TLS servers)."""
    found: list[Certificate] = []
    for entry in entries:
        try:
            der, encoding, trust = entry
        except (TypeError, ValueError):
            continue
        if encoding != "x509_asn":
            continue
        if server_auth_only and not _trusted_for_server_auth(trust):
            continue
        try:
            found.append(x509.load_der_x509_certificate(bytes(der)))
        except (ValueError, TypeError, x509.InvalidVersion):
            continue
    return found


def _trusted_for_server_auth(trust: Any) -> bool:
    if trust is True:
        return True
    if isinstance(trust, (set, frozenset, list, tuple)):
        return SERVER_AUTH in trust or ANY_PURPOSE in trust
    return False


def _stdlib_enumerator() -> Enumerator | None:
    enum = getattr(ssl, "enum_certificates", None)
    return enum if callable(enum) else None


def _read(store: str, enum: Enumerator | None) -> list[EnumEntry]:
    reader = enum or _stdlib_enumerator()
    if reader is None:
        return []
    try:
        return list(reader(store))
    except (OSError, ssl.SSLError, ValueError):
        return []


def load_roots(enum: Enumerator | None = None) -> list[Certificate]:
    """Trusted roots (the ROOT store of the machine and the user). Empty off Windows."""
    return parse_enum_certificates(_read("ROOT", enum))


def load_intermediates(enum: Enumerator | None = None) -> list[Certificate]:
    """Intermediate CAs (the CA store): used to climb from a chain's top to its root."""
    return parse_enum_certificates(_read("CA", enum))
