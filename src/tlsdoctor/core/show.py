"""The chain a host presents, described certificate by certificate, with its trust verdicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from tlsdoctor.core.detect import hostname_error
from tlsdoctor.core.probe import ProbeResult, check_seconds, probe
from tlsdoctor.core.trust import RootStore, fingerprint, mozilla_roots, os_roots
from tlsdoctor.core.trust.verify import VerifyResult, strict_findings, verify_chain
from tlsdoctor.core.vendors import identify_chain


@dataclass
class ChainReport:
    host: str
    port: int
    chain: list[x509.Certificate]
    certificates: list[Any]  # tlsdoctor.core.x509.CertInfo, leaf first
    trusted_public: bool = False
    trusted_os: bool = False
    public_error: str | None = None
    os_error: str | None = None
    product: str | None = None
    strict_findings: list[str] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None
    via_proxy: str | None = None
    tls_version: str | None = None
    anchor: Any = None  # CertInfo of the root the path ends in, when it was not presented
    hostname_valid: bool | None = None  # the leaf's SANs match the host (None: no chain)
    hostname_error: str | None = None

    @property
    def ok(self) -> bool:
        """What every client needs: a chain the public roots trust, issued for this host."""
        return self.trusted_public and bool(self.hostname_valid)

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "error": self.error,
            "error_kind": self.error_kind,
            "via_proxy": self.via_proxy,
            "tls_version": self.tls_version,
            "trusted_public": self.trusted_public,
            "trusted_os": self.trusted_os,
            "hostname_valid": self.hostname_valid,
            "hostname_error": self.hostname_error,
            "public_error": self.public_error,
            "os_error": self.os_error,
            "product": self.product,
            "strict_findings": list(self.strict_findings),
            "chain": [info.to_dict() for info in self.certificates],
            "anchor": self.anchor.to_dict() if self.anchor is not None else None,
        }

    def pem(self) -> str:
        from tlsdoctor.core.x509 import to_pem

        return to_pem(self.chain)


def show(
    host: str,
    port: int = 443,
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    roots_path: str | None = None,
    os_store: RootStore | None = None,
    timeout: float = 5.0,
    deadline: float | None = None,
) -> ChainReport:
    """Probe host:port and describe the presented chain (nothing is trusted to read it).

    A ``deadline`` shorter than ``timeout`` ends the probe and is named as the limit, as in
    detect.
    """
    check_seconds(timeout=timeout)
    if deadline is not None:
        check_seconds(deadline=deadline)
    public = mozilla_roots(roots_path)
    result = probe(
        host, port, proxy=proxy, use_env_proxy=use_env_proxy, timeout=timeout, deadline=deadline
    )
    system = os_store if os_store is not None else os_roots()
    return chain_report(result, public, system)


def chain_report(result: ProbeResult, public: RootStore, system: RootStore) -> ChainReport:
    from tlsdoctor.core.x509 import describe

    report = ChainReport(
        host=result.host,
        port=result.port,
        chain=list(result.chain),
        certificates=[describe(c) for c in result.chain],
        error=result.error,
        error_kind=result.error_kind,
        via_proxy=result.via_proxy,
        tls_version=result.tls_version,
    )
    if not result.chain:
        return report
    report.hostname_error = hostname_error(result.chain[0], report.host)
    report.hostname_valid = report.hostname_error is None
    on_public = verify_chain(result.chain, public)
    on_os = verify_chain(result.chain, system)
    report.trusted_public, report.public_error = on_public.trusted, on_public.error
    report.trusted_os, report.os_error = on_os.trusted, on_os.error
    report.anchor = _anchor_info(result.chain, on_public, on_os)
    if not on_public.trusted:
        names = [result.chain[0].issuer]
        for cert in result.chain[1:]:
            names += [cert.subject, cert.issuer]
        vendor = identify_chain(names)
        report.product = vendor.product if vendor else None
    trusted_store = public if on_public.trusted else system if on_os.trusted else None
    if trusted_store is not None:
        from tlsdoctor.core.probe import to_ascii_host

        report.strict_findings = [
            f.message
            for f in strict_findings(
                result.chain, trusted_store, hostname=to_ascii_host(result.host)
            )
        ]
    return report


def _anchor_info(chain: list[x509.Certificate], *results: VerifyResult) -> Any:
    """The root a trusted path ends in, when the server did not send it itself."""
    from tlsdoctor.core.x509 import describe

    presented = {fingerprint(c) for c in chain}
    for result in results:
        anchor = result.anchor
        if result.trusted and anchor is not None and fingerprint(anchor) not in presented:
            return describe(anchor)
    return None
