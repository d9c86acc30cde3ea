"""File keys: save the model and the session; export the handout (Matplotlib PNGs and
handout.md), the PyTorch script (both in thread workers that report by message) and the
trace.  (The drawn data's CSV is :mod:`tui.app.drawing_keys`.)"""
from __future__ import annotations

from pathlib import Path

from textual import work
from textual.message import Message

from tui.core import files as app_files


class Exported(Message):
    """An export worker finished: ``written`` files in ``folder``, or ``error`` (one line);
    ``title`` and ``text`` say it (default: "Exported", the folder and the file names)."""

    def __init__(self, folder: Path, written: list[Path], error: str | None = None,
                 title: str = "Exported", text: str | None = None) -> None:
        super().__init__()
        self.folder, self.written, self.error = folder, written, error
        self.title, self.text = title, text


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
        # the handout (and Matplotlib, in its worker) loads when first exported: start-up time
        from tui.view.handout import snapshot

        s = self.session
        with s.lock:
            folder = app_files.export_folder(s, self.export_dir)
            images = self.digits_export_job(s.net.copy())  # digits: weights, confusion, mistakes
        data = snapshot(s)  # copies under the lock; the figures are drawn in a thread
        self.say(f"exporting to {folder} …", timeout=2)
        self.export_worker(folder, data, images)

    def action_export_pytorch(self) -> None:
        """The current run, from its starting weights, as a standalone PyTorch script that
        trains it again and compares the losses (tui.core.pytorch_export; docs/pytorch.md)."""
        # the PyTorch export loads when first used: start-up time
        from tui.core import pytorch_export
        from tui.core.output import unused_path  # start-up time, as above

        s = self.session
        with s.lock:
            run = pytorch_export.run_of_stepper(s.stepper, s.config.label, s.config.epochs)  # copies
        path = unused_path(self.export_dir / f"{s.config.label}-pytorch.py")
        self.say(f"writing {path} ({run.epochs} epochs) …", timeout=2)
        self.pytorch_worker(path, run)

    @work(thread=True, group="export")
    def pytorch_worker(self, path: Path, run) -> None:
        """Write the script in a thread: the engine trains the run again (up to 3 times).
        Reports with an :class:`Exported` message."""
        # the PyTorch export loads when first used: start-up time
        from tui.core import pytorch_export

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            written = pytorch_export.write(path, run)
        except (OSError, ValueError) as exc:
            self.post_message(Exported(path.parent, [], f"{path}: {exc}"))
            return
        self.post_message(Exported(path.parent, written, title="PyTorch script",
                                   text=f"{', '.join(map(str, written))}: python {path.name} "
                                        f"trains these {run.epochs} epochs again in PyTorch"))

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
    def export_worker(self, folder: Path, data, images=None) -> None:
        """The handout (tui.view.handout: loss, boundary, neuron maps, branches, handout.md)
        drawn with Matplotlib in a thread.  Reports with an :class:`Exported` message."""
        # the handout and Matplotlib load when first exported: start-up time
        from tui.view.handout import write_handout

        try:
            written = write_handout(folder, data)
            if images is not None:  # an image task's pictures (tui/view/plots_digits.py)
                written += images(folder)
        except (OSError, ValueError) as exc:
            self.post_message(Exported(folder, [], f"{folder}: {exc}"))
            return
        self.post_message(Exported(folder, written))

    def on_exported(self, message: Exported) -> None:
        if message.error is not None:
            self.say(message.error, title="Export failed", severity="error")
            return
        names = ", ".join(p.name for p in message.written)
        self.say(message.text or f"{message.folder}/ ({names})", title=message.title)
