"""Errors that reach the user as one clear line, never as a traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1  # something needs attention: interception found, lint findings, failing clients
EXIT_USAGE = 2  # bad option or unreadable input
EXIT_INCONCLUSIVE = 3  # could not tell (nothing reachable)
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


class TlsDoctorError(Exception):
    """A problem the user can act on. ``str(err)`` is already translated."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(TlsDoctorError):
    """Bad command-line input (an option, a file that cannot be read)."""


class InputError(TlsDoctorError):
    """Input that was read but is not what we need (not a certificate, not a bundle...)."""


class OutputError(TlsDoctorError):
    """Standard output cannot be written (closed, disk full, I/O error); not a closed pipe."""

    @classmethod
    def from_os_error(cls, err: OSError) -> OutputError:
        from tlsdoctor.i18n import _, os_reason

        reason = os_reason(err)
        return cls(_("cannot write to standard output: {reason}", reason=reason))
