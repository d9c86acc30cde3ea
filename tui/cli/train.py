"""``tinynet-tui train``: headless training with a rich progress bar and a summary table."""
from __future__ import annotations

import contextlib
import math
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from nn import ModelFileError, save
from nn.model_file import model_path
from tui.core.pytorch_export import Run, sidecar_path, write
from tui.core.pytorch_script import check_exportable

from nn.confusion import confusion_matrix
from tui.cli.summary import confusion_table
from tui.view.plots_digits import export_problem
from tui.core.config import Problem, model_meta
from tui.core.format import num
from tui.core.text import printable
from tui.view.handout import from_problem, names_for, write_handout
from tui.view.plots import IMAGE_PNGS
from tui.core.output import check_output_file, check_output_files, fallback_path, unused_path


#: significant digits of the losses in the summary (the app's status line shows 4 too)
LOSS_DIGITS = 4


def _error(message: str) -> None:
    """One line on stderr, never interpreted as markup."""
    print(f"tinynet-tui: error: {printable(message)}", file=sys.stderr)


def check_outputs(save: Path | None, export: Path | None, names: list[str],
                  force: bool = False, export_pytorch: Path | None = None) -> str | None:
    """Why ``--save``/``--export``/``--export-pytorch`` cannot be written (checked before
    training), or None."""
    if save is not None:
        why = check_output_file(save, True) or check_output_file(model_path(save), force)
        if why:
            return why
    if export_pytorch is not None:
        if export_pytorch.suffix != ".py":
            return f"--export-pytorch {export_pytorch}: the script's name must end in .py"
        why = (check_output_file(export_pytorch, force)
               or check_output_file(sidecar_path(export_pytorch), force))
        if why:
            return why
    if export is not None:
        return check_output_files(export, names, force)
    return None


def run_training(problem: Problem, until_loss: float | None = None, save: Path | None = None,
                 export: Path | None = None, quiet: bool = False,
                 console: Console | None = None, force: bool = False,
                 export_pytorch: Path | None = None) -> int:
    """Train ``problem`` for its configured epochs; returns the exit status.

    ``save``/``export`` targets are checked before training (status 2 if they cannot be
    written, or exist and ``force`` is false); if writing still fails afterwards, the
    work goes to a fallback path in the temp folder, named on stderr, status 1.
    NumPy floating-point warnings are silenced: non-finite results are reported as
    divergence instead."""
    images = IMAGE_PNGS if problem.config.image_shape is not None else []  # digits' pictures
    why = check_outputs(save, export, names_for(problem) + images, force, export_pytorch)
    if not why and export_pytorch is not None:  # refused before training, not after
        try:
            check_exportable(problem.net)
        except ValueError as exc:
            why = f"--export-pytorch: {exc}"
    if why:
        _error(why)
        return 2
    start = problem.net.copy() if export_pytorch is not None else None  # the initial weights
    losses: list[float] = []
    with np.errstate(all="ignore"):
        status = _train(problem, until_loss, save, export, quiet, console, force, losses)
    if start is not None:
        status = max(status, write_pytorch(problem, start, losses, export_pytorch, console))
    return status


def write_pytorch(problem: Problem, start, losses: list[float], path: Path,
                  console: Console | None) -> int:
    """``--export-pytorch``: the script that trains ``start`` (the network at its initial
    weights) again in PyTorch for the epochs just trained (their ``losses``); returns the
    exit status."""
    cfg = problem.config
    run = Run(start, problem.X, problem.y, cfg.lr, epochs=len(losses), batch=cfg.batch,
              losses=losses if start.dtype == np.float64 else None, label=cfg.label)
    try:
        written = write(path, run)
    except OSError as exc:
        _error(f"cannot write {path}: {exc.strerror or exc}")
        return 1
    except ValueError as exc:
        _error(f"--export-pytorch: {exc}")
        return 1
    (console or Console()).print(f"wrote {', '.join(map(str, written))}: python {path} "
                                 "trains this run again in PyTorch", markup=False)
    return 0


