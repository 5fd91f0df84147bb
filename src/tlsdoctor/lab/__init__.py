"""The loopback lab: local HTTPS sites and the real mitmproxy re-signing them (lab extra).

Only ``tlsdoctor.lab.proxy`` imports mitmproxy, and only in the lab's own child process;
``read_state`` / ``LabState`` are pure Python and cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tlsdoctor.lab.state import LabState, read_state

if TYPE_CHECKING:
    from tlsdoctor.lab.control import Lab, LabStartError

__all__ = ["Lab", "LabStartError", "LabState", "read_state"]


def __getattr__(name: str) -> Any:
    if name in ("Lab", "LabStartError"):
        from tlsdoctor.lab import control

        return getattr(control, name)
    raise AttributeError(name)
