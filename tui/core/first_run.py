"""What a newcomer has already seen: ``$XDG_STATE_HOME/tinynet-tui/seen.json``
(or ``~/.local/state/tinynet-tui/seen.json``, beside the lesson progress).

The app shows a one-line hint on its very first start and, under the neuron maps, "m: large"
until ``m`` has been pressed once; this file remembers both.  It holds ``{"version": 1, "seen":
["hint", "map"]}``.  Anything odd about it (missing, not a regular file, over 4 KiB, not JSON,
unwritable) counts as "not seen yet" and is never an error: a hint shown twice is harmless.

>>> import tempfile, pathlib
>>> state = FirstRun(pathlib.Path(tempfile.mkdtemp()) / "seen.json")
>>> state.fresh("hint"), state.fresh("hint")
(True, False)
>>> FirstRun(state.path).seen("hint")
True
"""
from __future__ import annotations

import json
from pathlib import Path

from tui.core.files import state_file
from tui.core.output import atomic_write_text

#: the one-line hint of a first start
HINT = "new here? L opens the lessons, ? the keys"
#: the largest state file read (it holds a few words)
MAX_BYTES = 4096


def map_legend(color_system: str | None, large_hint: bool = True, width: int = 54) -> str:
    """The one line under the diagram that says what the neuron maps are — each neuron's a
    over the input plane — and what their colours mean (``color_system`` None: ``NO_COLOR``,
    where the maps use glyph densities); ``large_hint``: with "m: large" (until m is seen).
    The longest that fits ``width`` cells (a lesson's narrow diagram: a shorter one), each
    in the same words: ``maps a(x₁,x₂)``, then the colours, then the hint."""
    scale = "low ░ ▒ ▓ █ high" if color_system is None else "orange low · blue high"
    hint = " · m: large" if large_hint else ""
    for text in (f"maps a(x₁,x₂): {scale}{hint}", f"maps a(x₁,x₂): {scale}",
                 f"maps a(x₁,x₂){hint}", "maps a(x₁,x₂)"):
        if len(text) <= width:
            return text
    return ""


def default_path() -> Path:
    return state_file("seen.json")


class FirstRun:
    """The set of things seen, read once from ``path`` and written when it grows."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self.things: set[str] = set()
        try:  # a FIFO or a device would block or never end: regular files only
            if self.path.is_file() and self.path.stat().st_size <= MAX_BYTES:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                seen = data.get("seen") if isinstance(data, dict) else None
                if isinstance(seen, list):
                    self.things = {s for s in seen if isinstance(s, str) and len(s) < 40}
        except (OSError, ValueError, RecursionError):
            pass

    def seen(self, thing: str) -> bool:
        return thing in self.things

    def mark(self, thing: str) -> None:
        """Remember ``thing`` (written at once; a failure to write is ignored)."""
        if thing in self.things:
            return
        self.things.add(thing)
        text = json.dumps({"version": 1, "seen": sorted(self.things)})
        try:
            atomic_write_text(self.path, text + "\n")
        except OSError:
            pass

    def fresh(self, thing: str) -> bool:
        """True the first time ever ``thing`` is asked about (and marks it seen)."""
        new = not self.seen(thing)
        self.mark(thing)
        return new
