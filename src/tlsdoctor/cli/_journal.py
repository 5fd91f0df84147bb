"""What `setup --apply` and `undo` share: their write failures as one-line usage errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _, os_reason


@contextmanager
def journal_errors() -> Iterator[None]:
    """Turn a journal that cannot be used, or a file that cannot be written, into a UsageError."""
    from tlsdoctor.core.changes import JournalError

    try:
        yield
    except JournalError as err:
        raise UsageError(str(err)) from err
    except OSError as err:
        raise UsageError(
            _("could not write {path}: {error}", path=str(err.filename or ""), error=os_reason(err))
        ) from err
