"""What the app writes (models, sessions, traces, plots), each to a fresh name; and where
its per-user state files live (:func:`state_file`).

Nothing here overwrites: every name goes through :func:`tui.core.output.unused_path`
(``name-2.ext`` when ``name.ext`` exists), and every write is atomic
(:mod:`tui.core.output`, ``nn.save``).  Functions return what was written and raise
``OSError``/``ValueError`` with a message naming the file; the app shows it.
"""
from __future__ import annotations

import os
from pathlib import Path

from tui.core.output import unused_path
from tui.core.trace import write_csv, write_markdown


def state_file(name: str) -> Path:
    """Where the per-user state file ``name`` lives (the lesson progress, what a newcomer
    has seen): ``$XDG_STATE_HOME/tinynet-tui/<name>``, else ``~/.local/state/tinynet-tui/``.
    A relative ``$XDG_STATE_HOME`` is ignored, as the XDG base-directory spec says (it
    would name a different folder from every working directory)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "tinynet-tui" / name


def model_path(session, folder: Path) -> Path:
    return unused_path(Path(folder) / f"tinynet-{session.config.label}-epoch{session.stepper.epoch}.npz")


def save_model(session, folder: Path) -> Path:
    return session.save(model_path(session, folder))


def save_session(session, folder: Path) -> Path:
    name = f"tinynet-session-{session.config.label}-epoch{session.stepper.epoch}.json"
    return session.save_session(unused_path(Path(folder) / name))


def export_folder(session, root: Path) -> Path:
    """A new folder ``<root>/<task>-epoch<N>`` (``…-2`` when that exists)."""
    return unused_path(Path(root) / f"{session.config.label}-epoch{session.stepper.epoch}")


def export_trace(session, root: Path) -> tuple[Path, Path, int]:
    """trace.csv and trace.md of every step taken, into ``<root>/<task>-epoch<N>`` — the
    folder ``e`` writes the plots of this epoch to — as ``trace-2.csv`` … when a trace
    is already there.  Returns (the csv, the md, number of events)."""
    with session.lock:
        events = session.trace_events()
        folder = Path(root) / f"{session.config.label}-epoch{session.stepper.epoch}"
        title = (f"tinynet-tui trace: {session.config.label} {session.net.describe()}, "
                 f"lr {session.config.lr:g}")
    if not events:
        raise ValueError("nothing to export yet: take some steps with n first")
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = unused_path(folder / "trace.csv")
    md_path = unused_path(csv_path.with_suffix(".md"))
    write_csv(events, csv_path)
    write_markdown(events, md_path, title)
    return csv_path, md_path, len(events)
