"""What the lint engine reports."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    rule: str
    severity: str = field(compare=False)
    end_line: int = field(default=0, compare=False)
    span_start: int = field(default=0, compare=False)  # first line of the enclosing construct
    detail: str = field(default="", compare=False)
    message: str = field(default="", compare=False)

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass
class FileResult:
    """One file's findings, or why it was skipped."""

    findings: list[Finding] = field(default_factory=list)
    # "", "binary", "large", "special" (not a regular file), "unreadable", "unknown"
    skipped: str = ""
    scanned: bool = False


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    files_seen: int = 0
    files_scanned: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    rules: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """Exit 1 when something needs fixing: any error or warning (info alone does not fail)."""
        return any(f.severity in ("error", "warning") for f in self.findings)
