"""Which chapter each lesson is at, per user: ``$XDG_STATE_HOME/tinynet-tui/progress.json``
(or ``~/.local/state/tinynet-tui/progress.json``), written atomically.

The file is ``{"version": 1, "lessons": {KEY: {"chapter": i, "chapters": n, "done": bool,
"completed": [i, …]}}}`` with ``i`` counted from 0 (shown from 1); ``completed`` lists the
chapters done (a chapter counts once it shows ✓ Done).  A corrupt or unreadable file is ignored with a
warning: progress is a convenience, never a reason to crash.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tui.core.output import atomic_write_text


def default_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tinynet-tui" / "progress.json"


class Progress:
    def __init__(self, path: Path | None = None, warn=None):
        self.path = Path(path) if path else default_path()
        self.warn = warn or (lambda msg: print(f"tinynet-tui: warning: {msg}", file=sys.stderr))
        self.lessons: dict[str, dict] = {}
        self._read()

    def _read(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self.warn(f"{self.path}: progress not read ({type(exc).__name__}); starting afresh")
            return
        lessons = data.get("lessons") if isinstance(data, dict) else None
        if not isinstance(lessons, dict):
            self.warn(f"{self.path}: progress not read (unexpected content); starting afresh")
            return
        for key, entry in lessons.items():
            if isinstance(entry, dict) and isinstance(entry.get("chapter"), int) \
                    and entry["chapter"] >= 0:
                completed = entry.get("completed")
                self.lessons[str(key)] = {"chapter": entry["chapter"],
                                          "chapters": int(entry.get("chapters") or 0),
                                          "done": bool(entry.get("done", False)),
                                          "completed": sorted({i for i in completed if
                                                               isinstance(i, int) and i >= 0})
                                          if isinstance(completed, list) else []}

    def get(self, key: str) -> dict | None:
        return self.lessons.get(key)

    def record(self, key: str, chapter: int, chapters: int, done: bool = False,
               completed=None) -> None:
        """Remember ``chapter`` (from 0) of ``chapters``; ``done`` once finished (kept);
        ``completed``: the chapters done so far (None: keep the recorded ones)."""
        old = self.lessons.get(key, {})
        kept = old.get("completed", []) if completed is None else completed
        self.lessons[key] = {"chapter": chapter, "chapters": chapters,
                             "done": done or bool(old.get("done")),
                             "completed": sorted(set(kept))}
        self.save()

    def save(self) -> None:
        text = json.dumps({"version": 1, "lessons": self.lessons}, indent=1, ensure_ascii=False)
        try:
            atomic_write_text(self.path, text + "\n")
        except OSError as exc:
            self.warn(f"{self.path}: progress not saved ({exc.strerror or exc})")

    def completed(self, key: str) -> set[int]:
        """The chapters (from 0) of ``key`` done so far."""
        return set((self.lessons.get(key) or {}).get("completed", []))

    def describe(self, key: str) -> str:
        """``not started``, ``chapter 3 of 9``, ``done``."""
        entry = self.lessons.get(key)
        if entry is None:
            return "not started"
        if entry["done"]:
            return "done"
        return f"at chapter {entry['chapter'] + 1} of {entry['chapters']}"
