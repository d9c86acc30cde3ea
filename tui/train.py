"""``tinynet-tui train``: headless training with a rich progress bar and a summary table."""
from __future__ import annotations

import math
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from nn import ModelFileError, save

from .config import Problem
from .export import export_all


def run_training(problem: Problem, until_loss: float | None = None, save: Path | None = None,
                 export: Path | None = None, quiet: bool = False,
                 console: Console | None = None) -> int:
    """Train ``problem`` for its configured epochs; returns the exit status."""
    console = console or Console()
    cfg, net = problem.config, problem.net
    epochs = cfg.epochs
    every = max(1, epochs // 200)
    progress = Progress(TextColumn("[bold]training[/] {task.description}"), BarColumn(),
                        TextColumn("epoch {task.completed:>6.0f}/{task.total:.0f}"),
                        TextColumn("loss {task.fields[loss]:.4g}"),
                        TimeElapsedColumn(), TimeRemainingColumn(),
                        console=console, transient=True, disable=quiet)
    start = time.perf_counter()
    with progress:
        bar = progress.add_task(f"{cfg.label} {net.describe()}", total=epochs, loss=math.nan)

        def tick(epoch: int, loss: float) -> None:
            if (epoch + 1) % every == 0:
                progress.update(bar, completed=epoch + 1, loss=loss)

        result = net.fit(problem.X, problem.y, epochs=epochs, lr=cfg.lr,
                         until_loss=until_loss, callback=tick)
    elapsed = time.perf_counter() - start

    metric, value = problem.score()
    table = Table(title=f"{cfg.label}: {net.describe()}, lr {cfg.lr:g}, seed {cfg.seed}")
    table.add_column("final loss", justify="right")
    table.add_column(metric, justify="right")
    table.add_column("epochs", justify="right")
    table.add_column("time", justify="right")
    table.add_column("stopped", justify="left")
    shown = f"{value:.1%}" if metric == "accuracy" else f"{value:.4f}"
    table.add_row(f"{result.final_loss:.6g}", shown, str(result.epochs),
                  f"{elapsed:.2f} s", result.stopped)
    console.print(table)
    status = 0
    if result.stopped == "diverged":
        console.print("[red]training diverged: the loss became NaN/inf. "
                      "Try a smaller --lr.[/] Parameters kept from the last finite step.")
        status = 1
    if save is not None:
        try:
            path = save_model(net, save, cfg)
            console.print(f"saved model to {path}")
        except ModelFileError as exc:
            console.print(f"[red]error:[/] {exc}")
            status = 2
    if export is not None:
        truth = cfg.target_function
        try:
            written = export_all(export, result.losses, net.predict if truth else None, truth,
                                 title=f"{cfg.label} {net.describe()}: training loss")
        except OSError as exc:
            console.print(f"[red]error:[/] cannot write to {export}: {exc.strerror or exc}")
            return 2
        console.print("exported " + ", ".join(str(p) for p in written))
    return status


def save_model(net, path: Path, cfg) -> Path:
    return save(net, path, task=cfg.task, lr=cfg.lr,
                data=str(cfg.data) if cfg.data else None)