def _train(problem, until_loss, save, export, quiet, console, force, losses=None) -> int:
    console = console or Console()
    cfg, net = problem.config, problem.net
    epochs = cfg.epochs
    every = max(1, min(epochs // 200, 1000))  # the bar is at most 1000 epochs behind
    progress = Progress(TextColumn("[bold]training[/] {task.description}"), BarColumn(),
                        TextColumn("epoch {task.completed:>6.0f}/{task.total:.0f}"),
                        TextColumn("loss {task.fields[loss]}"),
                        TimeElapsedColumn(), TimeRemainingColumn(),
                        console=console, transient=True, disable=quiet)
    start = time.perf_counter()
    with progress, stop_on_ctrl_c() as stop:
        bar = progress.add_task(f"{cfg.label} {net.describe()}", total=epochs, loss="–")

        def tick(epoch: int, loss: float) -> bool:
            if (epoch + 1) % every == 0:
                progress.update(bar, completed=epoch + 1, loss=f"{loss:.4g}")
            return stop.is_set()  # True ends fit() after this whole epoch

        result = net.fit(problem.X, problem.y, epochs=epochs, lr=cfg.lr,
                         until_loss=until_loss, callback=tick, batch=cfg.batch)
    if losses is not None:
        losses.extend(result.losses)  # the engine's record, for --export-pytorch
    elapsed = time.perf_counter() - start
    if result.stopped == "callback":
        result.stopped = "Ctrl-C"

    # Every number of the row is computed from the same weights, the final ones (after the
    # last epoch): fit()'s last recorded loss is the loss *before* that epoch's update, so
    # it would sit beside an accuracy and a test loss of other weights.
    metric, value = problem.score()
    test = problem.test_score()
    weights = (f"the weights after epoch {result.epochs}" if result.epochs
               else "the initial weights")
    final = problem.train_loss()  # the data loss, like the test loss beside it
    penalty = net.penalty()  # weight decay's term: in the objective, not in the data loss
    caption = f"{'all four' if test else 'both'} with {weights}"
    if penalty:
        caption += (f"; losses without weight decay's penalty: the objective trained (the "
                    f"app's loss) is {num(final, LOSS_DIGITS)} + {num(penalty, LOSS_DIGITS)}"
                    f" = {num(final + penalty, LOSS_DIGITS)}")
    table = Table(title=f"{cfg.label}: {net.describe()}, lr {cfg.lr:g}, seed {cfg.seed}"
                        + "".join(f", {part}" for part in cfg.training_parts()),
                  caption=caption)
    table.add_column("train loss", justify="right")
    table.add_column(metric, justify="right")
    if test is not None:
        table.add_column("test loss", justify="right")
        table.add_column(f"test {metric}", justify="right")
    table.add_column("epochs", justify="right")
    table.add_column("time", justify="right")
    table.add_column("stopped", justify="left")
    def shown(v: float) -> str:
        return f"{v:.1%}" if metric == "accuracy" else f"{v:.4f}"

    tested = [] if test is None else [num(problem.test_loss(), LOSS_DIGITS), shown(test[1])]
    table.add_row(num(final, LOSS_DIGITS), shown(value), *tested, str(result.epochs),
                  f"{elapsed:.2f} s", "initial weights" if not result.epochs else result.stopped)
    console.print(table)
    if problem.kind == "multiclass":  # the classes' confusion matrix (tui/summary.py)
        print_confusion(problem, console)
    if metric == "R²" and math.isnan(value) and result.stopped != "diverged":
        console.print("R² is n/a: R² needs at least 2 distinct targets, and every target "
                      "here is the same value.", markup=False)
    status = 0
    if result.stopped == "Ctrl-C":
        console.print(f"interrupted after epoch {result.epochs}: what was trained is kept"
                      + (" and written below" if save or export else ""), markup=False)
        status = 130
    if result.stopped == "diverged":
        advice = "a smaller --lr" + (" or --weight-decay" if cfg.weight_decay else "")
        console.print(f"[red]training diverged: the loss became NaN/inf. Try {advice}.[/] "
                      "Parameters kept from the last finite step.")
        status = 1
    if save is not None:
        try:
            path = save_model(net, save, cfg)
            console.print(f"saved model to {path}", markup=False)
        except ModelFileError as exc:
            backup = fallback_path(model_path(save))
            try:
                save_model(net, backup, cfg)
                _error(f"{exc}; saved the model to {backup} instead")
            except ModelFileError as exc2:
                _error(f"{exc}; the fallback {exc2} too: the model is lost")
            status = 1
    if export is not None:
        handout = from_problem(problem, result.losses)
        try:
            written = write_handout(export, handout)
            if cfg.image_shape is not None:  # weights.png, confusion.png, mistakes.png
                written += export_problem(export, problem, f"{cfg.label} {net.describe()}")
        except OSError as exc:
            why = f"cannot write to {export}: {exc.strerror or exc}"
            backup = unused_path(Path(tempfile.gettempdir()) / "tinynet-export")
            try:
                write_handout(backup, handout)
                _error(f"{why}; exported to {backup} instead")
            except OSError as exc2:
                _error(f"{why}; the fallback {backup} failed too ({exc2.strerror or exc2})")
            return 1
        console.print("exported " + ", ".join(str(p) for p in written), markup=False)
    return status


@contextlib.contextmanager
def stop_on_ctrl_c():
    """While training: the first Ctrl-C sets the yielded Event (training stops after the
    epoch it is in, so the model is whole, and is still saved and exported); a second
    one interrupts at once.  Elsewhere than the main thread, Ctrl-C is left alone."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def on_ctrl_c(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def print_confusion(problem, console: Console) -> None:
    """The confusion matrix of the test rows (the training rows without a split)."""
    tested = problem.X_test is not None
    X, y = (problem.X_test, problem.y_test) if tested else (problem.X, problem.y)
    counts = confusion_matrix(problem.net.predict(X), y)
    console.print(confusion_table(counts, f"confusion on the {'test' if tested else 'training'} "
                                          f"set ({len(X)} samples)"))


def save_model(net, path: Path, cfg) -> Path:
    """Save ``net`` with what rebuilds its input on ``--load`` (:func:`tui.core.config.model_meta`)."""
    return save(net, path, **model_meta(cfg))
