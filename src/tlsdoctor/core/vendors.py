"""Name the inspection product from a CA's subject (data/vendors.toml, one entry per product)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from tlsdoctor._data import load_data
from tlsdoctor.i18n import N_, _

UNKNOWN_ADMIN_CA = N_("unknown (admin-named CA)")  # kept in English in data and JSON


def product_text(product: str) -> str:
    """A product as people read it: the one name tlsdoctor makes up is translated."""
    return _(product) if product == UNKNOWN_ADMIN_CA else product


_FIELDS: dict[str, x509.ObjectIdentifier] = {
    "cn": NameOID.COMMON_NAME,
    "o": NameOID.ORGANIZATION_NAME,
    "ou": NameOID.ORGANIZATIONAL_UNIT_NAME,
}
_RFC4514_KEYS = {"cn": "cn", "commonname": "cn", "o": "o", "organizationname": "o", "ou": "ou"}


@dataclass(frozen=True)
class Vendor:
    id: str
    product: str
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]
    require_all: bool
    source: str

    def matches(self, values: Mapping[str, list[str]]) -> bool:
        results = [
            any(p.fullmatch(v) for p in pats for v in values.get(field, []))
            for field, pats in self.patterns.items()
            if pats
        ]
        if not results:
            return False
        return all(results) if self.require_all else any(results)


@cache
def catalog() -> tuple[Vendor, ...]:
    entries: list[dict[str, Any]] = load_data("vendors.toml").get("vendor", [])
    return tuple(_vendor(entry) for entry in entries)


def _vendor(entry: Mapping[str, Any]) -> Vendor:
    patterns = {
        field: tuple(re.compile(text) for text in entry.get(field, []))
        for field in _FIELDS
        if entry.get(field)
    }
    return Vendor(
        id=str(entry["id"]),
        product=str(entry["product"]),
        patterns=patterns,
        require_all=bool(entry.get("require_all", False)),
        source=str(entry.get("source", "")),
    )


def name_values(name: x509.Name | str) -> dict[str, list[str]]:
    """CN / O / OU values of a Name, or of an RFC 4514-like string ('CN=x, O=y' or a bare name)."""
    if isinstance(name, x509.Name):
        return {
            field: [str(a.value) for a in name.get_attributes_for_oid(oid)]
            for field, oid in _FIELDS.items()
        }
    values: dict[str, list[str]] = {"cn": [], "o": [], "ou": []}
    parts = _split_rfc4514(name)
    for part in parts:
        key, sep, value = part.partition("=")
        field = _RFC4514_KEYS.get(key.strip().lower()) if sep else None
        if field:
            values[field].append(value.strip().replace("\\,", ","))
    if not any(values.values()):
        bare = name.strip()
        values = {"cn": [bare], "o": [bare], "ou": []}
    return values


def _split_rfc4514(text: str) -> list[str]:
    if text.startswith("/"):  # OpenSSL's one-line form: /C=US/O=Example/CN=Name
        return [p for p in re.split(r"(?<!\\)/(?=[A-Za-z]+=)", text) if p.strip()]
    return [p for p in re.split(r"(?<!\\)[,+]", text) if p.strip()]


def match(name: x509.Name | str) -> Vendor | None:
    # Re-signed hosts share their issuer: one regex pass per distinct name is enough.
    return _match_cached(name)


@lru_cache(maxsize=1024)
def _match_cached(name: x509.Name | str) -> Vendor | None:
    values = name_values(name)
    for vendor in catalog():
        if vendor.matches(values):
            return vendor
    return None


def identify(name: x509.Name | str) -> str | None:
    """The product whose CA names match ``name`` (an issuer or CA subject), else None."""
    vendor = match(name)
    return vendor.product if vendor else None


def identify_chain(names: Iterable[x509.Name]) -> Vendor | None:
    """The first product matched by any of the names (issuer of the leaf first, then upwards)."""
    for name in names:
        vendor = match(name)
        if vendor is not None:
            return vendor
    return None
