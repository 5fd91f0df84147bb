"""The reference public root set: certifi's copy of Mozilla's roots, or a PEM file (--roots)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from tlsdoctor.core.trust import RootStore, dedupe, load_root_file
from tlsdoctor.errors import InputError, UsageError
from tlsdoctor.i18n import _, os_reason


def mozilla_roots(path: str | Path | None = None) -> RootStore:
    """certifi's Mozilla roots; ``path`` (--roots) replaces them. UsageError if unreadable."""
    if path is None:
        import certifi

        return _cached(str(certifi.where()), "mozilla")
    return _read_user_file(Path(path))


@lru_cache(maxsize=8)
def _cached(path: str, name: str) -> RootStore:
    return RootStore(name=name, source=path, certificates=dedupe(load_root_file(path)))


def _read_user_file(path: Path) -> RootStore:
    """The user's roots file, read as `ca check` and `bundle --roots` read one: a damaged block
    is refused (naming it), not skipped, or a root the user meant to trust would silently not
    count and every host it signs would look untrusted."""
    from tlsdoctor.core.x509 import load_certificates

    try:
        data = path.read_bytes()
    except OSError as err:
        raise UsageError(
            _(
                "cannot read the roots file {path}: {reason}",
                path=str(path),
                reason=os_reason(err),
            )
        ) from err
    try:
        certs = load_certificates(data, source=str(path))
    except InputError as err:
        raise UsageError(str(err), hint=err.hint) from None
    return RootStore(name="roots-file", source=str(path), certificates=dedupe(certs))
