"""--probe: connect to the hosts a finding names and confirm or correct its cause."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tlsdoctor.core.explain.findings import AMBIGUOUS_NOTE, Finding, fix_steps
from tlsdoctor.core.explain.signatures import catalog
from tlsdoctor.i18n import _, localized

_NOT_PROBED = ("proxy_auth", "ca_file_unreadable")
MAX_PROBED_HOSTS = 8


def probe_findings(
    findings: Sequence[Finding],
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    roots_path: str | None = None,
    timeout: float = 5.0,
    deadline: float = 20.0,
) -> None:
    """Connect to the hosts the findings name and confirm or correct each cause (in place).

    The detect engine reads the chain each host presents and validates it like OpenSSL does;
    several hosts re-signed by one unknown CA are inspection, a leaf whose AIA intermediate
    chains to a public root is a server that forgot its intermediate, and so on.
    """
    from tlsdoctor.core.detect import detect
    from tlsdoctor.core.probe import Target
    from tlsdoctor.core.trust import mozilla_roots

    targets: list[Target] = []
    for finding in findings:
        if finding.cause in _NOT_PROBED:
            continue
        for host, port in finding.hosts:
            target = Target(host, port)
            if target not in targets and len(targets) < MAX_PROBED_HOSTS:
                targets.append(target)
    if not targets:
        for finding in findings:
            if finding.cause not in _NOT_PROBED:
                finding.probe = _("the message names no host: nothing to probe")
        return
    report = detect(
        targets,
        proxy=proxy,
        use_env_proxy=use_env_proxy,
        roots_path=roots_path,
        timeout=timeout,
        deadline=deadline,
    )
    evidence = {(ev.host.lower(), ev.port): ev for ev in report.hosts}
    public = mozilla_roots(roots_path)
    fetch = _AiaFetcher(proxy, use_env_proxy, timeout)
    for finding in findings:
        if finding.cause in _NOT_PROBED:
            continue
        probed = [(host, evidence.get((host.lower(), port))) for host, port in finding.hosts]
        seen = [(host, ev) for host, ev in probed if ev is not None]
        # the first host that showed a certificate; when none did, the first failure says why
        read = [(host, ev) for host, ev in seen if ev.chain] or seen
        if read:
            _apply_probe(finding, read[0][0], read[0][1], public, fetch)


def _apply_probe(finding: Finding, host: str, ev: Any, public: Any, fetch: _AiaFetcher) -> None:
    verdict = _probe_verdict(host, ev, public, fetch)
    label = host if ev.port == 443 else f"{host}:{ev.port}"
    if verdict is None:
        if ev.chain and ev.status == "clean":
            finding.probe = _(
                "{host} presents a chain the public roots trust from here: this tool has "
                "different CA settings (a CA-only file in a replace-style variable, or a "
                "proxy bypass).",
                host=label,
            )
        else:
            finding.probe = _(
                "could not read {host}'s certificate: {error}", host=label, error=ev.error or "?"
            )
        return
    cause, confidence, text = verdict
    if cause == "inspection_untrusted_ca" and finding.cause == "strict_x509_noncompliant_ca":
        cause = finding.cause  # the CA is the inspection CA, and the text says why it fails
    if cause != finding.cause:
        old = catalog().causes.get(finding.cause, {})
        text = _(
            "{probe} (the message alone suggested: {old})",
            probe=text,
            old=str(localized(old, "title") or finding.cause),
        )
        finding.cause = cause
        finding.fix = fix_steps(cause, finding.tool, finding.producer)
    finding.confidence = confidence
    finding.probe = text
    if confidence == "high":  # settled: the advice to probe is done
        finding.fix = [step for step in finding.fix if "--probe" not in step]
    if ev.product and not finding.product:
        finding.product = ev.product
    if ev.issuer and not finding.issuer:
        finding.issuer = ev.issuer
    ambiguous = _(AMBIGUOUS_NOTE)
    finding.notes = [n for n in finding.notes if n != ambiguous]
    finding.ambiguous = False


Verdict = tuple[str, str, str]  # cause, confidence, what the probe saw (translated)


@dataclass(frozen=True)
class _Seen:
    """What one probe of ``host`` saw, as the verdict steps read it."""

    host: str
    label: str
    ev: Any
    leaf: Any
    issuer: str
    now: dt.datetime
    public: Any
    fetch: _AiaFetcher


def _probe_verdict(host: str, ev: Any, public: Any, fetch: _AiaFetcher) -> Verdict | None:
    """The first step that recognises the chain decides; None when the chain says nothing
    (no chain, or a clean one with a sound leaf)."""
    if not ev.chain:
        return None
    seen = _Seen(
        host=host,
        label=host if ev.port == 443 else f"{host}:{ev.port}",
        ev=ev,
        leaf=ev.chain[0],
        issuer=ev.issuer or "?",
        now=dt.datetime.now(dt.timezone.utc),
        public=public,
        fetch=fetch,
    )
    for step in _LEAF_STEPS:
        if verdict := step(seen):
            return verdict
    if ev.status == "clean":
        return None  # the chain is fine from here: the tool's own settings differ
    for step in _TRUST_STEPS:
        if verdict := step(seen):
            return verdict
    return _unknown_ca(seen)


def _intercepted(seen: _Seen) -> Verdict | None:
    from tlsdoctor.core.vendors import product_text

    if seen.ev.status != "intercepted":
        return None
    text = _(
        "{host} is re-signed by {product} ({issuer}).",
        host=seen.label,
        product=product_text(seen.ev.product),
        issuer=seen.issuer,
    )
    return "inspection_untrusted_ca", "high", text


def _self_signed(seen: _Seen) -> Verdict | None:
    if seen.leaf.subject != seen.leaf.issuer or len(seen.ev.chain) != 1:
        return None
    return (
        "self_signed_leaf",
        "high",
        _("{host} presents a self-signed certificate.", host=seen.label),
    )


def _expired(seen: _Seen) -> Verdict | None:
    until = seen.leaf.not_valid_after_utc
    if until >= seen.now:
        return None
    text = _("{host}'s certificate expired on {date}.", host=seen.label, date=f"{until:%Y-%m-%d}")
    return "expired", "high", text


def _not_yet_valid(seen: _Seen) -> Verdict | None:
    since = seen.leaf.not_valid_before_utc
    if since <= seen.now:
        return None
    text = _(
        "{host}'s certificate is valid only from {date}.",
        host=seen.label,
        date=f"{since:%Y-%m-%d}",
    )
    return "not_yet_valid", "high", text


def _wrong_name(seen: _Seen) -> Verdict | None:
    from tlsdoctor.core.trust.verify import hostname_matches

    if hostname_matches(seen.leaf, seen.host):
        return None
    text = _("{host}'s certificate does not name {name}.", host=seen.label, name=seen.host)
    return "hostname_mismatch", "high", text


def _revoked(seen: _Seen) -> Verdict | None:
    result = seen.ev.public_result
    if result is None or result.error_code != 23:  # X509_V_ERR_CERT_REVOKED
        return None
    return "revoked", "high", _("{host}'s certificate is revoked.", host=seen.label)


def _missing_intermediate(seen: _Seen) -> Verdict | None:
    from tlsdoctor.core.trust.verify import verify_chain

    fetched = seen.fetch.issuers(seen.leaf) if len(seen.ev.chain) == 1 else []
    if not fetched or not verify_chain([seen.leaf, *fetched], seen.public).trusted:
        return None
    text = _(
        "{host} sends only its own certificate; the intermediate named in it (AIA) "
        "chains to a public root: the server must send its intermediate.",
        host=seen.label,
    )
    return "missing_intermediate", "high", text


def _os_trusted_ca(seen: _Seen) -> Verdict | None:
    if not seen.ev.trusted_os:
        return None
    text = _(
        "{host} is signed by {issuer}, a CA your OS trusts but the public roots do not.",
        host=seen.label,
        issuer=seen.issuer,
    )
    return "inspection_untrusted_ca", "high", text


def _unknown_ca(seen: _Seen) -> Verdict:
    text = _(
        "{host} is signed by {issuer}, which no public root vouches for: an inspection CA "
        "or a private CA.",
        host=seen.label,
        issuer=seen.issuer,
    )
    return "inspection_untrusted_ca", "medium", text


# Checks of the leaf itself, asked even when the chain validates from here.
_LEAF_STEPS: tuple[Callable[[_Seen], Verdict | None], ...] = (
    _intercepted,
    _self_signed,
    _expired,
    _not_yet_valid,
    _wrong_name,
)
# Why an otherwise sound leaf is not trusted, most certain first; _unknown_ca is the last word.
_TRUST_STEPS: tuple[Callable[[_Seen], Verdict | None], ...] = (
    _revoked,
    _missing_intermediate,
    _os_trusted_ca,
)


class _AiaFetcher:
    """Download the issuer a certificate names in its AIA extension (plain http, as browsers do)."""

    def __init__(self, proxy: str | None, use_env_proxy: bool, timeout: float) -> None:
        self.proxy = proxy
        self.use_env_proxy = use_env_proxy
        self.timeout = timeout

    def issuers(self, cert: Any) -> list[Any]:
        from tlsdoctor.core.x509 import aia_ca_issuers, load_certificates

        for url in aia_ca_issuers(cert)[:2]:
            if not url.lower().startswith("http://"):
                continue
            try:
                data = self._get(url)
                return list(load_certificates(data, source=url))
            except Exception:  # any failure only means: no intermediate from AIA
                continue
        return []

    def _get(self, url: str) -> bytes:
        import urllib.request

        handlers: list[urllib.request.BaseHandler] = []
        if self.proxy:
            handlers.append(urllib.request.ProxyHandler({"http": self.proxy}))
        elif not self.use_env_proxy:
            handlers.append(urllib.request.ProxyHandler({}))
        opener = urllib.request.build_opener(*handlers)
        with opener.open(url, timeout=self.timeout) as response:
            data: bytes = response.read(1 << 20)
        return data
