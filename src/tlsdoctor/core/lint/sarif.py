"""SARIF 2.1.0 as GitHub code scanning reads it (tool.driver.rules, results with locations)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from tlsdoctor._version import PROJECT_URL, __version__

from .model import Finding
from .rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = PROJECT_URL
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub ranks security alerts by this property: >= 7.0 high, >= 4.0 medium, else low.
SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "info": "2.0"}


def _uri(path: str) -> dict[str, str]:
    if path.startswith("/"):
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path.removeprefix("./")), "uriBaseId": "%SRCROOT%"}


def _rule(rule: Rule) -> dict[str, Any]:
    bad = str(rule.entry.get("bad", "")).strip("\n")
    good = str(rule.entry.get("good", "")).strip("\n")
    why, fix = rule.text("why"), rule.text("fix")
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.text("title")},
        "fullDescription": {"text": why},
        "help": {
            "text": f"{why}\n\n{fix}",
            "markdown": (
                f"{why}\n\n**Fix:** {fix}\n\nBad:\n```\n{bad}\n```\n\nGood:\n```\n{good}\n```"
            ),
        },
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["security", "tls", "external/cwe/cwe-295"],
            "precision": "high",
            "problem.severity": rule.severity if rule.severity != "info" else "recommendation",
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def to_sarif(findings: Sequence[Finding], rules: Sequence[Rule]) -> dict[str, Any]:
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVELS[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _uri(f.path),
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in findings
        if f.rule in index
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tlsdoctor",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
