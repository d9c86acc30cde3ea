"""Live gradient check: backprop's dw/db for the current network against
finite differences, per parameter, with a verdict.

What the screen shows is deterministic by construction: the rows keep the engine's
parameter order (layer by layer, weights then biases — never sorted by an error that is
rounding noise), and a relative error below the check's tolerance is written as
``< 1e-06``, not as its digits (1e-12 on one CPU, 3e-12 on another: SIMD-dependent
noise the verdict does not depend on).  Values are written with :data:`DIGITS`
significant digits, far above the finite differences' noise (~1e-10 relative).
"""
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
from nn.gradcheck import GradCheckCancelled, GradCheckResult, ParamCheck

from nn.naming import param_name

from tui.core.format import num

MAX_SAMPLES = 64  #: the check uses at most this many samples (the first ones), to stay quick
DIGITS = 6        #: significant digits of the analytic and numeric values shown


def label(check: ParamCheck, sizes) -> str:
    """``h₂ w₂ (x₂)``: the parameter as every panel names it."""
    return param_name(check.layer, check.kind, check.index, sizes)


def error_text(check: ParamCheck, tolerance: float) -> str:
    """The relative error as shown: its digits only when it reaches the tolerance."""
    if check.rel_error < tolerance:
        return f"< {tolerance:.0e}"
    return f"{check.rel_error:.2e}"


def rows(result: GradCheckResult, sizes) -> list[tuple[str, str, str, str, bool]]:
    """(parameter, analytic, numeric, relative error, ok) per parameter, in the engine's
    order: the same text on every machine for the same network."""
    return [(label(c, sizes), num(c.analytic, DIGITS), num(c.numeric, DIGITS),
             error_text(c, result.tolerance), c.rel_error < result.tolerance)
            for c in result.checks]


def verdict(result: GradCheckResult, sizes) -> Text:
    bad = [c for c in result.checks if c.rel_error >= result.tolerance]
    t = Text()
    if not bad:
        t.append("✓ PASS", style="bold green")
        t.append(f"  backprop equals finite differences for all {len(result.checks)} parameters"
                 f" (every relative error < {result.tolerance:.0e})")
    else:
        worst = result.worst
        t.append("✗ FAIL", style="bold red")
        t.append(f"  {len(bad)} of {len(result.checks)} parameters differ; worst "
                 f"{label(worst, sizes)}: analytic {num(worst.analytic, DIGITS)} vs numeric "
                 f"{num(worst.numeric, DIGITS)} (relative error {worst.rel_error:.2e} ≥ "
                 f"{result.tolerance:g})")
    return t


def when_text(epoch: int, cursor: int) -> str:
    """Which weights are checked: an epoch's start, or the middle of an epoch (some of its
    updates may have run, so the weights are a mix)."""
    if cursor == 0:
        return f"the weights at the start of epoch {epoch}"
    return (f"the weights as they are now, in the middle of epoch {epoch} (the neurons this "
            "epoch's update step already reached have their new weights)")


class GradCheckScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,c", "dismiss", "close")]

    def __init__(self, net: NeuralNetwork, X: np.ndarray, y: np.ndarray,
                 when: str | None = None) -> None:
        super().__init__()
        self.net, self.X, self.y = net, X[:MAX_SAMPLES], y[:MAX_SAMPLES]
        self.when = when
        self.result: GradCheckResult | None = None
        self.progress: tuple[int, int] | None = None  #: (parameters done, all) while checking

    def compose(self) -> ComposeResult:
        with Vertical(id="gc-box", classes="dialog"):
            yield Label(f"Gradient check on {len(self.X)} samples: analytic (backprop) vs "
                        "4th-order central differences, in float64"
                        + (f", on {self.when}." if self.when else "."))
            yield Label("Esc closes.", classes="hint")
            yield Label("checking …", id="gc-verdict")
            yield DataTable(id="gc-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("parameter", "analytic", "numeric", "relative error", "")
        # after the first frame: a deep network's check holds the GIL from the start
        # (1 000 layers: the dialog took ~2 s to appear instead of ~0.5 s)
        self.call_after_refresh(self.run_check)

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
        if not self.is_attached:  # Esc closed the dialog while this was on its way
            return
        self.progress = (done, total)
        self.query_one("#gc-verdict", Label).update(
            f"checking … {done:,} of {total:,} parameters (Esc stops)")

    def show(self, result: GradCheckResult) -> None:
        if not self.is_attached:  # closed meanwhile
            return
        self.result = result
        sizes = tuple(self.net.sizes)
        self.query_one("#gc-verdict", Label).update(verdict(result, sizes))
        table = self.query_one(DataTable)
        for name, analytic, numeric, err, ok in rows(result, sizes):
            table.add_row(name, analytic, numeric, err,
                          Text("ok", style="green") if ok else Text("FAIL", style="bold red"))
