"""File keys: save the model, the session, the drawn data's CSV is in drawing_keys;
export Matplotlib PNGs (in a thread worker that reports by message) and the trace."""
from __future__ import annotations

from pathlib import Path

from textual import work
from textual.message import Message

from tui.core import files as app_files


class Exported(Message):
    """The export worker finished: ``written`` files in ``folder``, or ``error`` (one line)."""

    def __init__(self, folder: Path, written: list[Path], error: str | None = None) -> None:
        super().__init__()
        self.folder, self.written, self.error = folder, written, error


class FileKeys:
    """App mixin (see :mod:`tui.app.controllers`); needs ``save_dir`` and ``export_dir``."""

    def _save(self, write, title: str, describe) -> None:
        """Run ``write(session, folder)``; say what was written, or why it failed."""
        try:
            written = write(self.session, self.save_dir)
        except (OSError, ValueError) as exc:
            self.say(str(exc), title="Save failed", severity="error")
            return
        self.say(describe(written), title=title)

    def action_save(self) -> None:
        self._save(app_files.save_model, "Model saved", lambda path: f"saved {path}")

    def action_save_session(self) -> None:
        self._save(app_files.save_session, "Session saved",
                   lambda path: f"{path} ({len(self.session.actions)} actions); replay with "
                                f"tinynet-tui --replay {path.name}")

    def action_export(self) -> None:
        s = self.session
        curve, net, truth = s.export_inputs()  # (epochs, lo, hi): every spike kept
        with s.lock:
            folder = app_files.export_folder(s, self.export_dir)
        self.say(f"exporting to {folder} …", timeout=2)
        self.export_worker(folder, curve, net, truth, f"{s.config.label} {net.describe()}")

    def action_export_trace(self) -> None:
        try:
            csv_path, md_path, count = app_files.export_trace(self.session, self.export_dir)
        except ValueError as exc:
            self.say(str(exc), severity="warning")
            return
        except OSError as exc:
            self.say(f"{exc.filename or self.export_dir}: {exc.strerror or exc}",
                     title="Export failed", severity="error")
            return
        self.say(f"{csv_path.parent}/ ({csv_path.name}, {md_path.name}: {count} events)",
                 title="Trace exported")

    @work(thread=True, group="export")
    def export_worker(self, folder: Path, curve, net, truth, title: str) -> None:
        """Matplotlib export in a thread; ``truth`` is the true function, if the task has one.
        Reports with an :class:`Exported` message."""
        # Matplotlib loads when first exported: start-up time
        from tui.view.plots import export_all

        try:
            written = export_all(folder, curve, net.predict if truth else None, truth,
                                 title=f"{title}: training loss")
        except (OSError, ValueError) as exc:
            self.post_message(Exported(folder, [], f"{folder}: {exc}"))
            return
        self.post_message(Exported(folder, written))

    def on_exported(self, message: Exported) -> None:
        if message.error is not None:
            self.say(message.error, title="Export failed", severity="error")
            return
        names = ", ".join(p.name for p in message.written)
        self.say(f"{message.folder}/ ({names})", title="Exported")
