"""Which chapter each lesson is at, per user: ``$XDG_STATE_HOME/tinynet-tui/progress.json``
(or ``~/.local/state/tinynet-tui/progress.json``), written atomically.

The file is ``{"version": 1, "lessons": {KEY: {"chapter": i, "chapters": n, "done": bool,
"completed": [i, …]}}}`` with ``i`` counted from 0 (shown from 1); ``completed`` lists the
chapters done (a chapter counts once it shows ✓ Done).  A corrupt or unreadable file is ignored with a
warning and rewritten without it (a FIFO or device is refused without blocking and left
alone): progress is a convenience, never a reason to crash or hang.
"""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from tui.core.files import state_file
from tui.core.output import atomic_write_text
from tui.core.text import printable


def default_path() -> Path:
    return state_file("progress.json")


#: a progress file larger than this is not read (a real one is a few hundred bytes a lesson)
MAX_BYTES = 1024 * 1024


class ProgressFileError(ValueError):
    """Why the progress file was not used (one line, without the path)."""


def read_state_file(path: Path, max_bytes: int = MAX_BYTES) -> str | None:
    """The text of ``path``, None if it does not exist; :class:`ProgressFileError` for
    something that is not a regular file (opened non-blocking: a FIFO never blocks),
    too large, unreadable or not UTF-8."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ProgressFileError(f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ProgressFileError("is not a regular file (a folder, device or pipe)")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ProgressFileError(f"is larger than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProgressFileError("is not UTF-8 text") from None


def _whole(value) -> bool:
    return type(value) is int and value >= 0


def parse_progress(text: str) -> dict[str, dict]:
    """The lessons of a progress file's text, every field checked; ProgressFileError."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ProgressFileError("is nested too deeply") from None
    except ValueError:
        raise ProgressFileError("is not JSON") from None
    lessons = data.get("lessons") if isinstance(data, dict) else None
    if not isinstance(lessons, dict):
        raise ProgressFileError("has no lessons object")
    out = {}
    for key, entry in lessons.items():
        if not isinstance(entry, dict) or not _whole(entry.get("chapter")) \
                or not _whole(entry.get("chapters", 0)) \
                or not isinstance(entry.get("done", False), bool) \
                or not isinstance(entry.get("completed", []), list) \
                or not all(_whole(i) for i in entry.get("completed", [])):
            raise ProgressFileError(f"has a bad entry for {str(key)[:40]!r}")
        out[str(key)] = {"chapter": entry["chapter"], "chapters": entry.get("chapters", 0),
                         "done": entry.get("done", False),
                         "completed": sorted(set(entry.get("completed", [])))}
    return out


class Progress:
    def __init__(self, path: Path | None = None, warn=None):
        self.path = Path(path) if path else default_path()
        self.warn = warn or (lambda msg: print(f"tinynet-tui: warning: {printable(msg)}",
                                               file=sys.stderr))
        self.lessons: dict[str, dict] = {}
        self.writable = True  #: False when the path is not a regular file: never replaced
        self._read()

    def _read(self) -> None:
        """Read the file, validated like every other file: bad content is ignored with
        one warning and the file rewritten (atomically) without it; a FIFO or device is
        refused without blocking and left alone."""
        try:
            text = read_state_file(self.path)
            if text is None:
                return
            self.lessons = parse_progress(text)
        except ProgressFileError as exc:
            regular = not os.path.lexists(self.path) or self.path.is_file()
            self.writable = regular
            self.warn(f"{self.path}: progress not read (the file {exc}); "
                      + ("starting afresh" if regular else "progress will not be saved"))
            if regular:
                self.save()

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
        if not self.writable:
            return
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
