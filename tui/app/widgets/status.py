"""The status line: task, network, lr, granularity, epoch, loss, play state.

It always fits one line: when the terminal is narrow, the least important
parts are dropped first, and "? help" is never dropped."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.view.views import StatusView
from tui.app.widgets.loss_chart import loss_text

STATES = {"halted": ("⚠ stopped: NaN/inf", "bold red"), "breakpoint": ("⏸ breakpoint", "bold yellow"),
          "paused": ("⏸ paused", "bold")}


def render_status(v: StatusView, width: int = 200) -> Text:
    if v.state == "playing":
        state = (f"▶ playing {v.speed}", "bold green")
    elif v.state == "slow":
        state = (f"▶ slow motion {v.speed}", "bold green")
    else:
        state = STATES[v.state]
    # (text, style, priority): lower priority is dropped first when the line is too long
    label = (f" {v.label} ", "bold black on cyan", 9)
    parts = [
        label,
        *([(v.branch, "bold", 8)] if v.branch else []),   # "branch B of 2", when forked
        ((" · " if v.branch else "") + v.architecture, "", 1),
        (f" · lr {v.lr:g}", "", 5),
        (f" · {v.training}" if v.training else "", "", 2),
        (" · step: ", "", 4), (v.granularity, "bold yellow", 4),
        # whose loss (below) outlives the epoch on a narrow line: "loss 0.25 (epoch 1999)"
        (f" · epoch {v.epoch}", "", 6 if _whose(v) else 8),
        (f" · batch loss {loss_text(v.batch_loss)}" if v.loss is None and v.batch_loss is not None
         else f" · loss {loss_text(v.loss)}", "", 7),
        (_whose(v), "", 7),  # goes with the loss it qualifies, never left after another part
        (f" · test {loss_text(v.test_loss)}" if v.test_loss is not None else "", "", 7),
        (" · ", "", 9), state + (9,),
    ]
    if v.breakpoints_on:
        parts.append((" · ● bp", "red", 3))
    if v.quiz is not None:
        parts.append((f" · quiz {v.quiz[0]}/{v.quiz[1]}", "bold magenta", 6))
    if v.link:  # follow mode's link: the last thing given up (no silent drift)
        parts.append((f" · {v.link}", "bold cyan", 10))
    parts.append((" · ? help", "dim", 10))
    for cutoff in range(0, 11):
        kept = _joined([p for p in parts if p[2] >= cutoff], label)
        if sum(len(text) for text, _ in kept) <= width:
            break
    t = Text(no_wrap=True, overflow="ellipsis")
    for text, style in kept:
        t.append(text, style=style)
    return t


def _whose(v: StatusView) -> str:
    """" (epoch E)" when the loss shown is not the epoch named before it: between epochs
    the last loss is the previous epoch's (computed before its update)."""
    if v.loss is None or v.loss_epoch is None or v.loss_epoch == v.epoch:
        return ""
    return f" (epoch {v.loss_epoch})"


def _joined(parts: list[tuple[str, str, int]], label: tuple) -> list[tuple[str, str]]:
    """(text, style) with single spaces: the label's box ends in a space, so the part
    after it loses its own leading space; a line never starts with a separator."""
    out: list[tuple[str, str]] = []
    for n, part in enumerate(parts):
        text = part[0]
        if n == 0 and part is not label:
            text = text.lstrip(" ·")
        elif n and parts[n - 1] is label:
            text = text.lstrip(" ")
        out.append((text, part[1]))
    return out


class StatusLine(Static):
    _view: StatusView | None = None

    def show(self, view: StatusView) -> None:
        self._view = view
        self.update(render_status(view, self.size.width or 200), layout=False)

    def on_resize(self) -> None:  # what fits depends on the width: choose again at the new one
        if self._view is not None:
            self.show(self._view)
