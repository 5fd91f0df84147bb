"""Error text -> cause + fix: one matcher over the signature catalog (data/errors.toml).

One module per concern: ``signatures`` (the catalog), ``prefilter`` (anchors and required
literals), ``findings`` (what is reported and its fix), ``matcher`` (the streaming engine),
``lines``, ``names`` and ``encoding`` (its helpers), ``api`` (explain a text, lines, a
stream, a file) and ``probe`` (--probe).
"""

from __future__ import annotations

from tlsdoctor.core.explain.api import explain_file, explain_lines, explain_stream, explain_text
from tlsdoctor.core.explain.encoding import Transcoder
from tlsdoctor.core.explain.findings import (
    AMBIGUOUS_NOTE,
    CLOCK_NOTE,
    INSECURE_NOTE,
    Finding,
    fix_steps,
)
from tlsdoctor.core.explain.lines import MAX_EXCERPT, MAX_LINE
from tlsdoctor.core.explain.matcher import (
    BLOCK_SIZE,
    CONTEXT_LINES,
    MERGE_GAP,
    SIGNATURE_TOOL_PRIORITY,
    UNKNOWN_TOOL,
    Matcher,
)
from tlsdoctor.core.explain.names import MAX_HOSTS, hosts_in
from tlsdoctor.core.explain.prefilter import PREFILTER, required_literals
from tlsdoctor.core.explain.probe import MAX_PROBED_HOSTS, probe_findings
from tlsdoctor.core.explain.signatures import (
    CAUSES,
    CONFIDENCES,
    Catalog,
    Insecure,
    Marker,
    Signature,
    catalog,
)

__all__ = [
    "AMBIGUOUS_NOTE",
    "BLOCK_SIZE",
    "CAUSES",
    "CLOCK_NOTE",
    "CONFIDENCES",
    "CONTEXT_LINES",
    "INSECURE_NOTE",
    "MAX_EXCERPT",
    "MAX_HOSTS",
    "MAX_LINE",
    "MAX_PROBED_HOSTS",
    "MERGE_GAP",
    "PREFILTER",
    "SIGNATURE_TOOL_PRIORITY",
    "UNKNOWN_TOOL",
    "Catalog",
    "Finding",
    "Insecure",
    "Marker",
    "Matcher",
    "Signature",
    "Transcoder",
    "catalog",
    "explain_file",
    "explain_lines",
    "explain_stream",
    "explain_text",
    "fix_steps",
    "hosts_in",
    "probe_findings",
    "required_literals",
]
