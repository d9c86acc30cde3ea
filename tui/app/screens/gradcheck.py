"""Live gradient check: backprop's dw/db for the current network against
finite differences, per parameter, with a verdict."""
from __future__ import annotations

import time

import numpy as np
from rich.text import Text
from textual import work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from nn import NeuralNetwork, gradcheck
from nn.gradcheck import GradCheckCancelled, GradCheckResult

from nn.naming import param_name

from tui.core.format import num

MAX_SAMPLES = 64  #: the check uses at most this many samples (the first ones), to stay quick


def label(check, sizes) -> str:
    return param_name(check.layer, check.kind, check.index, sizes)


def verdict(result: GradCheckResult, sizes) -> Text:
    bad = [c for c in result.checks if c.rel_error >= result.tolerance]
    worst = result.worst
    t = Text()
    if not bad:
        t.append("✓ PASS", style="bold green")
        t.append(f"  backprop equals finite differences for all {len(result.checks)} parameters;"
                 f" worst relative error {worst.rel_error:.2e} ({label(worst, sizes)})")
    else:
        t.append("✗ FAIL", style="bold red")
        t.append(f"  {len(bad)} of {len(result.checks)} parameters differ; worst {worst.name}: "
                 f"analytic {num(worst.analytic, 6)} vs numeric {num(worst.numeric, 6)} "
                 f"(relative error {worst.rel_error:.2e} ≥ {result.tolerance:g})")
    return t


class GradCheckScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,c", "dismiss", "close")]

    def __init__(self, net: NeuralNetwork, X: np.ndarray, y: np.ndarray) -> None:
        super().__init__()
        self.net, self.X, self.y = net, X[:MAX_SAMPLES], y[:MAX_SAMPLES]
        self.result: GradCheckResult | None = None
        self.progress: tuple[int, int] | None = None  #: (parameters done, all) while checking

    def compose(self) -> ComposeResult:
        with Vertical(id="gc-box", classes="dialog"):
            yield Label(f"Gradient check on {len(self.X)} samples: analytic (backprop) vs "
                        "4th-order central differences, in float64.")
            yield Label("Esc closes.", classes="hint")
            yield Label("checking …", id="gc-verdict")
            yield DataTable(id="gc-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("parameter", "analytic", "numeric", "relative error", "")
        self.run_check()

    @work(thread=True, exclusive=True)
    def run_check(self) -> None:
        """Off the UI thread; the verdict line counts the parameters done (at most ~10
        updates a second) and Esc (which dismisses the screen, cancelling its workers)
        stops the check at the next parameter."""
        worker = get_current_worker()
        shown = [0.0]

        def progress(done: int, total: int) -> bool:
            if worker.is_cancelled:
                return False
            now = time.monotonic()
            if now - shown[0] > 0.1:
                shown[0] = now
                self.app.call_from_thread(self.show_progress, done, total)
            return True

        try:
            result = gradcheck(self.net, self.X, self.y, progress=progress)
        except GradCheckCancelled:
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show, result)

    def show_progress(self, done: int, total: int) -> None:
        self.progress = (done, total)
        self.query_one("#gc-verdict", Label).update(
            f"checking … {done:,} of {total:,} parameters (Esc stops)")

    def show(self, result: GradCheckResult) -> None:
        self.result = result
        self.query_one("#gc-verdict", Label).update(verdict(result, tuple(self.net.sizes)))
        table = self.query_one(DataTable)
        rows = sorted(result.checks, key=lambda c: -c.rel_error)
        for c in rows:
            ok = c.rel_error < result.tolerance
            table.add_row(label(c, tuple(self.net.sizes)), num(c.analytic, 8), num(c.numeric, 8), f"{c.rel_error:.2e}",
                          Text("ok", style="green") if ok else Text("FAIL", style="bold red"))
