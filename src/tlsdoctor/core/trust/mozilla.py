"""The reference public root set: certifi's copy of Mozilla's roots, or a PEM file (--roots)."""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

from tlsdoctor.core.trust import RootStore, dedupe, load_root_file
from tlsdoctor.errors import InputError, UsageError
from tlsdoctor.i18n import _, os_reason

_MAX_ROOTS_FILE = 64 * 1024 * 1024  # Mozilla's whole set is under 300 KB


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
        data = _read_roots_file(path)
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


# What each named pipe gave: a pipe can be read once, and a command checks --roots before it
# probes, then loads it again (``--roots <(curl ...)`` was "empty" the second time).
_pipes_read: dict[tuple[str, int, int], bytes] = {}


def _read_roots_file(path: Path) -> bytes:
    """The file's bytes; a named pipe is read (``--roots <(...)``) but never waited on when
    nothing writes to it; a device or socket, or a file too large for a root set, is refused."""
    from tlsdoctor.core.x509 import open_without_waiting

    with open_without_waiting(path) as handle:
        info = os.fstat(handle.fileno())
        mode = info.st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISDIR(mode)):
            raise UsageError(
                _("cannot read the roots file {path}: it is not a file", path=str(path))
            )
        pipe = (str(path), info.st_dev, info.st_ino) if stat.S_ISFIFO(mode) else None
        if pipe in _pipes_read:
            return _pipes_read[pipe]
        data = handle.read(_MAX_ROOTS_FILE + 1)
        if pipe is not None and len(data) <= _MAX_ROOTS_FILE:
            _pipes_read[pipe] = data
    if len(data) > _MAX_ROOTS_FILE:
        raise UsageError(
            _("the roots file {path} is too large for a set of root certificates", path=str(path))
        )
    return data
