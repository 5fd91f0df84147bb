"""The signature catalog: data/errors.toml (signatures, tool markers, hosts, issuers, insecure
settings) and data/fixes.toml, loaded once into typed rows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from tlsdoctor._data import load_data
from tlsdoctor.core.explain.prefilter import ANCHORS, anchors_of, required_literals

CAUSES: tuple[str, ...] = (
    "inspection_untrusted_ca",
    "strict_x509_noncompliant_ca",
    "expired",
    "not_yet_valid",
    "hostname_mismatch",
    "self_signed_leaf",
    "missing_intermediate",
    "revoked",
    "revocation_unreachable",
    "proxy_auth",
    "ca_file_unreadable",
    "client_cert_required",
    "client_cert_rejected",
    "peer_alert",
    "connection_closed",
    "unknown",
)
CONFIDENCES: tuple[str, ...] = ("low", "medium", "high")
_DEFAULT_PRIORITY = {"high": 30, "medium": 20, "low": 10}


@dataclass(frozen=True)
class Signature:
    id: str
    producer: str
    tool: str | None
    regex: re.Pattern[str]
    cause: str
    confidence: str
    priority: int
    ambiguous: bool
    context: bool
    settled_by: frozenset[str]  # specific causes this generic text can stand for
    followed_by: re.Pattern[str] | None  # what the next line (carets aside) must say, or None
    source: str
    literals: tuple[str, ...] | None  # the line must hold one of these (lowercase), or None
    anchors: frozenset[str] | None  # prefilter anchors a matching line holds one of


@dataclass(frozen=True)
class Marker:
    tool: str
    regex: re.Pattern[str]
    priority: int
    # the program prints this line once per failure (two are two failures), and only it does
    # (a tool built on it never takes the line as its own)
    once: bool = False


@dataclass(frozen=True)
class Insecure:
    id: str
    what: str
    regex: re.Pattern[str]
    literals: tuple[str, ...] | None
    anchors: frozenset[str] | None


@dataclass(frozen=True)
class Catalog:
    signatures: tuple[Signature, ...]
    markers: tuple[Marker, ...]
    hosts: tuple[re.Pattern[str], ...]
    issuers: tuple[re.Pattern[str], ...]
    insecure: tuple[Insecure, ...]
    causes: Mapping[str, Mapping[str, Any]]
    fixes: tuple[Mapping[str, Any], ...]
    refine: Mapping[str, tuple[str, ...]]  # generic tool -> tools that run on it
    ignore_hosts: frozenset[str]

    def refines(self, generic: str, specific: str) -> bool:
        """True when ``specific`` is a tool built on ``generic`` (requests on python)."""
        more = self.refine.get(generic, ())
        return "*" in more or specific in more


@cache
def catalog() -> Catalog:
    data = load_data("errors.toml")
    fixes = load_data("fixes.toml")
    return Catalog(
        signatures=tuple(_signature(e) for e in data.get("signature", [])),
        markers=tuple(
            Marker(
                str(e["tool"]),
                re.compile(e["pattern"]),
                int(e.get("priority", 10)),
                bool(e.get("once", False)),
            )
            for e in data.get("tool", [])
        ),
        hosts=tuple(re.compile(e["pattern"], re.IGNORECASE) for e in data.get("host", [])),
        issuers=tuple(re.compile(e["pattern"], re.IGNORECASE) for e in data.get("issuer", [])),
        insecure=tuple(_insecure(e) for e in data.get("insecure", [])),
        causes=fixes.get("cause", {}),
        fixes=tuple(fixes.get("fix", [])),
        refine={k: tuple(v) for k, v in data.get("refine", {}).items()},
        ignore_hosts=frozenset(data.get("ignore_hosts", {}).get("names", [])),
    )


def _insecure(entry: Mapping[str, Any]) -> Insecure:
    literals = required_literals(entry["pattern"])
    return Insecure(
        id=str(entry["id"]),
        what=str(entry["what"]),
        regex=re.compile(entry["pattern"], re.IGNORECASE if entry.get("ignore_case") else 0),
        literals=literals,
        anchors=anchors_of(literals),
    )


def _signature(entry: Mapping[str, Any]) -> Signature:
    confidence = str(entry.get("confidence", "medium"))
    cause = str(entry["cause"])
    if cause not in CAUSES or confidence not in CONFIDENCES:
        raise ValueError(f"errors.toml: bad cause/confidence in {entry.get('id')}")
    return Signature(
        id=str(entry["id"]),
        producer=str(entry.get("producer", "")),
        tool=entry.get("tool"),
        regex=re.compile(entry["pattern"], re.IGNORECASE),
        cause=cause,
        confidence=confidence,
        priority=int(entry.get("priority", _DEFAULT_PRIORITY[confidence])),
        ambiguous=bool(entry.get("ambiguous", False)),
        context=bool(entry.get("context", False)),
        settled_by=_causes(entry, "settled_by"),
        followed_by=re.compile(entry["followed_by"]) if "followed_by" in entry else None,
        source=str(entry.get("source", "")),
        literals=(literals := required_literals(entry["pattern"])),
        anchors=anchors_of(literals) or _declared_anchors(entry),
    )


def _causes(entry: Mapping[str, Any], field: str) -> frozenset[str]:
    causes = frozenset(str(c) for c in entry.get(field, []))
    if not causes <= set(CAUSES):
        raise ValueError(f"errors.toml: {entry.get('id')}: {field} {causes - set(CAUSES)}")
    return causes


def _declared_anchors(entry: Mapping[str, Any]) -> frozenset[str] | None:
    declared = entry.get("anchored_by")
    if not declared:
        return None
    unknown = set(declared) - set(ANCHORS)
    if unknown:
        raise ValueError(f"errors.toml: {entry.get('id')}: anchored_by {unknown} not in PREFILTER")
    return frozenset(declared)
