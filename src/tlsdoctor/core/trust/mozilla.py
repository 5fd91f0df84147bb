"""The reference public root set: certifi's copy of Mozilla's roots, or a PEM file (--roots)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from tlsdoctor.core.trust import RootStore, dedupe, load_root_file
from tlsdoctor.errors import UsageError
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
    try:
        certs = load_root_file(path)
    except OSError as err:
        raise UsageError(
            _(
                "cannot read the roots file {path}: {reason}",
                path=str(path),
                reason=os_reason(err),
            )
        ) from err
    if not certs:
        raise UsageError(_("no certificate found in the roots file {path}", path=str(path)))
    return RootStore(name="roots-file", source=str(path), certificates=dedupe(certs))
